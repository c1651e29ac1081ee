"""The read-access log (issue 16, D): reads of a trainee's data by others are recorded in one
place — pages, PDFs, API reads — the trainee sees who, and the administrator can search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lisplan.accounts.models import ApiToken
from lisplan.audit.models import ReadAccess


def test_trainee_page_pdf_and_api_reads_are_logged(client, world, approved):
    leader = world.users["leader"]
    client.force_login(leader)
    assert client.get(reverse("trainees:detail", args=[world.trainee.pk])).status_code == 200
    response = client.get(reverse("plans:pdf", args=[approved.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _token, raw = ApiToken.issue(world.users["local_coordinator"])
    client.logout()
    assert (
        client.get(
            f"/api/v1/trainees/{world.trainee.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
        ).status_code
        == 200
    )

    rows = list(ReadAccess.objects.order_by("id"))
    assert [(r.actor.username, r.action, r.object_type) for r in rows] == [
        ("leader", "view", "trainees.Trainee"),
        ("leader", "pdf", "plans.Revision"),
        ("local_coordinator", "api", "trainees.Trainee"),
    ]
    assert all(r.trainee_id == world.trainee.pk and r.request_id for r in rows)
    assert rows[0].roles == "leader"

    # The trainee reading their own data is not logged; they see who read it.
    client.force_login(world.users["trainee"])
    client.get(reverse("trainees:detail", args=[world.trainee.pk]))
    assert ReadAccess.objects.count() == 3
    page = client.get(reverse("who_has_seen")).content.decode()
    assert "Hvem har sett mine opplysninger" in page
    assert str(leader) in page and "Lastet ned PDF" in page and "Hentet via API" in page
    assert "Leder" in page  # the role, in words
    assert "Lege i spesialisering: Tora Trainee" in page or "lege i spesialisering" in page.lower()


def test_failed_reads_and_writes_are_not_read_records(client, world):
    client.force_login(world.users["outsider"])
    assert client.get(reverse("trainees:detail", args=[world.trainee.pk])).status_code in (403, 404)
    assert not ReadAccess.objects.exists()


def test_logging_costs_at_most_two_queries_per_page(client, world):
    client.force_login(world.users["leader"])
    url = reverse("trainees:detail", args=[world.trainee.pk])
    client.get(url)
    from django.test import override_settings

    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    middleware = [
        m
        for m in __import__("django.conf").conf.settings.MIDDLEWARE
        if m != "lisplan.audit.reads.ReadAccessMiddleware"
    ]
    with override_settings(MIDDLEWARE=middleware), CaptureQueriesContext(connection) as plain:
        client.get(url)
    assert len(logged) - len(plain) <= 2


@pytest.mark.django_db
def test_admin_searches_the_log(client, world, approved):
    client.force_login(world.users["leader"])
    client.get(reverse("trainees:detail", args=[world.trainee.pk]))
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get("/admin/audit/readaccess/", {"q": "leader"})
    assert response.status_code == 200
    assert str(world.users["leader"]) in response.content.decode()
    response = client.get("/admin/audit/readaccess/", {"q": "ingen-slik"})
    assert str(world.users["leader"]) not in response.content.decode().split("result_list")[-1]
