"""Every write to trainees, employments, leave and supervisors: validated and audited."""

from __future__ import annotations

from lisplan.audit import writes
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee


def trainee_create(*, actor, **fields) -> Trainee:
    return writes.create(actor=actor, model=Trainee, action="trainee.created", **fields)


def trainee_update(*, actor, trainee: Trainee, **fields) -> Trainee:
    return writes.update(actor=actor, obj=trainee, action="trainee.changed", **fields)


def employment_create(*, actor, trainee: Trainee, **fields) -> Employment:
    return writes.create(
        actor=actor, model=Employment, action="employment.created", trainee=trainee, **fields
    )


def employment_update(*, actor, employment: Employment, **fields) -> Employment:
    return writes.update(actor=actor, obj=employment, action="employment.changed", **fields)


def employment_delete(*, actor, employment: Employment) -> None:
    writes.delete(actor=actor, obj=employment, action="employment.deleted")


def leave_create(*, actor, trainee: Trainee, **fields) -> LeavePeriod:
    return writes.create(
        actor=actor, model=LeavePeriod, action="leave.created", trainee=trainee, **fields
    )


def leave_update(*, actor, leave: LeavePeriod, **fields) -> LeavePeriod:
    return writes.update(actor=actor, obj=leave, action="leave.changed", **fields)


def leave_delete(*, actor, leave: LeavePeriod) -> None:
    writes.delete(actor=actor, obj=leave, action="leave.deleted")


def supervision_create(*, actor, trainee: Trainee, **fields) -> Supervision:
    return writes.create(
        actor=actor, model=Supervision, action="supervision.created", trainee=trainee, **fields
    )


def supervision_update(*, actor, supervision: Supervision, **fields) -> Supervision:
    return writes.update(actor=actor, obj=supervision, action="supervision.changed", **fields)


def supervision_delete(*, actor, supervision: Supervision) -> None:
    writes.delete(actor=actor, obj=supervision, action="supervision.deleted")
