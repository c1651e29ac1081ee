"""The steps every signed, versioned document takes, shared by implementation plans (`plans`)
and education plans (`iup`): lock the revision, check the optimistic version and the status,
change the status with one audit event, sign, withdraw to draft, and the checks of a revise.

Plain functions on a revision whose model has `status`, `version`, `number`, `submitted_at`,
`plan.trainee_id`, `plan.revisions` and `signatures` (a model with `Role` choices, `user`, `name`
and `signed_at`). Messages stay with each app (they name its document); the rules that differ —
who signs, approval, validity, what a completed document freezes or supersedes — stay there too.
See docs/decisions/0007-signed-documents.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from lisplan import errors
from lisplan.audit.services import record

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # a lazy translation (django-stubs)

DRAFT, AWAITING_SIGNATURES = "draft", "awaiting_signatures"  # the same in every Status


class StaleVersion(errors.Conflict):
    """Someone else saved the revision since the user opened it; `current` is its version now.
    Each app subclasses it with its own `message` (409 with `current_version` in the API)."""

    message: str | _StrPromise = ""  # type: ignore[assignment]  # each app's text (shadows the property)

    def __init__(self, current: int):
        super().__init__(str(self.message))
        self.current = current

    @property
    def extra(self) -> dict[str, object]:
        return {"current_version": self.current}


class StateError(errors.StateError):
    """The action is not possible in the revision's current state (or for this user: code
    `not_signer`, 403). The API names the field `status`."""

    field = "status"

    def __init__(self, message: str, code: str = "invalid_state"):
        super().__init__(message, code, status=403 if code == "not_signer" else None)


def trainee_id(revision) -> int:
    return revision.plan.trainee_id


def lock(revision, *related: str):
    """The revision read again with its row locked until the transaction ends. `of=("self",)`:
    lock the revision row only; PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    join to the (optional) employment."""
    return (
        type(revision)
        .objects.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=revision.pk)
    )


def check_version(revision, version: int, stale: type[StaleVersion]) -> None:
    if revision.version != version:
        raise stale(revision.version)


def require_status(revision, allowed, message: str | _StrPromise) -> None:
    """`message` (may be lazy) names the status as `%(status)s`."""
    if revision.status not in allowed:
        raise StateError(str(message) % {"status": revision.get_status_display()})


def transition(revision, actor, action: str, to: str, *, audit: dict | None = None, **fields):
    """Status → `to` with `fields` set, version + 1, one audit event (`audit`: more changes)."""
    before = revision.status
    revision.status = to
    for name, value in fields.items():
        setattr(revision, name, value)
    revision.version += 1
    revision.save()
    record(
        actor=actor,
        action=action,
        obj=revision,
        trainee_id=trainee_id(revision),
        changes={"status": [before, to], **(audit or {})},
    )
    return revision


def require_signer(
    revision, role: str | None, *, not_signer: str, already_signed: str | None = None
) -> str:
    """The actor must have a signing `role` (`signing_role` of the app) and, with
    `already_signed` (naming it `%(role)s`), one not yet signed. Returns the role."""
    if role is None:
        raise StateError(not_signer, "not_signer")
    if already_signed is not None and revision.signatures.filter(role=role).exists():
        raise StateError(
            already_signed % {"role": revision.signatures.model.Role(role).label}, "already_signed"
        )
    return role


def sign(revision, actor, role: str, action: str) -> bool:
    """Add the actor's signature (audited). True when every role has signed — the caller then
    completes the revision; otherwise the version is bumped here."""
    signature = revision.signatures.model
    signature.objects.create(
        revision=revision,
        role=role,
        user=actor,
        name=actor.get_full_name() or actor.username,
        signed_at=timezone.now(),
    )
    record(
        actor=actor,
        action=action,
        obj=revision,
        trainee_id=trainee_id(revision),
        changes={"signature": [None, str(signature.Role(role).label)]},
    )
    if revision.signatures.count() == len(signature.Role):
        return True
    revision.version += 1
    revision.save(update_fields=["version", "updated_at"])
    return False


def withdraw(
    revision,
    actor,
    action: str,
    *,
    signing_role,
    wrong_status: str | _StrPromise,
    not_signer: str | _StrPromise,
):
    """Awaiting signatures → draft, by one of the signers (the app's `signing_role(actor,
    revision)` gives a role): the signatures given are cleared (and listed in the audit event).
    Both apps spell these two statuses the same."""
    require_status(revision, [AWAITING_SIGNATURES], wrong_status)
    require_signer(revision, signing_role(actor, revision), not_signer=not_signer)
    role = revision.signatures.model.Role
    cleared = [
        str(role(r).label)
        for r in revision.signatures.order_by("signed_at").values_list("role", flat=True)
    ]
    revision.signatures.all().delete()
    before = revision.status
    revision.status, revision.submitted_at = DRAFT, None
    revision.version += 1
    revision.save()
    record(
        actor=actor,
        action=action,
        obj=revision,
        trainee_id=trainee_id(revision),
        changes={"status": [before, DRAFT], "signatures": [cleared, []]},
    )
    return revision


def require_latest(revision, message: str) -> None:
    """Only the newest revision can be revised."""
    if revision.plan.revisions.filter(number__gt=revision.number).exists():
        raise StateError(message, "revision_exists")


def record_revised(actor, action: str, revision, new) -> None:
    record(
        actor=actor,
        action=action,
        obj=new,
        trainee_id=trainee_id(revision),
        changes={"revision": [revision.number, new.number]},
    )
