"""Every write to implementation plans: create, edit (optimistic lock), submit, withdraw, sign,
approve, return and revise. Each runs in one transaction, locks the revision, checks the state, and
writes one audit event; partners and coordinators are notified after commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import can, check, leads
from lisplan.audit.services import diff, record
from lisplan.documents import signing
from lisplan.documents.signing import StateError, trainee_id
from lisplan.errors import Invalid, Refused
from lisplan.notifications.services import notify
from lisplan.plans import rules
from lisplan.plans.models import ImplementationPlan, Period, Revision, Signature, Status

CONTENT_FIELDS = [
    "employee_number", "employer", "specialty", "estimated_start", "estimated_end",
    "plan_date", "credit_old_scheme_months", "credit_other_specialty_months", "remarks",
    "outside_employment_confirmed",
]
PERIOD_FIELDS = [
    "specialty", "institution", "arena", "service_place", "start", "end", "contact_person",
    "agreement",
]


class PlanInvalid(Invalid):
    """The content breaks rules; `problems` name each field, code and message."""

    detail = gettext_lazy("Planen har feil som må rettes.")  # type: ignore[assignment]

    def __init__(self, problems: list[rules.Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems  # type: ignore[assignment]


class StaleVersion(signing.StaleVersion):
    message = gettext_lazy("Planen er endret av noen andre siden du åpnet den. Last inn på nytt.")


@dataclass
class PeriodData:
    specialty: Any
    institution: Any
    start: Any
    end: Any
    arena: Any = None
    service_place: str = ""
    contact_person: str = ""
    agreement: Any = None


def _id(obj) -> Any:
    return getattr(obj, "pk", obj)


def _check(revision: Revision, periods: list[PeriodData], *, strict: bool) -> list[rules.Problem]:
    employment = revision.plan.employment
    report = rules.check_plan(rules.PlanInput(
        employer=_id(revision.employer) if revision.employer_id else None,
        estimated_start=revision.estimated_start, estimated_end=revision.estimated_end,
        credit_old_scheme_months=revision.credit_old_scheme_months,
        credit_other_specialty_months=revision.credit_other_specialty_months,
        periods=tuple(rules.Period(
            specialty=_id(p.specialty), institution=_id(p.institution), start=p.start,
            end=p.end, arena=_id(p.arena)) for p in periods),
        employment_start=employment.start if employment else None,
        employment_end=employment.end if employment else None,
    ))
    problems = list(report.errors) + agreement_problems(revision.employer_id, periods)
    if strict and report.warnings and not revision.outside_employment_confirmed:
        problems += report.warnings
    return problems


def agreement_problems(employer_id, periods: list[PeriodData]) -> list[rules.Problem]:
    """A linked collaboration agreement must be the employer's agreement with the period's
    institution in the period's specialty (also the editor's live check)."""
    problems = []
    for i, p in enumerate(periods):
        a = p.agreement
        if a is None:
            continue
        if (a.sending_id, a.receiving_id, a.specialty_id) != (
                employer_id, _id(p.institution), _id(p.specialty)):
            problems.append(rules.Problem(
                f"periods[{i}].agreement", "agreement_mismatch",
                _("Samarbeidsavtalen gjelder %(sending)s → %(receiving)s i %(specialty)s, "
                  "ikke denne perioden.") % {"sending": a.sending, "receiving": a.receiving,
                                             "specialty": a.specialty}))
    return problems


def _period_snapshot(periods) -> list[str]:
    return [
        f"{p.specialty} | {p.institution}{' / ' + str(p.arena) if p.arena else ''}"
        f"{' / ' + p.service_place if p.service_place else ''} | "
        f"{p.start:%d.%m.%Y}–{p.end:%d.%m.%Y}"
        f"{' | ' + p.contact_person if p.contact_person else ''}"
        for p in periods
    ]


def _content_snapshot(revision: Revision) -> dict[str, Any]:
    from lisplan.audit.services import snapshot

    data = snapshot(revision, CONTENT_FIELDS)
    data["periods"] = _period_snapshot(revision.periods.select_related(
        "specialty", "institution", "arena"))
    return data


def _write_periods(revision: Revision, periods: list[PeriodData]) -> None:
    revision.periods.all().delete()
    Period.objects.bulk_create([
        Period(revision=revision, position=i, **{f: getattr(p, f) for f in PERIOD_FIELDS})
        for i, p in enumerate(periods)
    ])


def _lock(revision: Revision) -> Revision:
    return signing.lock(revision, "plan__employment")


def confirms_outside_employment(actor, trainee) -> bool:
    """Only the leader (with `plan.sign` over the trainee, not the trainee) confirms periods
    outside the employment; the trainee cannot do it alone."""
    return trainee.user_id != getattr(actor, "pk", None) and can(actor, "plan.sign", trainee)


def _check_confirmation(actor, trainee, content: dict, current: bool = False) -> None:
    if content.get("outside_employment_confirmed") and not current \
            and not confirms_outside_employment(actor, trainee):
        raise Refused(_("Bare leder med personalansvar kan bekrefte perioder utenfor "
                        "ansettelsen."), "leader_only", "outside_employment_confirmed")


@transaction.atomic
def plan_create(*, actor, trainee, employment=None, periods: list[PeriodData] = (),
                **content) -> Revision:
    """Revision 1 of a new plan, in draft."""
    check(actor, "plan.edit", trainee)
    _check_confirmation(actor, trainee, content)
    if employment is None:
        employment = trainee.employments.not_ended().order_by("-start").first()
    plan = ImplementationPlan.objects.create(trainee=trainee, employment=employment)
    defaults = {}
    if employment is not None:
        defaults = {"employer": employment.institution, "specialty": employment.specialty,
                    "employee_number": employment.employee_number}
    revision = Revision(plan=plan, number=1, created_by=actor, **{**defaults, **content})
    problems = _check(revision, list(periods), strict=False)
    if problems:
        raise PlanInvalid(problems)
    revision.full_clean(exclude=["plan"])
    revision.save()
    _write_periods(revision, list(periods))
    record(actor=actor, action="plan.created", obj=revision, trainee_id=trainee.pk,
           changes={k: [None, v] for k, v in _content_snapshot(revision).items() if v})
    return revision


@transaction.atomic
def revision_update(*, actor, revision: Revision, version: int,
                    periods: list[PeriodData] | None = None, **content) -> Revision:
    revision = _lock(revision)
    check(actor, "plan.edit", revision)
    signing.check_version(revision, version, StaleVersion)
    _check_confirmation(actor, revision.plan.trainee, content,
                        current=revision.outside_employment_confirmed)
    if not revision.editable:
        raise StateError(_("Bare utkast kan endres. En signert eller godkjent plan endres ved å "
                           "lage en ny revisjon."), "not_draft")
    before = _content_snapshot(revision)
    for name, value in content.items():
        setattr(revision, name, value)
    new_periods = list(periods) if periods is not None else [
        PeriodData(**{f: getattr(p, f) for f in PERIOD_FIELDS}) for p in revision.periods.all()]
    problems = _check(revision, new_periods, strict=False)
    if problems:
        raise PlanInvalid(problems)
    revision.full_clean(exclude=["plan"])
    revision.version += 1
    revision.save()
    if periods is not None:
        _write_periods(revision, new_periods)
    changes = diff(before, _content_snapshot(revision))
    if changes:
        record(actor=actor, action="plan.changed", obj=revision, changes=changes,
               trainee_id=trainee_id(revision))
    return revision


def _transition(revision: Revision, actor, action: str, to: str, **fields) -> Revision:
    """Plans also audit the fields set (approver, dates), but not the return comment."""
    return signing.transition(revision, actor, action, to, **fields, audit={
        k: [None, str(v)] for k, v in fields.items() if k != "return_comment"})


_WRONG_STATUS = gettext_lazy("Handlingen er ikke mulig når planen har status «%(status)s».")


def _require_status(revision: Revision, *allowed: str) -> None:
    signing.require_status(revision, allowed, _WRONG_STATUS)


@transaction.atomic
def revision_submit(*, actor, revision: Revision) -> Revision:
    """Draft → awaiting signatures, once the content passes every rule. By those who sign
    (`plan.sign`: the trainee and the leader)."""
    revision = _lock(revision)
    check(actor, "plan.sign", revision)
    _require_status(revision, Status.DRAFT)
    periods = [PeriodData(**{f: getattr(p, f) for f in PERIOD_FIELDS})
               for p in revision.periods.all()]
    problems = _check(revision, periods, strict=True)
    if problems:
        raise PlanInvalid(problems)
    return _transition(revision, actor, "plan.submitted", Status.AWAITING_SIGNATURES,
                       submitted_at=timezone.now())


def signing_role(actor, revision: Revision) -> str | None:
    """Which signature the actor gives: the trainee's own, or the leader's."""
    if revision.plan.trainee.user_id == actor.pk:
        return Signature.Role.TRAINEE
    if leads(actor, revision.plan.trainee):
        return Signature.Role.LEADER
    return None


@transaction.atomic
def revision_sign(*, actor, revision: Revision) -> Revision:
    revision = _lock(revision)
    _require_status(revision, Status.AWAITING_SIGNATURES)
    role = signing_role(actor, revision)
    signing.require_signer(revision, role, not_signer=_("Du kan ikke signere denne planen."),
                           already_signed=_("Planen er allerede signert av %(role)s."))
    if signing.sign(revision, actor, role, "plan.signed"):
        _transition(revision, actor, "plan.sent_for_approval", Status.AWAITING_APPROVAL)
        _notify_coordinators(revision)
    return revision


@transaction.atomic
def revision_approve(*, actor, revision: Revision) -> Revision:
    revision = _lock(revision)
    check(actor, "plan.approve", revision)
    _require_status(revision, Status.AWAITING_APPROVAL)
    today = timezone.localdate()
    previous = (Revision.objects.select_for_update()
                .filter(plan=revision.plan, status=Status.APPROVED).exclude(pk=revision.pk).first())
    _transition(revision, actor, "plan.approved", Status.APPROVED, approved_by=actor,
                approved_at=timezone.now(), valid_until=rules.valid_until(today))
    if previous is not None:
        _transition(previous, actor, "plan.superseded", Status.SUPERSEDED)
    _notify_partners(revision, previous)
    from lisplan.rotations.services import sync_from_plan  # rotations builds on plans

    sync_from_plan(revision=revision, actor=actor)
    from lisplan.progress.summary import refresh_summaries  # plan periods feed progress

    refresh_summaries([revision.plan.trainee_id])
    return revision


@transaction.atomic
def revision_return(*, actor, revision: Revision, comment: str) -> Revision:
    revision = _lock(revision)
    check(actor, "plan.approve", revision)
    _require_status(revision, Status.AWAITING_SIGNATURES, Status.AWAITING_APPROVAL)
    if not comment.strip():
        raise PlanInvalid([rules.Problem("comment", "required",
                                         _("Skriv hvorfor planen returneres."))])
    revision.signatures.all().delete()
    _transition(revision, actor, "plan.returned", Status.DRAFT, return_comment=comment.strip(),
                submitted_at=None)
    return revision


@transaction.atomic
def revision_withdraw(*, actor, revision: Revision) -> Revision:
    """Awaiting signatures → draft, by the trainee or the leader (to change something before
    both have signed): the signatures given are cleared, and the event is audited."""
    revision = _lock(revision)
    return signing.withdraw(revision, actor, "plan.withdrawn", signing_role=signing_role,
                            wrong_status=_WRONG_STATUS, not_signer=_(
        "Bare legen og lederen med personalansvar kan trekke planen tilbake til utkast."))


@transaction.atomic
def revision_revise(*, actor, revision: Revision) -> Revision:
    """The next revision in draft, pre-filled from an approved one, which stays valid. By
    those who edit plans (`plan.edit`), like creating one."""
    revision = _lock(revision)
    check(actor, "plan.edit", revision)
    _require_status(revision, Status.APPROVED)
    signing.require_latest(revision, _("Det finnes allerede en nyere revisjon av planen."))
    new = Revision.objects.create(
        plan=revision.plan, number=revision.number + 1, created_by=actor,
        **{f: getattr(revision, f) for f in CONTENT_FIELDS},
    )
    Period.objects.bulk_create([
        Period(revision=new, position=p.position, **{f: getattr(p, f) for f in PERIOD_FIELDS})
        for p in revision.periods.all()
    ])
    signing.record_revised(actor, "plan.revised", revision, new)
    return new


# --- notifications -----------------------------------------------------------------------


def _coordinators(institution_ids):
    from lisplan.accounts.models import Role, RoleAssignment, User

    users = RoleAssignment.objects.active().filter(
        role=Role.LOCAL_COORDINATOR, institution_id__in=institution_ids).values("user")
    return User.objects.filter(pk__in=users, is_active=True)


def _url(revision: Revision) -> str:
    return reverse("plans:revision", args=[revision.pk])


def _notify_coordinators(revision: Revision) -> None:
    notify(users=_coordinators([revision.employer_id]), kind="plan.awaiting_approval",
           title=_("Gjennomføringsplan til godkjenning: %(name)s")
           % {"name": revision.plan.trainee.full_name},
           body=_("Planen er signert av leder og arbeidstaker og venter på din godkjenning."),
           url=_url(revision))


def _partner_periods(revision: Revision | None) -> dict[int, set[str]]:
    if revision is None:
        return {}
    out: dict[int, set[str]] = {}
    for p in revision.periods.select_related("specialty", "institution", "arena"):
        if p.institution_id != revision.employer_id:
            out.setdefault(p.institution_id, set()).update(_period_snapshot([p]))
    return out


def _notify_partners(revision: Revision, previous: Revision | None) -> None:
    """Tell each partner institution's coordinators about periods added, changed or removed."""
    new, old = _partner_periods(revision), _partner_periods(previous)
    name = revision.plan.trainee.full_name
    for institution_id in sorted(new.keys() | old.keys()):
        added = new.get(institution_id, set()) - old.get(institution_id, set())
        removed = old.get(institution_id, set()) - new.get(institution_id, set())
        if not added and not removed:
            continue
        lines = [_("Ny eller endret: %(p)s") % {"p": p} for p in sorted(added)]
        lines += [_("Fjernet: %(p)s") % {"p": p} for p in sorted(removed)]
        notify(users=_coordinators([institution_id]), kind="plan.partner_periods",
               title=_("Spesialiseringsperioder hos dere: %(name)s") % {"name": name},
               body=_("Godkjent gjennomføringsplan (revisjon %(n)s) fra %(employer)s:\n")
               % {"n": revision.number, "employer": revision.employer} + "\n".join(lines),
               url=_url(revision))
