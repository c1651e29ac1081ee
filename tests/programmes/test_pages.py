"""The pages: the public page and PDF open without login and show no personal data; the
signed-in pages for the personas; IUP table 3 read from the published plan."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.programmes.conftest import publish_plan

pytestmark = pytest.mark.django_db


def test_public_page_and_tagged_pdf_without_login(world, course):
    plan = publish_plan(world, course)
    course.uao.first_name, course.uao.last_name = "Unni", "Utdanningsansvarlig"
    course.uao.save()
    client = Client()
    url = reverse("programmes:public", args=["unn", "ort"])
    assert url == "/utdanningsplan/unn/ort/"
    response = client.get("/utdanningsplan/UNN/ORT/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Utdanningsplan for Ortopedisk kirurgi ved Universitetssykehuset Nord-Norge HF" in text
    assert "ORT-001" in text and "Ortopedisk avdeling NLSH" in text
    for person in (
        "Utdanningsansvarlig",
        world.users["local_coordinator"].last_name,
        world.trainee.last_name,
        world.users["leader"].last_name,
    ):
        assert person not in text
    pdf = client.get("/utdanningsplan/UNN/ORT/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "nb"
    words = "".join(p.extract_text() for p in reader.pages)
    assert "ORT-004" in words and "Oppbygging" in words
    # drafts and unknown courses are not public
    assert client.get("/utdanningsplan/NLSH/ORT/").status_code == 404
    assert plan.published_on is not None


def test_signed_in_pages(world, course, client):
    plan = publish_plan(world, course)
    client.force_login(course.coordinator)
    for name, args in [
        ("programmes:list", []),
        ("programmes:detail", [plan.pk]),
        ("programmes:coverage", []),
        ("programmes:gaps", []),
        ("programmes:goal", ["ORT-005"]),
        ("programmes:institution", [world.unn.pk, world.specialty.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    matrix = client.get(reverse("programmes:institution", args=[world.unn.pk, world.specialty.pk]))
    assert "ORT-006" in matrix.content.decode() and "Mangel" in matrix.content.decode()
    export = client.get(reverse("programmes:gaps") + "?region=NORD&format=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200 and "ORT-006" in body and "Universitetssykehuset" in body
    pdf = client.get(reverse("programmes:pdf", args=[plan.pk]))
    assert pdf.status_code == 200
    home = client.get("/").content.decode()
    assert "Mangler i utdanningsløpene" in home
    # the trainee reads published plans, not drafts
    draft = __import__("lisplan.programmes.services", fromlist=["x"]).draft_create(
        actor=course.uao, institution=world.unn, specialty=world.specialty
    )
    client.force_login(world.users["trainee"])
    assert client.get(reverse("programmes:detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("programmes:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("programmes:edit", args=[draft.pk])).status_code == 403


def test_edit_page_saves_the_draft_and_coordinator_publishes(world, course, client):
    client.force_login(course.uao)
    response = client.post(
        reverse("programmes:create"), {"course": f"{world.unn.pk}-{world.specialty.pk}"}
    )
    assert response.status_code == 302
    from lisplan.programmes.models import ProgrammePlan

    plan = ProgrammePlan.objects.get()
    page = client.get(reverse("programmes:edit", args=[plan.pk]))
    assert page.status_code == 200
    data = {
        "version": plan.version,
        "introduction": "Løpet.",
        "supervision": "",
        "assessment": "",
        "courses": "",
        "contact": "",
        "phases-TOTAL_FORMS": 1,
        "phases-INITIAL_FORMS": 0,
        "phases-0-name": "Del 3",
        "phases-0-months": 60,
        "arenas-TOTAL_FORMS": 1,
        "arenas-INITIAL_FORMS": 0,
        "arenas-0-arena": world.department.pk,
        "arenas-0-phase": "0",
        "arenas-0-goals": ["ORT-001", "ORT-002"],
        "arenas-0-prerequisites": "ort-003, ORT-004",
        "periods-TOTAL_FORMS": 0,
        "periods-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("programmes:edit", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert [g.code for a in plan.arenas.all() for g in a.goals.all()] == ["ORT-001", "ORT-002"]
    assert sorted(g.code for a in plan.arenas.all() for g in a.prerequisites.all()) == [
        "ORT-003",
        "ORT-004",
    ]
    assert plan.introduction == "<p>Løpet.</p>"
    edit = client.get(reverse("programmes:edit", args=[plan.pk])).content.decode()
    assert "&lt;p&gt;" not in edit and "ORT-003, ORT-004" in edit
    stale = client.post(reverse("programmes:edit", args=[plan.pk]), data)
    assert stale.status_code == 409
    client.force_login(course.coordinator)
    client.post(reverse("programmes:publish", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "published"


def test_iup_table3_prefilled_from_the_published_plan(world, course):
    from lisplan.iup import services as iup

    course.agreement.prerequisites.add(course.goals["ORT-001"])
    publish_plan(world, course)
    revision = iup.plan_create(
        actor=world.users["leader"], trainee=world.trainee, employment=None, kind="hospital"
    )
    assert revision.programme_plan_url.endswith("/utdanningsplan/UNN/ORT/")
    assert "ORT-001" in revision.goals_own_unit
    assert revision.goals_other_unit == "Seksjon for traume: ORT-004"
    assert revision.goals_other_trust == (
        "Nordlandssykehuset HF: ORT-005 (krever før start: ORT-001)"
    )
