"""``/me``: the caller and their roles."""

from __future__ import annotations

from ninja import Router

from lisplan.accounts.access import PERMISSIONS, has_permission, roles_summary
from lisplan.accounts.schemas import MeOut
from lisplan.api.access import caller, rule
from lisplan.api.errors import responses

router = Router(tags=["Bruker"])


@router.get("/me", response=responses(MeOut), summary="Den innloggede brukeren og rollene")
@rule(None)
def me(request):
    user = caller(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "email": user.email,
        "roles": roles_summary(user),
        "permissions": sorted(p for p in PERMISSIONS if has_permission(user, p)),
    }
