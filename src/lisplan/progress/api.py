"""Progress (issue 4): requirement status and projected completion, goal approvals, activities,
service periods.

Access, in this order: the operation's permission in some scope (`@rule`, else 403); the
trainee within the caller's `progress.view` scope (else 404); the action's permission on this
trainee (`progress.record` / `progress.approve`, else 403). The services in
`lisplan.progress.services` validate, write and audit. 409 for a stale `version` (service
periods) and for approving a goal version that is no longer the one valid today.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from lisplan.accounts.access import get_in_scope
from lisplan.accounts.models import User
from lisplan.api.access import caller, rule
from lisplan.api.errors import ApiError, ErrorOut, FieldError, field_error
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import MAX_ID, Code
from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.organisations.models import Institution, LearningArena
from lisplan.progress import present, queries, services
from lisplan.progress.evaluation import evaluate_one
from lisplan.progress.models import (
    NEW_SCHEME_FROM,
    ActivityKind,
    ActivityRecord,
    Assessment,
    Course,
    GoalApproval,
    GoalStatus,
    MinutesBy,
    ServiceCategory,
    ServicePeriod,
)
from lisplan.progress.schemas import (
    ActivityIn,
    ActivityOut,
    GoalApprovalIn,
    GoalApprovalOut,
    ProgressConflictOut,
    ProgressOut,
    ServicePeriodIn,
    ServicePeriodOut,
    ServicePeriodPatchIn,
    _number,
)
from lisplan.trainees.models import Employment, Trainee

router = Router(tags=["Progresjon"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _ok(schema, status: int = 200, conflict: bool = False) -> dict:
    out = {status: schema, **ERRORS}
    if conflict:
        out[409] = ProgressConflictOut
    return out


# --- helpers ----------------------------------------------------------------------------------


def _trainee(request, id: int) -> Trainee:
    """The trainee, or 404 outside the caller's `progress.view` scope."""
    return get_in_scope(caller(request), "progress.view", Trainee.objects.all(), pk=id)


def _invalid(exc: DjangoValidationError, fields: dict[str, str] | None = None) -> ApiError:
    """A Django validation error as the API's 400, naming the API's field names."""
    fields = fields or {}
    errors = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            field = fields.get(name, name if name != "__all__" else "")
            errors += [FieldError(field, "invalid", m) for m in messages]
    else:
        errors = [FieldError("", "invalid", m) for m in exc.messages]
    return ApiError(errors, _("Ugyldige opplysninger."))


def _choice(value: str, choices, field: str, blank_ok: bool = False) -> str:
    value = (value or "").strip()
    if blank_ok and not value:
        return ""
    if value not in choices:
        raise field_error(
            field,
            "invalid",
            _("Ugyldig verdi «%(v)s». Gyldige: %(all)s.") % {"v": value, "all": ", ".join(choices)},
        )
    return value


def _one(model, pk: int | None, field: str, label: str):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise field_error(
            field, "unknown", _("Ukjent %(what)s (id %(id)s).") % {"what": label, "id": pk}
        )
    return obj


# --- reads ------------------------------------------------------------------------------------


@router.get(
    "/trainees/{id}/progress",
    response=_ok(ProgressOut),
    summary="Kravstatus, gjort/gjenstår og forventet ferdig for én lege",
)
@rule("progress.view")
def get_progress(request, id: int = Path(..., ge=1, le=MAX_ID)):
    trainee = queries.progress_trainee(caller(request), id)  # 404 outside scope
    today = timezone.localdate()
    inp, ctx, result = evaluate_one(trainee.pk, today)
    requirements = []
    if result is not None:
        for r in result.requirements:
            requirements.append(
                {
                    "code": r.code,
                    "label": r.label,
                    "kind": r.kind,
                    "unit": r.unit,
                    "done": _number(r.done),
                    "required": _number(r.required),
                    "maximum": _number(r.maximum),
                    "remaining": _number(r.remaining),
                    "status": "done" if r.satisfied else "remaining",
                    "satisfied": r.satisfied,
                    "mandatory": r.mandatory,
                    "evidence": present.texts(r.evidence),
                    "verified": r.verified,
                    "basis": r.basis,
                    "note": r.note,
                    "items": [
                        {"code": i.code, "label": i.label, "done": i.done, "on": i.on}
                        for i in r.items
                    ],
                }
            )
    goals = []
    for row in queries.goal_rows(trainee, ctx["goals"]):
        a = row.approval if row.status == GoalStatus.APPROVED else None
        goals.append(
            {
                "code": row.goal.code,
                "text": row.goal.text,
                "scope": row.goal.part,
                "valid_from": row.goal.valid_from,
                "status": row.status,
                "approved_by": str(a.approved_by) if a and a.approved_by_id else None,
                "approved_on": a.approved_on if a else None,
                "assessment": a.assessment if a else None,
                "arena": a.arena_id if a else None,
                "institution": a.institution_id if a else None,
                "earlier_version_approved_on": row.earlier.approved_on if row.earlier else None,
                "activities": row.activities,
            }
        )
    return {
        "trainee": trainee.pk,
        "specialty": ctx["specialty"].code if ctx["specialty"] else None,
        "requirement_set": result.requirement_set if result else None,
        "today": today,
        "status": _status(result, ctx),
        "projected_completion": result.projected_completion if result else None,
        "target_end": inp.target_end,
        "drivers": present.texts(result.drivers) if result else [],
        "requirements": requirements,
        "goals": goals,
    }


def _status(result, ctx) -> str:
    """The engine's status; «old_scheme» where the set is assessed by hand (the old scheme),
    as on the page and in the overview."""
    if result is None:
        started = ctx.get("specialty_start")
        return "old_scheme" if started and started < NEW_SCHEME_FROM else "unknown"
    return "old_scheme" if result.assessed_manually else result.overall_status


class ActivityQuery(PageQuery):
    kind: Code | None = Field(None, description="Bare aktiviteter av denne typen")


@router.get(
    "/trainees/{id}/activities",
    response=_ok(page_of(ActivityOut)),
    summary="Registrerte læringsaktiviteter for én lege, nyeste først",
)
@rule("progress.view")
def list_activities(request, filters: Query[ActivityQuery], id: int = Path(..., ge=1, le=MAX_ID)):
    trainee = _trainee(request, id)
    qs = queries.activities_qs().filter(trainee=trainee)
    if filters.kind:
        qs = qs.filter(kind=_choice(filters.kind, ActivityKind.values, "kind"))
    return paginate(qs, filters)


# --- writes -----------------------------------------------------------------------------------


@router.post(
    "/trainees/{id}/goal-approvals",
    response=_ok(GoalApprovalOut, 201, conflict=True),
    summary="Sett status på et læringsmål, eller godkjenn det",
)
@rule("progress.record")
def set_goal_status(request, payload: GoalApprovalIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """`approved` requires `progress.approve` on the trainee (the leader of the arena or the
    local coordinator), else 403; other statuses `progress.record`. An approval is of the
    goal version valid today (`version`: the `valid_from` of the version the client read; a
    version that is no longer valid gives 409 with `current_goal_version`); `approved_on`
    (today by default) must lie within that version."""
    trainee = _trainee(request, id)
    status = _choice(payload.status, GoalStatus.values, "status")
    on = timezone.localdate()
    code = payload.goal.strip().upper()
    if payload.version is not None:
        goal = LearningGoal.objects.filter(code=code, valid_from=payload.version).first()
        if goal is None:
            raise field_error(
                "version",
                "unknown",
                _("Læringsmålet %(code)s har ingen versjon gyldig fra %(date)s.")
                % {"code": code, "date": f"{payload.version:%d.%m.%Y}"},
            )
    else:
        goal = services.goal_version(code, on)
    if goal is None:
        known = LearningGoal.objects.filter(code=code).exists()
        raise field_error(
            "goal",
            "invalid" if known else "unknown",
            _("Læringsmålet %(code)s gjaldt ikke %(on)s.") % {"code": code, "on": f"{on:%d.%m.%Y}"}
            if known
            else _("Ukjent læringsmål «%(code)s».") % {"code": payload.goal},
        )
    assessment = _choice(payload.assessment, Assessment.values, "assessment", blank_ok=True)
    try:
        row = services.goal_set(
            actor=caller(request),
            trainee=trainee,
            goal=goal,
            status=status,
            assessment=assessment,
            approved_on=payload.approved_on if status == GoalStatus.APPROVED else None,
            institution=_one(
                Institution, payload.institution, "institution", _("utdanningsvirksomhet")
            ),
            arena=_one(LearningArena, payload.arena, "arena", _("læringsarena")),
            comment=payload.comment,
        )
    except services.StaleGoalVersion as exc:
        current = exc.current.valid_from if exc.current else None
        return Status(
            409,
            {
                "detail": exc.messages[0],
                "errors": [{"field": "version", "code": "stale", "message": exc.messages[0]}],
                "current_goal_version": current,
            },
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    row = GoalApproval.objects.select_related("goal").get(pk=row.pk)
    return Status(201, row)


@router.post(
    "/trainees/{id}/activities",
    response=_ok(ActivityOut, 201),
    summary="Registrer en læringsaktivitet",
)
@rule("progress.record")
def create_activity(request, payload: ActivityIn, id: int = Path(..., ge=1, le=MAX_ID)):
    trainee = _trainee(request, id)
    kind = _choice(payload.kind, ActivityKind.values, "kind")
    minutes_by = _choice(payload.minutes_by, MinutesBy.values, "minutes_by", blank_ok=True)
    course = None
    if payload.course:
        course = Course.objects.filter(code=payload.course.strip().upper()).first()
        if course is None:
            raise field_error(
                "course", "unknown", _("Ukjent kurs «%(code)s».") % {"code": payload.course}
            )
    goals, errors = [], []
    for i, code in enumerate(payload.goals):
        goal = services.goal_version(code.strip().upper(), payload.date) or (
            LearningGoal.objects.filter(code=code.strip().upper()).order_by("-valid_from").first()
        )
        if goal is None:
            errors.append(
                FieldError(
                    f"goals[{i}]", "unknown", _("Ukjent læringsmål «%(code)s».") % {"code": code}
                )
            )
        goals.append(goal)
    if errors:
        raise ApiError(errors)
    try:
        activity = services.activity_create(
            actor=caller(request),
            trainee=trainee,
            kind=kind,
            date=payload.date,
            end_date=payload.end_date,
            course=course,
            title=payload.title,
            hours=payload.hours,
            count=payload.count,
            supervisor=_one(User, payload.supervisor, "supervisor", _("bruker")),
            minutes_by=minutes_by,
            participants=payload.participants,
            summary=payload.summary,
            institution=_one(
                Institution, payload.institution, "institution", _("utdanningsvirksomhet")
            ),
            goals=goals,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, queries.activities_qs().get(pk=activity.pk))


@router.delete(
    "/trainees/{id}/activities/{activity_id}",
    response={204: None, **ERRORS},
    summary="Slett en læringsaktivitet",
)
@rule("progress.record")
def delete_activity(
    request, id: int = Path(..., ge=1, le=MAX_ID), activity_id: int = Path(..., ge=1, le=MAX_ID)
):
    trainee = _trainee(request, id)
    activity = ActivityRecord.objects.filter(pk=activity_id, trainee=trainee).first()
    if activity is None:
        raise Http404
    services.activity_delete(actor=caller(request), activity=activity)
    return Status(204, None)


# --- service periods --------------------------------------------------------------------------


class ServicePeriodQuery(PageQuery):
    category: Code | None = Field(None, description="Bare perioder i denne kategorien")


def _service_periods(trainee: Trainee):
    return (
        ServicePeriod.objects.filter(trainee=trainee)
        .select_related("specialty")
        .order_by("start", "id")
    )


def _period(trainee: Trainee, period_id: int) -> ServicePeriod:
    period = _service_periods(trainee).filter(pk=period_id).first()
    if period is None:
        raise Http404
    return period


def _period_fields(payload, trainee: Trainee, fields: set[str]) -> dict:
    """API fields -> model fields; unknown ids/codes name the field (400)."""
    out: dict = {}
    if "category" in fields:
        out["category"] = _choice(payload.category, ServiceCategory.values, "category")
    for name in ("start", "end", "percent", "place", "note"):
        if name in fields:
            value = getattr(payload, name)
            if value is None and name in ("start", "percent", "place", "note"):
                raise field_error(
                    name, "required", _("Feltet «%(f)s» kan ikke være tomt.") % {"f": name}
                )
            out[name] = value
    if "employment" in fields:
        out["employment"] = None
        if payload.employment is not None:
            out["employment"] = Employment.objects.filter(
                pk=payload.employment, trainee=trainee
            ).first()
            if out["employment"] is None:
                raise field_error(
                    "employment",
                    "unknown",
                    _("Legen har ingen ansettelse med id %(id)s.") % {"id": payload.employment},
                )
    if "institution" in fields:
        out["institution"] = _one(
            Institution, payload.institution, "institution", _("utdanningsvirksomhet")
        )
    if "specialty" in fields:
        out["specialty"] = None
        if payload.specialty:
            out["specialty"] = Specialty.objects.filter(
                code=payload.specialty.strip().upper()
            ).first()
            if out["specialty"] is None:
                raise field_error(
                    "specialty",
                    "unknown",
                    _("Ukjent spesialitet «%(code)s».") % {"code": payload.specialty},
                )
    return out


def _period_conflict(exc: services.StalePeriod) -> tuple[int, dict]:
    return Status(409, {"detail": exc.messages[0], "errors": [], "current_version": exc.current})


@router.get(
    "/trainees/{id}/service-periods",
    response=_ok(page_of(ServicePeriodOut)),
    summary="Tjenesteperioder for én lege (ALIS-kategorier, LIS1, tjeneste utenfor "
    "lisplan), eldste først",
)
@rule("progress.view")
def list_service_periods(
    request, filters: Query[ServicePeriodQuery], id: int = Path(..., ge=1, le=MAX_ID)
):
    trainee = _trainee(request, id)
    qs = _service_periods(trainee)
    if filters.category:
        qs = qs.filter(category=_choice(filters.category, ServiceCategory.values, "category"))
    return paginate(qs, filters)


@router.post(
    "/trainees/{id}/service-periods",
    response=_ok(ServicePeriodOut, 201),
    summary="Registrer en tjenesteperiode",
)
@rule("progress.approve")
def create_service_period(request, payload: ServicePeriodIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Registered by those who approve goals (the leader of the arena, the local
    coordinator), never for themselves. Two periods of a trainee may not overlap."""
    trainee = _trainee(request, id)
    fields = _period_fields(payload, trainee, set(ServicePeriodIn.model_fields))
    try:
        period = services.service_create(actor=caller(request), trainee=trainee, **fields)
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, _service_periods(trainee).get(pk=period.pk))


@router.patch(
    "/trainees/{id}/service-periods/{period_id}",
    response=_ok(ServicePeriodOut, conflict=True),
    summary="Endre en tjenesteperiode (send med version)",
)
@rule("progress.approve")
def update_service_period(
    request,
    payload: ServicePeriodPatchIn,
    id: int = Path(..., ge=1, le=MAX_ID),
    period_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Only the fields sent change. A `version` other than the period's gives 409 and changes
    nothing."""
    trainee = _trainee(request, id)
    period = _period(trainee, period_id)
    sent = set(payload.model_fields_set) - {"version"}
    fields = _period_fields(payload, trainee, sent)
    try:
        services.service_update(
            actor=caller(request), period=period, version=payload.version, **fields
        )
    except services.StalePeriod as exc:
        return _period_conflict(exc)
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return Status(200, _service_periods(trainee).get(pk=period.pk))


class DeleteQuery(Schema):
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Versjonen du leste; eldre gir 409"
    )


@router.delete(
    "/trainees/{id}/service-periods/{period_id}",
    response={204: None, 409: ProgressConflictOut, **ERRORS},
    summary="Slett en tjenesteperiode",
)
@rule("progress.approve")
def delete_service_period(
    request,
    query: Query[DeleteQuery],
    id: int = Path(..., ge=1, le=MAX_ID),
    period_id: int = Path(..., ge=1, le=MAX_ID),
):
    trainee = _trainee(request, id)
    period = _period(trainee, period_id)
    try:
        services.service_delete(actor=caller(request), period=period, version=query.version)
    except services.StalePeriod as exc:
        return _period_conflict(exc)
    return Status(204, None)
