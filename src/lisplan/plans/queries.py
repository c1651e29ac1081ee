"""Reads of implementation plans, scoped to the user."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lisplan.accounts.access import get_in_scope, scope_filter
from lisplan.plans.models import Period, Revision


def revisions(user, permission: str = "plan.view") -> QuerySet[Revision]:
    return scope_filter(user, permission, Revision.objects.all()).select_related(
        "plan__trainee", "employer", "specialty", "approved_by"
    )


def revision_detail(user, pk: int) -> Revision:
    qs = Revision.objects.select_related(
        "plan__trainee", "plan__employment", "employer", "specialty", "approved_by"
    ).prefetch_related(
        Prefetch(
            "periods",
            queryset=Period.objects.select_related(
                "specialty", "institution", "arena", "agreement__sending", "agreement__receiving"
            ).order_by("position", "start"),
        ),
        "signatures",
    )
    return get_in_scope(user, "plan.view", qs, pk=pk)


def revision_dates(revision: Revision) -> list:
    """«Dato for eventuelle revideringer»: approval dates of the later revisions up to this one."""
    return [
        timezone.localdate(r.approved_at)
        for r in revision.plan.revisions.filter(
            number__gt=1, number__lte=revision.number, approved_at__isnull=False
        ).order_by("number")
    ]
