"""A leader creates a plan in the browser, edits the periods table with htmx (adds rows, sees
the overlap message by its row, fixes it), saves and submits; the plan pages pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lisplan.plans.models import Revision, Status
from tests.e2e.conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("pw")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def assert_accessible(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"


def fill_row(page, n: int, start: str, end: str, institution: str) -> None:
    page.get_by_label(f"Spesialiseringsperiode i (spesialitet), periode {n}").select_option(
        label="Ortopedisk kirurgi"
    )
    page.get_by_label(f"Foretak/samarbeidsforetak, periode {n}").select_option(label=institution)
    page.get_by_label(f"Tjenestetid fra, periode {n}").fill(start)
    page.get_by_label(f"Tjenestetid til, periode {n}").fill(end)
    page.get_by_label(f"Tjenestetid til, periode {n}").dispatch_event("change")


def test_leader_creates_edits_and_submits_a_plan(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "leader")
    page.goto(f"{base}/planer/lege/{world.trainee.pk}/")
    assert_accessible(page, "the trainee's plan page (no plan)")
    page.get_by_role("button", name="Opprett gjennomføringsplan").click()
    page.wait_for_url("**/rediger/")
    revision = Revision.objects.get(plan__trainee=world.trainee)

    page.get_by_role("button", name="Legg til periode").click()
    fill_row(page, 1, "2027-01-01", "2027-12-31", world.unn.name)
    # the institution's arenas are fetched into the row's «Klinikk/avdeling» select
    arena = page.get_by_label("Klinikk/avdeling, periode 1")
    arena.locator("option", has_text="Seksjon for traume").wait_for(state="attached")
    arena.select_option(label="Seksjon for traume (Ortopedisk avdeling)")
    page.get_by_role("button", name="Legg til periode").click()
    fill_row(page, 2, "2027-06-01", "2028-06-30", world.nlsh.name)
    page.get_by_label("Kontaktperson ved mottakende foretak, periode 2").fill("Kari Kontakt")
    overlap = page.locator(".lp-period").nth(1).get_by_text("Perioden overlapper periode 1")
    overlap.wait_for()
    expect(page.locator("#plan-check")).to_contain_text("1 feil må rettes")
    screenshot(page, "plan-edit-overlap")
    assert_accessible(page, "the plan editor with a message")

    page.get_by_label("Tjenestetid fra, periode 2").fill("2028-01-01")
    page.get_by_label("Tjenestetid fra, periode 2").dispatch_event("change")
    page.get_by_text("Ingen feil funnet").wait_for()
    assert overlap.count() == 0

    page.get_by_role("button", name="Legg til periode").click()  # a third row, then removed
    expect(page.locator(".lp-period")).to_have_count(3)
    page.get_by_role("button", name="Fjern periode 3").click()
    expect(page.locator(".lp-period")).to_have_count(2)

    page.get_by_role("button", name="Lagre utkastet").click()
    page.wait_for_url(f"**/planer/revisjon/{revision.pk}/")
    assert page.get_by_text("Endringene er lagret.").is_visible()
    assert page.get_by_role("cell", name="Kari Kontakt").is_visible()
    page.get_by_role("button", name="Send til signering").click()
    page.get_by_text("Planen er sendt til signering").wait_for()
    revision.refresh_from_db()
    assert revision.status == Status.AWAITING_SIGNATURES
    assert [(p.start.isoformat(), p.contact_person, p.arena) for p in revision.periods.all()] == [
        ("2027-01-01", "", world.section),
        ("2028-01-01", "Kari Kontakt", None),
    ]
    screenshot(page, "plan-revision")
    assert_accessible(page, "the revision page")

    page.goto(f"{base}/planer/til-signering/")
    assert page.get_by_role("link", name="Tora Trainee").is_visible()
    assert_accessible(page, "the list of plans to sign")
    page.goto(f"{base}/planer/lege/{world.trainee.pk}/")
    screenshot(page, "plan-trainee")
    assert_accessible(page, "the trainee's plan page")


def test_coordinator_work_list_is_accessible(page, live_server, world):
    sign_in(page, live_server.url, "local_coordinator")
    page.goto(f"{live_server.url}/planer/arbeidsliste/?fane=missing")
    assert page.get_by_role("link", name="Tora Trainee").is_visible()
    screenshot(page, "plan-work-list")
    assert_accessible(page, "the coordinator's work list")
