"""XLSX export of the run's tables: a small write-only openpyxl workbook, streamed from a
temporary file (the shared row exporter was not on main yet when this was written; switch to
it when it lands)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.http import FileResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    filename: str, sheet: str, header: list[str], rows: Iterable[list]
) -> FileResponse:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=sheet[:31])
    ws.append(header)
    for row in rows:
        ws.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
