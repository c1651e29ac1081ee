"""Dimensioning in the app: loaders with provenance, the input from the database, scenarios
with versions, runs through the background task, pages, exports, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lisplan.accounts.models import ApiToken
from lisplan.audit.models import AuditEvent
from lisplan.dimensioning import loaders, services
from lisplan.dimensioning.build import build_input
from lisplan.dimensioning.engine.generate import generate_input
from lisplan.dimensioning.models import Dataset, DimensioningRun, Scenario, SpecialistCount
from lisplan.progress.models import ProgressSummary

SAMPLES = Path(__file__).resolve().parents[2] / "src/lisplan/dimensioning/data/samples"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def load(kind: str, name: str, actor=None) -> Dataset:
    return services.load_dataset(
        actor=actor, kind=kind, content=(SAMPLES / name).read_bytes(), file_name=name
    )


@pytest.fixture
def data(world):
    load("specialists", "ssb-07935.json")
    load("employed", "ssb-09544.json")
    load("population", "ssb-population.json")
    load("exit_rates", "exit-rates.csv")
    from tests import factories as f

    f.SpecialtyFactory(code="ANE", name="Anestesiologi")
    return world


# --- loaders -------------------------------------------------------------------------------


def test_json_stat2_and_csv_give_the_same_rows():
    from_json = loaders.read("specialists", (SAMPLES / "ssb-07935.json").read_bytes(), "x.json")
    from_csv = loaders.read("specialists", (SAMPLES / "ssb-07935.csv").read_bytes(), "x.csv")
    assert from_json.rows == from_csv.rows
    assert len(from_json.rows) == 19  # 20 cells, one without a value («..»)
    assert from_json.rows[0] == {
        "year": 2024,
        "sex": "M",
        "age_from": 30,
        "age_to": 34,
        "specialty": "Anestesiologi",
        "heads": 22.0,
    }
    assert from_json.updated == dt.date(2025, 3, 14)
    assert "07935" in from_json.source


def test_age_labels():
    assert loaders.parse_age("35-44 år") == (35, 44)
    assert loaders.parse_age("67 år og eldre") == (67, 71)
    assert loaders.parse_age("70+") == (70, 74)
    assert loaders.parse_age("Under 35 år") == (30, 34)
    assert loaders.parse_age("Alle aldre") is None
    with pytest.raises(loaders.LoadError):
        loaders.parse_age("gammel")


def test_bad_files_are_refused_with_a_reason(world):
    with pytest.raises(services.DimensioningError, match="json-stat2"):
        services.load_dataset(
            actor=None, kind="specialists", content=b'{"a": 1}', file_name="x.json"
        )
    with pytest.raises(services.DimensioningError):
        services.load_dataset(
            actor=None, kind="exit_rates", content=b"a;b\n1;2\n", file_name="x.csv"
        )
    assert not Dataset.objects.exists()


def test_each_row_keeps_its_source_and_date(world):
    dataset = load("specialists", "ssb-07935.json", world.users["planner"])
    row = SpecialistCount.objects.filter(dataset=dataset).first()
    assert row.dataset.source.startswith("Statistisk sentralbyrå")
    assert row.dataset.source_date == dt.date(2025, 3, 14)
    assert row.dataset.loaded_by == world.users["planner"]
    assert AuditEvent.objects.filter(action="dimensioning.data_loaded").count() == 1


def test_loading_needs_the_permission(world):
    with pytest.raises(PermissionDenied):
        load("specialists", "ssb-07935.json", world.users["regional_coordinator"])


# --- the input from the database ------------------------------------------------------------


def test_input_from_the_database(data):
    world = data
    year = timezone.localdate().year
    ProgressSummary.objects.create(
        trainee=world.trainee,
        computed_at=timezone.now(),
        projected_completion=dt.date(year + 2, 6, 1),
    )
    built = build_input({}, base_year=year, target_year=year + 10)
    doc = built.document
    assert doc["regions"] == ["NORD", "VEST"]
    assert {s["code"] for s in doc["specialties"]} == {"ORT", "MED", "ANE"}
    # 07935 national counts split by 09544's regional shares (HNT and UNN → NORD only when
    # the trust is known; UNN is, HNT is not in the register).
    heads = sum(r["heads"] for r in doc["specialists"] if r["specialty"] == "ORT")
    assert heads == pytest.approx(
        sum(r.heads for r in SpecialistCount.objects.filter(specialty="Ortopedisk kirurgi"))
    )
    # The trainee with a projected completion; the others as start cohorts (2024).
    expected = [t for t in doc["trainees"] if "expected_completion_year" in t]
    assert expected == [
        {"specialty": "ORT", "region": "NORD", "expected_completion_year": year + 2, "heads": 1}
    ]
    cohorts = {
        (t["region"], t["start_year"]): t["heads"] for t in doc["trainees"] if "start_year" in t
    }
    assert cohorts == {("NORD", 2024): 3, ("VEST", 2024): 1}
    # Demography: the sample projection has Helse Nord and Helse Midt-Norge (not in this world)
    nord = next(r for r in doc["demand_growth"] if r["region"] == "NORD")
    assert 0 < nord["per_year"] < 0.05
    assert any("Helse Vest RHF" in n for n in built.notes)
    assert doc["exit_rates"][0]["rate"] == 0.012


# --- scenarios -----------------------------------------------------------------------------


def test_scenarios_are_versioned_and_audited(world):
    planner = world.users["planner"]
    s = services.create_scenario(actor=planner, name="Vekst", params={"extra_growth": 0.01})
    assert s.version == 1
    services.change_scenario(actor=planner, scenario=s, version=1, params={"extra_growth": 0.015})
    s.refresh_from_db()
    assert s.version == 2
    assert [v.params["extra_growth"] for v in s.versions.order_by("number")] == [0.01, 0.015]
    with pytest.raises(services.StaleVersion):
        services.change_scenario(actor=planner, scenario=s, version=1, params={})
    with pytest.raises(services.DimensioningError) as err:
        services.create_scenario(actor=planner, name="Feil", params={"imports_factor": -1})
    assert err.value.errors[0]["field"] == "params.imports_factor"
    with pytest.raises(PermissionDenied):
        services.create_scenario(actor=world.users["regional_coordinator"], name="X", params={})
    assert AuditEvent.objects.filter(action__startswith="dimensioning.scenario").count() == 2


# --- runs ----------------------------------------------------------------------------------


def test_run_of_a_scenario_through_the_task(data, immediate_tasks):
    scenarios = services.ensure_standard_scenarios()
    assert len(scenarios) == 8
    run = services.start_run(
        actor=data.users["regional_coordinator"], scenario=scenarios[2], draws=200
    )
    run.refresh_from_db()
    assert run.status == DimensioningRun.Status.DONE, run.error
    assert run.progress == 1.0
    assert run.result["format"] == "lisplan-dimensioning-result/1"
    assert run.result["checks"]["closed"]
    assert run.input["regions"] == ["NORD", "VEST"]
    assert run.scenario_version == scenarios[2].current


def test_run_of_a_document_and_a_bad_document(world, immediate_tasks):
    doc = generate_input(specialties=2, regions=["A", "B"])
    run = services.start_run(actor=world.users["planner"], document=doc, draws=100)
    run.refresh_from_db()
    assert run.status == "done"
    assert len(run.result["required_intake"]) == 4
    with pytest.raises(services.DimensioningError) as err:
        services.start_run(actor=world.users["planner"], document={**doc, "max_age": "x"})
    assert err.value.errors[0]["field"] == "input.max_age"
    with pytest.raises(PermissionDenied):
        services.start_run(actor=world.users["local_coordinator"], document=doc)


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def done_run(data, immediate_tasks):
    scenario = services.ensure_standard_scenarios()[0]
    run = services.start_run(actor=data.users["planner"], scenario=scenario, draws=100)
    run.refresh_from_db()
    return run


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages(done_run, world):
    c = client_for(world.users["regional_coordinator"])
    assert c.get(reverse("dimensioning:index")).status_code == 200
    page = c.get(reverse("dimensioning:run", args=[done_run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="NORD" selected>' in html  # first visit: the user's own region
    for text in (
        "Nødvendige og dagens oppstarter",
        "<svg",
        "Spesialister i dag etter alder",
        "Hva som flytter behovet mest",
        "Ortopedisk kirurgi",
        "Jevn opptaksplan",
    ):
        assert text in html
    one = c.get(
        reverse("dimensioning:run", args=[done_run.pk]),
        {"spesialitet": "ORT", "region": "NORD", "sorter": "required", "retning": "synkende"},
    )
    assert one.status_code == 200
    assert "lp-dim-band-supply" in one.content.decode()  # the P10–P90 band for one cell
    for name in ("scenarios", "data"):
        assert c.get(reverse(f"dimensioning:{name}")).status_code == 200
    compare = c.get(
        reverse("dimensioning:scenarios"),
        {"sammenlign": [s.pk for s in Scenario.objects.all()[:3]]},
    )
    assert "side om side" in compare.content.decode()
    assert (
        c.get(reverse("dimensioning:scenario", args=[Scenario.objects.first().pk])).status_code
        == 200
    )
    progress = c.get(reverse("dimensioning:progress", args=[done_run.pk]))
    assert progress["HX-Refresh"] == "true"
    assert (
        client_for(world.users["local_coordinator"]).get(reverse("dimensioning:index")).status_code
        == 403
    )


@pytest.mark.parametrize(
    "table",
    ["oppstarter", "opptaksplan", "framskriving", "aldersfordeling", "fossefall", "tornado"],
)
def test_every_table_exports_to_xlsx(done_run, world, table):
    c = client_for(world.users["planner"])
    response = c.get(reverse("dimensioning:export", args=[done_run.pk, table]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) >= 2


def test_start_and_edit_on_the_pages(data, immediate_tasks):
    services.ensure_standard_scenarios()
    planner = client_for(data.users["planner"])
    scenario = Scenario.objects.get(name="Kun demografi")
    response = planner.post(reverse("dimensioning:new"), {"scenario": scenario.pk, "draws": 50})
    run = DimensioningRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    form = {
        "description": "ny",
        "demography": "on",
        "extra_growth": "0,5",
        "working_time_factor": "100",
        "retirement_shift_years": "1",
        "imports_factor": "100",
        "intake_factor": "100",
        "intake_path": "ORT NORD 2030 4",
        "version": scenario.version,
    }
    response = planner.post(reverse("dimensioning:scenario", args=[scenario.pk]), form)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.version == 2
    assert scenario.current.params["extra_growth"] == 0.005
    assert scenario.current.params["intake_path"] == [
        {"specialty": "ORT", "region": "NORD", "year": 2030, "per_year": 4.0}
    ]
    stale = planner.post(
        reverse("dimensioning:scenario", args=[scenario.pk]), {**form, "version": 1}
    )
    assert stale.status_code == 400
    assert "endret av en annen" in stale.content.decode()
    new = planner.post(
        reverse("dimensioning:scenario_new"), {**form, "name": "Mitt", "intake_path": "tull"}
    )
    assert new.status_code == 200 and "kan ikke leses" in new.content.decode()


# --- API -----------------------------------------------------------------------------------


def bearer(user) -> dict:
    _, token = ApiToken.issue(user, name="t")
    return {"Authorization": f"Bearer {token}"}


def test_api(data, immediate_tasks):
    services.ensure_standard_scenarios()
    c = Client()
    h = bearer(data.users["planner"])
    scenarios = c.get("/api/v1/dimensioning-scenarios", headers=h).json()
    assert scenarios["count"] == 8
    created = c.post(
        "/api/v1/dimensioning-scenarios",
        {"name": "API", "params": {"extra_growth": 0.02}},
        content_type="application/json",
        headers=h,
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    bad = c.post(
        "/api/v1/dimensioning-scenarios",
        {"name": "API2", "params": {"extra_growth": 5}},
        content_type="application/json",
        headers=h,
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "params.extra_growth"
    started = c.post(
        "/api/v1/dimensioning-runs",
        {"scenario": created.json()["id"], "draws": 50},
        content_type="application/json",
        headers=h,
    )
    assert started.status_code == 202
    run_id = started.json()["id"]
    status = c.get(f"/api/v1/dimensioning-runs/{run_id}", headers=h).json()
    assert status["status"] == "done" and status["scenario_version"] == 1
    result = c.get(f"/api/v1/dimensioning-runs/{run_id}/result", headers=h).json()
    assert result["format"] == "lisplan-dimensioning-result/1"
    doc = c.post(
        "/api/v1/dimensioning-runs",
        {"input": generate_input(specialties=1, regions=["A"]), "draws": 0},
        content_type="application/json",
        headers=h,
    )
    assert doc.status_code == 202
    invalid = c.post(
        "/api/v1/dimensioning-runs",
        {"input": {"format": "x"}},
        content_type="application/json",
        headers=h,
    )
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["field"].startswith("input")
    other = bearer(data.users["local_coordinator"])
    assert c.get(f"/api/v1/dimensioning-runs/{run_id}", headers=other).status_code == 403
    assert c.get("/api/v1/dimensioning-runs/999999", headers=h).status_code == 404


# --- CLI -----------------------------------------------------------------------------------


def test_cli_on_files(tmp_path):
    src = tmp_path / "in.json"
    out = tmp_path / "out.json"
    src.write_text(json.dumps(generate_input(specialties=2)), encoding="utf-8")
    call_command(
        "dimension",
        str(src),
        "--output",
        str(out),
        "--draws",
        "100",
        "--seed",
        "3",
        stdout=io.StringIO(),
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["draws"] == 100 and result["seed"] == 3
    assert len(result["required_intake"]) == 8


def test_cli_from_database(data, tmp_path):
    services.ensure_standard_scenarios()
    out, inp = tmp_path / "out.json", tmp_path / "in.json"
    text = io.StringIO()
    call_command(
        "dimension",
        "--from-database",
        "--scenario",
        "Standardvekst 1,0 %",
        "--output",
        str(out),
        "--write-input",
        str(inp),
        "--draws",
        "50",
        stdout=text,
    )
    assert json.loads(inp.read_text(encoding="utf-8"))["format"] == "lisplan-dimensioning/1"
    assert json.loads(out.read_text(encoding="utf-8"))["required_intake"]
    assert "closes: yes" in text.getvalue()


def test_load_command(world):
    out = io.StringIO()
    call_command(
        "load_dimensioning_data",
        "population",
        str(SAMPLES / "ssb-population.json"),
        "--url",
        "https://data.ssb.no/api/v0/no/table/13599",
        stdout=out,
    )
    dataset = Dataset.objects.get()
    assert dataset.rows == 32 and dataset.source_url.endswith("13599")


def test_loading_a_file_on_the_page(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    planner = client_for(world.users["planner"])
    upload = SimpleUploadedFile("ssb-09544.json", (SAMPLES / "ssb-09544.json").read_bytes())
    response = planner.post(
        reverse("dimensioning:data"),
        {
            "kind": "employed",
            "file": upload,
            "source_url": "https://data.ssb.no/api/v0/no/table/09544",
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get()
    assert dataset.rows == 8 and dataset.loaded_by == world.users["planner"]
    bad = planner.post(
        reverse("dimensioning:data"),
        {"kind": "specialists", "file": SimpleUploadedFile("x.json", b"{}")},
    )
    assert bad.status_code == 400 and "kan ikke leses" in bad.content.decode()
    coordinator = client_for(world.users["regional_coordinator"])
    assert coordinator.get(reverse("dimensioning:data")).status_code == 200
    assert coordinator.post(reverse("dimensioning:data"), {"kind": "employed"}).status_code == 403


def test_run_the_chosen_scenarios(data, immediate_tasks):
    chosen = [s.pk for s in services.ensure_standard_scenarios()[:2]]
    c = client_for(data.users["regional_coordinator"])
    response = c.post(reverse("dimensioning:scenario_run_all"), {"sammenlign": chosen})
    assert response.status_code == 302
    assert DimensioningRun.objects.filter(status="done").count() == 2
    page = c.get(response.url).content.decode()
    assert "ingen kjøring" not in page
