"""Service confirmations («Bekreftelse på tjeneste»): one resource per version, under the
trainee it confirms.

Contract: docs/api.md «Service confirmations». Access as the pages
(`lisplan.confirmations.views`): the operation's permission in some scope (`@rule`, else
403), the trainee and the version within the caller's `confirmation.view` scope (else 404);
the services decide who may do what on this very version (403) and in which state (400 with
`errors[0].field == "status"`); a stale `version` gives 409 with `current_version`.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from lisplan.api.access import caller, rule
from lisplan.api.errors import ConflictOut, ErrorOut, field_error
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import MAX_ID
from lisplan.confirmations import queries, services
from lisplan.confirmations.models import ConfirmationVersion
from lisplan.confirmations.pdf import pdf_response
from lisplan.confirmations.schemas import (
    ServiceConfirmationActionIn,
    ServiceConfirmationCommentIn,
    ServiceConfirmationCreateIn,
    ServiceConfirmationOut,
)
from lisplan.trainees.models import Employment

router = Router(tags=["Bekreftelser på tjeneste"])

BASE = "/trainees/{id}/service-confirmations"
ONE = BASE + "/{confirmation_id}"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _responses(ok, status: int = 200, conflict: bool = False) -> dict:
    out = {status: ok, **ERRORS}
    if conflict:
        out[409] = ConflictOut
    return out


def _version(request, trainee_id: int, confirmation_id: int) -> ConfirmationVersion:
    version = queries.version_in_scope(caller(request), "confirmation.view", confirmation_id)
    if version.confirmation.trainee_id != trainee_id:
        raise Http404
    return version


def _fresh(pk: int) -> ConfirmationVersion:
    return queries.versions_qs().get(pk=pk)


@router.get(
    BASE,
    response=_responses(page_of(ServiceConfirmationOut)),
    summary="Legens bekreftelser på tjeneste (alle versjoner du har tilgang til)",
)
@rule("confirmation.view")
def list_confirmations(request, filters: Query[PageQuery], id: int = Path(..., ge=1, le=MAX_ID)):
    user = caller(request)
    trainee = queries.trainee_in_scope(user, "confirmation.view", id)
    qs = (
        queries.visible(user)
        .filter(confirmation__trainee=trainee)
        .order_by("-confirmation__employment__start", "confirmation_id", "-number")
    )
    return paginate(qs, filters)


@router.post(
    BASE,
    response=_responses(ServiceConfirmationOut, 201),
    summary="Bestill bekreftelse på tjeneste for en ansettelse (ny versjon)",
)
@rule("confirmation.request")
def request_confirmation(
    request, payload: ServiceConfirmationCreateIn, id: int = Path(..., ge=1, le=MAX_ID)
):
    """The trainee themselves, or a local coordinator of the employer. A new version of the
    employment's series: the first, or a correction of a signed one (400 `already_requested`
    while a version is open)."""
    user = caller(request)
    trainee = queries.trainee_in_scope(user, "confirmation.view", id)
    employment = (
        Employment.objects.select_related("trainee", "institution")
        .filter(trainee=trainee, pk=payload.employment)
        .first()
    )
    if employment is None:
        raise field_error(
            "employment",
            "unknown",
            _("Legen har ingen ansettelse med id %(id)s.") % {"id": payload.employment},
        )
    version = services.confirmation_request(actor=user, employment=employment, note=payload.note)
    return Status(201, _fresh(version.pk))


@router.get(
    ONE,
    response=_responses(ServiceConfirmationOut),
    summary="Én versjon av en bekreftelse på tjeneste",
)
@rule("confirmation.view")
def get_confirmation(
    request, id: int = Path(..., ge=1, le=MAX_ID), confirmation_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _version(request, id, confirmation_id)


@router.get(
    ONE + "/pdf",
    response=ERRORS,
    summary="Bekreftelsen som PDF (tagget, PDF/UA)",
    openapi_extra={
        "responses": {200: {"description": "PDF (A4)", "content": {"application/pdf": {}}}}
    },
)
@rule("confirmation.view")
def confirmation_pdf(
    request, id: int = Path(..., ge=1, le=MAX_ID), confirmation_id: int = Path(..., ge=1, le=MAX_ID)
):
    """404 before the coordinator has issued the version (there is nothing to print)."""
    version = _version(request, id, confirmation_id)
    if version.snapshot is None:
        raise Http404
    return pdf_response(request, version)


def _act(request, trainee_id: int, confirmation_id: int, service, payload, **kwargs):
    version = _version(request, trainee_id, confirmation_id)
    expected = payload.version if payload is not None else None
    result = service(actor=caller(request), confirmation=version, version=expected, **kwargs)
    return _fresh(result.pk)


@router.post(
    ONE + "/issue",
    response=_responses(ServiceConfirmationOut, conflict=True),
    summary="Utsted: tell tjenesten og send til lederen for signering (koordinator)",
)
@rule("confirmation.issue")
def issue_confirmation(
    request,
    id: int = Path(..., ge=1, le=MAX_ID),
    confirmation_id: int = Path(..., ge=1, le=MAX_ID),
    payload: ServiceConfirmationActionIn | None = None,
):
    """`requested` → `awaiting_signatures`; the snapshot is taken from the progress ledger
    today."""
    return _act(request, id, confirmation_id, services.confirmation_issue, payload)


@router.post(
    ONE + "/sign",
    response=_responses(ServiceConfirmationOut, conflict=True),
    summary="Signer som leder for enheten",
)
@rule("confirmation.sign")
def sign_confirmation(
    request,
    id: int = Path(..., ge=1, le=MAX_ID),
    confirmation_id: int = Path(..., ge=1, le=MAX_ID),
    payload: ServiceConfirmationActionIn | None = None,
):
    """`awaiting_signatures` → `signed` (immutable); the earlier signed version of the same
    employment becomes `superseded`. Only the leader of the employment's learning arena (403
    for anyone else)."""
    return _act(request, id, confirmation_id, services.confirmation_sign, payload)


@router.post(
    ONE + "/return",
    response=_responses(ServiceConfirmationOut, conflict=True),
    summary="Send tilbake til koordinatoren med kommentar (leder eller koordinator)",
)
@rule("confirmation.view")
def return_confirmation(
    request,
    payload: ServiceConfirmationCommentIn,
    id: int = Path(..., ge=1, le=MAX_ID),
    confirmation_id: int = Path(..., ge=1, le=MAX_ID),
):
    """`awaiting_signatures` → `requested`; the snapshot is dropped."""
    return _act(
        request,
        id,
        confirmation_id,
        services.confirmation_return,
        payload,
        comment=payload.comment,
    )


@router.post(
    ONE + "/decline",
    response=_responses(ServiceConfirmationOut, conflict=True),
    summary="Avslå bestillingen med begrunnelse (koordinator)",
)
@rule("confirmation.issue")
def decline_confirmation(
    request,
    payload: ServiceConfirmationCommentIn,
    id: int = Path(..., ge=1, le=MAX_ID),
    confirmation_id: int = Path(..., ge=1, le=MAX_ID),
):
    return _act(
        request,
        id,
        confirmation_id,
        services.confirmation_decline,
        payload,
        comment=payload.comment,
    )
