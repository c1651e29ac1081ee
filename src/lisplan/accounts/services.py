"""Role assignments: validated and audited."""

from __future__ import annotations

from lisplan.accounts.models import RoleAssignment
from lisplan.audit import writes


def role_assign(*, actor, user, role: str, **scope) -> RoleAssignment:
    return writes.create(actor=actor, model=RoleAssignment, action="role.assigned",
                         user=user, role=role, **scope)


def role_update(*, actor, assignment: RoleAssignment, **fields) -> RoleAssignment:
    return writes.update(actor=actor, obj=assignment, action="role.changed", **fields)


def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    writes.delete(actor=actor, obj=assignment, action="role.revoked")
