"""Role assignments and API keys: validated and audited."""

from __future__ import annotations

import uuid

from django.db import transaction

from lisplan.accounts.models import ApiToken, RoleAssignment
from lisplan.audit import writes
from lisplan.audit.services import record


def role_assign(*, actor, user, role: str, **scope) -> RoleAssignment:
    return writes.create(
        actor=actor, model=RoleAssignment, action="role.assigned", user=user, role=role, **scope
    )


def role_update(*, actor, assignment: RoleAssignment, **fields) -> RoleAssignment:
    return writes.update(actor=actor, obj=assignment, action="role.changed", **fields)


def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    writes.delete(actor=actor, obj=assignment, action="role.revoked")


@transaction.atomic
def token_issue(*, actor, user, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
    """A new API key for `user`; the raw key is returned once and only its hash is stored. It
    expires after a year unless `expires_at` says otherwise."""
    token, raw = ApiToken.issue(user, name, expires_at)
    record(
        actor=actor,
        action="api_token.issued",
        obj=token,
        changes={
            "user": [None, user.username],
            "name": [None, name],
            "prefix": [None, token.prefix],
            "expires_at": [None, token.expires_at.isoformat()],
        },
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    record(
        actor=actor,
        action="api_token.revoked",
        obj=token,
        changes={
            "user": [token.user.username, None],
            "name": [token.name, None],
            "prefix": [token.prefix, None],
        },
    )
    token.delete()


@transaction.atomic
def external_sign_in(*, provider: str, issuer: str, claims: dict):
    """The user for an OpenID Connect sign-in, keyed on (issuer, subject). A first sign-in
    links to the user with the same HPR number (HelseID), or else makes a new user without
    roles (deny by default: an administrator assigns roles). The HPR number also links the
    trainee record with that number, when it has no user yet. Returns (user, created)."""
    from django.utils import timezone

    from lisplan.accounts.models import ExternalIdentity, User
    from lisplan.accounts.oidc import person
    from lisplan.trainees.models import Trainee

    facts = person(claims)  # names, e-mail, HPR number; the national identity number is not read
    subject = str(claims["sub"])
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    created = False
    user: User | None
    if identity is not None:
        user = identity.user
    else:
        user = (
            User.objects.filter(hpr_number=facts["hpr_number"]).first()
            if facts["hpr_number"]
            else None
        )
        if user is None:
            created = True
            user = User(
                username=f"{provider}-{uuid.uuid4().hex[:12]}",
                first_name=facts["first_name"],
                last_name=facts["last_name"],
                email=facts["email"],
                hpr_number=facts["hpr_number"],
            )
            if not user.first_name and not user.last_name and facts["name"]:
                user.first_name, _sep, user.last_name = facts["name"].rpartition(" ")
            user.set_unusable_password()
            user.save()
            record(
                actor=user,
                action="user.created_by_sign_in",
                obj=user,
                changes={"username": [None, user.username], "provider": [None, provider]},
            )
        identity = ExternalIdentity.objects.create(
            user=user, provider=provider, issuer=issuer, subject=subject
        )
        record(
            actor=user,
            action="user.identity_linked",
            obj=identity,
            changes={"provider": [None, provider], "issuer": [None, issuer]},
        )
    changes = {}
    for name in ("first_name", "last_name", "email", "hpr_number"):
        if facts[name] and getattr(user, name) != facts[name]:
            changes[name] = [getattr(user, name), facts[name]]
            setattr(user, name, facts[name])
    if changes:
        user.save(update_fields=list(changes))
        if not created:
            record(actor=user, action="user.updated_by_sign_in", obj=user, changes=changes)
    if user.hpr_number and not hasattr(user, "trainee"):
        trainee = (
            Trainee.objects.select_for_update()
            .filter(hpr_number=user.hpr_number, user__isnull=True)
            .first()
        )
        if trainee is not None:
            trainee.user = user
            trainee.save(update_fields=["user"])
            record(
                actor=user,
                action="trainee.user_linked",
                obj=trainee,
                trainee_id=trainee.pk,
                changes={"user": [None, user.username]},
            )
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    return user, created
