"""Programme plans, where a goal can be reached, and coverage with gaps (`/api/v1/`).

Same services and queries as the pages: `services` writes (permission on the course, version
check → 409, immutability of published versions), `queries` reads; `queries.is_gap` is the one
definition of a gap, so `/coverage` and `/learning-goals/{code}/places` agree.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Path, Query, Router, Schema, Status

from lisplan.accounts.access import can, get_in_scope, scope_filter
from lisplan.api.access import caller, rule
from lisplan.api.errors import ApiError, ConflictOut, ErrorOut, FieldError, field_error
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import MAX_ID, Code, Text
from lisplan.catalogue.models import Specialty
from lisplan.organisations.models import Institution
from lisplan.programmes import queries, services
from lisplan.programmes.models import Approver, ProgrammePlan
from lisplan.programmes.models import Status as PlanStatus
from lisplan.programmes.pdf import pdf_filename, render_plan_pdf
from lisplan.programmes.schemas import (
    CoverageOut,
    PlaceOut,
    PlanContentIn,
    ProgrammePlanCreateIn,
    ProgrammePlanOut,
    ProgrammePlanPatchIn,
    PublishIn,
)

router = Router(tags=["Utdanningsplaner for virksomhetene"])

BASE = "/programme-plans"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _responses(ok, status: int = 200, conflict: bool = False) -> dict:
    out = {status: ok, **ERRORS}
    if conflict:
        out[409] = ConflictOut
    return out


def _ref(obj) -> dict:
    return {"id": obj.pk, "code": obj.code, "name": obj.name}


def plan_out(plan: ProgrammePlan) -> dict:
    """A plan read with `queries.plan_detail` as `ProgrammePlanOut`."""
    phases = list(plan.phases.all())
    index = {p.pk: i for i, p in enumerate(phases)}
    periods = []
    for p in plan.partner_periods.all():
        a = p.agreement
        required = {g.code for g in a.prerequisites.all()} | {g.code for g in p.prerequisites.all()}
        approver = plan.institution if p.approver == Approver.EMPLOYER else a.receiving
        periods.append(
            {
                "agreement": a.pk,
                "receiving": _ref(a.receiving),
                "phase": index.get(p.phase_id),
                "months": a.duration_months,
                "approver": p.approver,
                "approving_institution": _ref(approver),
                "goals": sorted({g.code for g in a.goals.all()}),
                "prerequisites": sorted(required),
                "description": p.description,
            }
        )
    return {
        "id": plan.pk,
        "institution": _ref(plan.institution),
        "specialty": _ref(plan.specialty),
        "number": plan.number,
        "version": plan.version,
        "status": plan.status,
        "published_on": plan.published_on,
        "public_url": queries.public_url(plan),
        **{f: getattr(plan, f) for f in services.TEXT_FIELDS},
        "phases": [
            {"name": p.name, "months": p.months, "description": p.description} for p in phases
        ],
        "arenas": [
            {
                "arena": a.arena_id,
                "arena_name": a.arena.name,
                "phase": index.get(a.phase_id),
                "months": a.months,
                "goals": sorted(g.code for g in a.goals.all()),
                "prerequisites": sorted(g.code for g in a.prerequisites.all()),
                "activities": a.activities,
            }
            for a in plan.arenas.all()
        ],
        "partner_periods": periods,
    }


def _visible(request, id: int) -> ProgrammePlan:
    qs = scope_filter(caller(request), "programme.view", ProgrammePlan.objects.all())
    plan = queries.plan_detail(qs, id)
    if plan is None:
        raise Http404
    return plan


def _content(payload: PlanContentIn) -> services.Content:
    fields = {
        f: getattr(payload, f) for f in services.TEXT_FIELDS if getattr(payload, f) is not None
    }
    return services.Content(
        fields=fields,
        phases=None
        if payload.phases is None
        else [services.PhaseData(p.name, p.months, p.description) for p in payload.phases],
        arenas=None
        if payload.arenas is None
        else [
            services.ArenaData(a.arena, a.goals, a.prerequisites, a.activities, a.months, a.phase)
            for a in payload.arenas
        ],
        periods=None
        if payload.partner_periods is None
        else [
            services.PeriodData(p.agreement, p.description, p.approver, p.prerequisites, p.phase)
            for p in payload.partner_periods
        ],
    )


def _run(action, **kwargs):
    try:
        return action(**kwargs)
    except services.PlanInvalid as exc:
        raise ApiError(
            [FieldError(p.field, p.code, p.message) for p in exc.problems],
            detail=_("Utdanningsplanen har feil som må rettes."),
        ) from exc
    except services.StateError as exc:
        raise ApiError([FieldError("status", exc.code, str(exc))], detail=str(exc)) from exc


def _stale(exc: services.StaleVersion) -> Status:
    return Status(409, {"detail": str(exc), "errors": [], "current_version": exc.current})


# --- reads ------------------------------------------------------------------------------------


class ProgrammePlanQuery(PageQuery):
    institution: int | None = NinjaField(None, ge=1, le=MAX_ID, description="Virksomhetens id")
    specialty: Code | None = NinjaField(None, description="Spesialitetens kode, f.eks. ORT")
    status: Code | None = NinjaField(None, description="draft, published eller superseded")


@router.get(
    BASE,
    response=_responses(page_of(ProgrammePlanOut)),
    summary="Utdanningsplaner for virksomhetene (publiserte, og utkast du har tilgang til)",
)
@rule("programme.view")
def list_plans(request, filters: Query[ProgrammePlanQuery]):
    qs = scope_filter(caller(request), "programme.view", ProgrammePlan.objects.all())
    if filters.institution is not None:
        qs = qs.filter(institution_id=filters.institution)
    if filters.specialty:
        qs = qs.filter(specialty__code__iexact=filters.specialty.strip())
    if filters.status:
        value = filters.status.strip().lower()
        if value not in PlanStatus.values:
            raise field_error(
                "status",
                "invalid",
                _("Ukjent verdi «%(v)s». Gyldige: %(all)s.")
                % {"v": filters.status, "all": ", ".join(PlanStatus.values)},
            )
        qs = qs.filter(status=value)
    qs = (
        qs.select_related("institution", "specialty")
        .prefetch_related(
            "phases",
            "arenas__arena",
            "arenas__goals",
            "arenas__prerequisites",
            "partner_periods__agreement__receiving",
            "partner_periods__agreement__goals",
            "partner_periods__agreement__prerequisites",
            "partner_periods__prerequisites",
        )
        .order_by("specialty__code", "institution__name", "-number", "pk")
    )
    page = paginate(qs, filters)
    page["results"] = [plan_out(p) for p in page["results"]]
    return page


@router.get(BASE + "/{id}", response=_responses(ProgrammePlanOut), summary="Én utdanningsplan")
@rule("programme.view")
def get_plan(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return plan_out(_visible(request, id))


@router.get(
    BASE + "/{id}/pdf",
    response=ERRORS,
    summary="Utdanningsplanen som PDF (tagget)",
    openapi_extra={
        "responses": {200: {"description": "PDF/UA (A4)", "content": {"application/pdf": {}}}}
    },
)
@rule("programme.view")
def plan_pdf(request, id: int = Path(..., ge=1, le=MAX_ID)):
    plan = _visible(request, id)
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(plan)}"'
    return response


# --- writes -----------------------------------------------------------------------------------


@router.post(
    BASE,
    response=_responses(ProgrammePlanOut, 201),
    summary="Lag et utkast (fra den publiserte versjonen, ellers fra nasjonal mal)",
)
@rule("programme.edit")
def create_plan(request, payload: ProgrammePlanCreateIn):
    """Content sent along is written in the same transaction. 403 when the caller does not
    draft plans for that institution and specialty; 400 when a draft exists already."""
    institution = get_in_scope(
        caller(request), "organisation.view", Institution.objects.all(), pk=payload.institution
    )
    specialty = Specialty.objects.filter(code__iexact=payload.specialty.strip()).first()
    if specialty is None:
        raise field_error(
            "specialty", "unknown", _("Ukjent spesialitet «%(c)s».") % {"c": payload.specialty}
        )
    from django.db import transaction

    with transaction.atomic():
        plan = _run(
            services.draft_create,
            actor=caller(request),
            institution=institution,
            specialty=specialty,
        )
        content = _content(payload)
        if content.fields or any(
            x is not None for x in (content.phases, content.arenas, content.periods)
        ):
            plan = _run(
                services.draft_update,
                actor=caller(request),
                plan=plan,
                version=plan.version,
                content=content,
            )
    return Status(201, plan_out(_visible(request, plan.pk)))


@router.patch(
    BASE + "/{id}",
    response=_responses(ProgrammePlanOut, conflict=True),
    summary="Endre et utkast (send med version)",
)
@rule("programme.edit")
def update_plan(request, payload: ProgrammePlanPatchIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Only the fields sent change; `phases`, `arenas` and `partner_periods`, when sent,
    replace their list. A published version is never changed (400); a stale `version` → 409."""
    plan = _visible(request, id)
    if not can(caller(request), "programme.edit", plan):
        raise PermissionDenied
    try:
        _run(
            services.draft_update,
            actor=caller(request),
            plan=plan,
            version=payload.version,
            content=_content(payload),
        )
    except services.StaleVersion as exc:
        return _stale(exc)
    return plan_out(_visible(request, id))


@router.post(
    BASE + "/{id}/publish",
    response=_responses(ProgrammePlanOut, conflict=True),
    summary="Publiser et utkast (den forrige publiserte versjonen erstattes)",
)
@rule("programme.publish")
def publish_plan(request, payload: PublishIn, id: int = Path(..., ge=1, le=MAX_ID)):
    plan = _visible(request, id)
    if not can(caller(request), "programme.publish", plan):
        raise PermissionDenied
    try:
        _run(services.publish, actor=caller(request), plan=plan, version=payload.version)
    except services.StaleVersion as exc:
        return _stale(exc)
    return plan_out(_visible(request, id))


# --- where a goal can be reached, coverage and gaps -------------------------------------------


class RegionQuery(PageQuery):
    region: Code | None = NinjaField(None, description="Regionens kode; uten: hele landet")


@router.get(
    "/learning-goals/{code}/places",
    response=_responses(page_of(PlaceOut)),
    summary="Hvor læringsmålet kan nås: publiserte utdanningsplaner og gyldige fagavtaler",
)
@rule("programme.view")
def goal_places(request, code: Text, filters: Query[RegionQuery]):
    goal = queries.current_goal(code.strip())
    if goal is None:
        raise Http404
    rows = queries.goal_places(goal.code, region=filters.region or None)
    start = (filters.page - 1) * filters.page_size
    return {"count": len(rows), "results": rows[start : start + filters.page_size]}


class CoverageQuery(Schema):
    institution: int = NinjaField(..., ge=1, le=MAX_ID, description="Virksomhetens id")
    specialty: Code = NinjaField(..., description="Spesialitetens kode, f.eks. ORT")


@router.get(
    "/coverage",
    response=_responses(CoverageOut),
    summary="Læringsmålene i en spesialitet for en virksomhet: hjemme, fagavtaler, mangler",
)
@rule("programme.view")
def coverage(request, filters: Query[CoverageQuery]):
    institution = get_in_scope(
        caller(request), "organisation.view", Institution.objects.all(), pk=filters.institution
    )
    specialty = Specialty.objects.filter(code__iexact=filters.specialty.strip()).first()
    if specialty is None:
        raise field_error(
            "specialty", "unknown", _("Ukjent spesialitet «%(c)s».") % {"c": filters.specialty}
        )
    cov = queries.coverage(institution.pk, specialty.pk)
    names = queries.Names.of([p for g in cov.goals for p in g.places])
    return {
        "institution": _ref(institution),
        "specialty": _ref(specialty),
        "programme_plan": cov.plan_id,
        "goals": [
            {
                "goal": g.code,
                "text": g.text,
                "at_home": g.at_home,
                "gap": g.gap,
                "agreements": g.agreements,
                "places": [queries.place_dict(p, names) for p in g.places],
            }
            for g in cov.goals
        ],
        "gaps": cov.gaps,
        "capacity_shortfalls": [
            {
                "agreements": list(s.agreements),
                "goals": list(s.goals),
                "trainees": s.trainees,
                "demand": s.demand,
                "capacity": s.capacity,
            }
            for s in queries.capacity_shortfalls([cov])
        ],
    }
