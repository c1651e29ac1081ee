"""Registrations for a receiving trust outside the system (seed 003, c): the form as PDF, the
JSON record, and recording the trust's answer through the services."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from lisplan.accounts.models import RoleAssignment
from lisplan.audit.models import AuditEvent
from lisplan.rotations import export, services
from lisplan.rotations.models import RotationRequest, Status
from lisplan.rotations.services import RotationError
from tests import factories as f

pypdf = pytest.importorskip("pypdf")


@pytest.fixture
def bergen_request(world):
    """A wish forwarded from UNN to Helse Bergen (another region, no coordinator in lisplan)."""
    actor = world.users["local_coordinator"]
    services.agreement_create(
        actor=actor,
        sending=world.unn,
        receiving=world.bergen,
        specialty=world.specialty,
        duration_months=2,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        reference="HB-PLA-1",
        semester_quota=1,
        quota_semester="spring",
    )
    # The `outsider` in `world` coordinates Bergen; here Bergen is outside the system.
    RoleAssignment.objects.filter(user=world.users["outsider"]).delete()
    r = services.request_create(
        actor=actor,
        trainee=world.trainee,
        receiving=world.bergen,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
        wish=True,
        comment="Ønsker vårsemesteret.",
    )
    return services.request_forward(actor=actor, request=r)


def login(client, world, persona: str):
    client.force_login(world.users[persona])
    return client


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_the_form_fields(client, world, bergen_request):
    world.trainee.hpr_number = "1234567"
    world.trainee.save()
    response = login(client, world, "local_coordinator").get(
        reverse("rotations:export_pdf", args=[bergen_request.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "innmelding-tora-trainee-hb.pdf" in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    for expected in (
        "INNMELDING TIL SPESIALISERINGSPERIODE",
        "Tora Trainee",
        "1234567",
        "Universitetssykehuset Nord-Norge HF",
        "Helse Bergen HF",
        "Ortopedisk kirurgi",
        "01.02.2027",
        "2 måneder",
        "refunderes",
        "HB-PLA-1",
        "Ønsker vårsemesteret",
        "Leder med personalansvar",
    ):
        assert expected in text, expected


def test_json_record(client, world, bergen_request):
    response = login(client, world, "local_coordinator").get(
        reverse("rotations:export_json", args=[bergen_request.pk])
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["format"] == export.FORMAT and data["id"] == bergen_request.pk
    assert data["trainee"]["name"] == "Tora Trainee"
    assert data["employment"]["employer_code"] == "UNN" and data["employment"]["permanent"]
    assert data["receiving"]["code"] == "HB" and data["specialty"]["code"] == "ORT"
    assert data["period"] == {
        "desired_start": "2027-02-01",
        "agreed_start": None,
        "duration_months": 2,
        "end": "2027-03-31",
        "refunded_by_employer": True,
    }
    assert data["register"]["registered_on"] == timezone.localdate().isoformat()
    assert data["agreement"]["reference"] == "HB-PLA-1"
    assert data["agreement"]["semester_quota"] == 1
    assert data["leader"]["name"]  # the department's leader
    assert data["exported_by"]["name"]


def test_export_access(client, world, bergen_request):
    url = reverse("rotations:export_pdf", args=[bergen_request.pk])
    assert login(client, world, "trainee").get(url).status_code == 403  # no register.forward
    assert login(client, world, "leader").get(url).status_code == 403
    other = f.UserFactory(username="nlsh_coordinator")
    f.assign(other, "local_coordinator", institution=world.nlsh)
    client.force_login(other)
    assert client.get(url).status_code == 404  # outside scope
    assert client.get(reverse("rotations:export_json", args=[bergen_request.pk])).status_code == 404
    assert (
        client.get(reverse("rotations:export_answer", args=[bergen_request.pk])).status_code == 404
    )


def test_detail_page_links_to_the_export(client, world, bergen_request):
    page = (
        login(client, world, "local_coordinator")
        .get(reverse("rotations:request", args=[bergen_request.pk]))
        .content.decode()
    )
    assert reverse("rotations:export_pdf", args=[bergen_request.pk]) in page
    assert reverse("rotations:export_answer", args=[bergen_request.pk]) in page
    page = (
        login(client, world, "trainee")
        .get(reverse("rotations:request", args=[bergen_request.pk]))
        .content.decode()
    )
    assert reverse("rotations:export_pdf", args=[bergen_request.pk]) not in page


def test_record_accepted_with_start(client, world, bergen_request):
    url = reverse("rotations:export_answer", args=[bergen_request.pk])
    client = login(client, world, "local_coordinator")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "accepted": "yes",
            "start": "2027-02-01",
            "comment": "Velkommen til plastikkirurgisk avdeling.",
        },
    )
    assert response.status_code == 302
    r = RotationRequest.objects.get(pk=bergen_request.pk)
    assert r.status == Status.START_AGREED and r.agreed_start == dt.date(2027, 2, 1)
    assert "Svar fra Helse Bergen HF: Velkommen" in r.comment
    actions = list(
        AuditEvent.objects.filter(object_type="rotations.rotationrequest", object_id=str(r.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "register.offered",
        "register.accepted",
        "register.start_agreed",
        "register.external_answer",
    ]


def test_record_declined(world, bergen_request):
    r = export.record_answer(
        actor=world.users["local_coordinator"],
        request=bergen_request,
        accepted=False,
        comment="Ingen kapasitet i vår.",
    )
    assert r.status == Status.CANCELLED
    assert r.comment == "Avslått. Svar fra Helse Bergen HF: Ingen kapasitet i vår."


def test_answer_refusals(client, world, bergen_request):
    actor = world.users["local_coordinator"]
    # The agreement's rules hold: spring only (quota), so an autumn start is refused and
    # nothing is recorded.
    with pytest.raises(RotationError) as error:
        export.record_answer(
            actor=actor, request=bergen_request, accepted=True, start=dt.date(2027, 9, 1)
        )
    assert error.value.field == "start"
    assert RotationRequest.objects.get(pk=bergen_request.pk).status == Status.FORWARDED
    # Only permanent employees can be offered.
    world.trainee.employments.update(permanent=False, end=dt.date(2030, 1, 1))
    with pytest.raises(RotationError, match="ikke fast ansatt"):
        export.record_answer(actor=actor, request=bergen_request, accepted=True)
    # A form error shows on the page.
    url = reverse("rotations:export_answer", args=[bergen_request.pk])
    response = login(client, world, "local_coordinator").post(
        url, {"accepted": "no", "start": "2027-02-01"}
    )
    assert (
        response.status_code == 200
        and "Et avslag har ingen oppstartsdato" in response.content.decode()
    )


def test_answer_refused_for_trusts_in_the_system(world, bergen_request):
    f.assign(
        f.UserFactory(username="hb_coordinator"), "local_coordinator", institution=world.bergen
    )
    assert not export.is_external(bergen_request)
    with pytest.raises(RotationError) as error:
        export.record_answer(
            actor=world.users["local_coordinator"], request=bergen_request, accepted=False
        )
    assert error.value.code == "not_external"


def test_answer_refused_before_forwarding(world, bergen_request):
    actor = world.users["local_coordinator"]
    services.request_cancel(actor=actor, request=bergen_request, reason="Byttet")
    with pytest.raises(RotationError) as error:
        export.record_answer(actor=actor, request=bergen_request, accepted=False)
    assert error.value.code == "invalid_state"
