"""One streamed exporter for tables: rows in, an XLSX or CSV download out.

Every export of a table in lisplan (indicator tables and their drill-down lists, dimensioning
results, …) goes through `export_response`: the caller gives the column headings and an
*iterator* of rows (e.g. from `QuerySet.iterator()` or a generator), and the response streams —
no whole table is held in memory:

- CSV (`text/csv`, UTF-8 with BOM so Excel reads «æøå», `;` as separator as Norwegian Excel
  expects) is written row by row into a `StreamingHttpResponse`.
- XLSX uses openpyxl's write-only workbook (rows go to a temporary file on disk, not to an
  in-memory tree); the finished file is streamed back in chunks and deleted.

Values are neutralised against formula injection (CSV/DDE injection, OWASP): a text cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet
shows it as text instead of running it. Numbers, dates and booleans pass as themselves.

    from lisplan.exports import Column, export_response

    columns = [Column("Navn"), Column("Antall")]
    rows = ((t.full_name, t.n) for t in queryset.iterator())
    return export_response(rows, columns, "leger", fmt="xlsx")
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.text import slugify

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Characters that make a spreadsheet read a cell as a formula (or DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    """A column heading (shown as is) and, for XLSX, an optional width in characters."""

    title: str
    width: int | None = None


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would start a formula gets a
    leading apostrophe; None becomes empty; numbers, dates and booleans are kept."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | decimal.Decimal | dt.date | dt.datetime):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            from django.utils import timezone

            return timezone.localtime(value).replace(tzinfo=None)
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv_cell(value: Any) -> str:
    value = neutralise(value)
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float | decimal.Decimal):
        return str(value).replace(".", ",")  # Norwegian decimal comma
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[Sequence[Any]], columns: Sequence[Column]) -> Iterator[bytes]:
    """The CSV file as bytes, one row at a time (BOM first, `;`-separated)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield codecs.BOM_UTF8 + writer.writerow([neutralise(c.title) for c in columns]).encode()
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row]).encode()


def xlsx_chunks(
    rows: Iterable[Sequence[Any]], columns: Sequence[Column], sheet_title: str = ""
) -> Iterator[bytes]:
    """The XLSX file as bytes: written with openpyxl's write-only mode to a temporary file,
    then read back in chunks; the temporary file is removed when the stream ends."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(
        title=(sheet_title or "Data")[:31].translate(str.maketrans("", "", "[]:*?/\\")) or "Data"
    )
    for i, column in enumerate(columns, start=1):
        if column.width:
            ws.column_dimensions[get_column_letter(i)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=neutralise(column.title))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        out = []
        for value in row:
            value = neutralise(value)
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = (
                    "DD.MM.YYYY HH:MM" if isinstance(value, dt.datetime) else "DD.MM.YYYY"
                )
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="lisplan-export-")
    os.close(fd)
    try:
        wb.save(path)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def export_response(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[Column],
    filename: str,
    fmt: str = "xlsx",
    sheet_title: str = "",
) -> StreamingHttpResponse:
    """A streamed download of the rows as `fmt` («xlsx» or «csv»). `filename` without suffix;
    it is made safe for the header (slugified, today's date appended)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    from django.utils import timezone

    chunks = (
        xlsx_chunks(rows, columns, sheet_title or filename)
        if fmt == "xlsx"
        else csv_chunks(rows, columns)
    )
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    name = f"{slugify(filename) or 'eksport'}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
