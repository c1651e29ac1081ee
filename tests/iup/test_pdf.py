"""The PDF of an education-plan revision, laid out like its form (seeds 001 and 002): pypdf reads
the text back — names, the form's headings, the live status numbers, signatures with times."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lisplan.iup import queries
from lisplan.iup.pdf import render_revision_pdf
from lisplan.iup.status import status_table
from tests.iup.outputs import (
    MEETING_1,
    MEETING_2,
    NEXT_MEETING,
    PANEL,
    Alis,
    hospital_revision,
    sign_all,
)

pypdf = pytest.importorskip("pypdf")


def pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), reader


def loaded(revision):
    return queries.revision_qs().get(pk=revision.pk)


def test_hospital_pdf_has_every_table_and_the_signatures(world):
    revision = sign_all(world, hospital_revision(world))
    text, reader = pdf_text(render_revision_pdf(loaded(revision)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    for expected in [
        "INDIVIDUELL UTDANNINGSPLAN",
        "Revisjon 1",
        "Signert",
        "TABELL 1",
        "Navn",
        "Tora Trainee",
        "Spesialitet",
        "Ortopedisk kirurgi",
        "Arbeidssted",
        "Ortopedisk avdeling, Tromsø",
        "Første gang utarbeidet",
        "Sist oppdatert",
        "Spesialiseringsordning",
        "Ny TABELL 2",
        "TABELL 2",
        "VEILEDNING",
        "Vera Veileder, Ortopedisk kirurgi",
        "Per Psykoterapi, Psykiatri (psykoterapi)",
        f"{MEETING_1:%d.%m.%Y} 14:00, {MEETING_2:%d.%m.%Y} 14:00 (Rom 3)",
        "08.09.2026",
        f"neste planlagte {PANEL:%d.%m.%Y} 09:00",
        "TABELL 3",
        "FORMELLE KRAV",
        "https://unn.no/utdanningsplan-ortopedi",
        "Håndkirurgi ved Nordlandssykehuset",
        "TABELL 4",
        "STATUS SPESIALISTUTDANNING",
        "Gjennomført",
        "Gjenstående",
        "Universitetet i Tromsø 2019",
        "Tjeneste i spesialiteten (tid)",
        "TABELL 5",
        "GJENNOMFØRINGSPLAN FOR SPESIALISERING",
        "Annet helseforetak",
        "Nordlandssykehuset, håndkirurgi",
        "01.09.2027 – 29.02.2028",
        "TABELL 6",
        "FREMDRIFTSPLAN KOMMENDE HALVÅR",
        "Klinisk tjeneste",
        "Traumevakt og poliklinikk",
        "Personlig mål for faglig utvikling",
        "Selvstendig på bakvakt",
        "Planlagte permisjoner: Foreldrepermisjon høsten 2027",
        "TABELL 7",
        "Instruktør i ATLS",
        "Individuell utdanningsplan er utarbeidet/revidert av: Tora Trainee og Vera Veileder",
        "Signatur LIS",
        "Signatur veileder",
        "Signatur leder",
        "Side 1 av",
        "låst da planen ble signert",
    ]:
        assert expected in text, expected
    for signature in revision.signatures.all():
        when = timezone.localtime(signature.signed_at).strftime("%d.%m.%Y %H:%M")
        assert f"{signature.name} Signatur" in text and f"Signert {when}" in text
    pages = len(reader.pages)
    assert f"Side {pages} av {pages}" in text


def test_hospital_status_numbers_are_the_live_ledger(world):
    revision = hospital_revision(world)
    today = timezone.localdate()
    table = status_table(revision, today)
    row = table.row("specialty_time")
    # one unit: whole months and days, «35 mnd. 7 dager», never «35,2 mnd.» (issue 12, item 7)
    assert re.fullmatch(r"\d+ mnd\.( \d+ dag(er)?)?", row.done), row.done
    assert "mnd." in row.remaining
    text, _ = pdf_text(render_revision_pdf(loaded(revision)))
    assert f"Tjeneste i spesialiteten (tid) {row.done} {row.remaining}" in text
    assert "Tallene er beregnet fra progresjonsregisteret" in text
    assert "Ikke signert" in text


def test_alis_pdf_has_every_section_and_the_next_meeting(world):
    alis = Alis(world)
    revision = alis.sign(alis.revision())
    text, _ = pdf_text(render_revision_pdf(loaded(revision)))
    for expected in [
        "Individuell utdanningsplan for ALIS",
        "Gjelder for tidsrommet: 01.11.2026 – 30.04.2027",
        "1. Informasjon om kommune",
        "a. Kommune Tromsø kommune",
        "b. Er kommunen registrert som utdanningsvirksomhet?",
        "☒ JA",
        "☐ NEI",
        "c. Leder i kompetanseportalen Kari Kommune",
        "Ola Koordinator",
        "2. Informasjon om ALIS",
        "e. Navn Alma Alis",
        "f. HPR-nummer 123456789",
        "alma@tromso.kommune.no",
        "h. Læringsarena/Arbeidssted Sentrum legesenter",
        "3. Avtale om individuell veiledning",
        "a. Individuell veileders navn Vera Veileder",
        "c. Hvem skriver referat ALIS",
        "4. Status tjenestetid og læringsaktiviteter",
        "Tjenestetid",
        "Læringsaktiviteter",
        "Åpen uselektert praksis (min. 2 år, inntil 4,5 år)",
        "Grunnkurs A",
        "6 ulike emnekurs",
        "Sakkyndighetskurs",
        "5. Framdriftsplan for kommende periode",
        "Fastlegeliste 1200 pasienter",
        "e. Legevakt 2 vakter/mnd.",
        "h. Planlagt permisjon/fravær Ingen",
        "6. Plan for hele utdanningsløpet",
        "Spesialistgodkjenning våren 2030",
        "7. Underskrift",
        "Vi bekrefter at opplysningene er korrekte",
        "Sted / dato: Tromsø",
        "ALIS",
        "Kommunen",
        "Veileder",
        f"Dato for neste møte: {NEXT_MEETING:%d.%m.%Y}",
    ]:
        assert expected in text, expected
    # live numbers from the ledger: 12 out-of-hours shifts done, 28 remaining
    assert "40 legevakter (minimum) 12 vakter" in text and "28 vakter" in text
    for signature in revision.signatures.all():
        when = timezone.localtime(signature.signed_at).strftime("%d.%m.%Y %H:%M")
        assert signature.name in text and f"Signert {when}" in text


def test_pdf_view_is_scoped(client, world):
    revision = hospital_revision(world)
    url = reverse("iup:pdf", args=[revision.pk])
    client.force_login(world.users["trainee"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        'filename="utdanningsplan-tora-trainee-revisjon-1.pdf"' in response["Content-Disposition"]
    )
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["planner"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
