"""Role assignments and API keys: validated and audited."""

from __future__ import annotations

from django.db import transaction

from lisplan.accounts.models import ApiToken, RoleAssignment
from lisplan.audit import writes
from lisplan.audit.services import record


def role_assign(*, actor, user, role: str, **scope) -> RoleAssignment:
    return writes.create(actor=actor, model=RoleAssignment, action="role.assigned",
                         user=user, role=role, **scope)


def role_update(*, actor, assignment: RoleAssignment, **fields) -> RoleAssignment:
    return writes.update(actor=actor, obj=assignment, action="role.changed", **fields)


def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    writes.delete(actor=actor, obj=assignment, action="role.revoked")


@transaction.atomic
def token_issue(*, actor, user, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
    """A new API key for `user`; the raw key is returned once and only its hash is stored. It
    expires after a year unless `expires_at` says otherwise."""
    token, raw = ApiToken.issue(user, name, expires_at)
    record(actor=actor, action="api_token.issued", obj=token,
           changes={"user": [None, user.username], "name": [None, name], "prefix": [None, token.prefix],
                    "expires_at": [None, token.expires_at.isoformat()]})
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    record(actor=actor, action="api_token.revoked", obj=token,
           changes={"user": [token.user.username, None], "name": [token.name, None],
                    "prefix": [token.prefix, None]})
    token.delete()
