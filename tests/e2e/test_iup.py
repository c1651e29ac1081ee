"""An education plan (IUP) in the browser: the leader creates it (pre-filled), fills in what the
form asks for, the trainee, the supervisor and the leader sign it, and the trainee revises it —
the new revision shows what changed. The pages pass axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lisplan.iup.models import Revision, Status
from tests.e2e.conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("pw")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def assert_accessible(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"


def sign(page, base: str, username: str, revision: Revision) -> None:
    sign_in(page, base, username)
    page.goto(f"{base}/utdanningsplaner/revisjon/{revision.pk}/")
    page.get_by_role("button", name="Signer planen").click()
    page.get_by_text("Du har signert utdanningsplanen.").wait_for()


def test_fill_in_sign_as_three_roles_and_revise(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "leader")
    page.goto(f"{base}/utdanningsplaner/lege/{world.trainee.pk}/")
    assert_accessible(page, "the trainee's IUP page (no plan)")
    page.get_by_role("button", name="Lag utdanningsplan for nåværende ansettelse").click()
    page.wait_for_url("**/rediger/")
    revision = Revision.objects.get(plan__trainee=world.trainee)
    # pre-filled from the records: the supervisor and the workplace
    supervisor = world.users["supervisor"]
    assert page.locator("[name=sup-0-name]").input_value() == (
        supervisor.get_full_name() or supervisor.username
    )
    assert page.get_by_label("Arbeidssted").input_value() == str(world.section)

    page.locator("[name=sup-0-specialty]").fill("Ortopedisk kirurgi")
    today = timezone.localdate()
    page.locator("[name=mote-0-date]").fill((today + dt.timedelta(days=30)).isoformat())
    page.locator("[name=mote-1-date]").fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Vurderingskollegium neste planlagte").fill(
        (today + dt.timedelta(days=100)).isoformat()
    )
    page.get_by_label("Læringsmål i egen enhet").fill("ORT-001 til ORT-030")
    page.get_by_label("Grunnutdanning: sted og år for avsluttende eksamen").fill("UiT 2018")
    page.get_by_label("Klinisk tjeneste: egen avdeling").fill("Traumevakt og poliklinikk")
    page.get_by_label("Læringsmål som skal prioriteres").fill("Frakturbehandling")
    page.get_by_label("Personlig mål for faglig utvikling").fill("Selvstendig på bakvakt")
    screenshot(page, "iup-edit")
    assert_accessible(page, "the IUP editor")
    page.get_by_role("button", name="Lagre og vis planen").click()
    page.wait_for_url(f"**/utdanningsplaner/revisjon/{revision.pk}/")
    assert page.get_by_text("Utkastet er lagret.").is_visible()
    assert page.get_by_role("cell", name="Frakturbehandling").is_visible()
    assert page.locator('[data-row="specialty_time"]').is_visible()
    assert_accessible(page, "the IUP page")

    sign(page, base, "trainee", revision)
    revision.refresh_from_db()
    assert revision.status == Status.AWAITING_SIGNATURES
    sign(page, base, "supervisor", revision)
    sign(page, base, "leader", revision)
    revision.refresh_from_db()
    assert revision.status == Status.SIGNED
    assert page.get_by_text("Signert av LIS, veileder og leder").is_visible()
    assert page.get_by_role("link", name="Rediger utkastet").count() == 0

    sign_in(page, base, "trainee")
    page.goto(f"{base}/utdanningsplaner/revisjon/{revision.pk}/")
    page.get_by_role("button", name="Lag ny revisjon").click()
    page.get_by_text("Ny revisjon er laget som utkast").wait_for()
    new = Revision.objects.get(plan=revision.plan, number=2)
    page.get_by_role("link", name="Rediger utkastet").click()
    page.get_by_label("Personlig mål for faglig utvikling").fill("Ta bakvakt alene")
    page.get_by_role("button", name="Lagre og vis planen").click()
    page.wait_for_url(f"**/utdanningsplaner/revisjon/{new.pk}/")
    assert page.get_by_role("heading", name="Endringer fra revisjon 1").is_visible()
    changed = page.locator('tr[data-field="personal_goal"]')
    assert "Selvstendig på bakvakt" in changed.inner_text()
    assert "Ta bakvakt alene" in changed.inner_text()
    screenshot(page, "iup-revision-2")
    revision.refresh_from_db()
    assert revision.status == Status.SIGNED  # the signed revision stays
    new.refresh_from_db()
    assert new.supervisors.count() == 1 and new.meetings.count() == 2  # carried over, kept
