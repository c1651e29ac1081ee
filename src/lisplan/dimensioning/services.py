"""Every write for dimensioning: load a data file, create and change scenarios (each change a
new version), start a run and execute it (the background task's body).

Permissions (`accounts/access.py`): `dimensioning.view` to read, `dimensioning.run` to start
runs, `dimensioning.scenario` to create and change scenarios, `dimensioning.load` to load data
files. Dimensioning data are aggregate numbers, not about any person, so a holder of a
permission acts on all of it (decision 0009). Every write is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import has_permission
from lisplan.audit.services import record
from lisplan.dimensioning import engine, loaders, scenarios
from lisplan.dimensioning.build import build_input
from lisplan.dimensioning.models import (
    Dataset,
    DimensioningRun,
    EmployedSpecialists,
    ExitRate,
    PopulationProjection,
    Scenario,
    ScenarioVersion,
    SpecialistCount,
)
from lisplan.errors import Invalid

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5
MAX_DRAWS = 10000
STALE_AFTER_SECONDS = 15 * 60


class DimensioningError(Invalid):
    """Input or a state that does not allow the action; the message says why, in Norwegian."""

    def __init__(
        self,
        message: str,
        code: str = "invalid",
        field: str | None = None,
        errors: list[dict] | None = None,
    ):
        super().__init__(message, code, field)
        self.errors = errors or [{"field": field or "", "code": code, "message": message}]


class StaleVersion(DimensioningError):
    def __init__(self, scenario: Scenario):
        super().__init__(
            _(
                "Scenarioet «%(name)s» er endret av en annen siden du åpnet det (nå versjon "
                "%(version)d). Dine verdier står fortsatt i skjemaet; lagre på nytt for å lage "
                "en ny versjon."
            )
            % {"name": scenario.name, "version": scenario.version},
            "stale",
            "version",
        )
        self.scenario = scenario


def _require(actor, permission: str) -> None:
    if actor is not None and not has_permission(actor, permission):
        raise PermissionDenied


# --- data ----------------------------------------------------------------------------------

ROW_MODELS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    Dataset.Kind.SPECIALISTS: (
        SpecialistCount,
        ("specialty", "sex", "age_from", "age_to", "year", "heads"),
    ),
    Dataset.Kind.EMPLOYED: (EmployedSpecialists, ("specialty", "trust", "year", "heads")),
    Dataset.Kind.POPULATION: (PopulationProjection, ("region", "sex", "age", "year", "persons")),
    Dataset.Kind.EXIT_RATES: (ExitRate, ("specialty", "sex", "age_from", "age_to", "rate")),
}


@transaction.atomic
def load_dataset(
    *,
    actor,
    kind: str,
    content: bytes,
    file_name: str = "",
    source: str = "",
    source_url: str = "",
    source_date: dt.date | None = None,
    demo: bool = False,
) -> Dataset:
    """Read a downloaded file (`loaders.read`) and store its rows under one Dataset with the
    source and date. The source defaults to what the file says (json-stat2 `source`/`label`),
    the date to its `updated`, else today."""
    _require(actor, "dimensioning.load")
    if kind not in ROW_MODELS:
        raise DimensioningError(_("Ukjent type data."), "unknown", "kind")
    try:
        loaded = loaders.read(kind, content, file_name)
    except loaders.LoadError as error:
        raise DimensioningError(
            _("Filen kan ikke leses: %(why)s") % {"why": error}, "invalid", "file"
        ) from error
    dataset = Dataset.objects.create(
        kind=kind,
        source=(source or loaded.source or file_name or kind)[:300],
        source_url=source_url[:500],
        source_date=source_date or loaded.updated or timezone.localdate(),
        file_name=file_name[:300],
        rows=len(loaded.rows),
        loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        demo=demo,
    )
    model, fields = ROW_MODELS[kind]
    model._default_manager.bulk_create(
        [model(dataset=dataset, **{f: row[f] for f in fields}) for row in loaded.rows],
        batch_size=2000,
    )
    record(
        actor=actor,
        action="dimensioning.data_loaded",
        obj=dataset,
        changes={
            "kind": [None, kind],
            "source": [None, dataset.source],
            "rows": [None, dataset.rows],
            "source_date": [None, dataset.source_date.isoformat()],
        },
    )
    return dataset


# --- scenarios -----------------------------------------------------------------------------


def _params(params) -> dict:
    try:
        scenarios.validate(params)
    except scenarios.InvalidParams as error:
        raise DimensioningError(
            _("Parameterne er ugyldige: %(why)s") % {"why": error},
            "invalid",
            "params",
            [{**e, "field": f"params.{e['field']}"} for e in error.errors],
        ) from error
    return dict(params)


def create_scenario(
    *, actor, name: str, description: str = "", params: dict, demo: bool = False
) -> Scenario:
    _require(actor, "dimensioning.scenario")
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise DimensioningError(_("Gi scenarioet et navn (høyst 120 tegn)."), "required", "name")
    params = _params(params)
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(
                name=name, description=description, created_by=user, demo=demo
            )
            ScenarioVersion.objects.create(
                scenario=scenario, number=1, params=params, created_by=user
            )
            record(
                actor=actor,
                action="dimensioning.scenario_created",
                obj=scenario,
                changes={"name": [None, name], "params": [None, params]},
            )
    except IntegrityError as error:
        raise DimensioningError(
            _("Det finnes allerede et scenario med det navnet."), "duplicate", "name"
        ) from error
    return scenario


@transaction.atomic
def change_scenario(
    *, actor, scenario: Scenario, version: int, params: dict, description: str | None = None
) -> ScenarioVersion:
    """A new version of the scenario; `version` is the one the user started from, else
    StaleVersion. Earlier versions and the runs that used them stay."""
    _require(actor, "dimensioning.scenario")
    params = _params(params)
    locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if locked.version != version:
        raise StaleVersion(locked)
    before = locked.current.params if locked.current else None
    locked.version += 1
    if description is not None:
        locked.description = description
    locked.save(update_fields=["version", "description", "updated_at"])
    new = ScenarioVersion.objects.create(
        scenario=locked,
        number=locked.version,
        params=params,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor=actor,
        action="dimensioning.scenario_changed",
        obj=locked,
        changes={"version": [version, locked.version], "params": [before, params]},
    )
    scenario.version = locked.version
    return new


def ensure_standard_scenarios(actor=None, demo: bool = False) -> list[Scenario]:
    """The standard scenarios (scenarios.STANDARD) where they do not exist yet."""
    out = []
    for name, description, params in scenarios.STANDARD:
        existing = Scenario.objects.filter(name=name).first()
        out.append(
            existing
            or create_scenario(
                actor=None, name=name, description=description, params=params, demo=demo
            )
        )
    return out


# --- runs ----------------------------------------------------------------------------------


def _check_run_settings(draws, seed) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise DimensioningError(
            _("Antall trekninger må være et helt tall fra 0 til %(max)d.") % {"max": MAX_DRAWS},
            "out_of_range",
            "draws",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise DimensioningError(
            _("Frøet må være et helt tall fra 0 til 2 147 483 647."), "out_of_range", "seed"
        )


@transaction.atomic
def start_run(
    *,
    actor,
    scenario: Scenario | None = None,
    document: dict | None = None,
    draws: int = engine.DEFAULT_DRAWS,
    seed: int = 1,
    demo: bool = False,
) -> DimensioningRun:
    """A queued run of a scenario's current version (input built from the database when the
    run executes) or of an input document (checked now), and its background task."""
    from lisplan.dimensioning.tasks import run_dimensioning

    _require(actor, "dimensioning.run")
    _check_run_settings(draws, seed)
    if (scenario is None) == (document is None):
        raise DimensioningError(
            _("Velg et scenario eller send et inndatadokument."), "required", "scenario"
        )
    if document is not None:
        try:
            engine.check_draws(engine.parse(document), draws)
        except engine.InvalidInput as error:
            raise DimensioningError(
                _("Inndatadokumentet er ugyldig: %(why)s") % {"why": error},
                "invalid",
                "input",
                [
                    {
                        **e,
                        "field": e["field"]
                        if e["field"] == "draws"
                        else f"input.{e['field']}".rstrip("."),
                    }
                    for e in error.errors
                ],
            ) from error
    version = scenario.current if scenario is not None else None
    run = DimensioningRun.objects.create(
        scenario_version=version,
        input=document,
        draws=draws,
        seed=seed,
        demo=demo,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor=actor,
        action="dimensioning.run_started",
        obj=run,
        changes={
            "scenario": [None, str(version) if version else None],
            "draws": [None, draws],
            "seed": [None, seed],
        },
    )
    result = run_dimensioning.enqueue(run.pk)
    DimensioningRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.refresh_from_db()
    return run


class _Reporter:
    def __init__(self, run_id: int):
        self.run_id = run_id
        self.last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS and fraction < 1:
            return
        self.last = now
        _progress(self.run_id, 0.2 + 0.75 * fraction, MESSAGES.get(message, message))


# The engine reports in English; the page shows these.
MESSAGES = {
    "input read": gettext_lazy("Inndata lest"),
    "projection done": gettext_lazy("Framskrivingen er beregnet"),
    "smooth path done": gettext_lazy("Jevn opptaksplan beregnet"),
    "survival": gettext_lazy("Monte Carlo-trekninger"),
    "Monte Carlo done": gettext_lazy("Monte Carlo ferdig"),
    "tornado done": gettext_lazy("Følsomhet beregnet"),
}


def _progress(run_id: int, fraction: float, message: object) -> None:
    DimensioningRun.objects.filter(pk=run_id).update(
        progress=min(max(fraction, 0.0), 1.0), progress_message=str(message)[:300]
    )


def execute(run_id: int) -> str:
    """Run a queued run to the end: done with a result, or failed with a reason."""
    claimed = DimensioningRun.objects.filter(
        pk=run_id, status=DimensioningRun.Status.QUEUED
    ).update(status=DimensioningRun.Status.RUNNING, started_at=timezone.now(), progress=0.0)
    if not claimed:
        return "skipped"
    run = DimensioningRun.objects.select_related("scenario_version").get(pk=run_id)
    try:
        notes = []
        document = run.input
        if document is None:
            _progress(
                run_id,
                0.02,
                _("Henter spesialister, leger i spesialisering og befolkning fra databasen"),
            )
            built = build_input(run.scenario_version.params)
            document, notes = built.document, built.notes
            DimensioningRun.objects.filter(pk=run_id).update(input=document, notes=notes)
        _progress(run_id, 0.2, _("Beregner"))
        result = engine.run(document, draws=run.draws, seed=run.seed, progress=_Reporter(run_id))
        DimensioningRun.objects.filter(pk=run_id).update(
            result=result,
            status=DimensioningRun.Status.DONE,
            progress=1.0,
            progress_message=_("Ferdig"),
            finished_at=timezone.now(),
        )
    except engine.InvalidInput as error:
        _fail(run_id, _("Inndataene kan ikke brukes: %(why)s") % {"why": error})
        return "failed"
    except Exception as error:  # the run must end with a message, whatever happened
        log.exception("dimensioning run %s failed", run_id)
        _fail(
            run_id,
            _(
                "Uventet feil under kjøringen (%(kind)s: %(error)s). Prøv igjen, eller "
                "meld fra til brukerstøtte."
            )
            % {"kind": type(error).__name__, "error": str(error)[:300]},
        )
        return "failed"
    return "done"


def _fail(run_id: int, message: str) -> None:
    DimensioningRun.objects.filter(pk=run_id).update(
        status=DimensioningRun.Status.FAILED, error=message, finished_at=timezone.now()
    )


def expire_if_stale(run: DimensioningRun) -> DimensioningRun:
    """A run whose worker died would stay «running» for ever: after a quarter of an hour it
    is failed with a message that says so."""
    if run.status != DimensioningRun.Status.RUNNING or run.started_at is None:
        return run
    if (timezone.now() - run.started_at).total_seconds() > STALE_AFTER_SECONDS:
        _fail(
            run.pk,
            _(
                "Kjøringen stoppet uten å bli ferdig (bakgrunnsprosessen ble avbrutt). "
                "Start en ny kjøring."
            ),
        )
        run.refresh_from_db()
    return run
