"""Allocation runs over the API: start a run for a region or the country (202, it runs in the
background), follow it, and fetch its result in the engine's result format
(`lisplan-allocation-result/1`, allocation-format.md).

Access: `allocation.view` to read (runs of the caller's regions, and national runs; else 404),
`allocation.run` to start a region's run and `allocation.run_national` for the whole country
(else 403). `queue_weight` defaults to the region's policy (`AllocationPolicy`; the default
0.01 for national runs). Bad input is 400 naming the field; the result of a run that is not done is 400 on
`status`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from lisplan.accounts.access import get_in_scope, scope_filter
from lisplan.allocation import services
from lisplan.allocation.models import AllocationRun
from lisplan.allocation.schemas import RunAcceptedOut, RunIn, RunOut, RunSummaryOut
from lisplan.api.access import caller, rule
from lisplan.api.errors import ApiError, ErrorOut, FieldError, field_error
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import MAX_ID
from lisplan.organisations.models import Region

router = Router(tags=["Fordeling"])

RUNS = "/allocation-runs"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _runs(user):
    return scope_filter(
        user, "allocation.view", AllocationRun.objects.select_related("region", "created_by")
    )


def _run(request, id: int) -> AllocationRun:
    return services.expire_if_stale(
        get_in_scope(caller(request), "allocation.view", _runs(caller(request)), pk=id)
    )


def _out(run: AllocationRun) -> dict:
    user = run.created_by
    return {
        "id": run.pk,
        "scope": run.scope,
        "region": run.region_id,
        "status": run.status,
        "progress": run.progress,
        "progress_message": run.progress_message,
        "max_delay_months": run.max_delay_months,
        "time_limit": run.time_limit,
        "queue_weight": run.queue_weight,
        "start_month": run.start_month,
        "created_by": user.username if user else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "metrics": run.metrics,
        "baseline_metrics": run.baseline_metrics,
        "bound": run.bound,
        "gap": run.gap,
        "lower_bound": (run.result or {}).get("lower_bound"),
        "one_more_place": run.marginal,
        "notes": run.notes or [],
        "error": run.error,
    }


def _region(scope: str) -> Region | None:
    if scope == "national":
        return None
    kind, _sep, pk = scope.partition(":")
    if kind != "region" or not pk.isdigit() or not 1 <= int(pk) <= MAX_ID:
        raise field_error("scope", "invalid", _("Oppgi «region:<id>» eller «national»."))
    region = Region.objects.filter(pk=int(pk)).first()
    if region is None:
        raise field_error("scope", "unknown", _("Ukjent region (id %(id)s).") % {"id": pk})
    return region


@router.post(
    RUNS,
    response={202: RunAcceptedOut, **ERRORS},
    summary="Start en fordelingskjøring (går i bakgrunnen)",
)
@rule("allocation.run")
def start_run(request, payload: RunIn):
    """202 with the run's id; follow it with `GET /allocation-runs/{id}`. 403 for a region
    outside the caller's scope, or the whole country without `allocation.run_national`."""
    user = caller(request)
    region = _region(payload.scope.strip())  # the service refuses a region not the caller's
    try:
        run = services.start_run(
            actor=user,
            region=region,
            max_delay_months=payload.max_delay_months,
            time_limit=payload.time_limit,
            queue_weight=payload.queue_weight,
        )
    except services.AllocationError as error:
        raise ApiError([FieldError(error.field or "", error.code, str(error))]) from error
    return Status(
        202,
        {
            "id": run.pk,
            "status": run.status,
            "url": reverse("api:get_allocation_run", args=[run.pk]),
        },
    )


@router.get(
    RUNS,
    response={200: page_of(RunSummaryOut), **ERRORS},
    summary="Fordelingskjøringer du har tilgang til, nyeste først",
)
@rule("allocation.view")
def list_runs(request, query: Query[PageQuery]):
    page = paginate(_runs(caller(request)).defer("instance", "result"), query)
    page["results"] = [
        {
            "id": r.pk,
            "scope": r.scope,
            "region": r.region_id,
            "status": r.status,
            "progress": r.progress,
            "max_delay_months": r.max_delay_months,
            "queue_weight": r.queue_weight,
            "created_at": r.created_at,
            "finished_at": r.finished_at,
        }
        for r in page["results"]
    ]
    return page


@router.get(
    RUNS + "/{id}",
    response={200: RunOut, **ERRORS},
    summary="Status, framdrift, nøkkeltall og nedre grense for en kjøring",
    url_name="get_allocation_run",
)
@rule("allocation.view")
def get_run(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _out(_run(request, id))


@router.get(
    RUNS + "/{id}/result",
    response={200: dict, **ERRORS},
    summary="Resultatet i formatet lisplan-allocation-result/1",
)
@rule("allocation.view")
def get_result(request, id: int = Path(..., ge=1, le=MAX_ID)):
    run = _run(request, id)
    if run.status != AllocationRun.Status.DONE or run.result is None:
        raise field_error(
            "status",
            "not_done",
            _("Kjøringen har status «%(status)s»; resultatet finnes når den er ferdig.")
            % {"status": run.get_status_display()},
        )
    return run.result
