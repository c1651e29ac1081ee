"""`import_goals`: documented layout, per-line errors, all or nothing, dry run, updates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from lisplan.audit.models import AuditEvent
from lisplan.catalogue.importer import import_goals
from lisplan.catalogue.loader import load_catalogue
from lisplan.catalogue.models import LearningGoal
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "kode;spesialitet;del;tema;tekst;gyldig_fra;gyldig_til"
GOOD = [
    "ORT-101;ORT;3;;Kunne behandle hoftebrudd.;01.03.2019;",
    "ORT-102;Ortopedisk kirurgi;;;Kunne behandle håndleddsbrudd.;2019-03-01;28.02.2026",
    "FIM-101;FIM;2;;Kunne lede hjertestans.;01.03.2019;",
    "KLS-101;;1;;Kunne skrive epikrise.;01.09.2017;",
    "FKM-101;;FKM;Etikk;Kunne drøfte etiske dilemmaer.;01.03.2019;",
]


@pytest.fixture
def catalogue():
    load_catalogue()


def write_csv(path, lines, delimiter=";", encoding="utf-8"):
    text = "\n".join(line.replace(";", delimiter) for line in [HEADER, *lines]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "Læringsmål"
    ws.append(
        [
            "Kode",
            "Spesialitet",
            "Del",
            "Tema",
            "Tekst",
            "Gyldig fra",
            "Gyldig til",
            "Utdypende tekst",
        ]
    )
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_good_csv_creates_official_goals(catalogue, tmp_path):
    before = LearningGoal.objects.count()
    report = import_goals(write_csv(tmp_path / "mål.csv", GOOD))
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated) == (5, 5, 0)
    assert LearningGoal.objects.count() == before + 5
    ort = LearningGoal.objects.get(code="ORT-102")
    assert ort.specialty.code == "ORT" and ort.part == "part3" and not ort.demo
    assert ort.valid_to == dt.date(2026, 2, 28) and ort.source == "mål.csv"
    fim = LearningGoal.objects.get(code="FIM-101")
    assert (fim.part, fim.specialty.code) == ("part2", "MED")
    kls = LearningGoal.objects.get(code="KLS-101")
    assert (kls.part, kls.specialty, kls.valid_from) == ("lis1", None, dt.date(2017, 9, 1))
    fkm = LearningGoal.objects.get(code="FKM-101")
    assert fkm.common and fkm.part == "common" and fkm.topic_area.name == "Etikk"


def test_comma_delimited_csv_with_bom(catalogue, tmp_path):
    path = tmp_path / "goals.csv"
    lines = ['ORT-101,ORT,3,,"Kunne behandle brudd, også åpne.",01.03.2019,']
    path.write_bytes(("\ufeff" + HEADER.replace(";", ",") + "\n" + "\n".join(lines)).encode())
    report = import_goals(path)
    assert report.ok, report.errors
    assert LearningGoal.objects.get(code="ORT-101").text == "Kunne behandle brudd, også åpne."


def test_good_xlsx_with_date_cells_and_extra_column(catalogue, tmp_path):
    path = write_xlsx(
        tmp_path / "helsedir.xlsx",
        [
            [
                "HJS-101",
                "HJS",
                "3",
                None,
                "Kunne tolke ekkokardiografi.",
                dt.datetime(2019, 3, 1),
                None,
                "ignoreres",
            ],
            [None, None, None, None, None, None, None, None],  # blank rows are skipped
            ["FKI-101", "URO", "2", None, "Kunne behandle akutt abdomen.", "01.03.2019", None, ""],
        ],
    )
    report = import_goals(path)
    assert report.ok, report.errors
    assert report.created == 2 and report.ignored_columns == ["Utdypende tekst"]
    fki = LearningGoal.objects.get(code="FKI-101")
    assert (fki.part, fki.specialty.code, fki.source) == ("part2", "GKI", "helsedir.xlsx")


def test_bad_file_reports_each_row_and_imports_nothing(catalogue, tmp_path):
    before = LearningGoal.objects.count()
    path = write_csv(
        tmp_path / "feil.csv",
        [
            "ORT-101;ORT;3;;Gyldig rad.;01.03.2019;",  # line 2: fine
            "ORT-1;ORT;3;;Kort kode.;01.03.2019;",  # 3
            "ORT-103;XYZ;3;;Ukjent spesialitet.;01.03.2019;",  # 4
            "FKM-102;;FKM;;Mangler tema.;01.03.2019;",  # 5
            "ORT-104;ORT;3;;;31.02.2019;",  # 6: two errors
            "ORT-105;ORT;3;;Datoer.;01.03.2019;01.01.2019",  # 7
            "ORT-101;ORT;3;;Duplikat.;2019-03-01;",  # 8
            "HJS-102;ORT;3;;Feil prefiks.;01.03.2019;",  # 9
            "ORT-106;ORT;2;;Ortopedi har ikke del 2.;01.03.2019;",  # 10
            "KLS-102;;1;Etikk;Tema på LIS1.;01.09.2017;",  # 11
        ],
    )
    report = import_goals(path)
    assert not report.ok
    got = {(e.line, e.field) for e in report.errors}
    assert got == {
        (3, "kode"),
        (4, "spesialitet"),
        (5, "tema"),
        (6, "tekst"),
        (6, "gyldig_fra"),
        (7, "gyldig_til"),
        (8, "kode"),
        (9, "kode"),
        (10, "spesialitet"),
        (11, "tema"),
    }
    messages = {(e.line, e.field): e.message for e in report.errors}
    assert "ABC-123" in messages[(3, "kode")]
    assert "«XYZ» finnes ikke" in messages[(4, "spesialitet")]
    assert "må ha et tema" in messages[(5, "tema")]
    assert "31.02.2019" in messages[(6, "gyldig_fra")]
    assert "kan ikke være før" in messages[(7, "gyldig_til")]
    assert "linje 2" in messages[(8, "kode")]
    assert "ingen felles del 2" in messages[(10, "spesialitet")]
    assert "linje 3, kode:" in str(report.errors[0])
    assert LearningGoal.objects.count() == before
    assert not LearningGoal.objects.filter(code="ORT-101").exists()
    assert not AuditEvent.objects.filter(action="catalogue.goals_imported").exists()


def test_missing_column_and_wrong_encoding(catalogue, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kode;tekst\nORT-101;Tekst\n", encoding="utf-8")
    report = import_goals(path)
    assert [(e.line, e.message[:16]) for e in report.errors] == [(1, "Mangler kolonne:")]
    report = import_goals(write_csv(tmp_path / "latin.csv", GOOD, encoding="latin-1"))
    assert "UTF-8" in report.errors[0].message


def test_dry_run_writes_nothing(catalogue, tmp_path):
    before = LearningGoal.objects.count()
    report = import_goals(write_csv(tmp_path / "mål.csv", GOOD), dry_run=True)
    assert report.ok and report.created == 5 and "Prøvekjøring" in report.summary()
    assert LearningGoal.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_update_existing_goal_and_audit(catalogue, tmp_path):
    demo = LearningGoal.objects.get(code="ORT-001")
    admin = f.UserFactory(username="admin")
    path = write_csv(
        tmp_path / "ort.csv",
        [
            f"ORT-001;ORT;3;;Offisiell tekst.;{demo.valid_from:%d.%m.%Y};",
            "ORT-101;ORT;3;;Nytt mål.;01.03.2019;",
        ],
    )
    report = import_goals(path, actor=admin)
    assert (report.created, report.updated) == (1, 1)
    demo.refresh_from_db()
    assert (demo.text, demo.demo, demo.source) == ("Offisiell tekst.", False, "ort.csv")
    event = AuditEvent.objects.get(action="catalogue.goals_imported")
    assert event.actor == admin and event.object_type == "catalogue.specialty"
    assert event.changes == {
        "file": "ort.csv",
        "rows": 2,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "closed": 0,
        "demo_removed": 0,
    }
    again = import_goals(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # The demo loader never overwrites an official goal.
    load_catalogue()
    demo.refresh_from_db()
    assert demo.text == "Offisiell tekst."


def test_new_version_closes_the_open_one(catalogue, tmp_path):
    open_goal = LearningGoal.objects.get(code="ORT-001")
    assert open_goal.valid_to is None
    report = import_goals(
        write_csv(
            tmp_path / "2026.csv",
            [
                "ORT-001;ORT;3;;Strammet inn.;01.03.2026;",
            ],
        )
    )
    assert report.ok and report.closed == 1
    open_goal.refresh_from_db()
    assert open_goal.valid_to == dt.date(2026, 2, 28)
    # A version that overlaps a stored official version is refused.
    report = import_goals(
        write_csv(
            tmp_path / "overlapp.csv",
            [
                "ORT-001;ORT;3;;Overlapper.;01.01.2026;31.12.2026",
            ],
        )
    )
    assert [(e.line, e.field) for e in report.errors] == [(2, "gyldig_fra")]
    assert "overlapper" in report.errors[0].message


def test_upload_like_file_object(catalogue, tmp_path):
    data = write_csv(tmp_path / "a.csv", GOOD[:1]).read_bytes()
    upload = io.BytesIO(data)
    upload.name = "opplastet.csv"
    report = import_goals(upload)
    assert report.ok and LearningGoal.objects.get(code="ORT-101").source == "opplastet.csv"


def test_command_exits_non_zero_on_errors(catalogue, tmp_path, capsys):
    bad = write_csv(tmp_path / "feil.csv", ["ORT-1;ORT;3;;x;01.03.2019;"])
    with pytest.raises(CommandError, match="Ingen læringsmål ble importert"):
        call_command("import_goals", str(bad))
    assert "linje 2, kode:" in capsys.readouterr().err
    call_command("import_goals", str(write_csv(tmp_path / "ok.csv", GOOD)), "--dry-run")
    assert "Prøvekjøring" in capsys.readouterr().out
    assert not LearningGoal.objects.filter(code="ORT-101").exists()
    call_command("import_goals", str(tmp_path / "ok.csv"))
    assert LearningGoal.objects.filter(code="ORT-101").exists()


def test_example_in_the_docs_is_valid(catalogue, tmp_path):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "catalogue-import.md").read_text()
    example = doc.split("```text\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "eksempel.csv"
    path.write_text(example, encoding="utf-8")
    report = import_goals(path, dry_run=True)
    assert report.ok, report.errors
    assert report.rows == 5


def test_part2_needs_the_host_specialty(tmp_path):
    f.SpecialtyFactory(code="HJS", name="Hjertesykdommer", part2_group="FIM")
    report = import_goals(write_csv(tmp_path / "a.csv", ["FIM-101;HJS;2;;Tekst.;01.03.2019;"]))
    assert [(e.line, e.field) for e in report.errors] == [(2, "spesialitet")]
    assert "MED" in report.errors[0].message
    assert not LearningGoal.objects.exists()


def test_official_set_replaces_overlapping_demo_versions(catalogue, tmp_path):
    # ORT-002 ships as a demo goal in two versions (2019–2026 and from 1 March 2026).
    assert LearningGoal.objects.filter(code="ORT-002", demo=True).count() == 2
    report = import_goals(
        write_csv(
            tmp_path / "offisiell.csv",
            [
                "ORT-002;ORT;3;;Offisiell tekst.;01.03.2019;",
            ],
        )
    )
    assert report.ok, report.errors
    assert (report.updated, report.demo_removed) == (1, 1)
    only = LearningGoal.objects.get(code="ORT-002")
    assert (only.text, only.valid_to, only.demo) == ("Offisiell tekst.", None, False)
    # Reloading the demo catalogue leaves a code with official versions alone.
    counts = load_catalogue()
    assert counts["goals_kept"] == 2 and counts["goals_created"] == 0
    assert LearningGoal.objects.filter(code="ORT-002").count() == 1


def test_dry_run_counts_demo_versions_to_remove(catalogue, tmp_path):
    report = import_goals(
        write_csv(
            tmp_path / "o.csv",
            [
                "ORT-002;ORT;3;;Offisiell tekst.;01.03.2019;",
            ],
        ),
        dry_run=True,
    )
    assert report.demo_removed == 1
    assert LearningGoal.objects.filter(code="ORT-002", demo=True).count() == 2
