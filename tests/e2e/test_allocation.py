"""Allocation in the browser: the regional coordinator starts a run, the worker runs it, the
page follows its progress (htmx) and shows the result; the trainee sees a forecast."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from lisplan.allocation.models import AllocationRun
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


def test_start_a_run_and_see_the_result(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "regional_coordinator")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Fordeling").click()
    page.wait_for_url(f"{base}/fordeling/")
    page.get_by_role("link", name="Start ny kjøring").click()
    page.get_by_label("Største forsinkelse, i måneder").fill("4")
    page.get_by_label("Tidsgrense, i sekunder").fill("5")
    page.get_by_role("button", name="Start kjøringen").click()
    page.wait_for_url(re.compile(r"/fordeling/\d+/$"))
    run = AllocationRun.objects.filter(demo=False).get()
    assert run.status == AllocationRun.Status.QUEUED and run.max_delay_months == 4
    assert page.get_by_text("Venter på at bakgrunnsprosessen").is_visible()

    # The worker takes the task; the page polls and reloads when the run is done.
    with open("/dev/null", "w") as quiet:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=quiet)
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE, run.error
    page.get_by_role("heading", name="Foreslått oppstart per lege").wait_for()
    # the analysis is a tab of its own (links, no script), reached by keyboard
    analysis = page.get_by_role("navigation", name="Deler av resultatet").get_by_role(
        "link", name="Analyse"
    )
    analysis.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"fane=analyse"))
    page.get_by_role("heading", name="Køordningen og den optimerte planen").wait_for()
    assert analysis.get_attribute("aria-current") == "page"
    assert page.locator("svg.lp-alloc-chart").count() >= 1
    placed = run.metrics["assigned"]
    assert page.get_by_role("row", name=re.compile("^Får foreslått oppstart")).inner_text().split()[
        -1
    ] == str(placed)
    screenshot(page, "allocation-run")
    found = axe_violations(page)
    assert not found, f"axe-core on the run page:\n{describe(found)}"
