"""A trainee under the old scheme (issue 12, item 4) and an ALIS's LIS1 (item 7) on the progress
page, in the browser at 1280 and 390 px, with axe-core.

Seed 000: «Godkjent tjenestetid i gammel ordning som kan telle med i minstetiden i ny ordning
(maks 6,5 år inkl. turnustjeneste/del 1 og godkjent av leder)»."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lisplan.catalogue.models import Specialty
from lisplan.progress.models import ServiceCategory, ServicePeriod
from tests import factories as f
from tests.e2e.conftest import axe_violations, describe, screenshot
from tests.e2e.test_progress_import import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _check(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"


def test_old_scheme_trainee_reads_what_is_known(page, live_server, world):
    trainee = f.TraineeFactory(first_name="Gunnar", last_name="Gammel")
    f.EmploymentFactory(
        trainee=trainee, institution=world.unn, specialty=world.specialty, start=dt.date(2017, 9, 1)
    )
    ServicePeriod.objects.create(
        trainee=trainee,
        category=ServiceCategory.LIS1,
        start=dt.date(2015, 1, 1),
        end=dt.date(2016, 6, 30),
        percent=100,
        place="Turnus, Harstad",
    )
    base = live_server.url
    sign_in(page, base, "local_coordinator")
    page.goto(f"{base}/progresjon/{trainee.pk}/")
    expect(page.get_by_text("Gammel ordning – vurderes manuelt").first).to_be_visible()
    expect(page.get_by_text("Registrert turnustjeneste/del 1: 18 mnd.")).to_be_visible()
    table = page.get_by_role("table", name="Krav med gjort, påkrevd, gjenstår og status")
    expect(table).to_contain_text("Tjenestetid etter turnus/del 1")
    expect(table).to_contain_text("Samlet tjenestetid inkl. turnus/del 1 (6,5 år)")
    screenshot(page, "progress-old-scheme-1280")
    _check(page, "an old-scheme trainee's progress page")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "progress-old-scheme-390")
    _check(page, "an old-scheme trainee's progress page at 390 px")


def test_alis_lis1_is_a_prerequisite(page, live_server, world):
    alm = f.SpecialtyFactory(code="ALM", name="Allmennmedisin", kind=Specialty.Kind.COMMUNITY)
    trainee = f.TraineeFactory(first_name="Aina", last_name="Allmenn")
    f.EmploymentFactory(
        trainee=trainee, specialty=alm, institution=world.unn, start=dt.date(2022, 1, 1)
    )
    base = live_server.url
    sign_in(page, base, "local_coordinator")
    page.goto(f"{base}/progresjon/{trainee.pk}/")
    row = page.get_by_role("row", name="LIS1/turnus")
    expect(row).to_contain_text("Gjennomført før spesialiseringen (ikke registrert her)")
    expect(row).to_contain_text("Ingen: forutsetning for spesialiseringen")
    expect(row).not_to_contain_text("18 mnd.")
    screenshot(page, "progress-alis-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "progress-alis-390")
    _check(page, "an ALIS's progress page at 390 px")
