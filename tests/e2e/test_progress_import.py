"""A local coordinator uploads a progress spreadsheet in the browser: a bad file shows its rows
with line numbers and imports nothing; a good file is checked, confirmed and imported. The
upload pages and a SAM trainee's progress page pass axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.progress.models import ActivityRecord, GoalApproval
from tests import factories as f
from tests.e2e.conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "hpr;type;dato;læringsmål;vurdering;antall;deltakere\n"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("pw")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def assert_accessible(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {what}:\n{describe(found)}"


def test_coordinator_checks_then_imports_a_spreadsheet(
    page, live_server, world, tmp_path, settings
):
    settings.VAR_DIR = tmp_path
    world.trainee.hpr_number = "012345678"
    world.trainee.save()
    LearningGoal.objects.create(
        code="ORT-001",
        specialty=world.specialty,
        part="part3",
        text="Kunne behandle brudd.",
        valid_from=dt.date(2019, 3, 1),
    )
    bad = tmp_path / "feil.csv"
    bad.write_text(
        HEADER + "012345678;læringsmål;01.05.2025;ORT-999;panel;;\n"
        "999999999;legevakt;01.03.2025;;;4;\n",
        encoding="utf-8",
    )
    good = tmp_path / "eksport.csv"
    good.write_text(
        HEADER + "012345678;læringsmål;01.05.2025;ORT-001;direkte observasjon;;\n"
        "012345678;legevakt;01.03.2025;;;4;\n",
        encoding="utf-8",
    )
    base = live_server.url
    sign_in(page, base, "local_coordinator")
    page.goto(f"{base}/progresjon/")
    page.get_by_role("link", name="Importer læringsmål og aktiviteter fra regneark").click()
    expect(page.get_by_role("heading", name="Importer læringsmål og aktiviteter")).to_be_visible()
    assert_accessible(page, "the upload page")

    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Kontroller filen").click()
    expect(page.get_by_role("heading", name="Filen har feil")).to_be_visible()
    errors = page.get_by_role("table", name="Feil per rad")
    expect(errors.get_by_role("row")).to_have_count(3)  # header + two bad rows
    expect(errors).to_contain_text("ORT-999")
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    screenshot(page, "progress-import-errors")
    assert_accessible(page, "the error report")
    assert not ActivityRecord.objects.exists()

    page.get_by_role("link", name="Last opp en rettet fil").click()
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(good))
    page.get_by_role("button", name="Kontroller filen").click()
    expect(page.get_by_role("heading", name="Filen er kontrollert")).to_be_visible()
    assert not GoalApproval.objects.exists()
    screenshot(page, "progress-import-checked")
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("1 læringsmålstatuser")).to_be_visible()
    assert GoalApproval.objects.count() == 1 and ActivityRecord.objects.count() == 1


def test_sam_trainee_progress_page(page, live_server, world):
    sam = f.SpecialtyFactory(code="SAM", name="Samfunnsmedisin", kind=Specialty.Kind.COMMUNITY)
    trainee = f.TraineeFactory(first_name="Siri", last_name="Samfunn")
    f.EmploymentFactory(
        trainee=trainee, specialty=sam, institution=world.unn, start=dt.date(2021, 1, 1)
    )
    base = live_server.url
    sign_in(page, base, "local_coordinator")
    page.goto(f"{base}/progresjon/{trainee.pk}/")
    table = page.get_by_role("table", name="Krav med gjort, påkrevd, gjenstår og status")
    expect(table).to_contain_text("Samfunnsmedisinsk arbeid")
    expect(table).to_contain_text("Klinisk tjeneste")
    screenshot(page, "progress-sam")
    assert_accessible(page, "a SAM trainee's progress page")
