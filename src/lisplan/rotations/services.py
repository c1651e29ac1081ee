"""Every write to agreements, the register (fiktiv enhet), requests and vacancies.

Each service is keyword-only, takes `actor=`, runs in one transaction, locks the row it moves
(`select_for_update`), checks the state, writes one audit event per changed row, and notifies
both sides after commit (`notify`). Before a request is forwarded the receiving institution does
not know of it (seed 003: the local coordinator forwards), so the sending side alone is told;
from forwarding on, every step goes to both sides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan import events
from lisplan.accounts.access import check
from lisplan.audit import writes
from lisplan.audit.services import record, snapshot
from lisplan.documents.files import remove_replaced
from lisplan.errors import DomainError
from lisplan.notifications.services import notify
from lisplan.progress.engine import whole_months
from lisplan.rotations import queries, ranking
from lisplan.rotations.models import (
    REFUND_BELOW_MONTHS,
    REGISTER_TEMPORARY_MONTHS,
    WISH_STATUSES,
    CollaborationAgreement,
    RegisterEntry,
    RotationRequest,
    Status,
    Vacancy,
    add_months,
)


class RotationError(DomainError):
    """The action breaks a rule of the register; the message says which, in Norwegian (the
    API's `detail`). A state rule (`invalid_state`) names the field `status`; `forbidden` (e.g.
    a waiver by anyone but the receiving coordinator) is a 403."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None):
        super().__init__(
            message,
            code,
            field or ("status" if code == "invalid_state" else None),
            status=403 if code == "forbidden" else None,
        )


def _today() -> dt.date:
    return timezone.localdate()


def _step(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A step of a request, taken with `permission` on the request: checked here, so a page,
    the API and a job get the same answer. `step.unchecked` is the step without the check,
    for a caller that checked another permission for it (the sending coordinator recording
    the answer of a trust outside lisplan, `export.record_answer`)."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def checked(*, actor, request: RotationRequest, **kwargs: Any) -> Any:
            check(actor, permission, request)
            return fn(actor=actor, request=request, **kwargs)

        checked.unchecked = fn  # type: ignore[attr-defined]
        return checked

    return wrap


# --- the register (fiktiv enhet) ----------------------------------------------------------


def qualifies_for_register(employment, on: dt.date | None = None) -> bool:
    """Permanent, or temporary for 6 months or more, and not ended (seed 003)."""
    on = on or _today()
    if employment.end is not None and employment.end < on:
        return False
    if employment.permanent:
        return True
    six = add_months(employment.start, REGISTER_TEMPORARY_MONTHS) - dt.timedelta(days=1)
    return employment.end is not None and employment.end >= six


@transaction.atomic
def register_sync(
    *, actor, trainee, source: str = RegisterEntry.Source.EMPLOYMENT
) -> list[RegisterEntry]:
    """Bring the trainee's register membership in line with their employments: an entry per
    qualifying employer and specialty (registered today), `permanent` kept current, entries
    whose employment no longer qualifies closed. Returns the open entries."""
    from lisplan.trainees.models import Employment, Trainee

    Trainee.objects.select_for_update().filter(pk=trainee.pk).first()  # serialise syncs
    today = _today()
    wanted: dict[tuple[int, int], Any] = {}
    for e in Employment.objects.filter(trainee=trainee).order_by("start"):
        if qualifies_for_register(e, today):
            key = (e.institution_id, e.specialty_id)
            # A permanent employment wins over a temporary one for the same place.
            if key not in wanted or (e.permanent and not wanted[key].permanent):
                wanted[key] = e
    open_entries = {
        (r.institution_id, r.specialty_id): r
        for r in RegisterEntry.objects.select_for_update().filter(trainee=trainee, left_on=None)
    }
    for key, entry in open_entries.items():
        e = wanted.get(key)
        if e is None:
            writes.update(actor=actor, obj=entry, action="register.left", left_on=today)
        elif entry.permanent != e.permanent or entry.employment_id != e.pk:
            writes.update(
                actor=actor,
                obj=entry,
                action="register.updated",
                permanent=e.permanent,
                employment=e,
            )
    for key, e in wanted.items():
        if key not in open_entries:
            writes.create(
                actor=actor,
                model=RegisterEntry,
                action="register.registered",
                trainee=trainee,
                institution_id=e.institution_id,
                specialty_id=e.specialty_id,
                employment=e,
                permanent=e.permanent,
                registered_on=today,
                source=source,
            )
    return list(RegisterEntry.objects.filter(trainee=trainee, left_on=None))


# --- agreements ---------------------------------------------------------------------------

AGREEMENT_M2M = ("arenas", "goals", "prerequisites")


def _set_m2m(agreement: CollaborationAgreement, m2m: dict[str, Iterable]) -> dict[str, list]:
    changes = {}
    for name, values in m2m.items():
        manager = getattr(agreement, name)
        before = sorted(str(v) for v in manager.all())
        manager.set(list(values))
        after = sorted(str(v) for v in manager.all())
        if before != after:
            changes[name] = [before, after]
    return changes


def _agreement_snapshot(agreement: CollaborationAgreement, fields=None) -> dict[str, Any]:
    """The audited values; the signed document as its stored name (a file is no JSON)."""
    data = snapshot(agreement, fields)
    if "document" in data:
        data["document"] = agreement.document.name or ""
    return data


def _check_arenas(agreement: CollaborationAgreement, arenas: Iterable) -> None:
    if any(a.institution_id != agreement.receiving_id for a in arenas):
        raise RotationError(
            _("Læringsarenaene må høre til det mottakende foretaket."),
            "arena_institution",
            "arenas",
        )


def _check_party(actor, agreement: CollaborationAgreement) -> None:
    """One of the parties must lie in the actor's `agreement.change` scope (the agreement is
    saved in the caller's transaction, so a refusal leaves nothing behind)."""
    check(
        actor,
        "agreement.change",
        agreement,
        _("Du kan bare registrere fagavtaler der din virksomhet er en av partene."),
    )


@transaction.atomic
def agreement_create(
    *,
    actor,
    arenas: Iterable = (),
    goals: Iterable = (),
    prerequisites: Iterable = (),
    **fields: Any,
) -> CollaborationAgreement:
    agreement = CollaborationAgreement(**fields)
    agreement.full_clean()
    arenas = list(arenas)
    _check_arenas(agreement, arenas)
    agreement.save()
    _check_party(actor, agreement)
    m2m = _set_m2m(agreement, {"arenas": arenas, "goals": goals, "prerequisites": prerequisites})
    after = _agreement_snapshot(agreement)
    record(
        actor=actor,
        action="agreement.created",
        obj=agreement,
        changes={**{k: [None, v] for k, v in after.items() if v not in (None, "", [])}, **m2m},
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor, agreement: CollaborationAgreement, **fields: Any
) -> CollaborationAgreement:
    from lisplan.audit.services import diff

    agreement = CollaborationAgreement.objects.select_for_update().get(pk=agreement.pk)
    _check_party(actor, agreement)
    before = _agreement_snapshot(agreement)
    old_document = agreement.document.name or ""
    m2m = {k: fields.pop(k) for k in AGREEMENT_M2M if k in fields}
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.full_clean()
    if "arenas" in m2m:
        m2m["arenas"] = list(m2m["arenas"])
        _check_arenas(agreement, m2m["arenas"])
    agreement.save()
    _check_party(actor, agreement)  # not moved out of the actor's reach either
    remove_replaced(agreement.document, old_document)  # a replaced signed copy leaves the disk
    changes = {
        **diff(before, _agreement_snapshot(agreement, before.keys())),
        **_set_m2m(agreement, m2m),
    }
    if changes:
        record(actor=actor, action="agreement.changed", obj=agreement, changes=changes)
    return agreement


# --- requests -----------------------------------------------------------------------------


def _lock(request: RotationRequest) -> RotationRequest:
    return (
        RotationRequest.objects.select_for_update(of=("self",))
        .select_related("trainee", "sending", "receiving", "specialty", "agreement")
        .get(pk=request.pk)
    )


def _audit(request: RotationRequest, actor, action: str, changes: dict) -> None:
    record(
        actor=actor,
        action=action,
        obj=request,
        trainee_id=request.trainee_id,
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()},
    )


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _require(request: RotationRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise RotationError(
            _("Handlingen er ikke mulig når ønsket har status «%(status)s».")
            % {"status": request.get_status_display()},
            "invalid_state",
        )


def _can_move(request: RotationRequest, to: str) -> None:
    if not request.can_move_to(to):
        raise RotationError(
            _("Kan ikke gå fra «%(from)s» til «%(to)s».")
            % {"from": request.get_status_display(), "to": Status(to).label},
            "invalid_state",
        )


def _move(request: RotationRequest, actor, to: str, action: str, **fields) -> RotationRequest:
    _can_move(request, to)
    changes: dict[str, tuple] = {"status": (request.status, to)}
    for name, value in fields.items():
        changes[name] = (getattr(request, name), value)
        setattr(request, name, value)
    request.status = to
    request.version += 1
    request.save()
    _audit(request, actor, action, changes)
    return request


def find_agreement(*, sending, receiving, specialty, on: dt.date) -> CollaborationAgreement | None:
    """The agreement valid on `on` between the two for the specialty (the newest first)."""
    return (
        CollaborationAgreement.objects.valid_on(on)
        .filter(sending=sending, receiving=receiving, specialty=specialty)
        .order_by("-valid_from", "-pk")
        .first()
    )


def _check_one_receiving(request: RotationRequest) -> None:
    """A trainee has wishes at one receiving institution at a time (seed 003, a)."""
    other = (
        RotationRequest.objects.filter(trainee_id=request.trainee_id, status__in=WISH_STATUSES)
        .exclude(pk=request.pk)
        .exclude(receiving_id=request.receiving_id)
        .select_related("receiving")
        .first()
    )
    if other is not None:
        raise RotationError(
            _(
                "%(name)s har allerede ønske om spesialiseringsperiode ved %(other)s. Ønsker kan "
                "bare settes opp ved ett foretak om gangen: avbryt eller fullfør det ønsket først."
            )
            % {"name": request.trainee.full_name, "other": other.receiving},
            "one_receiving_institution",
            "receiving",
        )


def _lock_trainee(trainee_id: int) -> None:
    """Serialise wish changes per trainee so the one-institution rule holds under races."""
    from lisplan.trainees.models import Trainee

    Trainee.objects.select_for_update().filter(pk=trainee_id).first()


@transaction.atomic
def request_create(
    *,
    actor,
    trainee,
    receiving,
    specialty,
    desired_start: dt.date,
    duration_months: int | None = None,
    agreement=None,
    arena=None,
    sending=None,
    wish: bool = False,
    comment: str = "",
    source: str = RotationRequest.Source.MANUAL,
    plan_period=None,
    extends=None,
) -> RotationRequest:
    """A need (or, with `wish=True`, a registered wish) for a period at `receiving`. The
    sending institution is the trainee's employer in the specialty; the duration is normed
    from the agreement where not given."""
    _lock_trainee(trainee.pk)
    if sending is None:
        sending = _employer(trainee, specialty)
    if agreement is None:
        agreement = find_agreement(
            sending=sending, receiving=receiving, specialty=specialty, on=desired_start
        )
    if duration_months is None:
        if agreement is None:
            raise RotationError(
                _("Oppgi varighet: det finnes ingen fagavtale som gir normert tid."),
                "duration_required",
                "duration_months",
            )
        duration_months = agreement.duration_months
    today = _today()
    request = RotationRequest(
        trainee=trainee,
        sending=sending,
        receiving=receiving,
        specialty=specialty,
        agreement=agreement,
        arena=arena,
        desired_start=desired_start,
        duration_months=duration_months,
        need_on=today,
        comment=comment,
        source=source,
        plan_period=plan_period,
        plan=getattr(getattr(plan_period, "revision", None), "plan", None),
        extends=extends,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        refunded_by_employer=duration_months < REFUND_BELOW_MONTHS,
    )
    if wish:
        request.status, request.wish_on = Status.WISH, today
        _check_one_receiving(request)
    _validate(request)
    request.save()
    register_sync(actor=actor, trainee=trainee)
    after = snapshot(
        request,
        [
            "status",
            "sending",
            "receiving",
            "specialty",
            "agreement",
            "arena",
            "desired_start",
            "duration_months",
            "refunded_by_employer",
            "source",
        ],
    )
    record(
        actor=actor,
        action="register.request_created",
        obj=request,
        trainee_id=trainee.pk,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "")},
    )
    _notify(request, _("Nytt behov for spesialiseringsperiode: %(name)s"), receiving=False)
    return request


def _employer(trainee, specialty):
    employment = (
        trainee.employments.not_ended()
        .filter(specialty=specialty)
        .select_related("institution")
        .order_by("-permanent", "-start")
        .first()
    )
    if employment is None:
        raise RotationError(
            _("%(name)s har ingen gjeldende ansettelse i %(specialty)s.")
            % {"name": trainee.full_name, "specialty": specialty},
            "no_employment",
            "specialty",
        )
    return employment.institution


def _validate(request: RotationRequest) -> None:
    from django.core.exceptions import ValidationError

    if request.sending_id == request.receiving_id:
        raise RotationError(
            _("Mottakende foretak må være et annet enn hovedarbeidsgiveren."),
            "same_institution",
            "receiving",
        )
    if request.arena_id and request.arena.institution_id != request.receiving_id:
        raise RotationError(
            _("Læringsarenaen må høre til det mottakende foretaket."), "arena_institution", "arena"
        )
    agreement = request.agreement
    if agreement is not None and (
        agreement.sending_id != request.sending_id
        or agreement.receiving_id != request.receiving_id
        or agreement.specialty_id != request.specialty_id
    ):
        raise RotationError(
            _("Fagavtalen gjelder ikke disse foretakene og denne spesialiteten."),
            "agreement_mismatch",
            "agreement",
        )
    try:
        request.full_clean(
            exclude=[
                "trainee",
                "sending",
                "receiving",
                "specialty",
                "agreement",
                "arena",
                "plan_period",
                "plan",
                "extends",
                "vacancy",
                "created_by",
            ]
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RotationError(messages[0], "invalid", field) from error


@_step("register.change")
@transaction.atomic
def request_register_wish(*, actor, request: RotationRequest) -> RotationRequest:
    """Need → wish registered, if the trainee has no wishes at another institution."""
    _lock_trainee(request.trainee_id)
    request = _lock(request)
    _require(request, Status.NEED)
    _check_one_receiving(request)
    _move(request, actor, Status.WISH, "register.wish_registered", wish_on=_today())
    _notify(request, _("Ønske om spesialiseringsperiode registrert: %(name)s"), receiving=False)
    return request


@_step("register.forward")
@transaction.atomic
def request_forward(*, actor, request: RotationRequest) -> RotationRequest:
    """Wish → forwarded to the receiving institution; today is the seniority there. A new
    conflict between trusts over the same capacity is flagged to the regional coordinator."""
    request = _lock(request)
    _move(request, actor, Status.FORWARDED, "register.forwarded", forwarded_on=_today())
    _notify(request, _("Ønske om spesialiseringsperiode sendt til %(receiving)s: %(name)s"))
    conflict = queries.conflict_for(request)
    if conflict is not None:
        _notify_conflict(request, conflict)
    return request


def _eligibility_or_raise(request: RotationRequest, start: dt.date) -> None:
    check = queries.eligibility([request], on=start)[request.pk]
    if not check.permanent:
        raise RotationError(
            _(
                "%(name)s er ikke fast ansatt i %(specialty)s og kan ikke tilbys "
                "gjennomstrømningsstilling (står fortsatt i fiktiv enhet og samler ansiennitet)."
            )
            % {"name": request.trainee.full_name, "specialty": request.specialty},
            "not_permanent",
        )


def _prerequisites_or_raise(request: RotationRequest, start: dt.date) -> None:
    """Seed 003: the receiving trust may require goals before start. Every step that commits
    the trainee to the period checks them: each required goal approved, or expected by `start`
    (the progress projection: an earlier agreed or planned period that covers it). Refused
    with the missing goals named, unless the receiving coordinator waived them with a reason
    (`request_waive_prerequisites`)."""
    if request.prerequisites_waived_by_id:
        return
    missing = queries.eligibility([request], on=start)[request.pk].missing
    if missing:
        raise RotationError(
            _(
                "%(name)s mangler læringsmål som %(receiving)s krever før oppstart "
                "%(start)s: %(goals)s. Mottakende koordinator kan gi unntak med begrunnelse."
            )
            % {
                "name": request.trainee.full_name,
                "receiving": request.receiving,
                "start": f"{start:%d.%m.%Y}",
                "goals": queries.goal_names(missing),
            },
            "prerequisites_missing",
            "prerequisites",
        )


@transaction.atomic
def request_waive_prerequisites(*, actor, request: RotationRequest, reason: str) -> RotationRequest:
    """The receiving coordinator lets the trainee start without the required goals, with a
    recorded reason (audited). Only a coordinator of the receiving institution or region."""
    from lisplan.accounts.access import can
    from lisplan.accounts.models import RoleAssignment

    request = _lock(request)
    coordinator = (
        RoleAssignment.objects.active()
        .filter(user=actor)
        .filter(
            Q(role="local_coordinator", institution_id=request.receiving_id)
            | Q(role="regional_coordinator", region_id=request.receiving.region_id)
        )
        .exists()
    )
    if not (coordinator and can(actor, "register.offer", request)):
        raise RotationError(
            _(
                "Bare koordinator ved det mottakende foretaket kan gi unntak fra "
                "forkunnskapskravene."
            ),
            "forbidden",
            "prerequisites",
        )
    if not reason.strip():
        raise RotationError(
            _("Skriv hvorfor legen kan starte uten læringsmålene."), "reason_required", "reason"
        )
    if request.closed:
        raise RotationError(
            _("Handlingen er ikke mulig når ønsket har status «%(status)s».")
            % {"status": request.get_status_display()},
            "invalid_state",
        )
    missing = queries.eligibility([request])[request.pk].missing
    changes = {
        "prerequisites_waived_reason": (request.prerequisites_waived_reason, reason.strip()),
        "prerequisites_waived_on": (request.prerequisites_waived_on, _today()),
        "missing_goals": ("", ", ".join(p.code for p in missing)),
    }
    request.prerequisites_waived_reason = reason.strip()
    request.prerequisites_waived_by = actor
    request.prerequisites_waived_on = _today()
    request.version += 1
    request.save()
    _audit(request, actor, "register.prerequisites_waived", changes)
    return request


# How long before the agreed start a start may be registered.
START_EARLY_DAYS = 14


@_step("register.offer")
@transaction.atomic
def request_offer(
    *,
    actor,
    request: RotationRequest,
    vacancy: Vacancy | None = None,
    start: dt.date | None = None,
    comment: str = "",
) -> RotationRequest:
    """Forwarded → offered by the receiving institution's coordinator; only permanent
    employees can be offered a rotation position."""
    request = _lock(request)
    _eligibility_or_raise(request, start or request.desired_start)
    _prerequisites_or_raise(request, start or request.start)
    if vacancy is None:  # the vacancy whose leader chose this candidate
        vacancy = Vacancy.objects.filter(selected=request, state=Vacancy.State.OPEN).first()
    fields: dict[str, Any] = {"offered_on": _today(), "vacancy": vacancy}
    if start is not None:
        fields["agreed_start"] = start
    if comment:
        fields["comment"] = comment
    _move(request, actor, Status.OFFERED, "register.offered", **fields)
    _notify(request, _("Tilbud om gjennomstrømningsstilling ved %(receiving)s: %(name)s"))
    return request


@_step("register.answer")
@transaction.atomic
def request_answer(
    *, actor, request: RotationRequest, accept: bool, comment: str = ""
) -> RotationRequest:
    """Offered → accepted or declined (the trainee, or the sending coordinator for them).
    An accepted offer fills its vacancy; a declined one reopens it."""
    request = _lock(request)
    to = Status.ACCEPTED if accept else Status.DECLINED
    if accept:
        _can_move(request, to)
        _prerequisites_or_raise(request, request.start)
    fields: dict[str, Any] = {"answered_on": _today()}
    if comment:
        fields["comment"] = comment
    _move(request, actor, to, "register.accepted" if accept else "register.declined", **fields)
    if request.vacancy_id:
        vacancy = Vacancy.objects.select_for_update().get(pk=request.vacancy_id)
        state = Vacancy.State.FILLED if accept else Vacancy.State.OPEN
        if vacancy.state != state:
            before = vacancy.state
            vacancy.state = state
            vacancy.save(update_fields=["state"])
            record(
                actor=actor,
                action="vacancy.filled" if accept else "vacancy.reopened",
                obj=vacancy,
                changes={"state": [before, state]},
            )
    title = (
        _("Tilbud akseptert: %(name)s ved %(receiving)s")
        if accept
        else _("Tilbud avslått: %(name)s ved %(receiving)s")
    )
    _notify(request, title)
    return request


@_step("register.offer")
@transaction.atomic
def request_agree_start(*, actor, request: RotationRequest, start: dt.date) -> RotationRequest:
    """Accepted → start agreed; the date flows back to the sending trust's register. Keeps the
    agreement's start months, validity, capacity at one time and semester quota."""
    request = _lock(request)
    _require(request, Status.ACCEPTED)
    _prerequisites_or_raise(request, start)
    if request.agreement is not None:
        problem = queries.agreement_problem(
            request.agreement, start, request.duration_months, exclude=request.pk
        )
        if problem:
            raise RotationError(problem, "agreement_rule", "start")
    _move(
        request,
        actor,
        Status.START_AGREED,
        "register.start_agreed",
        agreed_start=start,
        start_agreed_on=_today(),
    )
    _notify(request, _("Oppstart avtalt %(start)s ved %(receiving)s: %(name)s"))
    return request


@_step("register.offer")
@transaction.atomic
def request_start(*, actor, request: RotationRequest) -> RotationRequest:
    """Start agreed → in progress. Refused more than `START_EARLY_DAYS` before the agreed
    start, and when a required goal is neither approved nor expected by then."""
    request = _lock(request)
    _can_move(request, Status.IN_PROGRESS)
    today = _today()
    if request.agreed_start and today < request.agreed_start - dt.timedelta(days=START_EARLY_DAYS):
        raise RotationError(
            _(
                "Perioden kan ikke registreres som startet før nærmere avtalt oppstart "
                "%(start)s (tidligst %(first)s)."
            )
            % {
                "start": f"{request.agreed_start:%d.%m.%Y}",
                "first": f"{request.agreed_start - dt.timedelta(days=START_EARLY_DAYS):%d.%m.%Y}",
            },
            "too_early",
            "start",
        )
    _prerequisites_or_raise(request, request.agreed_start or today)
    _move(
        request,
        actor,
        Status.IN_PROGRESS,
        "register.started",
        started_on=request.agreed_start or today,
    )
    _notify(request, _("Spesialiseringsperiode startet ved %(receiving)s: %(name)s"))
    return request


@_step("register.offer")
@transaction.atomic
def request_complete(
    *,
    actor,
    request: RotationRequest,
    goals_reached: bool,
    on: dt.date | None = None,
    early_end_reason: str = "",
) -> RotationRequest:
    """In progress → completed. Seed 003: «Dersom læringsmål oppnås raskere enn normert tid,
    må LIS likevel fullføre spesialiseringsperioden» — completing before the period's end
    needs the early end's reason, which is recorded."""
    request = _lock(request)
    _can_move(request, Status.COMPLETED)
    day = on or _today()
    fields: dict[str, Any] = {"completed_on": day, "goals_reached": goals_reached}
    if day < request.end:
        if not early_end_reason.strip():
            raise RotationError(
                _(
                    "Perioden varer til %(end)s. Læringsmål nådd tidligere gir ikke kortere "
                    "periode; skriv begrunnelsen hvis perioden likevel avsluttes tidlig."
                )
                % {"end": f"{request.end:%d.%m.%Y}"},
                "early_end",
                "early_end_reason",
            )
        fields["early_end_reason"] = early_end_reason.strip()
    _move(request, actor, Status.COMPLETED, "register.completed", **fields)
    _notify(request, _("Spesialiseringsperiode gjennomført ved %(receiving)s: %(name)s"))
    return request


@_step("register.change")
@transaction.atomic
def request_cancel(*, actor, request: RotationRequest, reason: str) -> RotationRequest:
    request = _lock(request)
    if not reason.strip():
        raise RotationError(_("Skriv hvorfor ønsket avbrytes."), "reason_required", "reason")
    _move(
        request,
        actor,
        Status.CANCELLED,
        "register.cancelled",
        cancelled_on=_today(),
        comment=reason.strip(),
    )
    _notify(
        request,
        _("Ønske om spesialiseringsperiode avbrutt: %(name)s"),
        receiving=request.forwarded_on is not None,
    )
    return request


@_step("register.change")
@transaction.atomic
def request_change_start(
    *, actor, request: RotationRequest, desired_start: dt.date
) -> RotationRequest:
    """A changed desired start flows to the receiving side at once (seed 003, c)."""
    request = _lock(request)
    if request.closed or request.status in (Status.START_AGREED, Status.IN_PROGRESS):
        raise RotationError(
            _("Ønsket oppstart kan ikke endres når ønsket har status «%(status)s».")
            % {"status": request.get_status_display()},
            "invalid_state",
            "desired_start",
        )
    before = request.desired_start
    if before == desired_start:
        return request
    request.desired_start = desired_start
    request.version += 1
    request.save(update_fields=["desired_start", "version", "updated_at"])
    _audit(request, actor, "register.start_changed", {"desired_start": (before, desired_start)})
    _notify(
        request,
        _("Endret ønsket oppstart (%(start)s): %(name)s"),
        receiving=request.forwarded_on is not None,
    )
    return request


@_step("register.change")
@transaction.atomic
def request_set_rank(*, actor, request: RotationRequest, rank: int | None) -> RotationRequest:
    """The sending trust's own priority among its trainees (criterion 5)."""
    request = _lock(request)
    if rank is not None and rank < 1:
        raise RotationError(_("Prioriteten må være 1 eller høyere."), "invalid", "sending_rank")
    before = request.sending_rank
    if before != rank:
        request.sending_rank = rank
        request.version += 1
        request.save(update_fields=["sending_rank", "version", "updated_at"])
        _audit(request, actor, "register.rank_set", {"sending_rank": (before, rank)})
    return request


@_step("register.change")
@transaction.atomic
def request_extend(
    *, actor, request: RotationRequest, duration_months: int, comment: str = ""
) -> RotationRequest:
    """Goals not reached in the normed time: a new period is agreed between the main employer
    and the partner (a new request, `extends` the old one), and the implementation plan must
    be revised — a draft revision is opened where the plan has an approved one."""
    request = _lock(request)
    if request.status not in (Status.IN_PROGRESS, Status.COMPLETED) or request.goals_reached:
        raise RotationError(
            _(
                "Bare en pågående periode, eller en gjennomført periode der "
                "læringsmålene ikke ble nådd, kan forlenges."
            ),
            "not_extendable",
        )
    new = request_create(
        actor=actor,
        trainee=request.trainee,
        receiving=request.receiving,
        specialty=request.specialty,
        sending=request.sending,
        agreement=request.agreement,
        arena=request.arena,
        desired_start=request.end + dt.timedelta(days=1),
        duration_months=duration_months,
        comment=comment,
        source=RotationRequest.Source.EXTENSION,
        extends=request,
    )
    # The trainee's implementation plan must be revised (`lisplan.workflows`): a draft
    # revision is opened where there is an approved one, and the plan side is told.
    events.rotation_extended.send(
        sender=RotationRequest, request=request, extension=new, actor=actor
    )
    return new


# --- vacancies ----------------------------------------------------------------------------


@transaction.atomic
def vacancy_open(*, actor, **fields: Any) -> Vacancy:
    arena = fields["arena"]
    fields.setdefault("institution", arena.institution)
    fields.setdefault("specialty", arena.specialty)
    if fields.get("specialty") is None:
        raise RotationError(
            _("Velg spesialitet: læringsarenaen har ingen."), "invalid", "specialty"
        )
    with transaction.atomic():  # a refusal undoes the row and its audit event
        vacancy = writes.create(
            actor=actor, model=Vacancy, action="vacancy.opened", opened_by=actor, **fields
        )
        check(actor, "vacancy.change", vacancy, field="arena")  # the arena must be the actor's
    return vacancy


@transaction.atomic
def vacancy_select(*, actor, vacancy: Vacancy, request: RotationRequest) -> Vacancy:
    """The receiving leader chooses a candidate; the offer itself goes through the receiving
    institution's local coordinator (seed 003), who is told at once."""
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    check(actor, "vacancy.change", vacancy)
    if vacancy.state != Vacancy.State.OPEN:
        raise RotationError(_("Stillingen er ikke lenger ledig."), "vacancy_closed")
    if (request.receiving_id, request.specialty_id) != (
        vacancy.institution_id,
        vacancy.specialty_id,
    ) or request.status != Status.FORWARDED:
        raise RotationError(_("Kandidaten står ikke i køen hos dere."), "not_candidate")
    vacancy = writes.update(
        actor=actor,
        obj=vacancy,
        action="vacancy.candidate_selected",
        selected=request,
        selected_on=_today(),
    )
    notify(
        users=_coordinators([vacancy.institution_id]),
        kind="rotations.candidate_selected",
        title=_("Kandidat valgt til ledig stilling ved %(arena)s: %(name)s")
        % {"arena": vacancy.arena, "name": request.trainee.full_name},
        body=_("Send tilbud om gjennomstrømningsstilling via fiktiv enhet."),
        url=reverse("rotations:vacancy", args=[vacancy.pk]),
    )
    return vacancy


@transaction.atomic
def vacancy_close(*, actor, vacancy: Vacancy) -> Vacancy:
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    check(actor, "vacancy.change", vacancy)
    return writes.update(
        actor=actor, obj=vacancy, action="vacancy.closed", state=Vacancy.State.CLOSED
    )


# --- the implementation plan hook ---------------------------------------------------------


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole months a period covers, counted as the ledger counts them (at least 1):
    01.01–30.06 → 6, 15.01–14.03 → 2 (`progress.engine.whole_months`)."""
    return whole_months(start, end)


MOVABLE = (Status.NEED, Status.WISH, Status.FORWARDED, Status.OFFERED, Status.ACCEPTED)
CANCELLABLE = (Status.NEED, Status.WISH, Status.FORWARDED)


@transaction.atomic
def sync_from_plan(*, revision, actor) -> list[RotationRequest]:
    """An approved implementation plan revision's periods at other institutions become the
    trainee's requests: new periods a need each, changed dates update the request (and reach
    the receiving side at once), removed periods cancel requests not yet offered. Also keeps
    the trainee's register membership current. Called by `lisplan.workflows` when a revision
    is approved."""
    plan = revision.plan
    trainee = plan.trainee
    register_sync(actor=actor, trainee=trainee, source=RegisterEntry.Source.PLAN)
    periods = [
        p
        for p in revision.periods.select_related("institution", "specialty", "arena", "agreement")
        if p.institution_id != revision.employer_id
    ]
    existing = list(
        RotationRequest.objects.select_for_update(of=("self",))
        .filter(trainee=trainee, source=RotationRequest.Source.PLAN, status__in=MOVABLE)
        .select_related("receiving", "specialty", "trainee", "sending")
        .order_by("desired_start", "pk")
    )
    result: list[RotationRequest] = []
    for period in sorted(periods, key=lambda p: (p.start, p.pk)):
        duration = _months_between(period.start, period.end)
        match = _match(existing, period)
        if match is None:
            result.append(
                request_create(
                    actor=actor,
                    trainee=trainee,
                    receiving=period.institution,
                    specialty=period.specialty,
                    sending=revision.employer,
                    arena=period.arena,
                    desired_start=period.start,
                    duration_months=duration,
                    # the agreement the plan names; only without one is it looked up
                    agreement=period.agreement,
                    source=RotationRequest.Source.PLAN,
                    plan_period=period,
                )
            )
            continue
        existing.remove(match)
        result.append(_update_from_period(actor, match, period, duration))
    for request in existing:
        if request.status in CANCELLABLE:
            _move(
                request,
                actor,
                Status.CANCELLED,
                "register.cancelled",
                cancelled_on=_today(),
                comment=_("Fjernet fra gjennomføringsplanen (revisjon %(n)s).")
                % {"n": revision.number},
            )
            _notify(
                request,
                _("Ønske om spesialiseringsperiode avbrutt: %(name)s"),
                receiving=request.forwarded_on is not None,
            )
        else:
            _notify(
                request,
                _(
                    "Perioden er fjernet fra gjennomføringsplanen, men er allerede "
                    "tilbudt: %(name)s ved %(receiving)s"
                ),
            )
    return result


def _match(existing: list[RotationRequest], period) -> RotationRequest | None:
    same = [
        r
        for r in existing
        if r.receiving_id == period.institution_id and r.specialty_id == period.specialty_id
    ]
    for r in same:  # the same period carried over from the previous revision
        if r.plan_period_id == period.pk or r.desired_start == period.start:
            return r
    return min(same, key=lambda r: abs((r.desired_start - period.start).days), default=None)


def _update_from_period(actor, request: RotationRequest, period, duration: int) -> RotationRequest:
    changes: dict[str, tuple] = {}
    fields = [
        ("desired_start", period.start),
        ("duration_months", duration),
        ("arena_id", period.arena_id),
        ("plan_period_id", period.pk),
    ]
    if period.agreement_id:  # a period that names its agreement decides it
        fields.append(("agreement_id", period.agreement_id))
    for name, value in fields:
        if getattr(request, name) != value:
            changes[name.removesuffix("_id")] = (getattr(request, name), value)
            setattr(request, name, value)
    if not changes:
        return request
    request.refunded_by_employer = request.duration_months < REFUND_BELOW_MONTHS
    request.version += 1
    request.save()
    visible = {k: v for k, v in changes.items() if k != "plan_period"}
    _audit(request, actor, "register.updated_from_plan", changes)
    if visible:
        _notify(
            request,
            _("Endret spesialiseringsperiode (oppstart %(start)s): %(name)s"),
            receiving=request.forwarded_on is not None,
        )
    return request


# --- notifications ------------------------------------------------------------------------


def _coordinators(institution_ids):
    from lisplan.accounts.models import Role, RoleAssignment, User

    users = (
        RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR, institution_id__in=institution_ids)
        .values("user")
    )
    return User.objects.filter(pk__in=users, is_active=True)


def _regional_coordinators(region_ids):
    from lisplan.accounts.models import Role, RoleAssignment, User

    users = (
        RoleAssignment.objects.active()
        .filter(role=Role.REGIONAL_COORDINATOR, region_id__in=region_ids)
        .values("user")
    )
    return User.objects.filter(pk__in=users, is_active=True)


def _request_url(request: RotationRequest) -> str:
    return reverse("rotations:request", args=[request.pk])


def _receiving_leaders(request: RotationRequest) -> list[int]:
    """The leader of the requested arena, or of the agreement's arenas at the receiver."""
    if request.arena_id:
        return [request.arena.leader_id] if request.arena.leader_id else []
    if request.agreement_id:
        return [pk for pk in request.agreement.arenas.values_list("leader_id", flat=True) if pk]
    return []


def _notify(request: RotationRequest, title: str, *, receiving: bool = True) -> None:
    """The sending side (the trainee and the employer's coordinators) always; the receiving
    side (its coordinators, and the arena's leaders) once the request has been forwarded."""
    from lisplan.accounts.models import User

    users = list(_coordinators([request.sending_id]))
    if request.trainee.user_id:
        users.append(request.trainee.user)
    if receiving:
        users += list(_coordinators([request.receiving_id]))
        users += list(User.objects.filter(pk__in=_receiving_leaders(request), is_active=True))
    text = title % {
        "name": request.trainee.full_name,
        "receiving": request.receiving,
        "start": f"{request.start:%d.%m.%Y}",
    }
    body = _(
        "%(specialty)s ved %(receiving)s, %(months)s mnd. fra %(start)s. Status: %(status)s."
    ) % {
        "specialty": request.specialty,
        "receiving": request.receiving,
        "months": request.duration_months,
        "start": f"{request.start:%d.%m.%Y}",
        "status": request.get_status_display(),
    }
    notify(
        users=users,
        kind=f"rotations.{request.status}",
        title=text,
        body=body,
        url=_request_url(request),
    )


def _notify_conflict(request: RotationRequest, conflict: ranking.Conflict) -> None:
    regions = {request.receiving.region_id, request.sending.region_id}
    notify(
        users=_regional_coordinators(regions),
        kind="rotations.conflict",
        title=_("Samtidskonflikt om kapasitet ved %(receiving)s (%(specialty)s)")
        % {"receiving": request.receiving, "specialty": request.specialty},
        body=conflict.explanation,
        url=reverse("rotations:conflicts"),
    )


def notify_plan_revision(request: RotationRequest, revision) -> None:
    """An extension needs a revised implementation plan: tell the trainee, their leader and
    the sending coordinators (`revision`: the draft opened for it, or None). Called by
    `lisplan.workflows` when a period is extended."""
    from lisplan.accounts.models import User
    from lisplan.trainees.models import Employment

    leaders = (
        Employment.objects.not_ended()
        .filter(trainee_id=request.trainee_id, arena__isnull=False)
        .values("arena__leader")
    )
    users = list(_coordinators([request.sending_id]))
    users += list(User.objects.filter(pk__in=leaders, is_active=True))
    if request.trainee.user_id:
        users.append(request.trainee.user)
    url = (
        reverse("plans:revision", args=[revision.pk])
        if revision is not None
        else _request_url(request)
    )
    notify(
        users=users,
        kind="rotations.plan_revision_needed",
        title=_("Gjennomføringsplanen må revideres: %(name)s")
        % {"name": request.trainee.full_name},
        body=_(
            "Læringsmålene ble ikke nådd i perioden ved %(receiving)s. En ny periode på "
            "%(months)s mnd. fra %(start)s er registrert; legg den inn i planen og send "
            "den til ny signering."
        )
        % {
            "receiving": request.receiving,
            "months": request.duration_months,
            "start": f"{request.desired_start:%d.%m.%Y}",
        },
        url=url,
    )
