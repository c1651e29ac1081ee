"""The local coordinator's work list: plans awaiting approval, expiring within 60 days, expired,
and employments that need a plan but have no approved, valid one. Each tab is one queryset
(counted and paged in the database), scoped to the institutions where the user approves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import institutions_for, scope_filter
from lisplan.accounts.models import Role, RoleAssignment
from lisplan.plans import rules
from lisplan.plans.models import Revision, Status
from lisplan.trainees.models import Employment, Trainee

# A temporary employment needs a plan from 6 calendar months (seed 000; `rules.plan_required`).
# From the first to the last day, 6 calendar months are 180 to 183 days: shorter is never
# required, longer always; the few in between are decided by the rule itself, in Python.
SIX_MONTHS_MIN = dt.timedelta(days=180)
SIX_MONTHS_MAX = dt.timedelta(days=183)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    empty: str


TABS = [
    Tab("awaiting", _("Til godkjenning"), _("Ingen planer venter på godkjenning.")),
    Tab(
        "expiring",
        _("Utløper innen 60 dager"),
        _("Ingen godkjente planer utløper de neste 60 dagene."),
    ),
    Tab("expired", _("Utløpt"), _("Ingen planer er utløpt.")),
    Tab(
        "missing",
        _("Mangler plan"),
        _("Alle ansettelser som krever gjennomføringsplan, har en godkjent og gyldig plan."),
    ),
]
TAB_KEYS = [t.key for t in TABS]


def approver_institutions(user) -> list[int] | None:
    """Institutions where the user approves plans; None for everywhere (administrator)."""
    return institutions_for(user, "plan.approve")


def _revisions(user) -> QuerySet[Revision]:
    return scope_filter(user, "plan.approve", Revision.objects.all()).select_related(
        "plan__trainee", "employer", "specialty"
    )


def _revision_tabs(today: dt.date) -> dict[str, Q]:
    """The revision tabs' conditions: counted together (`counts`) and listed one by one."""
    until = today + dt.timedelta(days=rules.EXPIRY_WARNING_DAYS)
    return {
        "awaiting": Q(status=Status.AWAITING_APPROVAL),
        "expiring": Q(status=Status.APPROVED, valid_until__gte=today, valid_until__lte=until),
        "expired": Q(status=Status.APPROVED, valid_until__lt=today),
    }


def awaiting(user, today: dt.date) -> QuerySet[Revision]:
    return _revisions(user).filter(_revision_tabs(today)["awaiting"]).order_by("updated_at", "pk")


def expiring(user, today: dt.date) -> QuerySet[Revision]:
    return _revisions(user).filter(_revision_tabs(today)["expiring"]).order_by("valid_until", "pk")


def expired(user, today: dt.date) -> QuerySet[Revision]:
    return _revisions(user).filter(_revision_tabs(today)["expired"]).order_by("valid_until", "pk")


def _valid_plan(today: dt.date):
    return Revision.objects.filter(
        status=Status.APPROVED,
        valid_until__gte=today,
        plan__trainee_id=OuterRef("trainee_id"),
        employer_id=OuterRef("institution_id"),
    )


def missing(user, today: dt.date) -> QuerySet[Employment]:
    """Employments (permanent, or temporary of at least 6 months) without a valid plan."""
    rows = Employment.objects.not_ended(today)
    institutions = approver_institutions(user)
    if institutions is not None:
        rows = rows.filter(institution_id__in=institutions)
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    rows = rows.alias(length=length).filter(
        Q(permanent=True) | Q(end__isnull=True) | Q(length__gte=SIX_MONTHS_MIN)
    )
    borderline = rows.filter(permanent=False, length__lte=SIX_MONTHS_MAX).values_list(
        "pk", "start", "end"
    )
    short = [pk for pk, start, end in borderline if not rules.plan_required(False, start, end)]
    latest = Revision.objects.filter(
        plan__trainee_id=OuterRef("trainee_id"),
        employer_id=OuterRef("institution_id"),
    ).order_by("-plan__created_at", "-number")
    return (
        rows.exclude(pk__in=short)
        .filter(~Exists(_valid_plan(today)))
        .annotate(
            latest_revision=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )
        .select_related("trainee", "institution", "arena", "specialty")
        .order_by("trainee__last_name", "trainee__first_name", "pk")
    )


QUERIES = {"awaiting": awaiting, "expiring": expiring, "expired": expired, "missing": missing}


def counts(user, today: dt.date) -> dict[str, int]:
    """Rows per tab: the revision tabs in one aggregate, the missing plans in one count."""
    tabs = _revision_tabs(today)
    out = _revisions(user).aggregate(
        **{key: Count("pk", filter=cond) for key, cond in tabs.items()}
    )
    out["missing"] = missing(user, today).count()
    return {key: out[key] for key in QUERIES}


def with_days_left(rows, today: dt.date) -> list:
    rows = list(rows)
    for row in rows:
        row.days_left = rules.days_left(getattr(row, "valid_until", None), today)
    return rows


def filter_rows(qs: QuerySet, tab: str, q: str = "", specialty: str = "") -> QuerySet:
    trainee = "trainee" if tab == "missing" else "plan__trainee"
    if q:
        for word in q.split()[:4]:
            qs = qs.filter(
                Q(**{f"{trainee}__first_name__icontains": word})
                | Q(**{f"{trainee}__last_name__icontains": word})
            )
    if specialty:
        qs = qs.filter(specialty__code=specialty)
    return qs


# --- reminders ---------------------------------------------------------------------------


def reminder_trainees(user, ids: list[int]) -> list[Trainee]:
    """The chosen trainees the user may remind (as approver at their employer)."""
    return list(
        scope_filter(user, "plan.approve", Trainee.objects.filter(pk__in=ids)).select_related(
            "user"
        )
    )


def leaders_by_trainee(trainees: list[Trainee]) -> dict[int, list]:
    """The leaders (with personnel responsibility) over each trainee's current arena."""
    employments = list(
        Employment.objects.not_ended()
        .filter(trainee__in=trainees, arena__isnull=False)
        .select_related("arena")
    )
    leaders = list(
        RoleAssignment.objects.active()
        .filter(
            role=Role.LEADER,
            arena__institution_id__in={e.institution_id for e in employments},
            user__is_active=True,
        )
        .select_related("arena", "user")
    )
    out: dict[int, list] = {t.pk: [] for t in trainees}
    for e in employments:
        out[e.trainee_id] += [a.user for a in leaders if e.arena.path.startswith(a.arena.path)]
    return out
