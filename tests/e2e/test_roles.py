"""Each demo role signs in through the form, sees its start page and its trainees, and every
page passes axe-core without serious or critical violations."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lisplan.accounts.access import scope_filter
from lisplan.accounts.models import User
from lisplan.trainees.models import Trainee
from lisplan.trainees.queries import TraineeFilters, trainee_list
from tests.e2e.conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = {
    # role: a heading of a section its start page must show
    "trainee": "Min oversikt",
    "supervisor": "Mine veiledningsleger",
    "leader": "Leger i min læringsarena",
    "education_lead": "Leger i Ortopedisk kirurgi",
    "local_coordinator": "Leger ved Universitetssykehuset Nord-Norge HF",
    "regional_coordinator": "Leger ved Helse Nord RHF",
    "planner": "Leger ved Helse Nord RHF",
    "admin": "Administrasjon",
}


@pytest.fixture
def demo(transactional_db):
    call_command("demo", trainees=40, stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def assert_accessible(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"


def found_text(n: int) -> str:
    return f"{n} lege funnet" if n == 1 else f"{n} leger funnet"


@pytest.mark.parametrize("role", list(ROLES))
def test_role_start_page_and_trainee_list(page, live_server, demo, role):
    user = User.objects.get(username=role)
    visible = scope_filter(user, "trainee.view", Trainee.objects.all())
    sign_in(page, live_server.url, role)

    assert page.get_by_role("heading", level=1).inner_text() == "Mine oppgaver"
    assert page.get_by_role("heading", level=2, name=re.compile(ROLES[role])).count() >= 1
    assert page.locator("header").get_by_text(str(user)).is_visible()
    screenshot(page, f"home-{role}")
    assert_accessible(page, f"the start page of {role}")

    nav = page.get_by_role("navigation", name="Hovedmeny")
    if role == "trainee":  # a trainee has no list of doctors: only her own pages
        assert nav.get_by_role("link", name="Leger i spesialisering").count() == 0
        return
    if not nav.get_by_role("link", name="Leger i spesialisering").is_visible():
        nav.locator("summary").click()  # under «Mer» for roles whose weekly work comes first
    nav.get_by_role("link", name="Leger i spesialisering").click()
    page.wait_for_url(f"{live_server.url}/leger/")
    assert page.get_by_role("heading", level=1).inner_text() == "Leger i spesialisering"
    assert page.locator("#trainee-count").inner_text() == found_text(visible.count())
    rows = page.locator("#trainee-results tbody tr")
    assert rows.count() == min(visible.count(), 50)
    first = visible.order_by("last_name", "first_name", "id").first()
    assert rows.first.get_by_role("rowheader").inner_text() == (
        f"{first.first_name} {first.last_name}"
    )
    screenshot(page, f"list-{role}")
    assert_accessible(page, f"the trainee list of {role}")


def test_search_updates_the_list_with_htmx(page, live_server, demo):
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/leger/")
    admin = User.objects.get(username="admin")
    target = Trainee.objects.order_by("last_name").first()
    expected = trainee_list(admin, TraineeFilters(q=target.last_name)).count()
    page.get_by_label("Søk etter navn eller HPR-nummer").fill(target.last_name)
    page.wait_for_function(
        "t => document.querySelector('#trainee-count').innerText === t", arg=found_text(expected)
    )
    assert f"q={target.last_name}" in page.url  # the URL follows, so it can be shared
    assert page.locator("#trainee-results tbody tr").count() == expected

    page.get_by_role("link", name=f"{target.first_name} {target.last_name}").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == target.full_name
    screenshot(page, "detail-admin")
    assert_accessible(page, "the trainee page")


def test_login_error_is_accessible(page, live_server, demo):
    page.goto(f"{live_server.url}/logg-inn/")
    page.get_by_label("Brukernavn").fill("leader")
    page.get_by_label("Passord").fill("feil")
    page.get_by_role("button", name="Logg inn").click()
    assert "Feil brukernavn eller passord" in page.get_by_role("alert").inner_text()
    screenshot(page, "login-error")
    assert_accessible(page, "the login page with an error")


def test_paging_with_htmx_keeps_the_url_and_focus(page, live_server, transactional_db):
    call_command("demo", trainees=120, stdout=open("/dev/null", "w"))  # noqa: SIM115
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/leger/")
    first_row = page.locator("#trainee-results tbody tr").first.inner_text()
    page.get_by_role("navigation", name="Sider").get_by_role("link", name="Neste").click()
    page.wait_for_url(re.compile(r"page=2"))
    # focus moves to the results (no string evaluation: the CSP forbids eval)
    expect(page.locator(".lp-table-wrap:focus")).to_have_count(1)
    assert page.locator("#trainee-results caption").inner_text().endswith("side 2 av 3")
    assert page.locator("#trainee-results tbody tr").first.inner_text() != first_row
    assert page.locator("header").count() == 1  # the results were swapped, not the page
    page.go_back()
    page.wait_for_url(f"{live_server.url}/leger/")
    assert page.locator("#trainee-results tbody tr").first.inner_text() == first_row
