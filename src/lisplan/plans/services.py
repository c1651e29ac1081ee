"""Every write to implementation plans: create, edit (optimistic lock), submit, withdraw, sign,
approve, return and revise. Each runs in one transaction, locks the revision, checks the state, and
writes one audit event; partners and coordinators are notified after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan import events
from lisplan.accounts.access import can, check, leads
from lisplan.audit.services import diff, record
from lisplan.documents import signing
from lisplan.documents.signing import StateError, trainee_id
from lisplan.errors import Invalid, Refused
from lisplan.notifications.services import notify
from lisplan.plans import rules
from lisplan.plans.models import ImplementationPlan, Period, Revision, Signature, Status

CONTENT_FIELDS = [
    "employee_number",
    "employer",
    "specialty",
    "estimated_start",
    "estimated_end",
    "purpose",
    "plan_date",
    "place",
    "credit_old_scheme_months",
    "credit_other_specialty_months",
    "remarks",
    "outside_employment_confirmed",
]
PERIOD_FIELDS = [
    "specialty",
    "institution",
    "arena",
    "service_place",
    "start",
    "end",
    "contact_person",
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
    report = rules.check_plan(
        rules.PlanInput(
            employer=_id(revision.employer) if revision.employer_id else None,
            estimated_start=revision.estimated_start,
            estimated_end=revision.estimated_end,
            credit_old_scheme_months=revision.credit_old_scheme_months,
            credit_other_specialty_months=revision.credit_other_specialty_months,
            periods=tuple(
                rules.Period(
                    specialty=_id(p.specialty),
                    institution=_id(p.institution),
                    start=p.start,
                    end=p.end,
                    arena=_id(p.arena),
                )
                for p in periods
            ),
            employment_start=employment.start if employment else None,
            employment_end=employment.end if employment else None,
        )
    )
    problems = list(report.errors) + [
        p for p in agreement_problems(revision.employer_id, periods) if not p.warning
    ]
    if strict and report.warnings and not revision.outside_employment_confirmed:
        problems += report.warnings
    return problems


def no_agreement_warnings(revision: Revision) -> list[rules.Problem]:
    periods = [
        PeriodData(**{f: getattr(p, f) for f in PERIOD_FIELDS})
        for p in revision.periods.select_related("agreement")
    ]
    return [
        p for p in agreement_problems(revision.employer_id, periods) if p.code == "no_agreement"
    ]


def agreement_problems(employer_id, periods: list[PeriodData]) -> list[rules.Problem]:
    """Each period at another institution against the employer's collaboration agreement with
    it in the period's specialty (the linked one, else the one valid at the period's start):
    a linked agreement between other parties, a period longer than the agreement's normed
    duration, starting outside its start months or outside its validity is an error naming the
    agreement; no agreement at all is a warning the coordinator confirms at approval
    (`revision_approve(confirm_no_agreement=True)`). Also the editor's live check."""
    from lisplan.rotations.models import CollaborationAgreement

    problems = []
    for i, p in enumerate(periods):
        where = f"periods[{i}]"
        a = p.agreement
        if a is not None and (a.sending_id, a.receiving_id, a.specialty_id) != (
            employer_id,
            _id(p.institution),
            _id(p.specialty),
        ):
            problems.append(
                rules.Problem(
                    f"{where}.agreement",
                    "agreement_mismatch",
                    _(
                        "Fagavtalen gjelder %(sending)s → %(receiving)s i %(specialty)s, "
                        "ikke denne perioden."
                    )
                    % {"sending": a.sending, "receiving": a.receiving, "specialty": a.specialty},
                )
            )
            continue
        if (
            not (employer_id and p.institution and p.specialty and p.start and p.end)
            or _id(p.institution) == employer_id
            or p.end < p.start
        ):
            continue
        if a is None:
            a = (
                CollaborationAgreement.objects.valid_on(p.start)
                .filter(
                    sending_id=employer_id,
                    receiving_id=_id(p.institution),
                    specialty_id=_id(p.specialty),
                )
                .select_related("sending", "receiving", "specialty")
                .order_by("-valid_from", "-pk")
                .first()
            )
        if a is None:
            problems.append(
                rules.Problem(
                    f"{where}.agreement",
                    "no_agreement",
                    _(
                        "Arbeidsgiveren har ingen fagavtale med dette foretaket i spesialiteten som "
                        "gjelder fra %(start)s. Koordinatoren må bekrefte perioden ved godkjenning."
                    )
                    % {"start": f"{p.start:%d.%m.%Y}"},
                    warning=True,
                )
            )
            continue
        name = _agreement_name(a)
        normed_end = rules.add_months(p.start, a.duration_months) - dt.timedelta(days=1)
        if p.end > normed_end:
            problems.append(
                rules.Problem(
                    f"{where}.end",
                    "longer_than_agreement",
                    _(
                        "Perioden varer til %(end)s, lengre enn normert tid i %(agreement)s: "
                        "%(normed)s, til %(normed_end)s."
                    )
                    % {
                        "end": f"{p.end:%d.%m.%Y}",
                        "agreement": name,
                        "normed": _months_words(a.duration_months),
                        "normed_end": f"{normed_end:%d.%m.%Y}",
                    },
                )
            )
        allowed = sorted(m for m in (a.start_months or []) if isinstance(m, int))
        if allowed and p.start.month not in allowed:
            problems.append(
                rules.Problem(
                    f"{where}.start",
                    "outside_start_months",
                    _("%(agreement)s tillater oppstart bare i %(months)s.")
                    % {
                        "agreement": name,
                        "months": ", ".join(str(MONTH_NAMES[m - 1]) for m in allowed),
                    },
                )
            )
        if p.start < a.valid_from or (a.valid_to and p.end > a.valid_to):
            problems.append(
                rules.Problem(
                    f"{where}.start",
                    "outside_agreement_validity",
                    _("Perioden ligger utenfor gyldigheten til %(agreement)s (%(from)s–%(to)s).")
                    % {
                        "agreement": name,
                        "from": f"{a.valid_from:%d.%m.%Y}",
                        "to": f"{a.valid_to:%d.%m.%Y}" if a.valid_to else _("uten sluttdato"),
                    },
                )
            )
    return problems


MONTH_NAMES = [
    gettext_lazy("januar"),
    gettext_lazy("februar"),
    gettext_lazy("mars"),
    gettext_lazy("april"),
    gettext_lazy("mai"),
    gettext_lazy("juni"),
    gettext_lazy("juli"),
    gettext_lazy("august"),
    gettext_lazy("september"),
    gettext_lazy("oktober"),
    gettext_lazy("november"),
    gettext_lazy("desember"),
]


def _agreement_name(a) -> str:
    text = _("fagavtalen %(sending)s → %(receiving)s i %(specialty)s") % {
        "sending": a.sending,
        "receiving": a.receiving,
        "specialty": a.specialty,
    }
    return f"{text} ({a.reference})" if a.reference else text


def _months_words(months: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(n)s måned", "%(n)s måneder", months) % {"n": months}


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
    data["periods"] = _period_snapshot(
        revision.periods.select_related("specialty", "institution", "arena")
    )
    return data


def _write_periods(revision: Revision, periods: list[PeriodData]) -> None:
    revision.periods.all().delete()
    Period.objects.bulk_create(
        [
            Period(revision=revision, position=i, **{f: getattr(p, f) for f in PERIOD_FIELDS})
            for i, p in enumerate(periods)
        ]
    )


def _lock(revision: Revision) -> Revision:
    return signing.lock(revision, "plan__employment")


def confirms_outside_employment(actor, trainee) -> bool:
    """Only the leader (with `plan.sign` over the trainee, not the trainee) confirms periods
    outside the employment; the trainee cannot do it alone."""
    return trainee.user_id != getattr(actor, "pk", None) and can(actor, "plan.sign", trainee)


def _check_confirmation(actor, trainee, content: dict, current: bool = False) -> None:
    if (
        content.get("outside_employment_confirmed")
        and not current
        and not confirms_outside_employment(actor, trainee)
    ):
        raise Refused(
            _("Bare leder med personalansvar kan bekrefte perioder utenfor ansettelsen."),
            "leader_only",
            "outside_employment_confirmed",
        )


@transaction.atomic
def plan_create(
    *, actor, trainee, employment=None, periods: Sequence[PeriodData] = (), **content
) -> Revision:
    """Revision 1 of a new plan, in draft."""
    check(actor, "plan.edit", trainee)
    _check_confirmation(actor, trainee, content)
    if employment is None:
        employment = trainee.employments.not_ended().order_by("-start").first()
    plan = ImplementationPlan.objects.create(trainee=trainee, employment=employment)
    defaults = {}
    if employment is not None:
        defaults = {
            "employer": employment.institution,
            "specialty": employment.specialty,
            "employee_number": employment.employee_number,
        }
    revision = Revision(plan=plan, number=1, created_by=actor, **{**defaults, **content})
    problems = _check(revision, list(periods), strict=False)
    if problems:
        raise PlanInvalid(problems)
    revision.full_clean(exclude=["plan"])
    revision.save()
    _write_periods(revision, list(periods))
    record(
        actor=actor,
        action="plan.created",
        obj=revision,
        trainee_id=trainee.pk,
        changes={k: [None, v] for k, v in _content_snapshot(revision).items() if v},
    )
    return revision


@transaction.atomic
def revision_update(
    *, actor, revision: Revision, version: int, periods: list[PeriodData] | None = None, **content
) -> Revision:
    revision = _lock(revision)
    check(actor, "plan.edit", revision)
    signing.check_version(revision, version, StaleVersion)
    _check_confirmation(
        actor, revision.plan.trainee, content, current=revision.outside_employment_confirmed
    )
    if not revision.editable:
        raise StateError(
            _(
                "Bare utkast kan endres. En signert eller godkjent plan endres ved å "
                "lage en ny revisjon."
            ),
            "not_draft",
        )
    before = _content_snapshot(revision)
    for name, value in content.items():
        setattr(revision, name, value)
    new_periods = (
        list(periods)
        if periods is not None
        else [
            PeriodData(**{f: getattr(p, f) for f in PERIOD_FIELDS}) for p in revision.periods.all()
        ]
    )
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
        record(
            actor=actor,
            action="plan.changed",
            obj=revision,
            changes=changes,
            trainee_id=trainee_id(revision),
        )
    return revision


def _transition(revision: Revision, actor, action: str, to: str, **fields) -> Revision:
    """Plans also audit the fields set (approver, dates), but not the return comment."""
    return signing.transition(
        revision,
        actor,
        action,
        to,
        **fields,
        audit={k: [None, str(v)] for k, v in fields.items() if k != "return_comment"},
    )


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
    periods = [
        PeriodData(**{f: getattr(p, f) for f in PERIOD_FIELDS}) for p in revision.periods.all()
    ]
    problems = _check(revision, periods, strict=True)
    if problems:
        raise PlanInvalid(problems)
    return _transition(
        revision, actor, "plan.submitted", Status.AWAITING_SIGNATURES, submitted_at=timezone.now()
    )


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
    role = signing.require_signer(
        revision,
        signing_role(actor, revision),
        not_signer=_("Du kan ikke signere denne planen."),
        already_signed=_("Planen er allerede signert av %(role)s."),
    )
    if signing.sign(revision, actor, role, "plan.signed"):
        _transition(revision, actor, "plan.sent_for_approval", Status.AWAITING_APPROVAL)
        _notify_coordinators(revision)
    return revision


@transaction.atomic
def revision_approve(*, actor, revision: Revision, confirm_no_agreement: bool = False) -> Revision:
    """Awaiting approval → approved. A period at another institution without a collaboration
    agreement is approved only when the coordinator confirms it (`confirm_no_agreement`),
    recorded on the revision and in the approval's audit event."""
    revision = _lock(revision)
    check(actor, "plan.approve", revision)
    _require_status(revision, Status.AWAITING_APPROVAL)
    today = timezone.localdate()
    missing = no_agreement_warnings(revision)
    if missing and not confirm_no_agreement:
        raise PlanInvalid(missing)
    extra = {"no_agreement_confirmed": True} if missing else {}
    previous = (
        Revision.objects.select_for_update()
        .filter(plan=revision.plan, status=Status.APPROVED)
        .exclude(pk=revision.pk)
        .first()
    )
    _transition(
        revision,
        actor,
        "plan.approved",
        Status.APPROVED,
        approved_by=actor,
        approved_at=timezone.now(),
        valid_until=rules.valid_until(today),
        **extra,
    )
    if previous is not None:
        _transition(previous, actor, "plan.superseded", Status.SUPERSEDED)
    _notify_partners(revision, previous)
    # The register (rotations) and progress build on the approved plan (`lisplan.workflows`).
    events.plan_approved.send(sender=Revision, revision=revision, actor=actor)
    return revision


@transaction.atomic
def revision_return(*, actor, revision: Revision, comment: str) -> Revision:
    revision = _lock(revision)
    check(actor, "plan.approve", revision)
    _require_status(revision, Status.AWAITING_SIGNATURES, Status.AWAITING_APPROVAL)
    if not comment.strip():
        raise PlanInvalid(
            [rules.Problem("comment", "required", _("Skriv hvorfor planen returneres."))]
        )
    revision.signatures.all().delete()
    _transition(
        revision,
        actor,
        "plan.returned",
        Status.DRAFT,
        return_comment=comment.strip(),
        submitted_at=None,
    )
    return revision


@transaction.atomic
def revision_withdraw(*, actor, revision: Revision) -> Revision:
    """Awaiting signatures → draft, by the trainee or the leader (to change something before
    both have signed): the signatures given are cleared, and the event is audited."""
    revision = _lock(revision)
    return signing.withdraw(
        revision,
        actor,
        "plan.withdrawn",
        signing_role=signing_role,
        wrong_status=_WRONG_STATUS,
        not_signer=_(
            "Bare legen og lederen med personalansvar kan trekke planen tilbake til utkast."
        ),
    )


@transaction.atomic
def revision_revise(*, actor, revision: Revision) -> Revision:
    """The next revision in draft, pre-filled from an approved one, which stays valid. By
    those who edit plans (`plan.edit`), like creating one."""
    revision = _lock(revision)
    check(actor, "plan.edit", revision)
    _require_status(revision, Status.APPROVED)
    signing.require_latest(revision, _("Det finnes allerede en nyere revisjon av planen."))
    new = Revision.objects.create(
        plan=revision.plan,
        number=revision.number + 1,
        created_by=actor,
        **{f: getattr(revision, f) for f in CONTENT_FIELDS},
    )
    Period.objects.bulk_create(
        [
            Period(revision=new, position=p.position, **{f: getattr(p, f) for f in PERIOD_FIELDS})
            for p in revision.periods.all()
        ]
    )
    signing.record_revised(actor, "plan.revised", revision, new)
    return new


# --- notifications -----------------------------------------------------------------------


def _coordinators(institution_ids):
    from lisplan.accounts.models import Role, RoleAssignment, User

    users = (
        RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR, institution_id__in=institution_ids)
        .values("user")
    )
    return User.objects.filter(pk__in=users, is_active=True)


def _url(revision: Revision) -> str:
    return reverse("plans:revision", args=[revision.pk])


def _notify_coordinators(revision: Revision) -> None:
    notify(
        users=_coordinators([revision.employer_id]),
        kind="plan.awaiting_approval",
        title=_("Gjennomføringsplan til godkjenning: %(name)s")
        % {"name": revision.plan.trainee.full_name},
        body=_("Planen er signert av leder og arbeidstaker og venter på din godkjenning."),
        url=_url(revision),
    )


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
        notify(
            users=_coordinators([institution_id]),
            kind="plan.partner_periods",
            title=_("Spesialiseringsperioder hos dere: %(name)s") % {"name": name},
            body=_("Godkjent gjennomføringsplan (revisjon %(n)s) fra %(employer)s:\n")
            % {"n": revision.number, "employer": revision.employer}
            + "\n".join(lines),
            url=_url(revision),
        )
