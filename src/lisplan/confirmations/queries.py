"""Reads of service confirmations shared by the pages, the start page and the API, always
scoped to the user (`accounts.access`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from lisplan.accounts.access import get_in_scope, grants, scope_filter
from lisplan.audit.reads import note
from lisplan.confirmations.models import (
    ConfirmationSignature,
    ConfirmationVersion,
    ServiceConfirmation,
    Status,
)
from lisplan.confirmations.scopes import unit_q
from lisplan.trainees.models import Employment, Trainee


def versions_qs() -> QuerySet[ConfirmationVersion]:
    """Versions with everything the pages, the PDF and the API read (constant queries)."""
    return ConfirmationVersion.objects.select_related(
        "confirmation__trainee",
        "confirmation__employment__institution",
        "confirmation__employment__arena",
        "confirmation__employment__specialty",
        "requested_by",
        "issued_by",
    ).prefetch_related(
        Prefetch("signatures", queryset=ConfirmationSignature.objects.order_by("signed_at", "id"))
    )


def version_in_scope(user, permission: str, pk: int) -> ConfirmationVersion:
    """One version, 404 outside the user's scope; the read is logged (`get_in_scope`)."""
    return get_in_scope(user, permission, versions_qs(), pk=pk)  # type: ignore[return-value]


def trainee_in_scope(user, permission: str, pk: int) -> Trainee:
    """The trainee in the user's scope — or one with an employment, ended or not, in the
    user's units for `permission`, or whose confirmations the user reaches (the coordinator
    and leader of the unit a trainee has left); 404 otherwise. The read is logged."""
    trainee = scope_filter(user, permission, Trainee.objects.all()).filter(pk=pk).first()
    g = grants(user)
    if trainee is None and g.holds(permission) and permission not in g.all:
        employed = Employment.objects.filter(unit_q(user, g, permission, ""), trainee_id=pk)
        reached = scope_filter(user, permission, ServiceConfirmation.objects.all()).filter(
            trainee_id=pk
        )
        if employed.exists() or reached.exists():
            trainee = Trainee.objects.filter(pk=pk).first()
    if trainee is None:
        raise Http404
    note(trainee)
    return trainee


def visible(user) -> QuerySet[ConfirmationVersion]:
    return scope_filter(user, "confirmation.view", versions_qs())


def of_trainee(user, trainee: Trainee) -> list[dict]:
    """The trainee's employments, newest first, each with its versions (newest first) the
    user may see: `{"employment", "versions", "open"}`."""
    versions = (
        visible(user).filter(confirmation__trainee=trainee).order_by("confirmation_id", "-number")
    )
    by_employment: dict[int | None, list[ConfirmationVersion]] = {}
    for v in versions:
        by_employment.setdefault(v.confirmation.employment_id, []).append(v)
    rows = []
    for e in (
        Employment.objects.filter(trainee=trainee)
        .select_related("institution", "arena", "specialty")
        .order_by("-start", "-id")
    ):
        own = by_employment.pop(e.pk, [])
        rows.append(
            {
                "employment": e,
                "versions": own,
                "open": any(
                    v.status in (Status.REQUESTED, Status.AWAITING_SIGNATURES) for v in own
                ),
            }
        )
    for own in by_employment.values():  # series whose employment row was deleted
        rows.append({"employment": None, "versions": own, "open": False})
    return rows


def to_issue(user) -> QuerySet[ConfirmationVersion]:
    """Requested versions the user may issue: the coordinator's work list («Til utstedelse»)."""
    return (
        scope_filter(user, "confirmation.issue", versions_qs())
        .filter(status=Status.REQUESTED)
        .order_by("requested_at", "id")
    )


def at_leader(user) -> QuerySet[ConfirmationVersion]:
    """Issued versions of the coordinator's employers that wait for the leader's signature."""
    return (
        scope_filter(user, "confirmation.issue", versions_qs())
        .filter(status=Status.AWAITING_SIGNATURES)
        .order_by("issued_at", "id")
    )


def awaiting_my_signature(user) -> QuerySet[ConfirmationVersion]:
    """Issued versions about an employment in the user's arenas (as leader): «Til signering».
    The same rule as `services.signing_role`, as a query."""
    paths = grants(user).arena_paths.get("confirmation.sign", ())
    if not paths:
        return ConfirmationVersion.objects.none()
    mine = Q(pk__in=[])
    for path in paths:
        mine |= Q(confirmation__employment__arena__path__startswith=path)
    from lisplan.organisations.models import LearningArena

    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__startswith=path)
    # an employment without an arena: a leader's arena at the employer in its specialty
    arena = LearningArena.objects.filter(
        under,
        specialty_id=OuterRef("confirmation__employment__specialty_id"),
        institution_id=OuterRef("confirmation__employment__institution_id"),
    )
    mine |= Q(Exists(arena), confirmation__employment__arena__isnull=True)
    return (
        scope_filter(user, "confirmation.sign", versions_qs())
        .filter(mine, status=Status.AWAITING_SIGNATURES)
        .order_by("issued_at", "id")
    )


def series_of(version: ConfirmationVersion) -> list[ConfirmationVersion]:
    """Every version of the version's series, newest first (its history)."""
    return list(
        ConfirmationVersion.objects.filter(confirmation_id=version.confirmation_id)
        .select_related("issued_by")
        .prefetch_related("signatures")
        .order_by("-number")
    )
