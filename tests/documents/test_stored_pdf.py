"""Documents render once (issue #18): a signed IUP revision's PDF is rendered on the first
download, stored under its content hash, and streamed from storage after that; a draft renders
on every request and is never stored."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from lisplan.documents.models import StoredFile
from tests.iup.outputs import hospital_revision, sign_all


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_signed_revision_pdf_is_rendered_once_and_streamed(client, world, monkeypatch):
    revision = sign_all(world, hospital_revision(world))
    url = reverse("iup:pdf", args=[revision.pk])
    client.force_login(world.users["trainee"])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    body = _body(first)
    assert body.startswith(b"%PDF")
    row = StoredFile.objects.get()
    assert row.sha256 == hashlib.sha256(body).hexdigest() and row.size == len(body)
    assert first["ETag"] == f'"{row.sha256}"'

    def no_render(*args, **kwargs):
        raise AssertionError("a stored PDF must not be rendered again")

    monkeypatch.setattr("lisplan.iup.pdf.render_revision_pdf", no_render)
    second = client.get(url)
    assert second.streaming and _body(second) == body
    assert 'filename="utdanningsplan-tora-trainee-revisjon-' in second["Content-Disposition"]
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"{row.sha256}"').status_code == 304
    # the API streams the same file
    from tests.api.conftest import ApiClient

    api = ApiClient(world.users["trainee"]).get(f"/api/v1/education-plans/{revision.pk}/pdf")
    assert api.status_code == 200 and _body(api) == body
    assert StoredFile.objects.count() == 1


def test_draft_pdf_renders_every_time_and_is_not_stored(client, world):
    revision = hospital_revision(world)
    client.force_login(world.users["trainee"])
    url = reverse("iup:pdf", args=[revision.pk])
    assert _body(client.get(url)).startswith(b"%PDF")
    assert _body(client.get(url)).startswith(b"%PDF")
    assert not StoredFile.objects.exists()
    # out of scope is still 404 before anything is read or stored
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404
