"""Render an immutable document once, then stream the stored file (issue #18).

`file_response` is what a download view or API operation returns. For a document that can no
longer change (a signed IUP revision, an approved implementation plan) the first request renders
it, stores the bytes under their SHA-256 in the default storage (`var/media/rendered/`) with a
`StoredFile` row keyed by the document, its version and the layout version, and every later
request streams that file (with the hash as ETag: a client that has it gets 304). Drafts and
documents under signing render on every request, since they change.

Bump `LAYOUT` (or a caller's `layout`) when the PDF templates change in a way that must reach
documents already stored: the key changes and they render again on their next download.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpResponse, HttpResponseNotModified

from lisplan.documents.models import StoredFile

LAYOUT = "1"


def _disposition(filename: str, inline: bool) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'


def stored(
    key: str, render: Callable[[], bytes], content_type: str = "application/pdf"
) -> StoredFile:
    """The stored file for `key`, rendering and storing it first if there is none."""
    row = StoredFile.objects.filter(key=key).first()
    if row is not None and row.file.storage.exists(row.file.name):
        return row
    body = render()
    digest = hashlib.sha256(body).hexdigest()
    if row is not None:  # the row outlived its file (storage restored): write it again
        row.file.save(f"{digest}.pdf", ContentFile(body), save=False)
        row.sha256, row.size = digest, len(body)
        row.save(update_fields=["file", "sha256", "size"])
        return row
    row = StoredFile(key=key, sha256=digest, size=len(body), content_type=content_type)
    row.file.save(f"{digest}.pdf", ContentFile(body), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # another request stored it first: use theirs
        row.file.delete(save=False)
        return StoredFile.objects.get(key=key)
    return row


def file_response(
    request,
    *,
    key: str,
    immutable: bool,
    render: Callable[[], bytes],
    filename: str,
    content_type: str = "application/pdf",
    inline: bool = True,
) -> HttpResponse:
    """The document as a download: stored and streamed when `immutable`, else rendered now."""
    if not immutable:
        response = HttpResponse(render(), content_type=content_type)
        response["Content-Disposition"] = _disposition(filename, inline)
        response["Cache-Control"] = "private, no-cache"
        return response
    row = stored(f"{key}:layout{LAYOUT}", render, content_type)
    etag = f'"{row.sha256}"'
    if request is not None and request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = _disposition(filename, inline)
    response["Content-Length"] = str(row.size)
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response
