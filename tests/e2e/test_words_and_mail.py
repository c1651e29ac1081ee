"""Issue 17, items 7 and 8 in a real browser at 1280 and 390 px: the administrators' e-mail
preview (every kind, HTML in a frame and the text part), the breadcrumbs below the start page
(the whole trail on a wide screen, a link back on a phone) and Designsystemet radios — with
axe-core finding nothing of any impact and no page wider than the screen."""

from __future__ import annotations

import pytest

from lisplan.notifications.emails import KINDS
from tests.e2e.conftest import axe_violations, describe, screenshot
from tests.e2e.test_roles import demo, sign_in  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
WIDTHS = (1280, 390)


def _context(browser, width):
    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    return context


def _fits(page, width, what):
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{what} is {wide} px wide at {width} px"


def _accessible(page, what):
    found = axe_violations(page, impacts=ALL_IMPACTS)
    assert not found, f"axe-core on {what}:\n{describe(found)}"


def test_the_email_preview_shows_every_kind(browser, live_server, demo):  # noqa: F811
    refused: list[str] = []

    def watch(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    for width in WIDTHS:
        context = _context(browser, width)
        page = context.new_page()
        page.on("console", watch)
        sign_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/varsler/")
        page.get_by_role("link", name="Se hvordan hver type e-postvarsel ser ut").click()
        page.wait_for_url(f"{live_server.url}/varsler/e-post/")
        assert page.get_by_role("heading", level=1).inner_text() == "E-postvarsler"
        assert page.locator("iframe").count() == len(KINDS)
        first = page.frame_locator("iframe").first
        assert first.get_by_role("link", name="Åpne gjennomføringsplanen").first.is_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, f"email-preview-{width}")
        _fits(page, width, "the e-mail preview")
        _accessible(page, f"the e-mail preview at {width} px")
        crumbs = page.get_by_role("navigation", name="Brødsmulesti")
        if width > 650:
            assert crumbs.get_by_role("link", name="Mine oppgaver", exact=True).is_visible()
            assert crumbs.get_by_role("link", name="Varsler", exact=True).is_visible()
        else:  # a phone: one link back, to the step before
            back = crumbs.get_by_role("link", name="Tilbake til Varsler")
            assert back.is_visible() and back.bounding_box()["height"] >= 44
        assert not refused, refused
        context.close()


def test_breadcrumbs_and_radios_on_a_rotation_page(browser, live_server, demo):  # noqa: F811
    from lisplan.rotations.models import RotationRequest, Status

    offered = RotationRequest.objects.filter(status=Status.OFFERED).first()
    agreement_page = f"{live_server.url}/rotasjon/fagavtaler/"
    for width in WIDTHS:
        context = _context(browser, width)
        page = context.new_page()
        sign_in(page, live_server.url, "local_coordinator")
        page.goto(agreement_page)
        page.locator("main table a[href*='/fagavtaler/']").first.click()
        page.wait_for_load_state()
        crumbs = page.get_by_role("navigation", name="Brødsmulesti")
        assert crumbs.count() == 1
        if width > 650:
            assert crumbs.get_by_role("link", name="Mine oppgaver", exact=True).is_visible()
            assert crumbs.get_by_role("link", name="Fagavtaler", exact=True).is_visible()
        else:
            assert crumbs.get_by_role("link", name="Tilbake til Fagavtaler").is_visible()
        screenshot(page, f"agreement-{width}")
        _fits(page, width, "an agreement")
        _accessible(page, f"an agreement at {width} px")
        if offered is not None:
            page.goto(f"{live_server.url}/rotasjon/onske/{offered.pk}/")
            radios = page.locator("main input[type=radio]")
            if radios.count():
                classes = radios.evaluate_all("rs => rs.map(r => r.className)")
                assert all("ds-input" in c for c in classes), classes
                screenshot(page, f"request-offered-{width}")
                _fits(page, width, "an offered request")
        context.close()
