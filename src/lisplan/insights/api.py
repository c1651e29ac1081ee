"""Quality indicators over the API: live values for a scope and date, the rows behind each
number, and harvests (frozen snapshots) with their values and rows.

Access: `insights.view` (else 403); a scope outside the caller's reach is 404; units of the
same region outside the caller's own are given with small cells (1–4) hidden (`suppressed`),
and their rows are 403. Starting a harvest needs `insights.harvest`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from lisplan.api.access import caller, rule
from lisplan.api.errors import ApiError, ErrorOut, FieldError, field_error
from lisplan.api.pagination import PageQuery, page_of
from lisplan.api.params import MAX_ID
from lisplan.insights import queries, services
from lisplan.insights.indicators import Value_
from lisplan.insights.models import Harvest
from lisplan.insights.schemas import (
    FrozenRowsQuery,
    FrozenScopeQuery,
    HarvestAcceptedOut,
    HarvestIn,
    HarvestOut,
    IndicatorOut,
    RowOut,
    RowsQuery,
    ScopeQuery,
)

router = Router(tags=["Innsikt"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _scope(request, q):
    try:
        scope = queries.parse_scope(q.scope, q.id, q.specialty)
    except queries.ScopeError as error:
        raise field_error(error.field, error.code, error.message) from error
    return queries.resolve(caller(request), scope)


def _at(q) -> object:
    at = q.at or timezone.localdate()
    if at > timezone.localdate():
        raise field_error("at", "future", _("Datoen kan ikke være fram i tid."))
    return at


def _out(v: Value_) -> dict:
    i = v.indicator
    return {
        "code": i.code,
        "name": str(i.name),
        "value": v.value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "unit": i.unit,
        "direction": i.direction,
        "suppressed": v.suppressed,
        "definition": str(i.definition),
        "change": v.change,
    }


def _row(r) -> dict:
    return {
        "id": r.id,
        "trainee_id": r.trainee_id,
        "trainee": r.trainee,
        "institution": r.institution,
        "specialty": r.specialty,
        "arena": r.arena,
        "date": r.date,
        "detail": r.detail,
        "measure": r.measure,
    }


def _page(q: PageQuery, count: int) -> tuple[int, int]:
    start = (q.page - 1) * q.page_size
    return start, start + q.page_size


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    summary="Kvalitetsindikatorer for en enhet og dato",
)
@rule("insights.view")
def list_indicators(request, q: Query[ScopeQuery]):
    scope, level = _scope(request, q)
    values = queries.live_values(caller(request), scope, _at(q), level, change=q.at is None)
    return [_out(v) for v in values]


@router.get(
    "/indicators/{code}/rows",
    response={200: page_of(RowOut), **ERRORS},
    summary="Listen bak telleren (antallet er lik telleren, eller verdien for antall)",
)
@rule("insights.view")
def indicator_rows(request, q: Query[RowsQuery], code: str = Path(..., max_length=60)):
    ind = queries.indicator(code)
    scope, level = _scope(request, q)
    queries.require_inside(level)
    at = _at(q)
    rows = queries.live_rows(ind, scope, at)
    count = rows.count()
    start, end = _page(q, count)
    page = list(rows[start:end]) if start < count else []
    return {"count": count, "results": [_row(r) for r in queries.attach(ind, page, at)]}


def _harvest_out(h: Harvest) -> dict:
    return {
        "id": h.pk,
        "date": h.date,
        "status": h.status,
        "scheduled": h.scheduled,
        "created_at": h.created_at,
        "started_at": h.started_at,
        "finished_at": h.finished_at,
        "rows": h.rows,
        "error": h.error,
    }


@router.get(
    "/harvests", response={200: page_of(HarvestOut), **ERRORS}, summary="Innhøstinger, nyeste først"
)
@rule("insights.view")
def list_harvests(request, q: Query[PageQuery]):
    qs = Harvest.objects.order_by("-date", "-id")
    count = qs.count()
    start, end = _page(q, count)
    return {"count": count, "results": [_harvest_out(h) for h in qs[start:end]]}


@router.post(
    "/harvests",
    response={202: HarvestAcceptedOut, **ERRORS},
    summary="Start en innhøsting (fryser alle enheter for datoen; går i bakgrunnen)",
)
@rule("insights.harvest")
def start_harvest(request, payload: HarvestIn):
    try:
        h = services.start_harvest(actor=caller(request), date=payload.date)
    except services.HarvestError as error:
        raise ApiError([FieldError(error.field or "", error.code, error.message)]) from error
    return Status(
        202, {"id": h.pk, "status": h.status, "url": reverse("api:get_harvest", args=[h.pk])}
    )


def _harvest(id: int) -> Harvest:
    from django.http import Http404

    h = Harvest.objects.filter(pk=id).first()
    if h is None:
        raise Http404
    return h


def _done(h: Harvest) -> None:
    if h.status != Harvest.Status.DONE:
        raise field_error(
            "status",
            "not_done",
            _("Innhøstingen har status «%(status)s»; verdiene finnes når den er ferdig.")
            % {"status": h.get_status_display()},
        )


@router.get(
    "/harvests/{id}",
    response={200: HarvestOut, **ERRORS},
    summary="Status for en innhøsting",
    url_name="get_harvest",
)
@rule("insights.view")
def get_harvest(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _harvest_out(_harvest(id))


@router.get(
    "/harvests/{id}/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    summary="De frosne verdiene for en enhet",
)
@rule("insights.view")
def harvest_indicators(request, q: Query[FrozenScopeQuery], id: int = Path(..., ge=1, le=MAX_ID)):
    h = _harvest(id)
    scope, level = _scope(request, q)
    _done(h)
    return [_out(v) for v in queries.frozen(caller(request), h, scope, level)]


@router.get(
    "/harvests/{id}/indicators/{code}/rows",
    response={200: page_of(RowOut), **ERRORS},
    summary="De frosne radene bak telleren",
)
@rule("insights.view")
def harvest_rows(
    request,
    q: Query[FrozenRowsQuery],
    id: int = Path(..., ge=1, le=MAX_ID),
    code: str = Path(..., max_length=60),
):
    h = _harvest(id)
    ind = queries.indicator(code)
    scope, level = _scope(request, q)
    queries.require_inside(level)
    _done(h)
    rows = services.frozen_rows(h, ind, scope)
    count = rows.count()
    start, end = _page(q, count)
    page = list(rows[start:end]) if start < count else []
    return {"count": count, "results": [_row(r) for r in queries.frozen_drill(page)]}
