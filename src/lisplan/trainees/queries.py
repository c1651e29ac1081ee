"""Reads of trainees shared by the pages and the API, always scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from lisplan.accounts.access import scope_filter
from lisplan.trainees.models import Employment, Trainee


@dataclass(frozen=True)
class TraineeFilters:
    q: str = ""
    institution: int | None = None
    specialty: str | None = None  # specialty code
    permanent: bool | None = None


def _search(q: str) -> Q:
    cond = Q()
    for word in q.split():
        if word.isdigit():
            cond &= Q(hpr_number__startswith=word)
        else:
            cond &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    return cond


def current_employments() -> Prefetch:
    """The employments that have not ended, for display, with their related rows."""
    rows = Employment.objects.not_ended().select_related("institution", "specialty", "arena")
    return Prefetch("employments", queryset=rows.order_by("-start"), to_attr="current_employments")


def trainee_list(user, filters: TraineeFilters = TraineeFilters()) -> QuerySet[Trainee]:
    """Trainees the user may see, filtered and ordered by name; employment filters combine
    on one and the same employment."""
    qs = scope_filter(user, "trainee.view", Trainee.objects.all())
    if filters.q.strip():
        qs = qs.filter(_search(filters.q))
    emp = Q()
    if filters.institution is not None:
        emp &= Q(institution_id=filters.institution)
    if filters.specialty:
        emp &= Q(specialty__code=filters.specialty)
    if filters.permanent is not None:
        emp &= Q(permanent=filters.permanent)
    if emp:
        # IN, not a correlated EXISTS: SQLite without statistics would scan per trainee.
        qs = qs.filter(pk__in=Employment.objects.not_ended().filter(emp).values("trainee_id"))
    return qs.order_by("last_name", "first_name", "id").prefetch_related(current_employments())


def trainee_detail(user, pk: int) -> Trainee:
    """One trainee with employments, leave and supervisors; 404 outside the user's scope."""
    from lisplan.accounts.access import get_in_scope

    qs = Trainee.objects.prefetch_related(
        Prefetch(
            "employments",
            queryset=Employment.objects.select_related(
                "institution", "specialty", "arena"
            ).order_by("-start"),
        ),
        "leave_periods",
        Prefetch("supervisions", queryset=_supervisions()),
    ).select_related("user")
    return get_in_scope(user, "trainee.view", qs, pk=pk)


def _supervisions():
    from lisplan.trainees.models import Supervision

    return Supervision.objects.select_related("supervisor").order_by("kind", "-start")
