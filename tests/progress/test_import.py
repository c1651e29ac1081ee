"""`lisplan import_progress`: a good file imports, a bad file reports each bad row and imports
nothing, a re-import does not duplicate."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from lisplan.audit.models import AuditEvent
from lisplan.progress.importer import import_progress
from lisplan.progress.models import ActivityRecord, GoalApproval, ProgressSummary

pytestmark = pytest.mark.django_db

HEADER = "hpr;type;dato;til_dato;læringsmål;status;vurdering;godkjent_av;kurs;beskrivelse;timer;antall;referent;deltakere\n"


def csv(*lines: str) -> io.BytesIO:
    data = io.BytesIO((HEADER + "\n".join(lines) + "\n").encode("utf-8"))
    data.name = "eksport.csv"
    return data


@pytest.fixture
def hpr(world):
    world.trainee.hpr_number = "012345678"
    world.trainee.save()
    return "012345678"


def test_good_file_imports_everything(world, goals, course, hpr):
    report = import_progress(
        csv(
            f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;direkte observasjon;leader;;;;;;",
            f"{hpr};kurs;2025-02-01;;FKM-001;;;;ALM-GK-A;;30;;;",
            f"{hpr};legevakt;01.03.2025;;;;;;;;;4;;",
            f"{hpr};veiledningssamtale;05.03.2025;;;;;;;;;;veileder;",
            f"{hpr};vurderingskollegium;10.03.2025;;;;;;;;;;;UAO, leder, veileder",
        ),
        actor=world.users["local_coordinator"],
    )
    assert report.ok, report.errors
    assert (report.goals, report.activities, report.trainees) == (1, 4, 1)
    approval = GoalApproval.objects.get()
    assert approval.approved_by == world.users["leader"] and approval.assessment == "observation"
    assert ActivityRecord.objects.count() == 4
    assert ActivityRecord.objects.get(kind="course").goals.get().code == "FKM-001"
    event = AuditEvent.objects.get(action="progress.imported")
    assert event.trainee_id == world.trainee.pk and event.changes["activities"] == 4
    assert ProgressSummary.objects.filter(trainee=world.trainee).exists()


def test_reimport_does_not_duplicate(world, goals, hpr):
    lines = (
        f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;vurderingskollegium;leader;;;;;;",
        f"{hpr};prosedyre;01.03.2025;;;;;;;Gipsing;;3;;",
    )
    assert import_progress(csv(*lines)).ok
    report = import_progress(csv(*lines))
    assert report.ok and report.skipped == 1 and report.activities == 0
    assert GoalApproval.objects.count() == 1 and ActivityRecord.objects.count() == 1


def test_bad_rows_are_reported_and_nothing_is_imported(world, goals, hpr):
    report = import_progress(
        csv(
            f"{hpr};prosedyre;01.03.2025;;;;;;;Gipsing;;3;;",  # good
            "999999999;legevakt;01.03.2025;;;;;;;;;1;;",  # unknown trainee
            f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;;nobody;;;;;;",  # unknown approver
            f"{hpr};læringsmål;01.01.2025;;ORT-002;godkjent;vurderingskollegium;leader;;;;;;",
            f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;panel;trainee;;;;;;",  # own goal
            f"{hpr};veiledningssamtale;05.03.2025;;;;;;;;;;;",  # no minutes_by
            f"{hpr};middag;05.03.2025;;;;;;;;;;;",  # unknown type
            f"{hpr};legevakt;32.13.2025;;;;;;;;;1;;",  # bad date
        )
    )
    assert not report.ok
    by_line = {e.line: e for e in report.errors}
    assert by_line[3].field == "hpr"
    assert by_line[4].field == "godkjent_av"
    # ORT-002 approved in January 2025: the old version, which is valid then — fine; no error
    assert 5 not in by_line
    assert by_line[6].field == "godkjent_av" and "egne" in by_line[6].message
    assert by_line[7].field == "referent"
    assert by_line[8].field == "type"
    assert by_line[9].field == "dato"
    assert not ActivityRecord.objects.exists() and not GoalApproval.objects.exists()
    assert not AuditEvent.objects.filter(action="progress.imported").exists()


def test_missing_column_and_empty_file(world):
    data = io.BytesIO(b"hpr;dato\n1;01.01.2025\n")
    data.name = "x.csv"
    report = import_progress(data)
    assert not report.ok and "type" in report.errors[0].message
    data = io.BytesIO(HEADER.encode())
    data.name = "x.csv"
    assert "ingen rader" in import_progress(data).errors[0].message


def test_dry_run_writes_nothing(world, goals, hpr):
    report = import_progress(csv(f"{hpr};prosedyre;01.03.2025;;;;;;;Gips;;3;;"), dry_run=True)
    assert report.ok and report.activities == 1
    assert not ActivityRecord.objects.exists()


def test_command(world, goals, hpr, tmp_path):
    path = tmp_path / "eksport.csv"
    path.write_text(HEADER + f"{hpr};legevakt;01.03.2025;;;;;;;;;2;;\n", encoding="utf-8")
    call_command("import_progress", str(path), "--user", "local_coordinator")
    assert ActivityRecord.objects.get().count == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1;legevakt;01.03.2025;;;;;;;;;2;;\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_progress", str(bad))


def test_an_import_keeps_the_stored_facts_right(world, goals, hpr, travel):
    """Written in bulk, without signals: the import brings the trainee's indicator facts up to
    date itself (the IUP deadline: tests/iup/test_deadline_summary.py)."""
    import datetime as dt

    from lisplan.insights import facts
    from lisplan.insights.models import TraineeFacts

    today = dt.date(2025, 6, 2)
    with travel(today):
        facts.refresh([world.trainee.pk], today)
        report = import_progress(
            csv(
                f"{hpr};læringsmål;01.05.2025;;ORT-001;godkjent;direkte observasjon;leader;;;;;;",
                f"{hpr};vurderingskollegium;10.05.2025;;;;;;;;;;;UAO, leder, veileder",
            ),
            actor=world.users["local_coordinator"],
        )
        assert report.ok, report.errors
        stored = TraineeFacts.objects.get(trainee=world.trainee, computed_on=today)
        (fresh,) = facts._rows([world.trainee.pk], today)
        assert (stored.panels, stored.goals) == (fresh.panels, fresh.goals) == (1, 1)
