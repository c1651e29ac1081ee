"""The PDF of a revision: laid out like the form, A4, with the text a reader needs."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from lisplan.plans import queries
from lisplan.plans.pdf import render_revision_pdf

pypdf = pytest.importorskip("pypdf")


def pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def squash(text: str) -> str:
    return " ".join(text.split())


def test_pdf_of_an_approved_revision(world, approved):
    revision = queries.revision_detail(world.users["admin"], approved.pk)
    text, reader = pdf_text(render_revision_pdf(revision))
    flat = squash(text)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    for expected in [
        "INDIVIDUELL GJENNOMFØRINGSPLAN",
        "Individuell gjennomføringsplan for:",
        "Arbeidstakers navn:",
        "Tora Trainee",
        "Arbeidsgiver/Foretak:",
        world.unn.name,
        "Utdanning til spesialist i:",
        "Ortopedisk kirurgi",
        "Beregnet tidsrom for spesialiseringen:",
        "01.01.2024 – 30.06.2029",
        "Sted, dato for fastsatt plan:",
        "01.11.2025",
        "Ved konvertering:",
        "Oversikt på spesialiseringsperioder",
        world.nlsh.name,
        "01.01.2026",
        "30.06.2026",
        "Andre merknader:",
        "Leder med personalansvar",
        "Arbeidstaker",
        "Revisjon 1",
        "Side 1 av 1",
    ]:
        assert expected in flat, expected
    for signature in approved.signatures.all():
        when = timezone.localtime(signature.signed_at).strftime("%d.%m.%Y %H:%M")
        assert signature.name in flat and f"Signert {when}" in flat
    approved_on = timezone.localtime(approved.approved_at).strftime("%d.%m.%Y")
    assert (
        f"Godkjent av lokal koordinator: {world.users['local_coordinator'].get_full_name()}, "
        f"{approved_on}" in flat
    )
    assert f"Godkjenningen gjelder til: {approved.valid_until:%d.%m.%Y}" in flat


def test_pdf_view_is_scoped(client, world, draft):
    client.force_login(world.users["trainee"])
    response = client.get(reverse("plans:pdf", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        'filename="gjennomforingsplan-tora-trainee-revisjon-1.pdf"'
        in response["Content-Disposition"]
    )
    text, _ = pdf_text(response.content)
    assert "Ikke signert" in text and "Ikke godkjent" in text
    client.force_login(world.users["outsider"])
    assert client.get(reverse("plans:pdf", args=[draft.pk])).status_code == 404
    client.force_login(world.users["planner"])
    assert client.get(reverse("plans:pdf", args=[draft.pk])).status_code == 403


def test_long_plan_numbers_its_pages(world, draft, period):
    import datetime as dt

    from lisplan.plans import services

    periods = [
        period(dt.date(2026 + i // 12, i % 12 + 1, 1), dt.date(2026 + i // 12, i % 12 + 1, 28))
        for i in range(40)
    ]
    services.revision_update(
        actor=world.users["leader"],
        revision=draft,
        version=draft.version,
        periods=periods,
        remarks="Lang plan",
    )
    revision = queries.revision_detail(world.users["admin"], draft.pk)
    text, reader = pdf_text(render_revision_pdf(revision))
    pages = len(reader.pages)
    assert pages >= 2
    assert f"Side 1 av {pages}" in text and f"Side {pages} av {pages}" in text


def test_pdf_shows_purpose_and_place(world, approved):
    """Seed 000: «til bruk ved: a) … b) Konvertering fra gammel til ny utdanningsordning» and
    «Sted, dato»."""
    from lisplan.plans.models import Revision

    Revision.objects.filter(pk=approved.pk).update(purpose="conversion", place="Tromsø")
    revision = queries.revision_detail(world.users["admin"], approved.pk)
    flat = squash(pdf_text(render_revision_pdf(revision))[0])
    assert "Til bruk ved:" in flat
    assert "☒ Konvertering fra gammel til ny utdanningsordning" in flat
    assert "☐ Inngåelse av arbeidsavtale" in flat
    assert "Sted, dato for fastsatt plan: Tromsø, 01.11.2025" in flat
