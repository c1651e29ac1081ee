"""Collaboration agreements (fagavtaler), rotation requests (the fiktiv enhet) and vacancy
candidates: the rotation register over the API, scoped exactly as the pages under /rotasjon/.

Access, in this order: the operation's permission in some scope (`@rule`, else 403); the row
within the caller's view scope (`scope_filter` / `get_in_scope`, else 404); then
`lisplan.rotations.services` checks the action's permission on this very row (`Refused`, 403;
the same check the page gets) and does the write, its state check, its audit event and its
notifications.

Status codes: 400 for bad input and for a step the request's state or the register's rules do
not allow (`errors[0]` names the field — `status` for a state that does not allow the step —
and the rule's code); 403 for an action the caller may not take; 404 outside scope; 409 only
for a stale `version` on PATCH (body adds `current_version`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from lisplan.accounts.access import (
    can,
    get_in_scope,
    grants,
    institutions_for,
    scope_filter,
)
from lisplan.api.access import caller, rule
from lisplan.api.errors import (
    ApiError,
    ConflictOut,
    ErrorOut,
    FieldError,
    field_error,
    from_model_error,
)
from lisplan.api.pagination import page_of, paginate
from lisplan.api.params import MAX_ID
from lisplan.catalogue import queries as catalogue_queries
from lisplan.catalogue.models import LearningGoal
from lisplan.organisations.models import Institution, LearningArena
from lisplan.rotations import export, queries, services
from lisplan.rotations.models import (
    OPEN_STATUSES,
    CollaborationAgreement,
    RotationRequest,
    Vacancy,
)
from lisplan.rotations.schemas import (
    QUOTA_SEMESTERS,
    STATUSES,
    AgreeIn,
    AgreementIn,
    AgreementOut,
    AgreementQuery,
    AnswerIn,
    CancelIn,
    CandidateQuery,
    CandidatesOut,
    CapacityOut,
    CapacityQuery,
    CompleteIn,
    ExportOut,
    ExternalAnswerIn,
    OfferIn,
    RequestIn,
    RequestOut,
    RequestPatchIn,
    RequestQuery,
    WaiveIn,
)
from lisplan.trainees.models import Trainee

router = Router(tags=["Fagavtaler og fiktiv enhet"])

AGREEMENTS = "/agreements"
REQUESTS = "/rotation-requests"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MAX_CAPACITY_MONTHS = 120


def _responses(ok, status: int = 200, conflict: bool = False) -> dict:
    out = {status: ok, **ERRORS}
    if conflict:
        out[409] = ConflictOut
    return out


def _allowed(request, permission: str, obj) -> None:
    if not can(caller(request), permission, obj):
        raise PermissionDenied


# --- errors -----------------------------------------------------------------------------------


def _run(action: Callable, **kwargs):
    """Call a service. Its domain errors (`RotationError`, `Refused`) become the API's errors
    in `lisplan.api.errors`; a model's own validation here."""
    try:
        return action(**kwargs)
    except DjangoValidationError as exc:
        raise from_model_error(exc) from exc


def _unknown(field: str, what: str, pk) -> FieldError:
    return FieldError(
        field, "unknown", _("Ukjent %(what)s (id %(id)s).") % {"what": what, "id": pk}
    )


# --- agreements -------------------------------------------------------------------------------


def _agreements(user):
    return (
        scope_filter(user, "agreement.view", CollaborationAgreement.objects.all())
        .select_related("sending", "receiving", "specialty")
        .prefetch_related("arenas", "goals", "prerequisites")
    )


def _agreement(request, id: int) -> CollaborationAgreement:
    agreement = _agreements(caller(request)).filter(pk=id).first()
    if agreement is None:
        raise Http404
    return agreement


@router.get(
    AGREEMENTS, response=_responses(page_of(AgreementOut)), summary="Fagavtaler du har tilgang til"
)
@rule("agreement.view")
def list_agreements(request, filters: Query[AgreementQuery]):
    qs = _agreements(caller(request))
    if filters.specialty:
        qs = qs.filter(specialty=catalogue_queries.specialty_by_code(filters.specialty))
    if filters.sending is not None:
        qs = qs.filter(sending_id=filters.sending)
    if filters.receiving is not None:
        qs = qs.filter(receiving_id=filters.receiving)
    if filters.valid_on is not None:
        qs = qs.valid_on(filters.valid_on)
    for word in (filters.q or "").split():
        qs = qs.filter(
            Q(reference__icontains=word)
            | Q(specialty__name__icontains=word)
            | Q(specialty__code__iexact=word)
            | Q(sending__name__icontains=word)
            | Q(receiving__name__icontains=word)
            | Q(sending__code__iexact=word)
            | Q(receiving__code__iexact=word)
        )
    qs = qs.order_by("specialty__name", "receiving__name", "sending__name", "pk")
    return paginate(qs, filters)


@router.get(AGREEMENTS + "/{id}", response=_responses(AgreementOut), summary="Én fagavtale")
@rule("agreement.view")
def get_agreement(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _agreement(request, id)


@router.get(
    AGREEMENTS + "/{id}/capacity",
    response=_responses(CapacityOut),
    summary="Kapasitet, brukt og ledig per måned",
)
@rule("agreement.view")
def agreement_capacity(
    request, filters: Query[CapacityQuery], id: int = Path(..., ge=1, le=MAX_ID)
):
    """Places used per month are the periods under the agreement with an agreed start (start
    agreed, in progress, completed) that run in the month."""
    agreement = _agreement(request, id)
    first, last = filters.from_, filters.to
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months < 1:
        raise field_error("to", "before_from", _("«to» kan ikke være før «from»."))
    if months > MAX_CAPACITY_MONTHS:
        raise field_error(
            "to", "max_value", _("Høyst %(n)s måneder om gangen.") % {"n": MAX_CAPACITY_MONTHS}
        )
    usage = queries.agreement_usage(agreement, first, months)
    return {
        "agreement": agreement.pk,
        "months": [
            {
                "month": f"{u.month:%Y-%m}",
                "capacity": u.capacity,
                "used": u.used,
                "free": max(0, u.capacity - u.used),
            }
            for u in usage
        ],
    }


def _agreement_fields(payload: AgreementIn) -> dict:
    """The body as the service takes it; 400 naming every unknown reference."""
    errors: list[FieldError] = []
    institutions = Institution.objects.in_bulk({payload.sending, payload.receiving})
    for name in ("sending", "receiving"):
        if getattr(payload, name) not in institutions:
            errors.append(_unknown(name, _("utdanningsvirksomhet"), getattr(payload, name)))
    arenas = LearningArena.objects.in_bulk(payload.arenas)
    errors += [
        _unknown(f"arenas[{i}]", _("læringsarena"), pk)
        for i, pk in enumerate(payload.arenas)
        if pk not in arenas
    ]
    goals = LearningGoal.objects.in_bulk(set(payload.goals) | set(payload.prerequisites))
    for name in ("goals", "prerequisites"):
        errors += [
            _unknown(f"{name}[{i}]", _("læringsmål"), pk)
            for i, pk in enumerate(getattr(payload, name))
            if pk not in goals
        ]
    quota = payload.quota_semester.strip().lower()
    if quota not in QUOTA_SEMESTERS:
        errors.append(
            FieldError(
                "quota_semester",
                "invalid",
                _("Gyldige verdier: %(all)s.") % {"all": ", ".join(QUOTA_SEMESTERS)},
            )
        )
    if errors:
        raise ApiError(errors)
    return {
        "reference": payload.reference.strip(),
        "sending": institutions[payload.sending],
        "receiving": institutions[payload.receiving],
        "specialty": catalogue_queries.specialty_by_code(payload.specialty),
        "duration_months": payload.duration_months,
        "capacity": payload.capacity,
        "semester_quota": payload.semester_quota,
        "quota_semester": quota,
        "start_months": sorted(set(payload.start_months)),
        "valid_from": payload.valid_from,
        "valid_to": payload.valid_to,
        "notes": payload.notes,
        "arenas": [arenas[pk] for pk in dict.fromkeys(payload.arenas)],
        "goals": [goals[pk] for pk in dict.fromkeys(payload.goals)],
        "prerequisites": [goals[pk] for pk in dict.fromkeys(payload.prerequisites)],
    }


@router.post(
    AGREEMENTS,
    response=_responses(AgreementOut, 201),
    summary="Registrer en fagavtale (koordinator hos en av partene)",
)
@rule("agreement.change")
def create_agreement(request, payload: AgreementIn):
    """One of the parties must lie in the caller's `agreement.change` scope, else 403 and
    nothing is saved."""
    user = caller(request)
    fields = _agreement_fields(payload)
    agreement = _run(services.agreement_create, actor=user, **fields)
    return Status(201, _agreement(request, agreement.pk))


# --- rotation requests ------------------------------------------------------------------------


def _rows():
    return RotationRequest.objects.select_related(
        "trainee", "sending", "receiving", "specialty", "arena"
    )


def _request(request, id: int) -> RotationRequest:
    """The request, or 404 outside the caller's `register.view` scope."""
    return get_in_scope(caller(request), "register.view", _rows(), pk=id)


@router.get(
    REQUESTS,
    response=_responses(page_of(RequestOut)),
    summary="Ønsker og behov for spesialiseringsperioder (fiktiv enhet)",
)
@rule("register.view")
def list_requests(request, filters: Query[RequestQuery]):
    qs = scope_filter(caller(request), "register.view", _rows())
    if filters.trainee is not None:
        qs = qs.filter(trainee_id=filters.trainee)
    if filters.status:
        status = filters.status.strip().lower()
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status in STATUSES:
            qs = qs.filter(status=status)
        else:
            raise field_error(
                "status",
                "invalid",
                _("Ukjent status «%(s)s». Gyldige: %(all)s.")
                % {"s": filters.status, "all": ", ".join([*STATUSES, "open"])},
            )
    if filters.receiving is not None:
        qs = qs.filter(receiving_id=filters.receiving)
    if filters.sending is not None:
        qs = qs.filter(sending_id=filters.sending)
    if filters.specialty:
        qs = qs.filter(specialty=catalogue_queries.specialty_by_code(filters.specialty))
    return paginate(qs.order_by("desired_start", "pk"), filters)


@router.get(REQUESTS + "/{id}", response=_responses(RequestOut), summary="Ett ønske")
@rule("register.view")
def get_request(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _request(request, id)


@router.post(
    REQUESTS,
    response=_responses(RequestOut, 201),
    summary="Registrer behov eller ønske (lokal koordinator hos arbeidsgiver)",
)
@rule("register.change")
def create_request(request, payload: RequestIn):
    """404 when the trainee is outside the caller's `register.view` scope, 403 when visible
    but not the caller's to register. The sending institution is the trainee's employer in the
    specialty; the duration is normed from the agreement where not given."""
    user = caller(request)
    trainee = get_in_scope(user, "register.view", Trainee.objects.all(), pk=payload.trainee)
    _allowed(request, "register.change", trainee)
    errors: list[FieldError] = []
    receiving = Institution.objects.filter(pk=payload.receiving).first()
    if receiving is None:
        errors.append(_unknown("receiving", _("utdanningsvirksomhet"), payload.receiving))
    agreement = arena = None
    if payload.agreement is not None:
        agreement = CollaborationAgreement.objects.filter(pk=payload.agreement).first()
        if agreement is None:
            errors.append(_unknown("agreement", _("fagavtale"), payload.agreement))
    if payload.arena is not None:
        arena = LearningArena.objects.filter(pk=payload.arena).first()
        if arena is None:
            errors.append(_unknown("arena", _("læringsarena"), payload.arena))
    if errors:
        raise ApiError(errors)
    specialty = catalogue_queries.specialty_by_code(payload.specialty)
    created = _run(
        services.request_create,
        actor=user,
        trainee=trainee,
        receiving=receiving,
        specialty=specialty,
        desired_start=payload.desired_start,
        duration_months=payload.duration_months,
        agreement=agreement,
        arena=arena,
        wish=payload.wish,
        comment=payload.comment,
    )
    return Status(201, _rows().get(pk=created.pk))


@router.patch(
    REQUESTS + "/{id}",
    response=_responses(RequestOut, conflict=True),
    summary="Endre ønsket oppstart eller prioritet (send med version)",
)
@rule("register.change")
def update_request(request, payload: RequestPatchIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """The sending side: `desired_start` (flows to the receiving side at once) and
    `sending_rank`. A `version` other than the request's gives 409 and changes nothing."""
    user = caller(request)
    obj = _request(request, id)
    _allowed(request, "register.change", obj)
    sent = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        current = (
            RotationRequest.objects.select_for_update()
            .filter(pk=id)
            .values_list("version", flat=True)
            .first()
        )
        if current != payload.version:
            return Status(
                409,
                {
                    "detail": _(
                        "Ønsket er endret av noen andre siden du leste det. Last inn på nytt."
                    ),
                    "errors": [],
                    "current_version": current,
                },
            )
        if "desired_start" in sent:
            if payload.desired_start is None:
                raise field_error("desired_start", "required", _("Feltet må fylles ut."))
            obj = _run(
                services.request_change_start,
                actor=user,
                request=obj,
                desired_start=payload.desired_start,
            )
        if "sending_rank" in sent:
            obj = _run(
                services.request_set_rank, actor=user, request=obj, rank=payload.sending_rank
            )
    return _rows().get(pk=id)


def _act(request, id: int, permission: str, service: Callable, **kwargs) -> RotationRequest:
    """The step's service checks `permission` on the request (403); `_request` gives 404
    outside the caller's `register.view` scope."""
    obj = _request(request, id)
    _run(service, actor=caller(request), request=obj, **kwargs)
    return _rows().get(pk=id)


@router.post(
    REQUESTS + "/{id}/wish",
    response=_responses(RequestOut),
    summary="Registrer som ønske (behov → ønske)",
)
@rule("register.change")
def wish_request(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Refused (`one_receiving_institution`) when the trainee has wishes at another trust."""
    return _act(request, id, "register.change", services.request_register_wish)


@router.post(
    REQUESTS + "/{id}/forward",
    response=_responses(RequestOut),
    summary="Send til mottakende foretak (ønske → sendt)",
)
@rule("register.forward")
def forward_request(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Today becomes the queue date (seniority) at the receiving trust."""
    return _act(request, id, "register.forward", services.request_forward)


@router.post(
    REQUESTS + "/{id}/offer",
    response=_responses(RequestOut),
    summary="Tilby gjennomstrømningsstilling (mottakende koordinator)",
)
@rule("register.offer")
def offer_request(request, payload: OfferIn | None = None, id: int = Path(..., ge=1, le=MAX_ID)):
    """Only permanent employees can be offered (`not_permanent`). The body is optional."""
    payload = payload or OfferIn()
    obj = _request(request, id)
    _allowed(request, "register.offer", obj)
    vacancy = None
    if payload.vacancy is not None:
        vacancy = (
            scope_filter(caller(request), "vacancy.view", Vacancy.objects.all())
            .filter(pk=payload.vacancy)
            .first()
        )
        if vacancy is None:
            raise ApiError([_unknown("vacancy", _("ledig stilling"), payload.vacancy)])
        if vacancy.institution_id != obj.receiving_id:
            raise field_error(
                "vacancy",
                "wrong_institution",
                _("Stillingen er ikke ved det mottakende foretaket."),
            )
    return _act(
        request,
        id,
        "register.offer",
        services.request_offer,
        vacancy=vacancy,
        start=payload.start,
        comment=payload.comment,
    )


@router.post(
    REQUESTS + "/{id}/accept",
    response=_responses(RequestOut),
    summary="Takk ja til tilbudet (legen eller avgivende koordinator)",
)
@rule("register.answer")
def accept_request(request, payload: AnswerIn | None = None, id: int = Path(..., ge=1, le=MAX_ID)):
    return _act(
        request,
        id,
        "register.answer",
        services.request_answer,
        accept=True,
        comment=(payload or AnswerIn()).comment,
    )


@router.post(
    REQUESTS + "/{id}/decline",
    response=_responses(RequestOut),
    summary="Takk nei til tilbudet (legen eller avgivende koordinator)",
)
@rule("register.answer")
def decline_request(request, payload: AnswerIn | None = None, id: int = Path(..., ge=1, le=MAX_ID)):
    return _act(
        request,
        id,
        "register.answer",
        services.request_answer,
        accept=False,
        comment=(payload or AnswerIn()).comment,
    )


@router.post(
    REQUESTS + "/{id}/agree",
    response=_responses(RequestOut),
    summary="Registrer avtalt oppstart (takket ja → oppstart avtalt)",
)
@rule("register.offer")
def agree_request(request, payload: AgreeIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Keeps the agreement's start months, validity, capacity and semester quota
    (`agreement_rule`, field `start`)."""
    return _act(request, id, "register.offer", services.request_agree_start, start=payload.start)


@router.post(
    REQUESTS + "/{id}/start",
    response=_responses(RequestOut),
    summary="Registrer at perioden har startet",
)
@rule("register.offer")
def start_request(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _act(request, id, "register.offer", services.request_start)


@router.post(
    REQUESTS + "/{id}/complete",
    response=_responses(RequestOut),
    summary="Registrer gjennomført periode",
)
@rule("register.offer")
def complete_request(request, payload: CompleteIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Before the period's end only with `early_end_reason` (`early_end`); refused unless the
    period runs (`invalid_state`)."""
    return _act(
        request,
        id,
        "register.offer",
        services.request_complete,
        goals_reached=payload.goals_reached,
        on=payload.on,
        early_end_reason=payload.early_end_reason,
    )


@router.post(
    REQUESTS + "/{id}/waive-prerequisites",
    response=_responses(RequestOut),
    summary="Gi unntak fra forkunnskapskrav (mottakende koordinator), med begrunnelse",
)
@rule("register.offer")
def waive_request(request, payload: WaiveIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Offer, accept, agree start and start refuse (`prerequisites_missing`, naming the goals)
    while a required goal is neither approved nor expected by the start; the receiving
    coordinator may let the trainee in with a reason (audited)."""
    return _act(
        request, id, "register.offer", services.request_waive_prerequisites, reason=payload.reason
    )


@router.post(
    REQUESTS + "/{id}/cancel",
    response=_responses(RequestOut),
    summary="Avbryt (avgivende foretak), med begrunnelse",
)
@rule("register.change")
def cancel_request(request, payload: CancelIn, id: int = Path(..., ge=1, le=MAX_ID)):
    return _act(request, id, "register.change", services.request_cancel, reason=payload.reason)


# --- cross-region registration ---------------------------------------------------------------


def _exportable(request, id: int) -> RotationRequest:
    """As the export pages: 404 outside `register.view`, 403 unless the caller forwards for the
    sending side, 400 (`status`) when the request's state has nothing to send."""
    obj = _request(request, id)
    _allowed(request, "register.forward", obj)
    if obj.status not in export.EXPORTABLE:
        raise field_error(
            "status",
            "invalid_state",
            _("Innmeldingen kan ikke sendes når ønsket har status «%(status)s».")
            % {"status": obj.get_status_display()},
        )
    return obj


@router.get(
    REQUESTS + "/{id}/export",
    response=_responses(ExportOut),
    by_alias=True,
    summary="Innmelding til mottakende foretak utenfor lisplan (JSON)",
)
@rule("register.forward")
def export_request(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """The registration the receiving trust's form asks for, for a trust outside lisplan
    (another region): trainee, employment, leader, agreement, period and queue dates."""
    obj = _exportable(request, id)
    return export.export_record(obj, exported_by=caller(request))


@router.get(
    REQUESTS + "/{id}/export/pdf",
    response=ERRORS,
    summary="Innmelding til mottakende foretak utenfor lisplan (PDF)",
    openapi_extra={
        "responses": {200: {"description": "PDF (A4)", "content": {"application/pdf": {}}}}
    },
)
@rule("register.forward")
def export_request_pdf(request, id: int = Path(..., ge=1, le=MAX_ID)):
    obj = _exportable(request, id)
    response = HttpResponse(
        export.render_pdf(obj, exported_by=caller(request)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{export.filename(obj, "pdf")}"'
    return response


@router.post(
    REQUESTS + "/{id}/external-answer",
    response=_responses(RequestOut),
    summary="Registrer svaret fra et mottakende foretak utenfor lisplan",
)
@rule("register.forward")
def external_answer(request, payload: ExternalAnswerIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Accepted (→ accepted, or start agreed with `start`) or declined (→ cancelled). Refused
    (`not_external`) when the receiving institution answers in lisplan itself."""
    obj = _request(request, id)
    if not payload.accepted and payload.start is not None:
        raise field_error("start", "start_with_decline", _("Et avslag har ingen oppstartsdato."))
    _run(
        export.record_answer,
        actor=caller(request),
        request=obj,
        accepted=payload.accepted,
        start=payload.start,
        comment=payload.comment,
    )
    return _rows().get(pk=id)


# --- vacancy candidates -----------------------------------------------------------------------


def _arena_in_scope(user, arena: LearningArena) -> bool:
    """Whether the caller may see candidates for `arena`: the scope rule of vacancies
    (coordinators and the region by institution, a leader in their own arenas)."""
    institutions = institutions_for(user, "vacancy.view")
    if institutions is None or arena.institution_id in institutions:
        return True
    g = grants(user)
    if arena.institution.region_id in g.regions.get("vacancy.view", ()):
        return True
    return any(arena.path.startswith(p) for p in g.arena_paths.get("vacancy.view", ()))


@router.get(
    "/vacancies/candidates",
    response=_responses(CandidatesOut),
    summary="Rangerte kandidater fra fiktiv enhet til en ledig stilling",
)
@rule("vacancy.view")
def vacancy_candidates(request, filters: Query[CandidateQuery]):
    """Requests forwarded to the arena's trust in its specialty, not asking for another arena
    and wanting to start by `start_to` (default `start`), in the published order — eligible
    first — with a one-line explanation, eligibility and prerequisites met / expected / missing.
    403 for an arena outside the caller's vacancy scope."""
    user = caller(request)
    arena = (
        LearningArena.objects.select_related("institution", "specialty")
        .filter(pk=filters.arena)
        .first()
    )
    if arena is None:
        raise ApiError([_unknown("arena", _("læringsarena"), filters.arena)])
    if not _arena_in_scope(user, arena):
        raise PermissionDenied
    if arena.specialty_id is None:
        raise field_error(
            "arena",
            "no_specialty",
            _("Læringsarenaen har ingen spesialitet; velg en avdeling eller seksjon."),
        )
    start_to = filters.start_to or filters.start
    if start_to < filters.start:
        raise field_error("start_to", "before_start", _("«start_to» kan ikke være før «start»."))
    vacancy = Vacancy(
        institution=arena.institution,
        arena=arena,
        specialty=arena.specialty,
        start_from=filters.start,
        start_to=start_to,
        duration_months=filters.duration,
    )
    rows = queries.candidates(vacancy)
    first = (filters.page - 1) * filters.page_size
    page = rows[first : first + filters.page_size]
    return {
        "arena": arena.pk,
        "institution": arena.institution_id,
        "specialty": arena.specialty.code,
        "start": filters.start,
        "start_to": start_to,
        "duration": filters.duration,
        "count": len(rows),
        "results": [_candidate(row, r, check) for row, r, check in page],
    }


def _candidate(row, r: RotationRequest, check) -> dict:
    prerequisites = list(check.prerequisites)
    return {
        "place": row.place,
        "queue_place": row.queue_place,
        "explanation": row.explanation,
        "request": r.pk,
        "trainee": r.trainee_id,
        "trainee_name": r.trainee.full_name,
        "sending": r.sending_id,
        "sending_code": r.sending.code,
        "sending_name": r.sending.name,
        "desired_start": r.desired_start,
        "duration_months": r.duration_months,
        "forwarded_on": r.forwarded_on,
        "sending_rank": r.sending_rank,
        "months_done": row.candidate.months_done,
        "eligible": check.eligible,
        "permanent": check.permanent,
        "reasons": list(check.reasons),
        "prerequisites": [
            {"code": p.code, "title": p.title, "state": p.state, "date": p.date}
            for p in prerequisites
        ],
        **{
            f"prerequisites_{state}": [p.code for p in prerequisites if p.state == state]
            for state in ("met", "expected", "missing")
        },
    }
