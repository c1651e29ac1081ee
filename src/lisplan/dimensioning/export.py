"""XLSX export of a run's tables through the shared streamed exporter (`lisplan.exports`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse

from lisplan.exports import Column, export_response


def xlsx_response(
    filename: str, sheet: str, header: list[str], rows: Iterable[list]
) -> StreamingHttpResponse:
    """`filename` without suffix (the exporter adds the date and «.xlsx»)."""
    return export_response(
        rows, [Column(str(h)) for h in header], filename, fmt="xlsx", sheet_title=str(sheet)[:31]
    )
