"""The signed agreement: uploaded as a PDF only (size and content checked), stored under the
private MEDIA_ROOT and downloaded only through the protected view, by those who may see the
agreement."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lisplan.rotations.models import DOCUMENT_MAX_BYTES, CollaborationAgreement

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def form_data(world, nlsh, **extra):
    return {
        "sending": world.unn.pk,
        "receiving": world.nlsh.pk,
        "specialty": world.specialty.pk,
        "duration_months": 6,
        "capacity": 1,
        "quota_semester": "any",
        "valid_from": "2025-01-01",
        "arenas": [nlsh.arena.pk],
        **extra,
    }


def upload(client, world, nlsh, name, content, content_type="application/pdf"):
    client.force_login(world.users["local_coordinator"])
    return client.post(
        reverse("rotations:agreement_add"),
        form_data(
            world, nlsh, document=SimpleUploadedFile(name, content, content_type=content_type)
        ),
    )


def test_upload_and_download_for_those_who_see_the_agreement(client, world, nlsh, media):
    response = upload(client, world, nlsh, "Fagavtale ORT æøå.pdf", PDF)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = CollaborationAgreement.objects.get()
    assert agreement.document.name.startswith("agreements/")
    assert (media / agreement.document.name).read_bytes() == PDF
    download = reverse("rotations:agreement_document", args=[agreement.pk])

    page = client.get(reverse("rotations:agreement", args=[agreement.pk])).content.decode()
    assert f'href="{download}"' in page and "Last ned signert avtale" in page
    assert "Fagavtale_ORT" in page or "Fagavtale ORT" in page  # the file's name, not a URL
    assert "/media/" not in page and 'href="agreements/' not in page

    for user in (
        world.users["local_coordinator"],
        world.users["trainee"],
        world.users["leader"],
        nlsh.coordinator,
        world.users["regional_coordinator"],
    ):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline; filename")
        assert f"fagavtale-{agreement.pk}-" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF

    # outside the agreement's parties: as if it did not exist; without the permission: 403
    client.force_login(world.users["outsider"])
    assert client.get(download).status_code == 404
    client.force_login(world.users["supervisor"])
    assert client.get(download).status_code == 403
    client.logout()
    response = client.get(download)
    assert response.status_code == 302 and "logg-inn" in response["Location"]


def test_no_document_or_a_lost_file_is_404(client, world, nlsh, agreement, media):
    download = reverse("rotations:agreement_document", args=[agreement.pk])
    client.force_login(world.users["local_coordinator"])
    assert client.get(download).status_code == 404
    page = client.get(reverse("rotations:agreement", args=[agreement.pk])).content.decode()
    assert "Ingen signert avtale lastet opp" in page and download not in page
    CollaborationAgreement.objects.filter(pk=agreement.pk).update(
        document="agreements/2025/borte.pdf"
    )
    assert client.get(download).status_code == 404
    assert client.get(reverse("rotations:agreement", args=[agreement.pk])).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("avtale.docx", PDF, "må være en PDF-fil (.pdf)"),
        ("avtale.pdf", b"<html>not a pdf</html>", "ikke en gyldig PDF-fil"),
        ("avtale.pdf", PDF + b"0" * DOCUMENT_MAX_BYTES, "høyst 10 MB"),
    ],
)
def test_upload_refuses_what_is_not_a_small_pdf(client, world, nlsh, name, content, message):
    response = upload(client, world, nlsh, name, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="2025-01-01"' in html  # what was typed is still there
    assert not CollaborationAgreement.objects.exists()


def test_editing_without_a_new_file_keeps_the_document(client, world, nlsh, media):
    assert upload(client, world, nlsh, "avtale.pdf", PDF).status_code == 302
    agreement = CollaborationAgreement.objects.get()
    name = agreement.document.name
    response = client.post(
        reverse("rotations:agreement_edit", args=[agreement.pk]), form_data(world, nlsh, capacity=2)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement.refresh_from_db()
    assert agreement.capacity == 2 and agreement.document.name == name


@pytest.mark.django_db(transaction=True)
def test_replacing_the_signed_agreement_removes_the_old_file(client, world, nlsh, media):
    assert upload(client, world, nlsh, "first.pdf", PDF).status_code == 302
    agreement = CollaborationAgreement.objects.get()
    old = media / agreement.document.name
    assert old.exists()
    response = client.post(
        reverse("rotations:agreement_edit", args=[agreement.pk]),
        form_data(
            world, nlsh, document=SimpleUploadedFile("second.pdf", PDF + b"%2", "application/pdf")
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement.refresh_from_db()
    assert (media / agreement.document.name).read_bytes() == PDF + b"%2"
    assert not old.exists()
