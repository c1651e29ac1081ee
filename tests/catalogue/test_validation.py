"""Pure parsing rules (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.catalogue.loader import read_catalogue
from lisplan.catalogue.tables import TableError, read_table
from lisplan.catalogue.validation import (
    Conventions,
    GoalContext,
    parse_date,
    validate_goal_rows,
)

CTX = GoalContext(
    specialties={"ORT": "", "HJS": "FIM", "MED": "FIM"},
    specialty_names={"ortopedisk kirurgi": "ORT"},
    topics={"etikk": "Etikk"},
    conventions=Conventions(frozenset({"KLS", "KLP", "KLK"}), {"FIM": "MED"}, "FKM"),
)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("01.03.2019", dt.date(2019, 3, 1)),
        ("1.3.2019", dt.date(2019, 3, 1)),
        ("2019-03-01", dt.date(2019, 3, 1)),
        (dt.datetime(2019, 3, 1, 0, 0), dt.date(2019, 3, 1)),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2019/03/01", "29.02.2019", "", "mars 2019"])
def test_bad_dates(value):
    with pytest.raises(ValueError, match="dd.mm.åååå"):
        parse_date(value)


def rows(*items):
    keys = ("kode", "spesialitet", "del", "tema", "tekst", "gyldig_fra", "gyldig_til")
    return [(n, dict(zip(keys, item, strict=True))) for n, item in enumerate(items, start=2)]


def test_part_is_inferred():
    goals, errors = validate_goal_rows(
        rows(
            ("kls-001", "", "", "", "a", "01.09.2017", ""),
            ("FKM-001", "", "", "etikk", "b", "01.03.2019", ""),
            ("FIM-001", "HJS", "", "", "c", "01.03.2019", ""),
            ("ORT-001", "Ortopedisk kirurgi", "", "", "d", "01.03.2019", ""),
        ),
        CTX,
    )
    assert errors == []
    assert [(g.code, g.part, g.specialty, g.topic) for g in goals] == [
        ("KLS-001", "lis1", "", ""),
        ("FKM-001", "common", "", "etikk"),
        ("FIM-001", "part2", "MED", ""),
        ("ORT-001", "part3", "ORT", ""),
    ]


def test_overlapping_versions_in_one_file():
    _, errors = validate_goal_rows(
        rows(
            ("ORT-001", "ORT", "3", "", "a", "01.03.2019", ""),
            ("ORT-001", "ORT", "3", "", "b", "01.03.2026", ""),
            ("ORT-002", "ORT", "3", "", "a", "01.03.2019", "28.02.2026"),
            ("ORT-002", "ORT", "3", "", "b", "01.03.2026", ""),
        ),
        CTX,
    )
    assert [(e.line, e.field) for e in errors] == [(3, "gyldig_fra")]
    assert "linje 2" in errors[0].message


def test_unknown_file_type(tmp_path):
    path = tmp_path / "mål.ods"
    path.write_bytes(b"x")
    with pytest.raises(TableError, match="Ukjent filtype"):
        read_table(path)


def test_shipped_data_files_are_valid_without_a_database():
    specialties, topics, goals = read_catalogue()
    assert len(specialties) == 46 and len(topics) == 11 and len(goals) > 300
