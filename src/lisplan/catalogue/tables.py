"""Reading a spreadsheet (.xlsx) or a CSV file into numbered rows of raw cells.

Pure: no database. Line numbers are the ones the user sees (the CSV line, the Excel row), so
errors can point at them.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

# Column name in the documented layout -> accepted spellings (after `normalise_header`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "kode": ("kode", "code", "læringsmålkode", "malkode"),
    "spesialitet": ("spesialitet", "specialty", "spesialitetskode"),
    "del": ("del", "part"),
    "tema": ("tema", "fkm_tema", "temaområde", "topic", "topic_area"),
    "tekst": ("tekst", "text", "læringsmål", "beskrivelse"),
    "gyldig_fra": ("gyldig_fra", "valid_from", "fra_dato"),
    "gyldig_til": ("gyldig_til", "valid_to", "til_dato"),
    "demo": ("demo",),
    "kilde": ("kilde", "source"),
}
REQUIRED_COLUMNS = ("kode", "tekst", "gyldig_fra")
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}


class TableError(Exception):
    """The file as a whole cannot be read (format, encoding, missing columns)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Table:
    name: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def normalise_header(value: Any) -> str:
    text = str(value or "").strip().lower()
    return "_".join(text.replace("-", " ").split())


def read_table(source: str | os.PathLike | IO, *, name: str | None = None) -> Table:
    """Rows of a .xlsx or .csv file as (line number, {column: cell}), blank rows skipped.

    `source` is a path or an open binary file (e.g. a Django upload). The format is chosen by
    the file name, or by content when there is no name (an .xlsx file is a zip: «PK»).
    """
    if isinstance(source, str | os.PathLike):
        name = name or os.path.basename(os.fspath(source))
        with open(source, "rb") as fh:
            data = fh.read()
    else:
        name = name or os.path.basename(getattr(source, "name", "") or "") or "opplastet fil"
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    lower = name.lower()
    if lower.endswith(".xlsx") or (not lower.endswith(".csv") and data[:2] == b"PK"):
        header, rows = _xlsx_rows(data)
    elif lower.endswith(".csv") or not lower.rpartition(".")[1]:
        header, rows = _csv_rows(data)
    else:
        raise TableError(_("Ukjent filtype. Bruk .xlsx eller .csv."))
    return _to_table(name, header, rows)


def _csv_rows(data: bytes) -> tuple[tuple[int, list[Any]] | None, list[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            _("Filen er ikke lagret som UTF-8. Lagre CSV-filen som «CSV UTF-8».")
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Norwegian Excel writes «;»; others write «,». The header decides.
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = None
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(str(c).strip() for c in cells):
                continue
            if header is None:
                header = (line, cells)
            else:
                rows.append((line, cells))
    except csv.Error as exc:
        raise TableError(_("CSV-filen kan ikke leses: %(error)s") % {"error": exc}, start) from exc
    return header, rows


def _xlsx_rows(data: bytes) -> tuple[tuple[int, list[Any]] | None, list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook  # only needed for spreadsheets

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError(_("Regnearket kan ikke åpnes som .xlsx.")) from exc
    try:
        sheet = wb["Læringsmål"] if "Læringsmål" in wb.sheetnames else wb.worksheets[0]
        header = None
        rows: list[tuple[int, list[Any]]] = []
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            if header is None:
                header = (line, list(cells))
            else:
                rows.append((line, list(cells)))
    finally:
        wb.close()
    return header, rows


def _to_table(name, header, rows) -> Table:
    if header is None:
        raise TableError(_("Filen er tom."))
    header_line, cells = header
    columns: list[str | None] = []
    table = Table(name=name)
    for cell in cells:
        key = _ALIASES.get(normalise_header(cell))
        if key is None and str(cell or "").strip():
            table.ignored_columns.append(str(cell).strip())
        columns.append(key if key not in columns else None)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise TableError(
            _("Mangler kolonne: %(columns)s. Første linje må være kolonnenavnene.")
            % {"columns": ", ".join(missing)},
            header_line,
        )
    for line, values in rows:
        row = {col: values[i] for i, col in enumerate(columns) if col and i < len(values)}
        table.rows.append((line, row))
    return table
