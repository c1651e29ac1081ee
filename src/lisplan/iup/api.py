"""Education plans (individuell utdanningsplan, IUP): one resource per revision.

Contract: docs/api.md «Education plans (IUP)». Access as the pages (`lisplan.iup.views`): the
operation's permission in some scope (`@rule`, else 403); the revision within the caller's
`iup.view` scope (else 404). The services in `lisplan.iup.services` check the action's
permission on this very revision (`Refused` or the signer rule, 403 — the same checks the pages
get) and do the writes, their state checks and audit events.

Status codes: 400 for bad input (each error names its field) and for an action the revision's
state does not allow (`errors[0].field == "status"`); 403 for an action the caller may not take;
404 outside scope; 409 only for a stale `version` (the body adds `current_version`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Path, Query, Router, Status

from lisplan.accounts.access import get_in_scope, scope_filter
from lisplan.api.access import caller, rule
from lisplan.api.errors import ApiError, ConflictOut, ErrorOut, FieldError, field_error
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import MAX_ID, Code
from lisplan.iup import services
from lisplan.iup.models import Meeting, Revision, Signature
from lisplan.iup.pdf import pdf_response
from lisplan.iup.schemas import (
    KINDS,
    STATUSES,
    ActionIn,
    IupPlanCreateIn,
    IupPlanPatchIn,
    IupRevisionOut,
    RevisionDetailOut,
)
from lisplan.trainees.models import Employment, Trainee

router = Router(tags=["Utdanningsplaner (IUP)"])

BASE = "/education-plans"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CHILDREN = ("supervisors", "meetings", "periods")


def _responses(ok, status: int = 200, conflict: bool = False) -> dict:
    out = {status: ok, **ERRORS}
    if conflict:
        out[409] = ConflictOut
    return out


# --- reads ------------------------------------------------------------------------------------


def _revisions(user) -> QuerySet[Revision]:
    """Revisions the caller may see, with everything `IupRevisionOut` reads (constant queries)."""
    return (
        scope_filter(user, "iup.view", Revision.objects.all())
        .select_related(
            "plan__trainee",
            "plan__employment__specialty",
        )
        .prefetch_related(
            "supervisors",
            "periods",
            Prefetch("meetings", queryset=Meeting.objects.order_by("date", "time", "id")),
            Prefetch("signatures", queryset=Signature.objects.order_by("signed_at", "id")),
        )
    )


def _visible(request, id: int) -> Revision:
    revision = _revisions(caller(request)).filter(pk=id).first()
    if revision is None:
        raise Http404
    return revision


class IupPlanQuery(PageQuery):
    trainee: int | None = NinjaField(None, ge=1, le=MAX_ID, description="Legens id")
    status: Code | None = NinjaField(
        None, description="draft, awaiting_signatures, signed eller superseded"
    )
    kind: Code | None = NinjaField(None, description="hospital eller alis")


@router.get(
    BASE,
    response=_responses(page_of(IupRevisionOut)),
    summary="Revisjoner av utdanningsplaner du har tilgang til",
)
@rule("iup.view")
def list_revisions(request, filters: Query[IupPlanQuery]):
    """Without the status table (it is computed per revision: read one revision for it)."""
    qs = _revisions(caller(request))
    if filters.trainee is not None:
        qs = qs.filter(plan__trainee_id=filters.trainee)
    for name, allowed, lookup in (("status", STATUSES, "status"), ("kind", KINDS, "plan__kind")):
        value = getattr(filters, name)
        if value:
            value = value.strip().lower()
            if value not in allowed:
                raise field_error(
                    name,
                    "invalid",
                    _("Ukjent verdi «%(v)s». Gyldige: %(all)s.")
                    % {"v": getattr(filters, name), "all": ", ".join(allowed)},
                )
            qs = qs.filter(**{lookup: value})
    qs = qs.order_by("plan__trainee__last_name", "plan__trainee__first_name", "plan_id", "-number")
    return paginate(qs, filters)


@router.get(
    BASE + "/{id}",
    response=_responses(RevisionDetailOut),
    summary="Én revisjon, med statusdelen beregnet fra progresjonsregisteret",
)
@rule("iup.view")
def get_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _visible(request, id)


@router.get(
    BASE + "/{id}/pdf",
    response=ERRORS,
    summary="Revisjonen som PDF, som skjemaet",
    openapi_extra={
        "responses": {200: {"description": "PDF (A4)", "content": {"application/pdf": {}}}}
    },
)
@rule("iup.view")
def revision_pdf(request, id: int = Path(..., ge=1, le=MAX_ID)):
    from lisplan.iup import queries

    revision = queries.revision_in_scope_light(caller(request), "iup.view", id)  # 404 outside
    return pdf_response(request, revision)


# --- input → service arguments ----------------------------------------------------------------


TEXT_FIELDS = {
    f.name
    for f in Revision._meta.concrete_fields
    if f.get_internal_type() in ("CharField", "TextField")
}


def _content(payload, kind: str) -> tuple[dict, dict]:
    """(content fields, child tables) that the client sent — only those; 400 naming each field
    that does not belong to this kind of form. `null` empties a field."""
    sent = payload.model_dump(exclude_unset=True)
    for name in ("version", "trainee", "employment", "kind"):
        sent.pop(name, None)
    allowed = set(services.fields_for(kind))
    wrong = sorted(n for n in sent if n not in allowed and n not in CHILDREN)
    if wrong:
        form = _("sykehusskjemaet") if kind == "hospital" else _("ALIS-skjemaet")
        raise ApiError(
            [
                FieldError(
                    n,
                    "not_in_form",
                    _("Feltet «%(f)s» finnes ikke i %(form)s.") % {"f": n, "form": form},
                )
                for n in wrong
            ]
        )
    content = {
        name: ("" if value is None and name in TEXT_FIELDS else value)
        for name, value in sent.items()
        if name not in CHILDREN
    }
    children: dict = {}
    if "supervisors" in sent:
        children["supervisors"] = _supervisors(payload.supervisors or [])
    if "meetings" in sent:
        children["meetings"] = [
            services.MeetingData(m.date, m.kind, m.time, m.note or "")
            for m in payload.meetings or []
        ]
    if "periods" in sent:
        children["periods"] = [
            services.PeriodData(p.where, p.place, p.start, p.end, p.note or "")
            for p in payload.periods or []
        ]
    return content, children


def _supervisors(items) -> list[services.SupervisorData]:
    users = get_user_model().objects.in_bulk({s.user for s in items if s.user})
    errors, out = [], []
    for i, s in enumerate(items):
        user = users.get(s.user) if s.user else None
        if s.user and user is None:
            errors.append(
                FieldError(
                    f"supervisors[{i}].user",
                    "unknown",
                    _("Ukjent bruker (id %(id)s).") % {"id": s.user},
                )
            )
        out.append(services.SupervisorData(s.name, s.specialty or "", s.role or "", user))
    if errors:
        raise ApiError(errors)
    return out


def _stale(exc: services.StaleVersion) -> Status:
    return Status(409, {"detail": str(exc), "errors": [], "current_version": exc.current})


def _run(action, **kwargs):
    """Call a service; its domain errors become the API's errors in `lisplan.api.errors`."""
    return action(**kwargs)


# --- writes -----------------------------------------------------------------------------------


@router.post(
    BASE,
    response=_responses(RevisionDetailOut, 201),
    summary="Opprett en utdanningsplan (revisjon 1, utkast, forhåndsutfylt)",
)
@rule("iup.edit")
def create_plan(request, payload: IupPlanCreateIn):
    """Pre-filled as in the pages (supervisors, workplace, table 3 from the education lead's
    template); content sent along is written in the same transaction. 404 when the trainee is
    outside the caller's `iup.view` scope, 403 when visible but not theirs to edit."""
    user = caller(request)
    trainee = get_in_scope(user, "iup.view", Trainee.objects.all(), pk=payload.trainee)
    employment = None
    if payload.employment is not None:
        employment = (
            Employment.objects.select_related("institution", "specialty")
            .filter(pk=payload.employment, trainee=trainee)
            .first()
        )
        if employment is None:
            raise field_error(
                "employment",
                "unknown",
                _("Legen har ingen ansettelse med id %(id)s.") % {"id": payload.employment},
            )
    elif not trainee.employments.not_ended().exists():
        raise field_error(
            "employment",
            "required",
            _("Legen har ingen aktiv ansettelse; oppgi ansettelsen planen gjelder."),
        )
    with transaction.atomic():
        revision = _run(
            services.plan_create,
            actor=user,
            trainee=trainee,
            employment=employment,
            kind=payload.kind,
        )
        content, children = _content(payload, revision.plan.kind)
        if content or children:
            revision = _run(
                services.revision_update,
                actor=user,
                revision=revision,
                version=revision.version,
                **children,
                **content,
            )
    return Status(201, _visible(request, revision.pk))


@router.patch(
    BASE + "/{id}",
    response=_responses(RevisionDetailOut, conflict=True),
    summary="Endre et utkast (send med version)",
)
@rule("iup.edit")
def update_revision(request, payload: IupPlanPatchIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Partial update of a draft: only the fields sent change; `supervisors`, `meetings` and
    `periods`, when sent, replace their table. A `version` older than the revision's gives 409
    and changes nothing."""
    revision = _visible(request, id)
    content, children = _content(payload, revision.plan.kind)
    try:
        _run(
            services.revision_update,
            actor=caller(request),
            revision=revision,
            version=payload.version,
            **children,
            **content,
        )
    except services.StaleVersion as exc:
        return _stale(exc)
    return _visible(request, id)


def _action(request, id: int, permission: str, service, payload: ActionIn | None, **kwargs):
    revision = _visible(request, id)
    if payload is not None and payload.version is not None:
        kwargs["version"] = payload.version
    try:
        result = _run(service, actor=caller(request), revision=revision, **kwargs)
    except services.StaleVersion as exc:
        return _stale(exc)
    return _visible(request, result.pk)


@router.post(
    BASE + "/{id}/submit",
    response=_responses(RevisionDetailOut, conflict=True),
    summary="Send til signering (utkast → til signering)",
)
@rule("iup.sign")
def submit_revision(request, id: int = Path(..., ge=1, le=MAX_ID), payload: ActionIn | None = None):
    """Every required field must be filled in (400 naming each one that is not)."""
    return _action(request, id, "iup.sign", services.revision_submit, payload)


@router.post(
    BASE + "/{id}/sign",
    response=_responses(RevisionDetailOut, conflict=True),
    summary="Signer (lege, veileder og leder, hver én gang)",
)
@rule("iup.sign")
def sign_revision(request, id: int = Path(..., ge=1, le=MAX_ID), payload: ActionIn | None = None):
    """Records the caller's signature in their role (the trainee, an active supervisor, the
    leader of the trainee's learning arena; 403 for anyone else). A draft is sent to signing
    first. The third signature makes the revision `signed`: immutable, its status table frozen,
    and the previous signed revision `superseded`."""
    return _action(request, id, "iup.sign", services.revision_sign, payload)


@router.post(
    BASE + "/{id}/withdraw",
    response=_responses(RevisionDetailOut, conflict=True),
    summary="Trekk tilbake til utkast (signaturene fjernes)",
)
@rule("iup.sign")
def withdraw_revision(
    request, id: int = Path(..., ge=1, le=MAX_ID), payload: ActionIn | None = None
):
    return _action(request, id, "iup.sign", services.revision_withdraw, payload)


@router.post(
    BASE + "/{id}/revise",
    response=_responses(RevisionDetailOut, 201),
    summary="Lag neste revisjon av en signert plan (som utkast)",
)
@rule("iup.edit")
def revise_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """The new revision is pre-filled from the signed one, which stays valid until the new
    one is signed. Only from the newest signed revision (400 `revision_exists` otherwise)."""
    revision = _visible(request, id)
    new = _run(services.revision_revise, actor=caller(request), revision=revision)
    return Status(201, _visible(request, new.pk))
