"""Dimensioning in the browser: the planner starts a run of a scenario, the worker runs it, the
page follows its progress (htmx) and shows the tables and charts; axe-core finds no serious
problems at 1280 px and 390 px."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from lisplan.dimensioning.models import DimensioningRun
from tests.e2e.conftest import axe_violations, describe, screenshot


@pytest.fixture
def demo(transactional_db):
    call_command("demo", trainees=40, stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def test_start_a_run_and_read_the_result(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "planner")
    page.goto(f"{base}/dimensjonering/")
    page.get_by_label("Scenario").select_option(label="Standardvekst 1,5 %")
    page.get_by_label("Monte Carlo-trekninger").fill("200")
    page.get_by_role("button", name="Start kjøringen").click()
    page.wait_for_url(re.compile(r"/dimensjonering/\d+/$"))
    run = DimensioningRun.objects.filter(demo=False).get()
    assert run.status == DimensioningRun.Status.QUEUED and run.draws == 200
    assert page.get_by_text("Venter på at bakgrunnsprosessen").is_visible()

    with open("/dev/null", "w") as devnull:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=devnull)
    run.refresh_from_db()
    assert run.status == DimensioningRun.Status.DONE, run.error
    page.get_by_role("heading", name="Nødvendige og dagens oppstarter").wait_for()
    assert page.locator("svg.lp-dim-chart").count() >= 3
    # One specialty in one region: the P10–P90 band appears.
    page.get_by_label("Spesialitet", exact=True).select_option(label="Ortopedisk kirurgi")
    page.get_by_label("Region", exact=True).select_option(label="Helse Nord RHF")
    page.get_by_role("button", name="Vis").click()
    page.locator(".lp-dim-band-supply").first.wait_for(state="attached")
    screenshot(page, "dimensioning-run")
    found = axe_violations(page)
    assert not found, f"axe-core on the run page:\n{describe(found)}"
    page.set_viewport_size({"width": 390, "height": 900})
    found = axe_violations(page)
    assert not found, f"axe-core on the run page at 390 px:\n{describe(found)}"
    page.goto(f"{base}/dimensjonering/scenarioer/")
    page.get_by_label("Standardvekst 1,5 %").check()
    page.get_by_label("Kun demografi").check()
    page.get_by_role("button", name="Sammenlign").click()
    page.get_by_role("heading", name="Nødvendige oppstarter i året, side om side").wait_for()
    found = axe_violations(page)
    assert not found, f"axe-core on the scenario comparison:\n{describe(found)}"
