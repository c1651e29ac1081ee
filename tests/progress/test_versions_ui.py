"""Concurrent edits and stale goal versions in the pages: a service period changed by someone
else is not overwritten (clear message, input kept), and an old goal version cannot be
approved (warning on the page, refusal on submit, link to the current version)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lisplan.progress.models import GoalApproval, ServicePeriod

pytestmark = pytest.mark.django_db


def client_for(world, persona: str) -> Client:
    c = Client()
    c.force_login(world.users[persona])
    return c


def test_service_period_edit_detects_a_concurrent_change(world):
    period = ServicePeriod.objects.create(
        trainee=world.trainee,
        category="institutional",
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 6, 30),
    )
    url = reverse("progress:service_edit", args=[world.trainee.pk, period.pk])
    leader, coordinator = client_for(world, "leader"), client_for(world, "local_coordinator")
    assert 'name="version" value="1"' in leader.get(url).content.decode()
    data = {"category": "institutional", "start": "2023-01-01", "end": "2023-06-30"}
    assert coordinator.post(url, {**data, "percent": "80", "version": "1"}).status_code == 302
    response = leader.post(url, {**data, "percent": "50", "version": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "endret av noen andre" in body
    assert 'value="50"' in body  # what the user typed is kept
    period.refresh_from_db()
    assert (period.percent, period.version) == (80, 2)


def test_old_goal_version_warns_and_refuses(world, goals):
    url = reverse("progress:goal_approve", args=[world.trainee.pk, goals["ort2_old"].pk])
    leader = client_for(world, "leader")
    page = leader.get(url).content.decode()
    assert "tidligere versjon av læringsmålet" in page
    assert reverse("progress:goal_approve", args=[world.trainee.pk, goals["ort2"].pk]) in page
    response = leader.post(url, {"assessment": "panel", "approved_on": "2025-01-10"})
    assert response.status_code == 200
    assert "er erstattet av versjonen fra 01.03.2026" in response.content.decode()
    assert not GoalApproval.objects.exists()
    current = reverse("progress:goal_approve", args=[world.trainee.pk, goals["ort2"].pk])
    assert "tidligere versjon" not in leader.get(current).content.decode()
    assert (
        leader.post(
            current, {"assessment": "panel", "approved_on": timezone.localdate().isoformat()}
        ).status_code
        == 302
    )
    assert GoalApproval.objects.get().goal == goals["ort2"]


def test_earlier_version_approval_is_shown_not_counted(world, goals):
    GoalApproval.objects.create(
        trainee=world.trainee,
        goal=goals["ort2_old"],
        status="approved",
        assessment="panel",
        approved_by=world.users["leader"],
        approved_on=dt.date(2025, 1, 10),
    )
    body = (
        client_for(world, "leader")
        .get(reverse("progress:trainee", args=[world.trainee.pk]))
        .content.decode()
    )
    assert "Godkjent etter tidligere versjon" in body
    assert "må godkjennes på nytt" in body
