"""The education plan's outputs as downloads: the revision as a PDF laid out like its form, and
for ALIS plans the field-name export (JSON, and a PDF with those names as form fields). Same
permission and scope as viewing the revision (404 outside scope, 403 without `iup.view`)."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.utils import timezone

from lisplan.accounts.access import require
from lisplan.iup import export, queries
from lisplan.iup.models import Kind
from lisplan.iup.pdf import pdf_response


def _download(body: bytes, content_type: str, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{filename}"'
    )
    return response


@require("iup.view")
def revision_pdf(request, pk: int):
    # the scope check reads the revision alone; a stored PDF needs nothing more
    revision = queries.revision_in_scope_light(request.user, "iup.view", pk)
    return pdf_response(request, revision)


def _alis(request, pk: int):
    revision = queries.revision_in_scope(request.user, "iup.view", pk)
    if revision.plan.kind != Kind.ALIS:
        raise Http404  # the field names belong to the ALIS form only
    return revision


@require("iup.view")
def alis_fields_json(request, pk: int):
    revision = _alis(request, pk)
    values = export.alis_fields(revision, timezone.localdate())
    body = json.dumps(values, ensure_ascii=False, indent=2).encode()
    return _download(
        body, "application/json; charset=utf-8", export.filename(revision, "json"), inline=False
    )


@require("iup.view")
def alis_fields_pdf(request, pk: int):
    revision = _alis(request, pk)
    return _download(
        export.render_fillable_pdf(revision, timezone.localdate()),
        "application/pdf",
        export.filename(revision, "pdf"),
        inline=False,
    )
