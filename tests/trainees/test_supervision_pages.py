"""Assigning and ending supervisors on the trainee's page (issue 17, item 6): the trainee's
leader or local coordinator does it (`supervision.change`), audited; others are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lisplan.audit.models import AuditEvent
from lisplan.errors import Refused
from lisplan.trainees import services
from lisplan.trainees.models import Supervision
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_coordinator_assigns_a_supervisor_from_the_employer(client, world, travel):
    other = f.UserFactory(username="vera", first_name="Vera", last_name="Veileder")
    f.assign(other, "supervisor", institution=world.unn)
    elsewhere = f.UserFactory(username="berit", first_name="Berit", last_name="Bergen")
    f.assign(elsewhere, "supervisor", institution=world.bergen)
    url = reverse("trainees:supervision_add", args=[world.trainee.pk])
    client.force_login(world.users["local_coordinator"])
    detail = client.get(reverse("trainees:detail", args=[world.trainee.pk])).content.decode()
    assert f'href="{url}"' in detail
    html = client.get(url).content.decode()
    assert "Vera Veileder" in html and "Berit Bergen" not in html
    with travel(dt.date(2026, 12, 6)):
        client.force_login(world.users["local_coordinator"])
        response = client.post(
            url, {"supervisor": other.pk, "kind": "additional", "start": "2026-12-06"}
        )
        assert response.status_code == 302
        supervision = Supervision.objects.get(supervisor=other)
        assert AuditEvent.objects.filter(action="supervision.created").exists()

        # still on the travelled day: after it, the session would have been idle too long
        end = reverse("trainees:supervision_end", args=[world.trainee.pk, supervision.pk])
        response = client.post(end, {"end": "2026-11-01"})  # before the start: the rule, named
        assert response.status_code == 200
        response = client.post(end, {"end": "2026-12-31"})
        assert response.status_code == 302
    supervision.refresh_from_db()
    assert supervision.end == dt.date(2026, 12, 31)


def test_others_are_refused(client, world):
    url = reverse("trainees:supervision_add", args=[world.trainee.pk])
    client.force_login(world.users["outsider"])  # a coordinator at another trust
    assert client.get(url).status_code == 404
    client.force_login(world.users["trainee"])
    assert client.get(url).status_code == 403
    with pytest.raises(Refused):
        services.supervision_create(
            actor=world.users["outsider"],
            trainee=world.trainee,
            supervisor=world.users["supervisor"],
            start=dt.date(2026, 1, 1),
        )
