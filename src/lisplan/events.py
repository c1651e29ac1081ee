"""The domain events one app's service announces and another app reacts to.

A service sends an event when its change concerns other apps; it never imports those apps'
services. What happens then — every cross-app workflow — is in one module above the apps,
`lisplan.workflows.handlers` (connected in `WorkflowsConfig.ready()`), so the apps do not call
each other in cycles (an import-linter contract in pyproject.toml). The events are sent inside
the sender's transaction and the receivers run at once, in it: an error in a reaction undoes
the whole change, as when the service called the other app itself. See
docs/decisions/0011-one-rule-path.md.

Each event's keyword arguments (`sender` is the model class of the changed object):

- `plan_approved(revision, actor)`: an implementation plan revision was approved
  (`plans.services.revision_approve`).
- `rotation_extended(request, extension, actor)`: a rotation period was extended with a new
  request (`rotations.services.request_extend`).
- `employment_changed(trainee, actor)`: one of the trainee's employments was created,
  changed or deleted (`trainees.services`).
- `leave_changed(trainee)`: one of the trainee's leave periods was created, changed or
  deleted (`trainees.services`).

Like `lisplan.errors`, this module sits below every app and imports nothing of them.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_approved = Signal()
rotation_extended = Signal()
employment_changed = Signal()
leave_changed = Signal()

ALL = {
    "plan_approved": plan_approved,
    "rotation_extended": rotation_extended,
    "employment_changed": employment_changed,
    "leave_changed": leave_changed,
}
