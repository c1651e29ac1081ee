"""Dimensioning over the API: start a run (202, it runs in the background) for a scenario
(input built from the database) or for an input document, follow it, fetch its result in the
engine's output format (`lisplan-dimensioning-result/1`, docs/dimensioning-format.md); list and
create scenarios.

Access: `dimensioning.view` to read, `dimensioning.run` to start runs, `dimensioning.scenario`
to create scenarios (else 403). Bad input is 400 naming the field (`input.<path>` for the
document's own errors); the result of a run that is not done is 400 on `status`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from lisplan.accounts.access import get_in_scope
from lisplan.api.access import caller, rule
from lisplan.api.errors import ApiError, ErrorOut, FieldError, field_error
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.dimensioning import queries, services
from lisplan.dimensioning.models import DimensioningRun
from lisplan.dimensioning.schemas import (
    MAX_ID,
    DimensioningRunAcceptedOut,
    DimensioningRunIn,
    DimensioningRunOut,
    ScenarioIn,
    ScenarioOut,
)

router = Router(tags=["Dimensjonering"])

RUNS = "/dimensioning-runs"
SCENARIOS = "/dimensioning-scenarios"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _error(error: services.DimensioningError) -> ApiError:
    return ApiError(
        [FieldError(e["field"], e["code"], e["message"]) for e in error.errors], detail=str(error)
    )


def _run(request, id: int) -> DimensioningRun:
    user = caller(request)
    return services.expire_if_stale(
        get_in_scope(user, "dimensioning.view", queries.runs(user), pk=id)
    )


def _out(run: DimensioningRun) -> dict:
    version = run.scenario_version
    return {
        "id": run.pk,
        "scenario": version.scenario_id if version else None,
        "scenario_version": version.number if version else None,
        "status": run.status,
        "progress": run.progress,
        "progress_message": run.progress_message,
        "draws": run.draws,
        "seed": run.seed,
        "created_by": run.created_by.username if run.created_by else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "notes": run.notes or [],
        "warnings": (run.result or {}).get("warnings", []),
        "error": run.error,
    }


@router.post(
    RUNS,
    response={202: DimensioningRunAcceptedOut, **ERRORS},
    summary="Start en dimensjoneringskjøring (går i bakgrunnen)",
)
@rule("dimensioning.run")
def start_run(request, payload: DimensioningRunIn):
    """202 with the run's id; follow it with `GET /dimensioning-runs/{id}`."""
    user = caller(request)
    scenario = None
    if payload.scenario is not None:
        scenario = queries.scenarios_for(user).filter(pk=payload.scenario).first()
        if scenario is None:
            raise field_error(
                "scenario", "unknown", _("Ukjent scenario (id %(id)s).") % {"id": payload.scenario}
            )
    try:
        run = services.start_run(
            actor=user,
            scenario=scenario,
            document=payload.input,
            draws=payload.draws,
            seed=payload.seed,
        )
    except services.DimensioningError as error:
        raise _error(error) from error
    return Status(
        202,
        {
            "id": run.pk,
            "status": run.status,
            "url": reverse("api:get_dimensioning_run", args=[run.pk]),
        },
    )


@router.get(
    RUNS,
    response={200: page_of(DimensioningRunOut), **ERRORS},
    summary="Dimensjoneringskjøringer, nyeste først",
)
@rule("dimensioning.view")
def list_runs(request, query: Query[PageQuery]):
    page = paginate(queries.runs(caller(request)).defer("input"), query)
    page["results"] = [_out(r) for r in page["results"]]
    return page


@router.get(
    RUNS + "/{id}",
    response={200: DimensioningRunOut, **ERRORS},
    summary="Status og framdrift for en dimensjoneringskjøring",
    url_name="get_dimensioning_run",
)
@rule("dimensioning.view")
def get_run(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return _out(_run(request, id))


@router.get(
    RUNS + "/{id}/result",
    response={200: dict, **ERRORS},
    summary="Resultatet i formatet lisplan-dimensioning-result/1",
)
@rule("dimensioning.view")
def get_result(request, id: int = Path(..., ge=1, le=MAX_ID)):
    run = _run(request, id)
    if run.status != DimensioningRun.Status.DONE or run.result is None:
        raise field_error(
            "status",
            "not_done",
            _("Kjøringen har status «%(status)s»; resultatet finnes når den er ferdig.")
            % {"status": run.get_status_display()},
        )
    return run.result


def _scenario_out(s) -> dict:
    current = s.current
    return {
        "id": s.pk,
        "name": s.name,
        "description": s.description,
        "version": s.version,
        "params": current.params if current else {},
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


@router.get(
    SCENARIOS,
    response={200: page_of(ScenarioOut), **ERRORS},
    summary="Scenarioer for dimensjonering",
)
@rule("dimensioning.view")
def list_scenarios(request, query: Query[PageQuery]):
    page = paginate(queries.scenarios_for(caller(request)).prefetch_related("versions"), query)
    page["results"] = [_scenario_out(s) for s in page["results"]]
    return page


@router.post(
    SCENARIOS, response={201: ScenarioOut, **ERRORS}, summary="Opprett et scenario (versjon 1)"
)
@rule("dimensioning.scenario")
def create_scenario(request, payload: ScenarioIn):
    try:
        scenario = services.create_scenario(
            actor=caller(request),
            name=payload.name,
            description=payload.description,
            params=payload.params,
        )
    except services.DimensioningError as error:
        raise _error(error) from error
    return Status(201, _scenario_out(scenario))
