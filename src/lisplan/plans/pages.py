"""What the plan pages show: built here so the views stay thin and the queries stay constant."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lisplan.accounts.access import can, once_per_request, own_trainee_id, scope_filter
from lisplan.catalogue.models import Specialty
from lisplan.notifications.services import notify
from lisplan.plans import compare, queries, rules, worklist
from lisplan.plans.forms import PROBLEM_FIELD, PeriodForm, RevisionForm
from lisplan.plans.models import Period, Revision, Signature, Status
from lisplan.plans.services import no_agreement_warnings, signing_role

IN_PROGRESS = (Status.DRAFT, Status.AWAITING_SIGNATURES, Status.AWAITING_APPROVAL)


def problem_label(name: str) -> str:
    """«Periode 2, Tjenestetid til» for `periods[1].end`; the form's label for a plan field."""
    match = PROBLEM_FIELD.match(name)
    if match:
        field = PeriodForm.base_fields.get(match.group(2))
        label = field.label if field is not None else ""
        return ", ".join(
            filter(None, [_("Periode %(n)s") % {"n": int(match.group(1)) + 1}, str(label)])
        )
    label = RevisionForm._meta.labels.get(name)
    return str(label) if label else _("Planen")


def expiry(revision: Revision, today: dt.date) -> dict:
    status = revision.effective_status(today)
    days = rules.days_left(revision.valid_until, today)
    return {
        "status": status,
        "status_label": Status(status).label,
        "days_left": days,
        "expiring": status == Status.APPROVED
        and days is not None
        and days <= rules.EXPIRY_WARNING_DAYS,
    }


def signature_rows(revision: Revision) -> list[dict]:
    """Both signature lines of the form, signed or not, in the form's order."""
    given = {s.role: s for s in revision.signatures.all()}
    return [{"role": role.label, "signature": given.get(role.value)} for role in Signature.Role]


def actions(user, revision: Revision, newest: int) -> dict[str, bool]:
    """What this user may do with this revision now."""
    status = revision.status
    may_edit = can(user, "plan.edit", revision)
    out = {
        "edit": status == Status.DRAFT and may_edit,
        "submit": status == Status.DRAFT and can(user, "plan.sign", revision),
        "revise": status == Status.APPROVED and may_edit and newest == revision.number,
        "sign": False,
        "approve": False,
        "return": False,
        "withdraw": False,
    }
    if status == Status.AWAITING_SIGNATURES:
        role = signing_role(user, revision)
        out["sign"] = role is not None and all(s.role != role for s in revision.signatures.all())
        out["withdraw"] = role is not None
    if status in (Status.AWAITING_SIGNATURES, Status.AWAITING_APPROVAL):
        may_approve = can(user, "plan.approve", revision)
        out["approve"] = status == Status.AWAITING_APPROVAL and may_approve
        out["return"] = may_approve
    return out


def _with_periods(qs: QuerySet[Revision]) -> QuerySet[Revision]:
    return qs.select_related("employer", "specialty").prefetch_related(
        Prefetch(
            "periods",
            queryset=Period.objects.select_related("specialty", "institution", "arena").order_by(
                "position", "start"
            ),
        )
    )


def comparison(revision: Revision) -> compare.Comparison | None:
    previous = _with_periods(revision.plan.revisions.filter(number=revision.number - 1)).first()
    return compare.compare(previous, revision) if previous else None


# The audit events of a revision, in the words of the page (`services` writes them).
EVENT_LABELS = {
    "plan.created": _("Planen er opprettet"),
    "plan.revised": _("Revisjonen er laget fra den godkjente planen"),
    "plan.changed": _("Endret"),
    "plan.submitted": _("Sendt til signering"),
    "plan.signed": _("Signert"),
    "plan.sent_for_approval": _("Sendt til godkjenning hos lokal koordinator"),
    "plan.approved": _("Godkjent"),
    "plan.superseded": _("Erstattet av en nyere godkjent revisjon"),
    "plan.returned": _("Returnert til utkast med kommentar"),
    "plan.withdrawn": _("Trukket tilbake til utkast"),
}


def _field_label(name: str) -> str:
    if name == "periods":
        return _("spesialiseringsperiodene")
    try:
        return str(Revision._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an event may name a field that no longer exists
        return name


def revision_events(revision: Revision) -> list[dict]:
    """What happened to this revision, oldest first. Visible to those who see the revision, as
    `GET …/history` in the API."""
    from lisplan.audit.services import event_rows

    return event_rows(revision, EVENT_LABELS, _field_label)


def revision_context(user, revision: Revision, today: dt.date) -> dict:
    history = list(
        revision.plan.revisions.order_by("-number").only(
            "pk", "number", "status", "approved_at", "valid_until", "created_at", "plan_id"
        )
    )
    can_act = actions(user, revision, history[0].number)
    return {
        "no_agreement": (no_agreement_warnings(revision) if can_act.get("approve") else []),
        "revision": revision,
        **expiry(revision, today),
        "revision_dates": queries.revision_dates(revision),
        "purposes": Revision.Purpose.choices,
        "signatures": signature_rows(revision),
        "actions": can_act,
        "comparison": comparison(revision),
        "history": [(r, expiry(r, today)) for r in history],
        "events": revision_events(revision),
        "today": today,
    }


# --- a trainee's plans -------------------------------------------------------------------


def _plan_summary(plan, today: dt.date) -> dict:
    revisions = list(plan.revisions.all())
    approved = next((r for r in revisions if r.status == Status.APPROVED), None)
    return {
        "plan": plan,
        "approved": approved,
        "approved_expiry": expiry(approved, today) if approved else None,
        "in_progress": next((r for r in revisions if r.status in IN_PROGRESS), None),
        "history": [(r, expiry(r, today)) for r in revisions],
    }


def trainee_context(user, trainee, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    plans = list(
        trainee.implementation_plans.select_related(
            "employment__institution", "employment__specialty"
        ).prefetch_related(
            Prefetch(
                "revisions",
                queryset=Revision.objects.select_related("employer", "specialty").order_by(
                    "-number"
                ),
            )
        )
    )
    employment = (
        trainee.employments.not_ended(today)
        .select_related("institution", "specialty")
        .order_by("-start")
        .first()
    )
    may_edit = can(user, "plan.edit", trainee)
    has_plan = any(p.employment_id == getattr(employment, "pk", None) for p in plans)
    return {
        "trainee": trainee,
        "plans": [_plan_summary(p, today) for p in plans],
        "employment": employment,
        "can_create": may_edit and employment is not None and not has_plan,
        "can_edit": may_edit,
    }


# --- lists -------------------------------------------------------------------------------


def awaiting_my_signature(user) -> QuerySet[Revision]:
    """Revisions awaiting a signature the user gives (own as trainee, or as leader). The
    user's own trainee record is read once, so the filter needs no join to every trainee."""
    signed = Signature.objects.filter(revision=OuterRef("pk"))
    leader_signed = Exists(signed.filter(role=Signature.Role.LEADER))
    qs = scope_filter(user, "plan.sign", Revision.objects.filter(status=Status.AWAITING_SIGNATURES))
    own = own_trainee_id(user)
    if own is None:
        qs = qs.exclude(leader_signed)
    else:
        mine = Q(plan__trainee_id=own)
        qs = qs.exclude(Exists(signed.filter(role=Signature.Role.TRAINEE)) & mine)
        qs = qs.exclude(leader_signed & ~mine)
    return (
        qs.select_related("plan__trainee", "employer", "specialty")
        .prefetch_related("signatures")
        .order_by("submitted_at", "pk")
    )


def to_sign_count(user) -> int:
    """How many plans await the user's signature, once per request (kept on the user): the
    start page's task and the leader's and supervisor's cards both show it."""
    return once_per_request(user, "plans_to_sign", awaiting_my_signature(user).count)


def specialty_choices() -> list[tuple[str, str]]:
    return list(Specialty.objects.order_by("name").values_list("code", "name"))


REMINDERS = {
    "expiring": (
        _("Gjennomføringsplanen utløper snart: %(name)s"),
        _(
            "Godkjenningen av gjennomføringsplanen gjelder i 12 måneder og går snart ut. "
            "Lag en ny revisjon og send den til signering og godkjenning."
        ),
    ),
    "expired": (
        _("Gjennomføringsplanen er utløpt: %(name)s"),
        _(
            "Godkjenningen av gjennomføringsplanen har gått ut. Lag en ny revisjon og "
            "send den til signering og godkjenning."
        ),
    ),
    "missing": (
        _("Gjennomføringsplan mangler: %(name)s"),
        _(
            "Ansettelsen krever en individuell gjennomføringsplan (fast stilling eller "
            "vikariat på minst 6 måneder). Fyll den ut sammen og send den til signering."
        ),
    ),
    "awaiting": (
        _("Påminnelse om gjennomføringsplan: %(name)s"),
        _("Den lokale koordinatoren minner om gjennomføringsplanen."),
    ),
}


def send_reminders(user, trainees: list, tab: str) -> int:
    """Notify each trainee and their leaders (with personnel responsibility)."""
    title, body = REMINDERS.get(tab, REMINDERS["awaiting"])
    leaders = worklist.leaders_by_trainee(trainees)
    for trainee in trainees:
        users = [u for u in [trainee.user, *leaders[trainee.pk]] if u is not None]
        notify(
            users=users,
            kind="plan.reminder",
            title=str(title) % {"name": trainee.full_name},
            body=str(body)
            + "\n\n"
            + _("Sendt av %(who)s %(when)s.")
            % {
                "who": user.get_full_name() or user.username,
                "when": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
            },
            url=reverse("plans:trainee", args=[trainee.pk]),
        )
    return len(trainees)
