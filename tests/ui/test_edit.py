"""Coordinators' edits: employment and leave, through the audited services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lisplan.audit.models import AuditEvent
from lisplan.trainees.models import Employment, LeavePeriod


def employment_data(world, **overrides) -> dict:
    data = {
        "institution": world.unn.pk,
        "arena": world.section.pk,
        "specialty": world.specialty.pk,
        "permanent": "True",
        "position_percent": "80",
        "start": "2025-08-01",
        "end": "",
        "scheme": "new",
        "employee_number": "A-1234",
    }
    return {**data, **overrides}


def add_url(world, name="employment_add"):
    return reverse(f"trainees:{name}", args=[world.trainee.pk])


def test_coordinator_adds_employment_and_it_is_audited(client, world):
    client.force_login(world.users["local_coordinator"])
    assert client.get(add_url(world)).status_code == 200
    response = client.post(add_url(world), employment_data(world))
    assert response.status_code == 302
    assert response.url == reverse("trainees:detail", args=[world.trainee.pk])
    employment = Employment.objects.get(employee_number="A-1234")
    assert employment.position_percent == 80 and employment.start == dt.date(2025, 8, 1)
    event = AuditEvent.objects.get(action="employment.created", object_id=str(employment.pk))
    assert event.actor == world.users["local_coordinator"]
    assert event.trainee_id == world.trainee.pk


def test_bad_employment_shows_the_rule_keeps_input_and_saves_nothing(client, world):
    client.force_login(world.users["local_coordinator"])
    before = Employment.objects.count()
    response = client.post(
        add_url(world),
        employment_data(world, permanent="False", position_percent="120", employee_number="X-9"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Et vikariat må ha sluttdato." in html
    assert "Stillingsprosenten kan ikke være over 100." in html
    assert 'value="X-9"' in html  # what the user typed is kept
    assert 'aria-invalid="true"' in html and "ds-error-summary" in html
    assert Employment.objects.count() == before
    assert not AuditEvent.objects.filter(action="employment.created").exists()


def test_edit_employment_records_old_and_new(client, world):
    employment = world.trainee.employments.get()
    url = reverse("trainees:employment_edit", args=[world.trainee.pk, employment.pk])
    client.force_login(world.users["local_coordinator"])
    assert 'value="2024-01-01"' in client.get(url).content.decode()
    response = client.post(url, employment_data(world, start="2024-01-01", position_percent="60"))
    assert response.status_code == 302
    employment.refresh_from_db()
    assert employment.position_percent == 60
    event = AuditEvent.objects.get(action="employment.changed")
    assert event.changes["position_percent"] == [100, 60]


def test_coordinator_adds_leave_with_period_check(client, world):
    client.force_login(world.users["local_coordinator"])
    url = add_url(world, "leave_add")
    bad = client.post(
        url, {"kind": "parental", "start": "2025-06-01", "end": "2025-01-01", "percent": "100"}
    )
    assert "Sluttdato kan ikke være før startdato." in bad.content.decode()
    assert not LeavePeriod.objects.exists()
    good = client.post(
        url, {"kind": "parental", "start": "01.01.2025", "end": "30.06.2025", "percent": "100"}
    )
    assert good.status_code == 302
    assert LeavePeriod.objects.get().end == dt.date(2025, 6, 30)
    assert AuditEvent.objects.filter(action="leave.created").exists()


@pytest.mark.parametrize("name", ["employment_add", "leave_add"])
def test_edit_forms_refuse_users_without_change_permission(client, world, name):
    client.force_login(world.users["leader"])  # sees the trainee, may not change
    assert client.get(add_url(world, name)).status_code == 403


@pytest.mark.parametrize("name", ["employment_add", "leave_add"])
def test_edit_forms_hide_trainees_outside_scope(client, world, name):
    client.force_login(world.users["outsider"])  # coordinator in Bergen
    assert client.get(add_url(world, name)).status_code == 404
    assert client.post(add_url(world, name), {}).status_code == 404


def test_edit_of_an_employment_of_another_trainee_is_404(client, world):
    other = world.other_region.employments.get()
    url = reverse("trainees:employment_edit", args=[world.trainee.pk, other.pk])
    client.force_login(world.users["local_coordinator"])
    assert client.get(url).status_code == 404


def test_edit_forms_need_sign_in(client, world):
    response = client.get(add_url(world))
    assert response.status_code == 302


def test_detail_offers_edit_links_to_coordinators(client, world):
    client.force_login(world.users["local_coordinator"])
    html = client.get(reverse("trainees:detail", args=[world.trainee.pk])).content.decode()
    assert add_url(world) in html and add_url(world, "leave_add") in html
