"""The pages of service confirmations: the trainee requests from their page, the coordinator
issues from the work list, the leader signs from «Til signering», everyone in scope reads the
confirmation and downloads its PDF; outside the scope: 404. Reads are logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lisplan.audit.models import ReadAccess
from lisplan.confirmations.models import ConfirmationVersion, Status
from tests.confirmations.conftest import ISSUED_ON, ask, issue

pytestmark = pytest.mark.django_db


def login(client, world, persona):
    client.force_login(world.users[persona])
    return client


def test_the_flow_through_the_pages(client, world, employment, travel):
    with travel(ISSUED_ON):
        login(client, world, "trainee")
        detail = client.get(reverse("trainees:detail", args=[world.trainee.pk]))
        assert reverse("confirmations:trainee", args=[world.trainee.pk]) in detail.content.decode()
        page = client.get(reverse("confirmations:trainee", args=[world.trainee.pk]))
        assert "Bestill bekreftelse på tjeneste" in page.content.decode()
        response = client.post(
            reverse("confirmations:request", args=[world.trainee.pk]),
            {"ansettelse": employment.pk, "merknad": "Til søknaden"},
        )
        version = ConfirmationVersion.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("confirmations:version", args=[version.pk])
        again = client.get(reverse("confirmations:trainee", args=[world.trainee.pk])).content
        assert "er under behandling" in again.decode()

        login(client, world, "local_coordinator")
        home = client.get(reverse("home")).content.decode()
        assert "Bekreftelser på tjeneste til utstedelse" in home
        work = client.get(reverse("confirmations:work_list")).content.decode()
        assert world.trainee.full_name in work
        page = client.get(reverse("confirmations:version", args=[version.pk])).content.decode()
        assert "Tell tjenesten og send til signering" in page
        # one trail, the shared component: Mine oppgaver › the trainee › the list › Versjon n
        assert page.count("ds-breadcrumbs") == 1
        trail = page.split("ds-breadcrumbs")[1].split("</nav>")[0]
        assert "Mine oppgaver" in trail and world.trainee.full_name in trail
        assert reverse("confirmations:trainee", args=[world.trainee.pk]) in trail
        assert f"Versjon {version.number}" in trail
        # the coordinator checks the count before issuing: a preview, not stored
        assert "Kontroller tjenesten slik den telles" in page and "11 mnd." in page
        assert ConfirmationVersion.objects.get().snapshot is None
        client.post(reverse("confirmations:issue", args=[version.pk]), {"version": version.version})
        version.refresh_from_db()
        assert version.status == Status.AWAITING_SIGNATURES

        login(client, world, "leader")
        to_sign = client.get(reverse("plans:to_sign")).content.decode()
        assert reverse("confirmations:version", args=[version.pk]) in to_sign
        page = client.get(reverse("confirmations:version", args=[version.pk])).content.decode()
        assert "11 mnd." in page and "1 mnd." in page
        client.post(reverse("confirmations:sign", args=[version.pk]), {"version": version.version})
        version.refresh_from_db()
        assert version.status == Status.SIGNED

        login(client, world, "trainee")
        page = client.get(reverse("confirmations:version", args=[version.pk])).content.decode()
        assert "Signert" in page
        pdf = client.get(reverse("confirmations:pdf", args=[version.pk]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_refusals_show_as_messages_not_errors(client, world, employment, travel):
    with travel(ISSUED_ON):
        version = ask(world, employment)
        login(client, world, "leader")  # sees it (their unit) but may not issue
        response = client.post(
            reverse("confirmations:issue", args=[version.pk]), {"version": version.version}
        )
        assert response.status_code == 403  # the leader holds no `confirmation.issue` at all
        response = client.post(
            reverse("confirmations:sign", args=[version.pk]), {"version": version.version}
        )
        assert response.status_code == 302
        version.refresh_from_db()
        assert version.status == Status.REQUESTED


@pytest.mark.parametrize("persona", ["outsider", "planner"])
def test_outside_the_scope_is_not_found(client, world, employment, travel, persona):
    with travel(ISSUED_ON):
        version = issue(world, ask(world, employment))
        login(client, world, persona)
        status = 404 if persona == "outsider" else 403
        assert client.get(reverse("confirmations:version", args=[version.pk])).status_code == (
            status
        )
        assert client.get(reverse("confirmations:pdf", args=[version.pk])).status_code == status


def test_reading_a_confirmation_is_logged(client, world, employment, travel):
    with travel(ISSUED_ON):
        version = issue(world, ask(world, employment))
        login(client, world, "local_coordinator")
        client.get(reverse("confirmations:version", args=[version.pk]))
        client.get(reverse("confirmations:pdf", args=[version.pk]))
    reads = ReadAccess.objects.filter(
        actor=world.users["local_coordinator"], trainee_id=world.trainee.pk
    )
    assert reads.count() >= 2
    assert {r.action for r in reads} >= {ReadAccess.Action.PDF}


def test_pdf_before_issue_is_not_found(client, world, employment, travel):
    with travel(ISSUED_ON):
        version = ask(world, employment)
        login(client, world, "trainee")
        assert client.get(reverse("confirmations:pdf", args=[version.pk])).status_code == 404


def test_signed_pdf_is_stored_once(client, world, signed):
    from lisplan.documents.models import StoredFile

    login(client, world, "trainee")
    first = client.get(reverse("confirmations:pdf", args=[signed.pk]))
    second = client.get(reverse("confirmations:pdf", args=[signed.pk]))
    assert first["ETag"] == second["ETag"]
    assert StoredFile.objects.filter(key__startswith="confirmations.version:").count() == 1
