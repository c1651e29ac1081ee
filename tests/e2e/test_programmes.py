"""A programme plan in the browser: the education lead (UAO) drafts UNN's orthopaedics plan
from the national template and links goals to the arenas, the local coordinator publishes it,
and the public page opens without login. The pages pass axe-core."""

from __future__ import annotations

import pytest

from lisplan.programmes.models import ProgrammePlan, Status
from tests.e2e.conftest import axe_violations, describe, screenshot
from tests.programmes.conftest import make_course

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


def test_uao_drafts_from_template_and_coordinator_publishes(page, live_server, world):
    make_course(world)
    base = live_server.url
    sign_in(page, base, "education_lead")
    page.goto(f"{base}/virksomhetsplaner/")
    assert_accessible(page, "the programme plan list")
    page.get_by_role("button", name="Lag utkast fra nasjonal mal").click()
    page.wait_for_url("**/rediger/")
    plan = ProgrammePlan.objects.get()
    assert plan.status == Status.DRAFT and plan.phases.count() >= 1
    # the template's skeleton: the department as arena, the agreement as a partner period
    assert page.locator("[name=arenas-0-arena]").input_value() == str(world.department.pk)
    page.get_by_label("ORT-001 – Læringsmål ORT-001").first.check()
    page.get_by_label("ORT-002 – Læringsmål ORT-002").first.check()
    page.get_by_label("Kontakt (funksjon eller e-postadresse, ikke navn)").fill(
        "utdanningsansvarlig overlege"
    )
    screenshot(page, "programme-edit")
    assert_accessible(page, "the programme plan editor")
    page.get_by_role("button", name="Lagre utkastet").click()
    page.wait_for_url(f"**/virksomhetsplaner/{plan.pk}/")
    assert page.get_by_text("Utkastet er lagret.").is_visible()
    assert page.get_by_role("button", name="Publiser").count() == 0  # the UAO does not publish
    assert_accessible(page, "the draft plan page")

    sign_in(page, base, "local_coordinator")
    page.goto(f"{base}/virksomhetsplaner/{plan.pk}/")
    page.get_by_role("button", name="Publiser").click()
    page.get_by_text("Utdanningsplanen er publisert på den offentlige siden.").wait_for()
    plan.refresh_from_db()
    assert plan.status == Status.PUBLISHED

    page.goto(f"{base}/dekning/virksomhet/{world.unn.pk}/{world.specialty.pk}/")
    assert page.get_by_role("row", name="ORT-006").get_by_text("Mangel").is_visible()
    assert_accessible(page, "the goal × arena matrix")

    page.context.clear_cookies()
    page.goto(f"{base}/utdanningsplan/UNN/ORT/")
    assert page.get_by_role(
        "heading",
        name="Utdanningsplan for Ortopedisk kirurgi ved Universitetssykehuset Nord-Norge HF",
    ).is_visible()
    assert page.get_by_text("ORT-002").first.is_visible()
    screenshot(page, "programme-public")
    assert_accessible(page, "the public programme plan")
