"""Every cross-app workflow, in one place above the apps it joins.

A service announces a change with an event (`lisplan.events`) and never calls another app's
services; the reaction is here, run at once in the sender's transaction:

- an implementation plan revision approved → the rotation register follows the plan
  (`rotations.services.sync_from_plan`: needs, changed dates, cancellations, register
  membership) and the trainee's progress summary is recomputed (plan periods feed progress);
- a rotation period extended → a draft revision of the trainee's approved implementation plan
  is opened (`plans.services.revision_revise`, as the actor; none when the actor may not edit
  the plan) and the trainee, their leader and the sending coordinators are told
  (`rotations.services.notify_plan_revision`);
- an employment created, changed or deleted → the rotation register membership
  (`rotations.services.register_sync`) and the progress summary;
- a leave period created, changed or deleted → the progress summary.

Import-linter keeps this module above the apps (pyproject.toml); the apps' services do not
import each other for these workflows. See docs/decisions/0011-one-rule-path.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisplan import events
from lisplan.documents.signing import StateError
from lisplan.errors import Refused
from lisplan.plans import services as plans
from lisplan.plans.models import Revision
from lisplan.plans.models import Status as PlanStatus
from lisplan.progress.summary import refresh_summaries
from lisplan.rotations import services as rotations
from lisplan.rotations.models import RotationRequest


def plan_approved(*, revision: Revision, actor: Any, **_: Any) -> None:
    rotations.sync_from_plan(revision=revision, actor=actor)
    refresh_summaries([revision.plan.trainee_id])


def rotation_extended(
    *, request: RotationRequest, extension: RotationRequest, actor: Any, **_: Any
) -> None:
    revision = open_plan_revision(actor, request)
    rotations.notify_plan_revision(extension, revision)


def open_plan_revision(actor: Any, request: RotationRequest) -> Revision | None:
    """Open a draft revision of the trainee's approved plan (plans' own service), if any."""
    approved = (
        Revision.objects.filter(plan__trainee_id=request.trainee_id, status=PlanStatus.APPROVED)
        .order_by("-approved_at", "-pk")
        .first()
    )
    if approved is None:
        return None
    try:
        return plans.revision_revise(actor=actor, revision=approved)
    except StateError:  # a newer revision is already being written
        return approved.plan.revisions.order_by("-number").first()
    except Refused:  # the actor does not edit the trainee's plans; the plan side is told
        return None


def employment_changed(*, trainee: Any, actor: Any, **_: Any) -> None:
    rotations.register_sync(actor=actor, trainee=trainee)
    refresh_summaries([trainee.pk])


def leave_changed(*, trainee: Any, **_: Any) -> None:
    refresh_summaries([trainee.pk])


HANDLERS: dict[str, Callable[..., None]] = {
    "plan_approved": plan_approved,
    "rotation_extended": rotation_extended,
    "employment_changed": employment_changed,
    "leave_changed": leave_changed,
}


def connect() -> None:
    """One receiver per event (`tests/test_workflows.py` checks that none is left out)."""
    for name, handler in HANDLERS.items():
        events.ALL[name].connect(handler, weak=False, dispatch_uid=f"lisplan.workflows.{name}")
