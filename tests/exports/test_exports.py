"""The shared streamed exporter (lisplan.exports): CSV and XLSX from an iterator of rows,
streamed, with formula injection neutralised."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lisplan.exports import Column, export_response, neutralise

COLUMNS = [Column("Navn", 30), Column("Antall"), Column("Dato")]


def _rows():
    yield ("Ærlig Øvre", 3, dt.date(2026, 3, 1))
    yield ('=HYPERLINK("http://x")', Decimal("2.5"), None)
    yield ("+47 123", -1, dt.date(2026, 9, 1))
    yield ("@SUM(A1)", 0, None)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("ok", "ok"),
        (None, ""),
        (5, 5),
        (-5, -5),
        (True, True),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_streams_rows_with_bom_and_semicolons():
    response = export_response(_rows(), COLUMNS, "Mine leger", fmt="csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="mine-leger-' in response["Content-Disposition"]
    text = _body(response).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Navn;Antall;Dato"
    assert lines[1] == "Ærlig Øvre;3;01.03.2026"
    assert lines[2].startswith("\"'=HYPERLINK(")
    assert lines[2].endswith(";2,5;")
    assert lines[3] == "'+47 123;-1;01.09.2026"
    assert lines[4] == "'@SUM(A1);0;"


def test_xlsx_streams_a_workbook_that_reads_back():
    response = export_response(_rows(), COLUMNS, "Indikatorer", fmt="xlsx")
    assert response.streaming
    chunks = list(response.streaming_content)
    wb = load_workbook(io.BytesIO(b"".join(chunks)))
    ws = wb.active
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("Navn", "Antall", "Dato")
    assert values[1][0] == "Ærlig Øvre" and values[1][1] == 3
    assert values[1][2] == dt.datetime(2026, 3, 1)
    assert values[2][0].startswith("'=HYPERLINK")
    assert values[3][0] == "'+47 123" and values[3][1] == -1
    assert ws["A2"].data_type == "s"


def test_rows_are_consumed_lazily():
    seen = []

    def rows():
        for i in range(3):
            seen.append(i)
            yield (f"rad {i}", i, None)

    response = export_response(rows(), COLUMNS, "x", fmt="csv")
    assert seen == []  # nothing read before the response is streamed
    it = iter(response.streaming_content)
    next(it)  # header
    next(it)
    assert seen == [0]


def test_unknown_format():
    with pytest.raises(ValueError):
        export_response([], COLUMNS, "x", fmt="pdf")
