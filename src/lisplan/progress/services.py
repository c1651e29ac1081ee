"""Every write to progress: goal status and approvals, activities, service periods.

Each service validates (Norwegian messages naming the rule), writes one audit event in the
same transaction, and refreshes the trainee's cached `ProgressSummary` so the overviews stay
current. Who may call which service is decided here too, through the access policy
(`progress.record`, `progress.approve`), as are the rules that hold whoever calls — nobody
approves their own goals, an approval is for the goal version valid on the approval date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.access import check
from lisplan.audit import writes
from lisplan.audit.services import record, snapshot
from lisplan.catalogue.models import LearningGoal
from lisplan.errors import Refused
from lisplan.progress.models import (
    ActivityRecord,
    GoalApproval,
    GoalStatus,
    ServicePeriod,
)
from lisplan.trainees.models import Trainee


def _refresh(trainee_id: int) -> None:
    from lisplan.iup.deadlines import mark_stale as iup_deadline_stale
    from lisplan.progress.summary import refresh_summaries

    refresh_summaries([trainee_id])
    iup_deadline_stale([trainee_id])  # an assessment panel held moves the IUP deadline


# --- learning goals ---------------------------------------------------------------------------


def goal_version(code: str, on: dt.date) -> LearningGoal | None:
    """The version of the goal with `code` that is valid on `on`."""
    return (
        LearningGoal.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on), code=code, valid_from__lte=on
        )
        .order_by("-valid_from")
        .first()
    )


def _valid_on(goal: LearningGoal, on: dt.date) -> bool:
    return goal.valid_from <= on and (goal.valid_to is None or goal.valid_to >= on)


class StaleGoalVersion(ValidationError):
    """Approving a goal version that is no longer the one valid today (the goal was tightened
    after the page or the API client read it). The UI shows the message; the API answers 409
    with the current version. `current` is the version valid today (None: none is)."""

    def __init__(self, goal: LearningGoal, current: LearningGoal | None) -> None:
        self.goal, self.current = goal, current
        if current is None:
            message = _(
                "Læringsmål %(code)s (versjonen fra %(date)s) gjelder ikke lenger og kan "
                "ikke godkjennes."
            ) % {"code": goal.code, "date": f"{goal.valid_from:%d.%m.%Y}"}
        else:
            message = _(
                "Læringsmål %(code)s er endret: versjonen fra %(old)s som du godkjenner, er "
                "erstattet av versjonen fra %(new)s. Les den gjeldende versjonen og godkjenn "
                "den."
            ) % {
                "code": goal.code,
                "old": f"{goal.valid_from:%d.%m.%Y}",
                "new": f"{current.valid_from:%d.%m.%Y}",
            }
        super().__init__({"goal": message})


@transaction.atomic
def goal_set(
    *,
    actor,
    trainee: Trainee,
    goal: LearningGoal,
    status: str,
    assessment: str = "",
    approved_on: dt.date | None = None,
    institution=None,
    arena=None,
    comment: str = "",
) -> GoalApproval:
    """Set the trainee's status on a goal version (creating the row on first use).

    Approving stamps the actor as approver and records the version approved (the row points
    at the `LearningGoal` version). Only the version valid today can be approved: approving
    an earlier version — a page or API client that read the goal before it was tightened —
    raises `StaleGoalVersion`. The approval date must lie inside that version's validity. An
    approval of an earlier version made before the tightening (or imported) stays on record,
    shown as «godkjent etter tidligere versjon», and no longer counts (see `GoalApproval`)."""
    if status not in GoalStatus.values:
        raise ValidationError({"status": _("Ukjent status for læringsmål.")})
    existing = GoalApproval.objects.filter(trainee=trainee, goal=goal).first()
    # Who may: `progress.approve` to approve, or to change a goal that is approved (which
    # withdraws the approval); `progress.record` for the other statuses.
    approving = status == GoalStatus.APPROVED or (
        existing is not None and existing.status == GoalStatus.APPROVED
    )
    check(
        actor,
        "progress.approve" if approving else "progress.record",
        trainee,
        _("Et godkjent læringsmål endres bare av den som godkjenner læringsmål for legen.")
        if approving and status != GoalStatus.APPROVED
        else None,
    )
    # Checked after the permission: someone who may not approve at all is refused (403).
    if (
        status == GoalStatus.APPROVED
        and trainee.user_id
        and trainee.user_id == getattr(actor, "pk", None)
    ):
        raise ValidationError(
            {
                "status": _(
                    "Du kan ikke godkjenne dine egne læringsmål. Læringsmål godkjennes av leder "
                    "for læringsarenaen."
                )
            }
        )
    fields: dict = {"status": status, "comment": comment, "updated_by": actor}
    if status == GoalStatus.APPROVED:
        today = timezone.localdate()
        current = goal_version(goal.code, today)
        if current is None or current.pk != goal.pk:
            raise StaleGoalVersion(goal, current)
        approved_on = approved_on or today
        if approved_on > today:
            raise ValidationError(
                {"approved_on": _("Godkjenningsdatoen kan ikke være fram i tid.")}
            )
        if not _valid_on(goal, approved_on):
            raise ValidationError(
                {
                    "approved_on": _(
                        "Versjonen av %(code)s som gjaldt fra %(date)s, gjaldt ikke %(on)s. Et "
                        "læringsmål godkjennes etter versjonen som gjelder på godkjenningsdatoen."
                    )
                    % {
                        "code": goal.code,
                        "date": f"{goal.valid_from:%d.%m.%Y}",
                        "on": f"{approved_on:%d.%m.%Y}",
                    }
                }
            )
        fields.update(
            assessment=assessment,
            approved_on=approved_on,
            approved_by=actor,
            institution=institution,
            arena=arena,
        )
    else:
        # Back to «not started»/«in progress»: an earlier approval is withdrawn.
        fields.update(
            approved_on=None,
            approved_by=None,
            assessment=assessment,
            institution=institution,
            arena=arena,
        )
    action = "progress.goal_approved" if status == GoalStatus.APPROVED else "progress.goal_status"
    if existing is None:
        row = writes.create(
            actor=actor, model=GoalApproval, action=action, trainee=trainee, goal=goal, **fields
        )
    else:
        row = writes.update(actor=actor, obj=existing, action=action, **fields)
    _refresh(trainee.pk)
    return row


# --- activities -------------------------------------------------------------------------------


def _goal_codes(goals: Iterable[LearningGoal]) -> list[str]:
    return sorted({g.code for g in goals})


@transaction.atomic
def activity_create(
    *, actor, trainee: Trainee, goals: Iterable[LearningGoal] = (), **fields
) -> ActivityRecord:
    check(actor, "progress.record", trainee)
    goals = list(goals)
    activity = ActivityRecord(trainee=trainee, recorded_by=actor, **fields)
    activity.full_clean()
    activity.save()
    if goals:
        activity.goals.set(goals)
    after = snapshot(activity)
    changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
    if goals:
        changes["goals"] = [None, _goal_codes(goals)]
    record(
        actor=actor,
        action="progress.activity_created",
        obj=activity,
        trainee_id=trainee.pk,
        changes=changes,
    )
    _refresh(trainee.pk)
    return activity


@transaction.atomic
def activity_update(
    *, actor, activity: ActivityRecord, goals: Iterable[LearningGoal] | None = None, **fields
) -> ActivityRecord:
    check(actor, "progress.record", activity.trainee)
    before_goals = _goal_codes(activity.goals.all())
    activity = writes.update(
        actor=actor, obj=activity, action="progress.activity_changed", **fields
    )
    if goals is not None:
        goals = list(goals)
        if _goal_codes(goals) != before_goals:
            activity.goals.set(goals)
            record(
                actor=actor,
                action="progress.activity_changed",
                obj=activity,
                trainee_id=activity.trainee_id,
                changes={"goals": [before_goals, _goal_codes(goals)]},
            )
    _refresh(activity.trainee_id)
    return activity


@transaction.atomic
def activity_delete(*, actor, activity: ActivityRecord) -> None:
    check(actor, "progress.record", activity.trainee)
    trainee_id = activity.trainee_id
    writes.delete(actor=actor, obj=activity, action="progress.activity_deleted")
    _refresh(trainee_id)
    from lisplan.insights.facts import mark_stale as insight_facts_stale

    insight_facts_stale([trainee_id])  # saves mark them by signal, deletes do not


# --- service periods --------------------------------------------------------------------------


def _check_registrar(actor, trainee: Trainee) -> None:
    """Service periods are registered by those who approve goals for the trainee (the leader
    of the arena, the local coordinator), never by the trainee for themselves."""
    check(actor, "progress.approve", trainee)
    if trainee.user_id and trainee.user_id == getattr(actor, "pk", None):
        raise Refused(
            _("Du kan ikke registrere eller endre dine egne tjenesteperioder."), "own_record"
        )


@transaction.atomic
def service_create(*, actor, trainee: Trainee, **fields) -> ServicePeriod:
    _check_registrar(actor, trainee)
    # Lock the trainee so two concurrent writes cannot both pass the overlap check.
    Trainee.objects.select_for_update().filter(pk=trainee.pk).first()
    period = writes.create(
        actor=actor,
        model=ServicePeriod,
        action="progress.service_created",
        trainee=trainee,
        recorded_by=actor,
        **fields,
    )
    _refresh(trainee.pk)
    return period


class StalePeriod(ValidationError):
    """The service period was changed by someone else since `version` was read (409 in the
    API, a message in the UI). `current` is the version in the database."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            _(
                "Tjenesteperioden er endret av noen andre siden du åpnet den. Last "
                "siden inn på nytt og gjør endringen igjen."
            )
        )


def _check_version(period: ServicePeriod, version: int | None) -> ServicePeriod:
    """The period re-read under lock; `StalePeriod` if `version` is given and not current."""
    locked = ServicePeriod.objects.select_for_update().get(pk=period.pk)
    if version is not None and version != locked.version:
        raise StalePeriod(locked.version)
    return locked


@transaction.atomic
def service_update(
    *, actor, period: ServicePeriod, version: int | None = None, **fields
) -> ServicePeriod:
    """Change a service period. With `version` (the one the caller read), a period changed by
    someone else in the meantime is refused (`StalePeriod`); every change adds one."""
    _check_registrar(actor, period.trainee)
    Trainee.objects.select_for_update().filter(pk=period.trainee_id).first()
    locked = _check_version(period, version)
    period = writes.update(
        actor=actor,
        obj=locked,
        action="progress.service_changed",
        version=locked.version + 1,
        **fields,
    )
    _refresh(period.trainee_id)
    return period


@transaction.atomic
def service_delete(*, actor, period: ServicePeriod, version: int | None = None) -> None:
    _check_registrar(actor, period.trainee)
    trainee_id = period.trainee_id
    Trainee.objects.select_for_update().filter(pk=trainee_id).first()
    locked = _check_version(period, version)
    writes.delete(actor=actor, obj=locked, action="progress.service_deleted")
    _refresh(trainee_id)
