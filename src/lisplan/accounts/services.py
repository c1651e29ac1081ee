"""Users, role assignments and API keys: checked, validated and audited.

Users and roles are the administrator's (`user.manage`, `role.assign` in `accounts.access`);
every write here checks the permission itself, so a page and any later API operation give the
same answer. Role changes also go to the security log (`accounts.security` listens to saves).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.accounts.models import ApiToken, RoleAssignment, User
from lisplan.audit import writes
from lisplan.audit.services import record, record_change, snapshot
from lisplan.errors import Refused, StateError

# What the audit log keeps of a user: never the password hash.
USER_FIELDS = ("username", "first_name", "last_name", "email", "hpr_number", "is_active")
HPR_PATTERN = re.compile(r"^\d{1,9}$")


def _require(actor, permission: str) -> None:
    if actor is None or not has_permission(actor, permission):
        raise Refused(_("Du har ikke tilgang til denne handlingen."))


def _check_may_change(actor, user: User) -> None:
    _require(actor, "user.manage")
    if user.is_superuser and not actor.is_superuser:
        raise Refused(_("Bare en superbruker kan endre en superbruker."))


def _check_user_fields(user: User) -> None:
    """The rules of a user's own fields, each message naming its rule."""
    errors: dict[str, str] = {}
    if not (user.first_name.strip() or user.last_name.strip()):
        errors["last_name"] = _("Skriv inn fornavn eller etternavn, så andre ser hvem det er.")
    if user.hpr_number:
        if not HPR_PATTERN.match(user.hpr_number):
            errors["hpr_number"] = _("HPR-nummeret har bare sifre, høyst 9.")
        elif User.objects.filter(hpr_number=user.hpr_number).exclude(pk=user.pk).exists():
            errors["hpr_number"] = _(
                "En annen bruker har allerede HPR-nummer %(hpr)s. Ett HPR-nummer hører til én "
                "bruker, fordi innlogging med HelseID finner brukeren på nummeret."
            ) % {"hpr": user.hpr_number}
    if user.email and User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
        errors["email"] = _("En annen bruker har allerede e-postadressen %(email)s.") % {
            "email": user.email
        }
    if errors:
        raise ValidationError(errors)


def free_username(first_name: str, last_name: str) -> str:
    """«kari.nilsen», or «kari.nilsen2» when taken: a username from the name (ASCII)."""
    from django.utils.text import slugify

    base = ".".join(p for p in (slugify(first_name), slugify(last_name)) if p)[:140] or "bruker"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


@transaction.atomic
def user_create(
    *,
    actor,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    **extra,
) -> User:
    """A new user without a password (they sign in with HelseID or Entra ID) and without roles:
    deny by default until a role is given."""
    _require(actor, "user.manage")
    user = User(
        username=username.strip() or free_username(first_name, last_name),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        hpr_number=(extra.pop("hpr_number", "") or "").strip(),
    )
    if extra:
        raise TypeError(f"Unknown user fields {sorted(extra)}")
    user.set_unusable_password()
    user.full_clean()
    _check_user_fields(user)
    user.save()
    after = snapshot(user, USER_FIELDS)
    record(
        actor=actor,
        action="user.created",
        obj=user,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "")},
    )
    return user


EDITABLE_USER_FIELDS = ("first_name", "last_name", "email", "hpr_number")


@transaction.atomic
def user_update(*, actor, user: User, **fields) -> User:
    """Change a user's name, e-mail or HPR number."""
    _check_may_change(actor, user)
    unknown = set(fields) - set(EDITABLE_USER_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, (value or "").strip())
    user.full_clean(exclude=["password"])
    _check_user_fields(user)
    user.save(update_fields=list(fields))
    record_change(actor=actor, action="user.changed", obj=user, before=before)
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """The user can no longer sign in; every session they hold ends now and their API keys stop
    working (`accounts.security` ends the sessions and writes the security log)."""
    _check_may_change(actor, user)
    if user.pk == actor.pk:
        raise StateError(_("Du kan ikke deaktivere deg selv. Be en annen administrator."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise StateError(_("Brukeren er allerede deaktivert."))
    before = snapshot(user, USER_FIELDS)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_change(actor=actor, action="user.deactivated", obj=user, before=before)
    return user


@transaction.atomic
def user_reactivate(*, actor, user: User) -> User:
    _check_may_change(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise StateError(_("Brukeren er allerede aktiv."))
    before = snapshot(user, USER_FIELDS)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_change(actor=actor, action="user.reactivated", obj=user, before=before)
    return user


def role_assign(*, actor, user, role: str, **scope) -> RoleAssignment:
    """Give `user` a role in its scope (the organisation `ROLE_SCOPE` names) and validity; the
    model's rules (scope, dates) are checked before anything is saved."""
    _require(actor, "role.assign")
    if not User.objects.filter(pk=user.pk, is_active=True).exists():
        raise StateError(_("Brukeren er deaktivert. Aktiver brukeren før du gir en rolle."))
    return writes.create(
        actor=actor, model=RoleAssignment, action="role.assigned", user=user, role=role, **scope
    )


def role_update(*, actor, assignment: RoleAssignment, **fields) -> RoleAssignment:
    _require(actor, "role.assign")
    return writes.update(actor=actor, obj=assignment, action="role.changed", **fields)


def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    _require(actor, "role.assign")
    writes.delete(actor=actor, obj=assignment, action="role.revoked")


@transaction.atomic
def role_end(*, actor, assignment: RoleAssignment, last_day: dt.date | None = None) -> str:
    """End a role: `last_day` is the last day it gives access; without one it ends now (its
    last day was yesterday). A role that would end before it starts is removed instead (its
    assignment and removal stay in the audit and security logs). Returns "ended" or
    "removed"."""
    _require(actor, "role.assign")
    today = timezone.localdate()
    if assignment.valid_to is not None and assignment.valid_to < today:
        raise StateError(_("Rollen er allerede avsluttet."))
    last_day = last_day or today - dt.timedelta(days=1)
    if last_day < assignment.valid_from:
        writes.delete(actor=actor, obj=assignment, action="role.revoked")
        return "removed"
    writes.update(actor=actor, obj=assignment, action="role.ended", valid_to=last_day)
    return "ended"


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
