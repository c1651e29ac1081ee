"""Implementation plans (individuell gjennomføringsplan): one resource per revision.

Contract: docs api.md «Implementation plans». Access, in this order: the operation's permission
in some scope (`@rule`, else 403); the revision within the caller's `plan.view` scope (else 404);
then the service in `lisplan.plans.services` checks the action's permission on this very
revision (`Refused`, 403) — the same check the page gets — and does the write, its state
check and its audit event.

Status codes: 400 for bad input and for an action the revision's state does not allow (code in
`errors[0].code`, field `status`); 403 for an action the caller may not take; 404 outside scope;
409 only for a stale `version` (body adds `current_version`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router
from ninja import Status as Reply

from lisplan.accounts.access import get_in_scope, scope_filter
from lisplan.api.access import caller, rule
from lisplan.api.errors import (
    ApiError,
    ConflictOut,
    ErrorOut,
    FieldError,
    field_error,
    from_model_error,
)
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import MAX_ID, Code
from lisplan.audit.services import events_for
from lisplan.catalogue import queries as catalogue_queries
from lisplan.catalogue.models import Specialty
from lisplan.organisations import queries as organisation_queries
from lisplan.organisations.models import Institution, LearningArena
from lisplan.plans import queries as plan_queries
from lisplan.plans import services
from lisplan.plans.models import Period, Revision, Signature, Status
from lisplan.plans.pdf import pdf_response
from lisplan.plans.schemas import (
    STATUSES,
    ApproveIn,
    HistoryOut,
    PeriodIn,
    PlanCreateIn,
    PlanPatchIn,
    ReturnIn,
    RevisionOut,
)
from lisplan.plans.services import PeriodData
from lisplan.rotations.models import CollaborationAgreement
from lisplan.trainees.models import Employment, Trainee

router = Router(tags=["Gjennomføringsplaner"])

BASE = "/implementation-plans"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _responses(ok, status: int = 200, conflict: bool = False) -> dict:
    out = {status: ok, **ERRORS}
    if conflict:
        out[409] = ConflictOut
    return out


# --- reads ------------------------------------------------------------------------------------


def _revisions(user) -> QuerySet[Revision]:
    """Revisions the caller may see, with everything `RevisionOut` reads (constant queries)."""
    approved = (
        Revision.objects.filter(approved_at__isnull=False)
        .only("id", "plan_id", "number", "approved_at")
        .order_by("number")
    )
    return (
        scope_filter(user, "plan.view", Revision.objects.all())
        .select_related(
            "plan__trainee",
            "plan__employment",
            "employer",
            "specialty",
            "approved_by",
        )
        .prefetch_related(
            Prefetch(
                "periods",
                queryset=Period.objects.select_related(
                    "specialty", "institution", "arena"
                ).order_by("position", "start", "id"),
            ),
            Prefetch("signatures", queryset=Signature.objects.order_by("signed_at", "id")),
            Prefetch("plan__revisions", queryset=approved, to_attr="approved_revisions"),
        )
    )


def _visible(request, id: int) -> Revision:
    """The revision with everything loaded, or 404 outside the caller's `plan.view` scope."""
    revision = _revisions(caller(request)).filter(pk=id).first()
    if revision is None:
        raise Http404
    return revision


class PlanQuery(PageQuery):
    trainee: int | None = Field(None, ge=1, le=MAX_ID, description="Legens id")
    status: Code | None = Field(
        None,
        description="draft, awaiting_signatures, awaiting_approval, approved (gyldig), "
        "superseded eller expired (godkjent, men gyldig_til er passert)",
    )


def _status_filter(status: str) -> Q:
    today = timezone.localdate()
    if status == Status.EXPIRED:
        return Q(status=Status.APPROVED, valid_until__lt=today)
    if status == Status.APPROVED:
        return Q(status=Status.APPROVED) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return Q(status=status)


@router.get(
    BASE,
    response=_responses(page_of(RevisionOut)),
    summary="Revisjoner av gjennomføringsplaner du har tilgang til",
)
@rule("plan.view")
def list_revisions(request, filters: Query[PlanQuery]):
    qs = _revisions(caller(request))
    if filters.trainee is not None:
        qs = qs.filter(plan__trainee_id=filters.trainee)
    if filters.status:
        status = filters.status.strip().lower()
        if status not in STATUSES:
            raise field_error(
                "status",
                "invalid",
                _("Ukjent status «%(s)s». Gyldige: %(all)s.")
                % {"s": filters.status, "all": ", ".join(STATUSES)},
            )
        qs = qs.filter(_status_filter(status))
    qs = qs.order_by("plan__trainee__last_name", "plan__trainee__first_name", "plan_id", "-number")
    return paginate(qs, filters)


@router.get(BASE + "/{id}", response=_responses(RevisionOut), summary="Én revisjon")
@rule("plan.view")
def get_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _visible(request, id)


@router.get(
    BASE + "/{id}/history",
    response=_responses(page_of(HistoryOut)),
    summary="Endringshistorikken til en revisjon, eldste først",
)
@rule("plan.view")
def revision_history(request, filters: Query[PageQuery], id: int = Path(..., ge=1, le=MAX_ID)):
    revision = _visible(request, id)
    return paginate(events_for(revision).order_by("created_at", "id"), filters)


@router.get(
    BASE + "/{id}/pdf",
    response=ERRORS,
    summary="Revisjonen som PDF, som skjemaet",
    openapi_extra={
        "responses": {200: {"description": "PDF (A4)", "content": {"application/pdf": {}}}}
    },
)
@rule("plan.view")
def revision_pdf(request, id: int = Path(..., ge=1, le=MAX_ID)):
    revision = plan_queries.revision_detail(caller(request), id)  # 404 outside scope
    return pdf_response(request, revision)


# --- input → model values ---------------------------------------------------------------------


def _specialties(codes: dict[str, str]) -> dict[str, Specialty]:
    """{field: code} → {field: Specialty}; 400 naming every unknown code."""
    found = {
        s.code: s
        for s in Specialty.objects.filter(code__in={c.strip().upper() for c in codes.values()})
    }
    errors, out = [], {}
    for field, code in codes.items():
        specialty = found.get(code.strip().upper())
        if specialty is None:
            errors.append(
                FieldError(field, "unknown", _("Ukjent spesialitet «%(code)s».") % {"code": code})
            )
        out[field] = specialty
    if errors:
        raise ApiError(errors)
    return out


def _periods(items: list[PeriodIn]) -> list[PeriodData]:
    """The period table as the service takes it; 400 for unknown references, naming the row."""
    specialties = _specialties(
        {f"periods[{i}].specialty": p.specialty for i, p in enumerate(items)}
    )
    institutions = Institution.objects.in_bulk({p.institution for p in items})
    arenas = LearningArena.objects.in_bulk({p.arena for p in items if p.arena})
    agreements = CollaborationAgreement.objects.select_related(
        "sending", "receiving", "specialty"
    ).in_bulk({p.agreement for p in items if p.agreement})
    errors, out = [], []
    for i, p in enumerate(items):
        where = f"periods[{i}]"
        institution = institutions.get(p.institution)
        if institution is None:
            errors.append(
                FieldError(
                    f"{where}.institution",
                    "unknown",
                    _("Ukjent utdanningsvirksomhet (id %(id)s).") % {"id": p.institution},
                )
            )
        arena = arenas.get(p.arena) if p.arena else None
        if p.arena and arena is None:
            errors.append(
                FieldError(
                    f"{where}.arena",
                    "unknown",
                    _("Ukjent læringsarena (id %(id)s).") % {"id": p.arena},
                )
            )
        elif arena is not None and arena.institution_id != p.institution:
            errors.append(
                FieldError(
                    f"{where}.arena",
                    "wrong_institution",
                    _("Læringsarenaen hører ikke til foretaket i perioden."),
                )
            )
        agreement = agreements.get(p.agreement) if p.agreement else None
        if p.agreement and agreement is None:
            errors.append(
                FieldError(
                    f"{where}.agreement",
                    "unknown",
                    _("Ukjent fagavtale (id %(id)s).") % {"id": p.agreement},
                )
            )
        out.append(
            PeriodData(
                agreement=agreement,
                specialty=specialties[f"{where}.specialty"],
                institution=institution,
                arena=arena,
                start=p.start,
                end=p.end,
                service_place=(p.service_place or "").strip(),
                contact_person=(p.contact_person or "").strip(),
            )
        )
    if errors:
        raise ApiError(errors)
    return out


TEXT_FIELDS = {"employee_number", "remarks", "place"}


def _content(payload, *, creating: bool) -> tuple[dict, list[PeriodData] | None]:
    """The fields the client sent, as model values (partial: only what was sent)."""
    sent = payload.model_dump(exclude_unset=True)
    periods = None
    if "periods" in sent:
        periods = _periods(payload.periods or [])
    content = {}
    for name in services.CONTENT_FIELDS:
        if name not in sent:
            continue
        value = sent[name]
        if name == "employer":
            if value is None:
                if creating:
                    continue  # pre-filled from the employment
                raise field_error("employer", "required", _("Oppgi arbeidsgiver/foretak."))
            organisation_queries.check_institution(value, "employer")
            value = Institution.objects.get(pk=value)
        elif name == "specialty":
            if value is None:
                if creating:
                    continue
                raise field_error("specialty", "required", _("Velg spesialitet."))
            value = catalogue_queries.specialty_by_code(value, "specialty")
        elif name in TEXT_FIELDS:
            value = (value or "").strip() if name in ("employee_number", "place") else (value or "")
        elif name == "outside_employment_confirmed":
            value = bool(value)
        content[name] = value
    return content, periods


def _run(action, **kwargs) -> Revision:
    """Call a service. Its domain errors (`lisplan.errors`) become the API's errors in
    `lisplan.api.errors`; a model's own validation here."""
    try:
        return action(**kwargs)
    except DjangoValidationError as exc:
        raise from_model_error(exc) from exc


# --- writes -----------------------------------------------------------------------------------


@router.post(
    BASE, response=_responses(RevisionOut, 201), summary="Opprett en plan (revisjon 1, utkast)"
)
@rule("plan.edit")
def create_plan(request, payload: PlanCreateIn):
    """For the trainee, the trainee's leader or the local coordinator. 404 when the trainee is
    outside the caller's `plan.view` scope, 403 when visible but not theirs to edit."""
    user = caller(request)
    trainee = get_in_scope(user, "plan.view", Trainee.objects.all(), pk=payload.trainee)
    employment = None
    if payload.employment is not None:
        employment = Employment.objects.filter(pk=payload.employment, trainee=trainee).first()
        if employment is None:
            raise field_error(
                "employment",
                "unknown",
                _("Legen har ingen ansettelse med id %(id)s.") % {"id": payload.employment},
            )
    content, periods = _content(payload, creating=True)
    if (
        "specialty" not in content
        and employment is None
        and not trainee.employments.not_ended().exists()
    ):
        raise field_error(
            "specialty",
            "required",
            _("Legen har ingen aktiv ansettelse; oppgi spesialitet og arbeidsgiver."),
        )
    revision = _run(
        services.plan_create,
        actor=user,
        trainee=trainee,
        employment=employment,
        periods=periods or [],
        **content,
    )
    return Reply(201, _visible(request, revision.pk))


def _stale(exc: services.StaleVersion) -> Reply:
    return Reply(409, {"detail": str(exc), "errors": [], "current_version": exc.current})


@router.patch(
    BASE + "/{id}",
    response=_responses(RevisionOut, conflict=True),
    summary="Endre et utkast (send med version)",
)
@rule("plan.edit")
def update_revision(request, payload: PlanPatchIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Partial update of a draft: only the fields sent change; `periods`, when sent, replaces
    the table. A `version` older than the revision's gives 409 and changes nothing."""
    user = caller(request)
    revision = _visible(request, id)
    content, periods = _content(payload, creating=False)
    try:
        _run(
            services.revision_update,
            actor=user,
            revision=revision,
            version=payload.version,
            periods=periods,
            **content,
        )
    except services.StaleVersion as exc:
        return _stale(exc)
    return _visible(request, id)


def _action(request, id: int, permission: str, service, **kwargs):
    revision = _visible(request, id)
    result = _run(service, actor=caller(request), revision=revision, **kwargs)
    return _visible(request, result.pk)


@router.post(
    BASE + "/{id}/submit",
    response=_responses(RevisionOut),
    summary="Send til signering (utkast → til signering)",
)
@rule("plan.sign")
def submit_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """By the trainee or the leader; every rule must pass, and periods outside the employment
    must be confirmed by the leader."""
    return _action(request, id, "plan.sign", services.revision_submit)


@router.post(
    BASE + "/{id}/sign",
    response=_responses(RevisionOut),
    summary="Signer (leder og lege, hver én gang)",
)
@rule("plan.sign")
def sign_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Records the caller's signature as trainee or leader; when both have signed, the revision
    goes to the local coordinator for approval."""
    return _action(request, id, "plan.sign", services.revision_sign)


@router.post(
    BASE + "/{id}/withdraw",
    response=_responses(RevisionOut),
    summary="Trekk tilbake til utkast (til signering → utkast)",
)
@rule("plan.sign")
def withdraw_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """By the trainee or the leader, while the revision awaits signatures: back to draft, the
    signatures given are cleared (audited as `plan.withdrawn`)."""
    return _action(request, id, "plan.sign", services.revision_withdraw)


@router.post(
    BASE + "/{id}/approve",
    response=_responses(RevisionOut),
    summary="Godkjenn (lokal koordinator hos arbeidsgiver)",
)
@rule("plan.approve")
def approve_revision(
    request, payload: ApproveIn | None = None, id: int = Path(..., ge=1, le=MAX_ID)
):
    """Sets `approved_at` and `valid_until` (12 months); an earlier approved revision of the
    plan becomes `superseded`. A period at an institution the employer has no collaboration
    agreement with is refused (`no_agreement`) unless `confirm_no_agreement` is sent."""
    return _action(
        request,
        id,
        "plan.approve",
        services.revision_approve,
        confirm_no_agreement=(payload or ApproveIn()).confirm_no_agreement,
    )


@router.post(
    BASE + "/{id}/return",
    response=_responses(RevisionOut),
    summary="Returner til utkast med kommentar (lokal koordinator)",
)
@rule("plan.approve")
def return_revision(request, payload: ReturnIn, id: int = Path(..., ge=1, le=MAX_ID)):
    return _action(request, id, "plan.approve", services.revision_return, comment=payload.comment)


@router.post(
    BASE + "/{id}/revise",
    response=_responses(RevisionOut, 201),
    summary="Lag neste revisjon av en godkjent plan (som utkast)",
)
@rule("plan.edit")
def revise_revision(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """By those who edit the plan (`plan.edit`: the trainee, the leader, the local
    coordinator), as on the page. The approved revision stays valid until the new one is
    approved; then it becomes `superseded`."""
    return Reply(201, _action(request, id, "plan.edit", services.revision_revise))
