"""The administrator's journey (issue 17, item 6): from the start page, create a user, give
her a scoped role — local coordinator at one trust, valid from today — and she then sees
exactly that trust's trainees. The administrator holds the `admin` role and is no superuser:
nothing here needs the Django admin. Every page passes axe-core with no violation of any
impact, and fits 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lisplan.accounts.models import User
from tests.e2e.conftest import describe, screenshot
from tests.e2e.test_journeys import violations  # every impact, with WCAG 2.2 AA

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("pw")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def check_page(page, what: str) -> None:
    found = violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{what} is {width}px wide at {viewport}px"


def test_admin_gives_a_scoped_role_and_the_user_sees_exactly_that_scope(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "admin")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    nav.get_by_role("link", name="Administrasjon").click()
    expect(page.get_by_role("heading", level=1, name="Administrasjon")).to_be_visible()
    check_page(page, "the administration page")

    page.get_by_role("link", name=re.compile("Brukere og roller")).click()
    expect(page.get_by_role("heading", level=1, name="Brukere")).to_be_visible()
    check_page(page, "the user list")
    page.get_by_role("link", name="Ny bruker").click()
    page.get_by_label("Fornavn").fill("Kari")
    page.get_by_label("Etternavn").fill("Nilsen")
    page.get_by_label("E-post").fill("kari.nilsen@unn.no")
    page.get_by_label("HPR-nummer").fill("12ab")
    page.get_by_role("button", name="Opprett bruker").click()
    expect(page.get_by_role("alert")).to_contain_text("HPR-nummeret har bare sifre")
    check_page(page, "the user form with an error")
    page.get_by_label("HPR-nummer").fill("9876543")
    page.get_by_role("button", name="Opprett bruker").click()
    expect(page.get_by_role("heading", level=1, name="Kari Nilsen")).to_be_visible()
    expect(page.get_by_text("Ingen gjeldende roller")).to_be_visible()
    check_page(page, "a new user's page")

    page.get_by_role("link", name="Gi rolle").click()
    page.get_by_label("Rolle", exact=True).select_option(label="Lokal koordinator")
    page.get_by_label(re.compile(r"^Virksomhet")).select_option(
        label="Universitetssykehuset Nord-Norge HF"
    )
    check_page(page, "the role form")
    page.get_by_role("button", name="Gi rollen").click()
    roles = page.get_by_role("table", name="Gjeldende roller for Kari Nilsen")
    expect(roles.get_by_role("row")).to_have_count(2)
    expect(roles).to_contain_text("Lokal koordinator")
    expect(roles).to_contain_text("Universitetssykehuset Nord-Norge HF")
    expect(roles).to_contain_text("Inntil videre")
    expect(page.get_by_text("Rolle gitt")).to_be_visible()  # the history, in words
    screenshot(page, "admin-user-with-role")
    check_page(page, "the user's page with the role")

    page.set_viewport_size({"width": 390, "height": 844})
    kari = User.objects.get(username="kari.nilsen")
    role = kari.role_assignments.get()
    unn = world.unn.pk
    for url in (
        "/administrasjon/",
        "/administrasjon/brukere/",
        f"/administrasjon/brukere/{kari.pk}/",
        f"/administrasjon/brukere/{kari.pk}/roller/ny/",
        f"/administrasjon/brukere/{kari.pk}/roller/{role.pk}/avslutt/",
        f"/administrasjon/brukere/{kari.pk}/deaktiver/",
        "/administrasjon/virksomheter/",
        f"/administrasjon/virksomheter/{unn}/",
        f"/administrasjon/virksomheter/{unn}/arenaer/ny/",
        "/administrasjon/katalog/",
        "/administrasjon/katalog/ORT/",
        "/administrasjon/katalog/import/",
        f"/leger/{world.trainee.pk}/veiledere/ny/",
    ):
        page.goto(base + url)
        screenshot(page, "admin-390" + url.replace("/", "-"))
        check_page(page, f"{url} at 390 px")
    page.get_by_role("button", name="Logg ut").click()

    kari.set_password("pw")
    kari.save()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "kari.nilsen")
    expect(
        page.get_by_role("heading", level=2, name="Leger ved Universitetssykehuset Nord-Norge HF")
    ).to_be_visible()
    page.goto(f"{base}/leger/")
    expect(page.locator("#trainee-count")).to_have_text("3 leger funnet")
    names = page.locator("#trainee-results tbody tr").get_by_role("rowheader")
    expect(names).to_have_count(3)
    text = " ".join(names.all_inner_texts())
    for inside in ("Trainee", "Kollega", "Samme-HF"):
        assert inside in text
    for outside in ("Samme-region", "Annen-region"):
        assert outside not in text
    # the trust's own work, and nothing of the administrator's
    assert page.goto(f"{base}/administrasjon/").status == 403
    assert page.goto(f"{base}/admin/").url.startswith(f"{base}/admin/login/")
