"""A service confirmation («Bekreftelse på tjeneste», issue 12 item 9) in the browser: the
trainee requests it from their page, the coordinator issues it from the work list, the leader
signs it from «Til signering», the trainee downloads the PDF. The pages pass axe-core and fit
390 px; the Content-Security-Policy stays on (the `page` fixture fails on a violation)."""

from __future__ import annotations

import pytest

from lisplan.confirmations.models import ConfirmationVersion, Status
from tests.e2e.conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("pw")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def check_page(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"
    screenshot(page, "confirmation-" + what.replace(" ", "-").replace("'", ""))
    page.set_viewport_size(PHONE)
    screenshot(page, "confirmation-" + what.replace(" ", "-").replace("'", "") + "-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} is {width} px wide at 390 px"
    found = axe_violations(page)
    assert not found, f"axe-core on {what} at 390 px:\n{describe(found)}"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_request_issue_sign_and_download(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "trainee")
    page.goto(f"{base}/leger/{world.trainee.pk}/")
    page.get_by_role("link", name="Bekreftelse på tjeneste").click()
    page.wait_for_url(f"**/tjenestebekreftelser/lege/{world.trainee.pk}/")
    check_page(page, "the trainee's confirmations")
    page.get_by_label("Merknad til koordinatoren").fill("Til søknaden om spesialistgodkjenning")
    page.get_by_role("button", name="Bestill bekreftelse på tjeneste").click()
    page.get_by_text("Bekreftelsen er bestilt.").wait_for()
    version = ConfirmationVersion.objects.get()
    assert version.status == Status.REQUESTED

    sign_in(page, base, "local_coordinator")
    page.get_by_role("link", name="Bekreftelser på tjeneste til utstedelse").first.click()
    page.wait_for_url("**/tjenestebekreftelser/til-utstedelse/")
    check_page(page, "the coordinator's work list")
    page.get_by_role("link", name=world.trainee.full_name).click()
    page.get_by_role("heading", name="Kontroller tjenesten slik den telles").wait_for()
    check_page(page, "a request with the coordinator's preview")
    page.get_by_role("button", name="Tell tjenesten og send til signering").click()
    page.get_by_text("Bekreftelsen er utstedt").wait_for()
    check_page(page, "an issued confirmation")

    sign_in(page, base, "leader")
    page.goto(f"{base}/planer/til-signering/")
    page.locator("#tjenestebekreftelser").wait_for()
    page.get_by_role("link", name=world.trainee.full_name).last.click()
    page.get_by_role("button", name="Signer bekreftelsen").click()
    page.get_by_text("Du har signert bekreftelsen.").wait_for()
    version.refresh_from_db()
    assert version.status == Status.SIGNED

    sign_in(page, base, "trainee")
    page.goto(f"{base}/tjenestebekreftelser/{version.pk}/")
    assert page.get_by_text("Bekreftelsen kan ikke endres").is_visible()
    check_page(page, "a signed confirmation")
    with page.expect_response(f"**/tjenestebekreftelser/{version.pk}/pdf/") as info:
        page.evaluate(
            "url => fetch(url).then(r => r.status)",
            f"{base}/tjenestebekreftelser/{version.pk}/pdf/",
        )
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
