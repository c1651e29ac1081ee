"""The ALIS field-name export: JSON with exactly the field names of the Directorate's PDF form
(seed 002), and a filled PDF whose AcroForm fields carry those names and values."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from lisplan.iup import export, queries
from lisplan.iup.status import status_table
from tests.iup.outputs import NEXT_MEETING, Alis, hospital_revision

pypdf = pytest.importorskip("pypdf")

# Every field of the form, as listed at the end of seed 002 (in the seed's order).
SEED_FIELDS = [
    "lis_navn",
    "hpr",
    "kommune",
    "leder",
    "alis_koord",
    "mail",
    "referat_hvem",
    "annen_alm_tjeneste",
    "inst_tjeneste",
    "tilpass_tjeneste",
    "alm_tj_fremtid",
    "inst_tj_fremtid",
    "kurs_fremtid",
    "andre_akt_fremtid",
    "fordypning_fremtid",
    "plan_perm",
    "plan_overordnet",
    "sted",
    "alis_sign",
    "kommune_sign",
    "veil_sign",
    "neste_mote",
    "sak_kurs",
    "regutdvirk_ja",
    "regutdvirk_nei",
    "l_arena",
    "iv_navn",
    "iv_mail",
    "lis1",
    "usel_praks",
    "gr_b",
    "gr_c",
    "gr_d",
    "g_veil_fremtid",
    "lv_fremtid",
    "lis1_rest",
    "usel_praks_rest",
    "annen_alm_tjeneste_rest",
    "inst_tjeneste_rest",
    "tilpass_tjeneste_rest",
    "gr_a",
    "gr_a_rest",
    "gr_b_rest",
    "gr_c_rest",
    "gr_d_rest",
    "emnekurs",
    "emnekurs_rest",
    "akutt_kurs",
    "akutt_kurs_rest",
    "sak_kurs_rest",
    "fkm_kurs",
    "fkm_kurs_rest",
    "g_veil",
    "g_veil_rest",
    "lv_40",
    "lv_40_rest",
    "prak_pros",
    "prak_pros_rest",
    "andre_akt",
    "andre_akt_rest",
]


def test_seed_list_is_complete():
    assert len(SEED_FIELDS) == len(set(SEED_FIELDS)) == 60


@pytest.fixture
def alis(world):
    return Alis(world)


def test_json_has_exactly_the_form_fields(world, alis):
    revision = alis.sign(alis.revision())
    values = export.alis_fields(queries.revision_qs().get(pk=revision.pk), timezone.localdate())
    assert set(values) == set(SEED_FIELDS)
    assert all(isinstance(v, str) for v in values.values())
    signatures = {s.role: s for s in revision.signatures.all()}
    assert values["lis_navn"] == "Alma Alis" and values["hpr"] == "123456789"
    assert values["kommune"] == "Tromsø kommune" and values["l_arena"] == "Sentrum legesenter"
    assert (values["regutdvirk_ja"], values["regutdvirk_nei"]) == ("Yes", "Off")
    assert values["iv_navn"] == "Vera Veileder" and values["referat_hvem"] == "ALIS"
    assert values["kurs_fremtid"] == "Grunnkurs B og C"
    assert values["plan_overordnet"] == "Spesialistgodkjenning våren 2030"
    assert values["neste_mote"] == f"{NEXT_MEETING:%d.%m.%Y}"
    assert values["alis_sign"].startswith(signatures["trainee"].name)
    assert values["kommune_sign"].startswith("Kari Kommune")
    # section 4 is the ledger's, through progress.present.form_values: 12 shifts done of 40
    assert (values["lv_40"], values["lv_40_rest"]) == ("12 vakter", "28 vakter")
    table = status_table(revision, timezone.localdate())
    assert values["usel_praks"] == table.form_values["usel_praks"] != ""
    assert values["usel_praks_rest"] == table.form_values["usel_praks_rest"]


def test_fillable_pdf_carries_the_field_names_and_values(world, alis):
    revision = alis.revision()  # a draft: live numbers, no signatures yet
    loaded = queries.revision_qs().get(pk=revision.pk)
    values = export.alis_fields(loaded, timezone.localdate())
    reader = pypdf.PdfReader(io.BytesIO(export.render_fillable_pdf(loaded, timezone.localdate())))
    fields = reader.get_fields()
    assert set(fields) == set(SEED_FIELDS)
    for name in SEED_FIELDS:
        value = fields[name].get("/V")
        if name in export.CHECKBOXES:
            assert fields[name]["/FT"] == "/Btn"
            assert value == f"/{values[name]}", name
        else:
            assert fields[name]["/FT"] == "/Tx"
            assert (value or "") == values[name], name
    assert fields["regutdvirk_ja"]["/V"] == "/Yes" and fields["regutdvirk_nei"]["/V"] == "/Off"
    assert fields["lv_40"]["/V"] == "12 vakter" and fields["alis_sign"].get("/V", "") == ""
    assert fields["alm_tj_fremtid"]["/V"] == "Fastlegeliste 1200 pasienter\nSykehjem 20 %"


def test_download_views_are_scoped_and_alis_only(client, world, alis):
    revision = alis.revision()
    json_url = reverse("iup:fields_json", args=[revision.pk])
    pdf_url = reverse("iup:fields_pdf", args=[revision.pk])
    client.force_login(alis.user)
    response = client.get(json_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert set(json.loads(response.content)) == set(SEED_FIELDS)
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert set(pypdf.PdfReader(io.BytesIO(response.content)).get_fields()) == set(SEED_FIELDS)
    client.force_login(world.users["outsider"])  # coordinator in another region
    assert client.get(json_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    client.force_login(world.users["planner"])
    assert client.get(json_url).status_code == 403
    # a hospital plan has no ALIS field names
    hospital = hospital_revision(world)
    client.force_login(world.users["trainee"])
    assert client.get(reverse("iup:fields_json", args=[hospital.pk])).status_code == 404
    assert client.get(reverse("iup:pdf", args=[hospital.pk])).status_code == 200
