"""Reads of progress shared by the pages and the API, always scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from lisplan.accounts.access import get_in_scope, scope_filter
from lisplan.catalogue.models import LearningGoal
from lisplan.progress.models import (
    ActivityRecord,
    GoalApproval,
    GoalStatus,
    ServicePeriod,
)
from lisplan.trainees.models import Employment, Trainee


def trainee_in_scope(user, permission: str, pk: int) -> Trainee:
    """The trainee, or 404 when outside the user's scope for `permission`."""
    return get_in_scope(user, permission, Trainee.objects.all(), pk=pk)


def progress_trainee(user, pk: int) -> Trainee:
    """One trainee with everything the progress page and the ledger read (constant queries)."""
    qs = Trainee.objects.prefetch_related(
        Prefetch(
            "employments",
            queryset=Employment.objects.select_related(
                "institution", "specialty", "arena"
            ).order_by("start", "id"),
        ),
        "leave_periods",
        Prefetch(
            "goal_approvals",
            queryset=GoalApproval.objects.select_related(
                "goal", "approved_by", "arena", "institution"
            ),
        ),
        Prefetch("activities", queryset=activities_qs()),
        Prefetch(
            "service_periods",
            queryset=ServicePeriod.objects.select_related("institution", "specialty", "employment"),
        ),
    )
    return get_in_scope(user, "progress.view", qs, pk=pk)


def activities_qs() -> QuerySet[ActivityRecord]:
    return (
        ActivityRecord.objects.select_related("course", "supervisor", "institution", "recorded_by")
        .prefetch_related(
            Prefetch("goals", queryset=LearningGoal.objects.only("id", "code", "text"))
        )
        .order_by("-date", "-id")
    )


@dataclass(frozen=True)
class GoalRow:
    goal: LearningGoal  # the version valid today
    status: str  # GoalStatus value; approval of an earlier version does not count
    approval: GoalApproval | None  # the row for this version, if any
    earlier: GoalApproval | None  # an approval of an earlier version (no longer counts)
    activities: int  # activities registered against the goal code (any version)

    @property
    def status_label(self) -> str:
        return str(GoalStatus(self.status).label)

    @property
    def needs_reapproval(self) -> bool:
        return self.earlier is not None and self.status != GoalStatus.APPROVED


def goal_rows(trainee: Trainee, goals: list[LearningGoal]) -> list[GoalRow]:
    """Status per required goal from the prefetched approvals and activities.

    The goal version rule: only an approval of the version valid today counts; an approval of
    an earlier version is reported (`earlier`) so the page can say it must be approved again.
    Activities count for the code, whatever version they were linked to."""
    by_goal = {a.goal_id: a for a in trainee.goal_approvals.all()}
    earlier: dict[str, GoalApproval] = {}
    for a in trainee.goal_approvals.all():
        if a.status == GoalStatus.APPROVED:
            earlier.setdefault(a.goal.code, a)
    per_code: dict[str, int] = {}
    for activity in trainee.activities.all():
        for g in activity.goals.all():
            per_code[g.code] = per_code.get(g.code, 0) + 1
    rows = []
    for goal in goals:
        approval = by_goal.get(goal.pk)
        status = approval.status if approval else GoalStatus.NOT_STARTED
        old = earlier.get(goal.code)
        if old is not None and old.goal_id == goal.pk:
            old = None
        if status == GoalStatus.NOT_STARTED and (old is not None or per_code.get(goal.code)):
            status = GoalStatus.IN_PROGRESS
        rows.append(GoalRow(goal, status, approval, old, per_code.get(goal.code, 0)))
    return rows


# --- the overview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewFilters:
    q: str = ""
    institution: int | None = None
    specialty: str | None = None
    status: str | None = None


def overview(user, filters: OverviewFilters = OverviewFilters()) -> QuerySet[Trainee]:
    """Trainees the user may follow, with their cached summary row (one join), current
    employment prefetched; constant queries per page whatever the number of trainees."""
    from lisplan.trainees.queries import _search, current_employments

    qs = scope_filter(user, "progress.view", Trainee.objects.all())
    if filters.q.strip():
        qs = qs.filter(_search(filters.q))
    emp = Q()
    if filters.institution is not None:
        emp &= Q(institution_id=filters.institution)
    if filters.specialty:
        emp &= Q(specialty__code=filters.specialty)
    if emp:
        qs = qs.filter(pk__in=Employment.objects.not_ended().filter(emp).values("trainee_id"))
    if filters.status == "unknown":
        qs = qs.filter(Q(progress_summary__isnull=True) | Q(progress_summary__status="unknown"))
    elif filters.status:
        qs = qs.filter(progress_summary__status=filters.status)
    return (
        qs.select_related("progress_summary")
        .prefetch_related(current_employments())
        .order_by("last_name", "first_name", "id")
    )


def status_counts(qs: QuerySet[Trainee]) -> dict[str, int]:
    """How many of the (filtered) trainees are on track / behind / at risk: one query."""
    rows = (
        qs.order_by()
        .annotate(s=Coalesce("progress_summary__status", Value("unknown")))
        .values("s")
        .annotate(n=Count("pk"))
    )
    return {r["s"]: r["n"] for r in rows}


# --- for the start page -----------------------------------------------------------------------


def goals_awaiting_approval(user) -> QuerySet[GoalApproval]:
    """Goals marked as started for trainees the user may approve goals for (leader of the
    arena, local coordinator): the start page's «læringsmål til godkjenning» task."""
    from lisplan.trainees.models import Trainee as T

    trainees = scope_filter(user, "progress.approve", T.objects.all()).exclude(user=user)
    return (
        GoalApproval.objects.filter(
            status=GoalStatus.IN_PROGRESS, trainee_id__in=trainees.values("pk")
        )
        .select_related("trainee", "goal")
        .order_by("trainee__last_name", "goal__code")
    )


def trainees_at_risk(user) -> QuerySet[Trainee]:
    """Trainees the user follows whose cached status is «at risk» (start-page task)."""
    return overview(user, OverviewFilters(status="at_risk"))
