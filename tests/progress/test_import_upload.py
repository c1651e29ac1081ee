"""The web upload of the progress import: dry run with per-row errors and line numbers, then
confirm; all or nothing; audited; bad files never a 500; forbidden personas refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from lisplan.audit.models import AuditEvent
from lisplan.progress.models import ActivityRecord, GoalApproval
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "hpr;type;dato;til_dato;læringsmål;status;vurdering;godkjent_av;kurs;beskrivelse;timer;antall;referent;deltakere\n"


@pytest.fixture(autouse=True)
def var_dir(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        yield tmp_path


@pytest.fixture
def hpr(world):
    world.trainee.hpr_number = "012345678"
    world.trainee.save()
    return "012345678"


def upload(name: str, *lines: str, raw: bytes | None = None) -> SimpleUploadedFile:
    data = raw if raw is not None else (HEADER + "\n".join(lines) + "\n").encode("utf-8")
    return SimpleUploadedFile(name, data)


def client_for(world, persona: str) -> Client:
    c = Client()
    c.force_login(world.users[persona])
    return c


def good(hpr):
    return (
        f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;direkte observasjon;;;;;;;",
        f"{hpr};legevakt;01.03.2025;;;;;;;;;4;;",
        f"{hpr};vurderingskollegium;10.03.2025;;;;;;;;;;;UAO, leder, veileder",
    )


def test_dry_run_then_confirm_imports_all_and_audits(world, goals, hpr, var_dir):
    c = client_for(world, "local_coordinator")
    assert c.get(reverse("progress:import")).status_code == 200
    response = c.post(reverse("progress:import"), {"file": upload("eksport.csv", *good(hpr))})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Filen er kontrollert" in body and "Ingenting er lagret" in body
    assert not GoalApproval.objects.exists() and not ActivityRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="progress.imported").exists()
    token = response.context["token"]
    assert len(list(var_dir.glob("imports/progress-*"))) == 1

    done = c.post(reverse("progress:import_confirm"), {"token": token}, follow=True)
    assert done.status_code == 200
    assert "1 læringsmålstatuser" in done.content.decode()
    approval = GoalApproval.objects.get()
    assert approval.approved_by == world.users["local_coordinator"]  # godkjent_av empty
    assert ActivityRecord.objects.count() == 2
    event = AuditEvent.objects.get(action="progress.imported")
    assert event.actor == world.users["local_coordinator"]
    assert event.changes["file"] == "eksport.csv"
    assert list(var_dir.glob("imports/progress-*")) == []
    # the token is spent: confirming again imports nothing
    again = c.post(reverse("progress:import_confirm"), {"token": token}, follow=True)
    assert "Fant ingen kontrollert fil" in again.content.decode()
    assert ActivityRecord.objects.count() == 2


def test_bad_rows_are_listed_by_line_and_nothing_is_kept(world, goals, hpr, var_dir):
    c = client_for(world, "local_coordinator")
    response = c.post(
        reverse("progress:import"),
        {
            "file": upload(
                "eksport.csv",
                f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;direkte observasjon;;;;;;;",
                f"{hpr};læringsmål;01.05.2025;;ORT-999;godkjent;panel;;;;;;;",
                f"{hpr};veiledningssamtale;05.03.2025;;;;;;;;;;;",
                "999999999;legevakt;01.03.2025;;;;;;;;;4;;",
            )
        },
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert {(e.line, e.field) for e in report.errors} >= {(3, "læringsmål"), (5, "hpr")}
    assert 4 in {e.line for e in report.errors}
    body = response.content.decode()
    assert "Filen har feil" in body and "ORT-999" in body
    assert response.context["token"] is None and 'name="token"' not in body
    assert list(var_dir.glob("imports/progress-*")) == []
    assert not GoalApproval.objects.exists() and not ActivityRecord.objects.exists()


def test_trainees_outside_the_uploaders_scope_are_row_errors(world, goals, hpr):
    stranger = f.TraineeFactory(hpr_number="087654321")
    response = client_for(world, "local_coordinator").post(
        reverse("progress:import"),
        {
            "file": upload(
                "eksport.csv", *good(hpr), f"{stranger.hpr_number};legevakt;01.03.2025;;;;;;;;;4;;"
            )
        },
    )
    errors = response.context["report"].errors
    assert [(e.line, e.field) for e in errors] == [(5, "hpr")]
    assert "blant legene du kan registrere" in errors[0].message
    assert not ActivityRecord.objects.exists()


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("eksport.xlsx", b"PK\x03\x04 not really a spreadsheet", "kan ikke åpnes"),
        ("eksport.csv", b"\xff\xfe\x00bad", "UTF-8"),
        ("eksport.csv", b"", "Filen er tom"),
        ("eksport.csv", b"navn;alder\nx;1\n", "Mangler kolonne"),
        ("eksport.pdf", b"%PDF-1.4", ".xlsx"),
    ],
)
def test_bad_files_are_reported_never_a_500(world, name, raw, message):
    c = client_for(world, "local_coordinator")
    response = c.post(reverse("progress:import"), {"file": upload(name, raw=raw)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ActivityRecord.objects.exists()


def test_no_file_and_unexpected_failures_are_messages(world, monkeypatch):
    c = client_for(world, "local_coordinator")
    response = c.post(reverse("progress:import"), {})
    assert response.status_code == 200 and "Velg filen" in response.content.decode()

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("lisplan.progress.upload.import_progress", boom)
    response = c.post(reverse("progress:import"), {"file": upload("x.csv", "a")})
    assert response.status_code == 200
    assert "Filen kunne ikke leses" in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["trainee", "supervisor", "leader", "education_lead", "regional_coordinator", "planner"],
)
def test_forbidden_personas_get_403(world, hpr, persona):
    c = client_for(world, persona)
    assert c.get(reverse("progress:import")).status_code == 403
    assert (
        c.post(reverse("progress:import"), {"file": upload("eksport.csv", *good(hpr))}).status_code
        == 403
    )
    assert c.post(reverse("progress:import_confirm"), {"token": "abc"}).status_code == 403
    assert not ActivityRecord.objects.exists()


def test_a_token_of_another_user_cannot_be_confirmed(world, goals, hpr):
    c = client_for(world, "local_coordinator")
    token = c.post(reverse("progress:import"), {"file": upload("eksport.csv", *good(hpr))}).context[
        "token"
    ]
    other = client_for(world, "admin")
    response = other.post(reverse("progress:import_confirm"), {"token": token}, follow=True)
    assert "Fant ingen kontrollert fil" in response.content.decode()
    assert not ActivityRecord.objects.exists()


def test_overview_links_to_the_import_for_coordinators_only(world):
    link = reverse("progress:import")
    assert (
        link
        in client_for(world, "local_coordinator").get(reverse("progress:overview")).content.decode()
    )
    assert (
        link not in client_for(world, "leader").get(reverse("progress:overview")).content.decode()
    )


def test_confirm_rechecks_and_writes_nothing_if_the_scope_changed(world, goals, hpr):
    from lisplan.accounts.models import RoleAssignment

    c = client_for(world, "local_coordinator")
    token = c.post(reverse("progress:import"), {"file": upload("eksport.csv", *good(hpr))}).context[
        "token"
    ]
    # the coordinator loses the trainee's institution, keeps the role elsewhere
    assignment = RoleAssignment.objects.get(user=world.users["local_coordinator"])
    assignment.institution = world.bergen if hasattr(world, "bergen") else f.InstitutionFactory()
    assignment.save()
    response = c.post(reverse("progress:import_confirm"), {"token": token})
    assert response.status_code == 200
    assert "Noe er endret siden filen ble kontrollert" in response.content.decode()
    assert not ActivityRecord.objects.exists() and not GoalApproval.objects.exists()
