"""Every write to service confirmations: request, issue, send back, decline, sign.

Each runs in one transaction, locks the version (`documents.signing.lock`), checks the
optimistic version, the status and the actor's permission on this very row (here, never in a
view or API operation), changes the status with one audit event (`signing.transition`) and
notifies whoever acts next. Signing uses the shared steps of signed documents (decision 0007):
the leader's signature completes the version; the earlier signed version of the same
employment is superseded in the same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts import access
from lisplan.audit.services import record
from lisplan.confirmations import snapshot
from lisplan.confirmations.models import (
    OPEN,
    ConfirmationSignature,
    ConfirmationVersion,
    ServiceConfirmation,
    Status,
)
from lisplan.documents import signing
from lisplan.documents.signing import StateError
from lisplan.errors import Invalid, Refused
from lisplan.notifications.services import notify

__all__ = [
    "StaleVersion",
    "StateError",
    "confirmation_decline",
    "confirmation_issue",
    "confirmation_request",
    "confirmation_return",
    "confirmation_sign",
    "signing_role",
]

_WRONG_STATUS = gettext_lazy("Dette kan ikke gjøres når bekreftelsen har status «%(status)s».")
COMMENT_MAX = 2000


class StaleVersion(signing.StaleVersion):
    message = gettext_lazy(
        "Bekreftelsen er endret av noen andre siden du åpnet den. Last inn siden på nytt."
    )


def _lock(version: ConfirmationVersion) -> ConfirmationVersion:
    return signing.lock(version, "confirmation__trainee", "confirmation__employment")


def _check_version(version: ConfirmationVersion, expected: int | None) -> None:
    if expected is not None:
        signing.check_version(version, expected, StaleVersion)


def _require_status(version: ConfirmationVersion, *allowed: str) -> None:
    signing.require_status(version, allowed, _WRONG_STATUS)


def _comment(text: str, *, required: bool, field: str = "comment") -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(_("Skriv en begrunnelse."), "required", field=field)
    if len(text) > COMMENT_MAX:
        raise Invalid(
            _("Teksten kan være på høyst %(n)s tegn.") % {"n": COMMENT_MAX},
            "too_long",
            field=field,
        )
    return text


# --- who may do what -------------------------------------------------------------------------


def may_request(actor, employment) -> bool:
    """The trainee themselves, or a coordinator of the employer (for the trainee)."""
    trainee = employment.trainee
    if trainee.user_id is not None and trainee.user_id == actor.pk:
        return access.can(actor, "confirmation.request", trainee)
    institutions = access.institutions_for(actor, "confirmation.request")
    return institutions is None or employment.institution_id in institutions


def signing_role(actor, version: ConfirmationVersion) -> str | None:
    """The leader of the employment's learning arena (an arena assignment over it) signs; for
    an employment registered without an arena, a leader of an arena of the employer in the
    employment's specialty. Nobody else, the administrator included."""
    from lisplan.organisations.models import LearningArena

    employment = version.confirmation.employment
    paths = access.grants(actor).arena_paths.get("confirmation.sign", ())
    if employment is None or not paths:
        return None
    if employment.arena is not None:
        arena_path = employment.arena.path
        if any(arena_path.startswith(p) for p in paths):
            return ConfirmationSignature.Role.LEADER
        return None
    under = Q(pk__in=[])
    for p in paths:
        under |= Q(path__startswith=p)
    if LearningArena.objects.filter(
        under, institution_id=employment.institution_id, specialty_id=employment.specialty_id
    ).exists():
        return ConfirmationSignature.Role.LEADER
    return None


def may_issue(actor, version: ConfirmationVersion) -> bool:
    return access.can(actor, "confirmation.issue", version)


def actions(actor, version: ConfirmationVersion) -> dict[str, bool]:
    """What the actor can do with the version now (the page shows these buttons; every
    service checks again)."""
    issue = version.status == Status.REQUESTED and may_issue(actor, version)
    awaiting = version.status == Status.AWAITING_SIGNATURES
    sign = awaiting and signing_role(actor, version) is not None
    newest = not version.confirmation.versions.filter(number__gt=version.number).exists()
    employment = version.confirmation.employment
    return {
        "issue": issue,
        "decline": issue,
        "sign": sign,
        "send_back": awaiting and (sign or may_issue(actor, version)),
        "correct": version.status == Status.SIGNED
        and newest
        and employment is not None
        and may_request(actor, employment),
    }


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def confirmation_request(*, actor, employment, note: str = "") -> ConfirmationVersion:
    """A new version for the employment, requested: the first of its series, or a correction
    (or update) of a signed one. Refused while a version of the employment is open."""
    from lisplan.trainees.models import Employment

    employment = (
        Employment.objects.select_for_update(of=("self",))
        .select_related("trainee", "institution")
        .get(pk=employment.pk)
    )
    if not may_request(actor, employment):
        raise Refused(_("Du kan ikke bestille bekreftelse på tjeneste for denne ansettelsen."))
    note = _comment(note, required=False, field="note")
    series, _created = ServiceConfirmation.objects.get_or_create(
        employment=employment, defaults={"trainee": employment.trainee}
    )
    if series.versions.filter(status__in=OPEN).exists():
        raise StateError(
            _("Det er allerede bestilt en bekreftelse for denne ansettelsen som ikke er ferdig."),
            "already_requested",
        )
    number = (series.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = ConfirmationVersion.objects.create(
        confirmation=series,
        number=number + 1,
        requested_by=actor,
        request_note=note,
    )
    record(
        actor=actor,
        action="confirmation.requested",
        obj=version,
        trainee_id=series.trainee_id,
        changes={"status": [None, Status.REQUESTED], "version": [number or None, number + 1]},
    )
    _notify_issuers(version, exclude=actor)
    return version


@transaction.atomic
def confirmation_issue(
    *, actor, confirmation: ConfirmationVersion, version: int | None = None
) -> ConfirmationVersion:
    """Requested → awaiting the leader's signature: the coordinator takes the snapshot of the
    registered service as the ledger counts it today."""
    row = _lock(confirmation)
    _check_version(row, version)
    access.check(actor, "confirmation.issue", row)
    _require_status(row, Status.REQUESTED)
    if row.confirmation.employment_id is None:
        raise StateError(
            _("Ansettelsen bekreftelsen gjelder, er slettet. Bekreftelsen kan ikke utstedes."),
            "no_employment",
        )
    from lisplan.trainees.models import Employment

    employment = Employment.objects.select_related(
        "trainee", "institution", "arena", "specialty"
    ).get(pk=row.confirmation.employment_id)
    today = timezone.localdate()
    if employment.start > today:
        raise StateError(
            _("Ansettelsen har ikke begynt ennå, så det er ingen tjeneste å bekrefte."),
            "not_started",
        )
    signing.transition(
        row,
        actor,
        "confirmation.issued",
        Status.AWAITING_SIGNATURES,
        issued_by=actor,
        issued_at=timezone.now(),
        snapshot=snapshot.take(employment, today),
        comment="",
    )
    _notify_signers(row)
    return row


@transaction.atomic
def confirmation_return(
    *, actor, confirmation: ConfirmationVersion, comment: str, version: int | None = None
) -> ConfirmationVersion:
    """Awaiting signature → requested, with a reason (the leader or the coordinator found
    something to correct in the registrations): the snapshot is dropped and taken again at the
    next issue."""
    row = _lock(confirmation)
    _check_version(row, version)
    _require_status(row, Status.AWAITING_SIGNATURES)
    if signing_role(actor, row) is None and not may_issue(actor, row):
        raise StateError(
            _("Bare lederen og koordinatoren kan sende bekreftelsen tilbake."), "not_signer"
        )
    comment = _comment(comment, required=True)
    signing.transition(
        row,
        actor,
        "confirmation.returned",
        Status.REQUESTED,
        audit={"comment": [None, comment]},
        snapshot=None,
        issued_at=None,
        issued_by=None,
        comment=comment,
    )
    _notify_issuers(row, exclude=actor)
    return row


@transaction.atomic
def confirmation_decline(
    *, actor, confirmation: ConfirmationVersion, comment: str, version: int | None = None
) -> ConfirmationVersion:
    """Requested → declined (e.g. asked for twice, or the employment is registered wrongly),
    with a reason the trainee sees."""
    row = _lock(confirmation)
    _check_version(row, version)
    access.check(actor, "confirmation.issue", row)
    _require_status(row, Status.REQUESTED)
    comment = _comment(comment, required=True)
    signing.transition(
        row,
        actor,
        "confirmation.declined",
        Status.DECLINED,
        audit={"comment": [None, comment]},
        comment=comment,
    )
    _notify_trainee(
        row,
        _("Bestillingen av bekreftelse på tjeneste er avslått"),
        _("Begrunnelse: %(why)s") % {"why": comment},
    )
    return row


@transaction.atomic
def confirmation_sign(
    *, actor, confirmation: ConfirmationVersion, version: int | None = None
) -> ConfirmationVersion:
    """The leader signs: the version is signed and immutable; the earlier signed version of
    the same employment is superseded."""
    row = _lock(confirmation)
    _check_version(row, version)
    _require_status(row, Status.AWAITING_SIGNATURES)
    role = signing_role(actor, row)
    signing.require_signer(
        row,
        role,
        not_signer=_("Bare lederen for enheten legen er ansatt i, kan signere bekreftelsen."),
        already_signed=_("Bekreftelsen er allerede signert av %(role)s."),
    )
    assert role is not None  # require_signer refused otherwise
    if signing.sign(row, actor, role, "confirmation.signed"):
        signing.transition(
            row, actor, "confirmation.completed", Status.SIGNED, signed_at=timezone.now()
        )
        earlier = (
            ConfirmationVersion.objects.select_for_update()
            .filter(confirmation=row.confirmation, status=Status.SIGNED)
            .exclude(pk=row.pk)
        )
        for old in earlier:
            signing.transition(old, actor, "confirmation.superseded", Status.SUPERSEDED)
        _notify_trainee(
            row,
            _("Bekreftelse på tjeneste er signert"),
            _("Bekreftelsen kan lastes ned som PDF."),
        )
    return row


# --- notifications -------------------------------------------------------------------------


def _url(version: ConfirmationVersion) -> str:
    return reverse("confirmations:version", args=[version.pk])


def issuer_users(version: ConfirmationVersion):
    """The local coordinators of the employer."""
    from lisplan.accounts.models import Role, RoleAssignment, User

    employment = version.confirmation.employment
    if employment is None:
        return User.objects.none()
    ids = (
        RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR, institution_id=employment.institution_id)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True)


def signer_users(version: ConfirmationVersion):
    """The leaders whose arena holds the employment's arena."""
    from lisplan.accounts.models import Role, RoleAssignment, User

    employment = version.confirmation.employment
    if employment is None or employment.arena is None:
        return User.objects.none()
    path = employment.arena.path
    ids = [
        a.user_id
        for a in RoleAssignment.objects.active()
        .filter(role=Role.LEADER)
        .exclude(arena=None)
        .select_related("arena")
        if path.startswith(a.arena.path)
    ]
    return User.objects.filter(pk__in=ids, is_active=True)


def _name(version: ConfirmationVersion) -> str:
    return version.confirmation.trainee.full_name


def _notify_issuers(version: ConfirmationVersion, exclude=None) -> None:
    users = issuer_users(version)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    notify(
        users=users,
        kind="confirmation.requested",
        title=_("Bekreftelse på tjeneste til utstedelse: %(name)s") % {"name": _name(version)},
        body=_("Legen har bestilt bekreftelse på tjeneste."),
        url=_url(version),
    )


def _notify_signers(version: ConfirmationVersion) -> None:
    notify(
        users=signer_users(version),
        kind="confirmation.awaiting_signatures",
        title=_("Bekreftelse på tjeneste til signering: %(name)s") % {"name": _name(version)},
        body=_("Koordinatoren har utstedt bekreftelsen. Den venter på din signatur."),
        url=_url(version),
    )


def _notify_trainee(version: ConfirmationVersion, title: str, body: str) -> None:
    from lisplan.accounts.models import User

    user_id = version.confirmation.trainee.user_id
    if user_id is None:
        return
    notify(
        users=User.objects.filter(pk=user_id),
        kind="confirmation",
        title=title,
        body=body,
        url=_url(version),
    )
