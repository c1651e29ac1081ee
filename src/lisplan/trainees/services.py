"""Every write to trainees, employments, leave and supervisors: validated and audited."""

from __future__ import annotations

from django.db import transaction

from lisplan import events
from lisplan.audit import writes
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee


def trainee_create(*, actor, **fields) -> Trainee:
    return writes.create(actor=actor, model=Trainee, action="trainee.created", **fields)


def trainee_update(*, actor, trainee: Trainee, **fields) -> Trainee:
    return writes.update(actor=actor, obj=trainee, action="trainee.changed", **fields)


def _sync_register(actor, trainee: Trainee) -> None:
    """Employments decide who is in the rotation register (fiktiv enhet), and with leave they
    feed the trainee's progress summary: apps above this one react (`lisplan.workflows`)."""
    events.employment_changed.send(sender=Employment, trainee=trainee, actor=actor)


def _refresh_progress(trainee: Trainee) -> None:
    """Leave feeds the trainee's progress summary (`lisplan.workflows`)."""
    events.leave_changed.send(sender=LeavePeriod, trainee=trainee)


@transaction.atomic
def employment_create(*, actor, trainee: Trainee, **fields) -> Employment:
    employment = writes.create(
        actor=actor, model=Employment, action="employment.created", trainee=trainee, **fields
    )
    _sync_register(actor, trainee)
    return employment


@transaction.atomic
def employment_update(*, actor, employment: Employment, **fields) -> Employment:
    employment = writes.update(actor=actor, obj=employment, action="employment.changed", **fields)
    _sync_register(actor, employment.trainee)
    return employment


@transaction.atomic
def employment_delete(*, actor, employment: Employment) -> None:
    trainee = employment.trainee
    writes.delete(actor=actor, obj=employment, action="employment.deleted")
    _sync_register(actor, trainee)


@transaction.atomic
def leave_create(*, actor, trainee: Trainee, **fields) -> LeavePeriod:
    leave = writes.create(
        actor=actor, model=LeavePeriod, action="leave.created", trainee=trainee, **fields
    )
    _refresh_progress(trainee)
    return leave


@transaction.atomic
def leave_update(*, actor, leave: LeavePeriod, **fields) -> LeavePeriod:
    leave = writes.update(actor=actor, obj=leave, action="leave.changed", **fields)
    _refresh_progress(leave.trainee)
    return leave


@transaction.atomic
def leave_delete(*, actor, leave: LeavePeriod) -> None:
    trainee = leave.trainee
    writes.delete(actor=actor, obj=leave, action="leave.deleted")
    _refresh_progress(trainee)


def _check_supervision(actor, trainee: Trainee) -> None:
    """Supervisors are assigned by the trainee's leader or local coordinator
    (`supervision.change` over the trainee); the administrator everywhere."""
    from lisplan.accounts.access import check

    check(actor, "supervision.change", trainee)


def supervision_create(*, actor, trainee: Trainee, **fields) -> Supervision:
    _check_supervision(actor, trainee)
    return writes.create(
        actor=actor, model=Supervision, action="supervision.created", trainee=trainee, **fields
    )


def supervision_update(*, actor, supervision: Supervision, **fields) -> Supervision:
    _check_supervision(actor, supervision.trainee)
    return writes.update(actor=actor, obj=supervision, action="supervision.changed", **fields)


def supervision_delete(*, actor, supervision: Supervision) -> None:
    _check_supervision(actor, supervision.trainee)
    writes.delete(actor=actor, obj=supervision, action="supervision.deleted")
