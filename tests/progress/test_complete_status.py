"""A trainee who meets every mandatory requirement is stored and shown as «Fullført» (issue #4):
the cached summary, the overview's filter and counts, and the start page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from lisplan.progress.models import (
    GoalApproval,
    GoalStatus,
    ProgressStatus,
    ProgressSummary,
    ServiceCategory,
    ServicePeriod,
)
from lisplan.progress.summary import refresh_summaries

pytestmark = pytest.mark.django_db


def client_for(world, persona: str) -> Client:
    c = Client()
    c.force_login(world.users[persona])
    return c


def approve(world, *goals) -> None:
    for goal in goals:
        GoalApproval.objects.create(
            trainee=world.trainee,
            goal=goal,
            status=GoalStatus.APPROVED,
            assessment="panel",
            approved_by=world.users["leader"],
            approved_on=max(goal.valid_from, dt.date(2026, 3, 1)),
        )


@pytest.fixture
def complete(world, goals):
    """The world's trainee with every goal valid today approved and over five years of service
    in the specialty (three years before lisplan plus the employment from 2024)."""
    approve(world, goals["ort1"], goals["ort2"], goals["fkm"])
    ServicePeriod.objects.create(
        trainee=world.trainee,
        category=ServiceCategory.SPECIALTY,
        start=dt.date(2020, 1, 1),
        end=dt.date(2022, 12, 31),
    )
    refresh_summaries([world.trainee.pk, world.colleague.pk])
    return world.trainee


def test_complete_trainee_is_stored_as_complete(complete):
    row = ProgressSummary.objects.get(trainee=complete)
    assert row.requirements_total > 0 and row.requirements_met == row.requirements_total
    assert row.status == ProgressStatus.COMPLETE
    assert row.get_status_display() == "Fullført"


def test_one_goal_missing_is_not_complete(world, goals):
    approve(world, goals["ort1"], goals["fkm"])  # ORT-002 (the version valid today) missing
    ServicePeriod.objects.create(
        trainee=world.trainee,
        category=ServiceCategory.SPECIALTY,
        start=dt.date(2020, 1, 1),
        end=dt.date(2022, 12, 31),
    )
    refresh_summaries([world.trainee.pk])
    row = ProgressSummary.objects.get(trainee=world.trainee)
    assert row.status != ProgressStatus.COMPLETE
    assert row.requirements_met == row.requirements_total - 1


def test_overview_filters_and_counts_complete(world, complete):
    c = client_for(world, "local_coordinator")
    response = c.get(reverse("progress:overview"), {"status": "complete"})
    assert response.status_code == 200
    assert [t.pk for t in response.context["page"].object_list] == [complete.pk]
    counts = {row["status"]: row["n"] for row in response.context["counts"]}
    assert counts["complete"] == 1
    assert counts["on_track"] + counts["behind"] + counts["at_risk"] + counts["unknown"] >= 1
    html = response.content.decode()
    assert "Fullført: 1" in html
    assert 'data-color="success">Fullført</span>' in html
    # the filter offers the value, and «I rute» no longer holds the complete trainee
    assert '<option value="complete"' in c.get(reverse("progress:overview")).content.decode()
    on_track = c.get(reverse("progress:overview"), {"status": "on_track"})
    assert complete.pk not in [t.pk for t in on_track.context["page"].object_list]


def test_start_page_shows_complete(world, complete):
    response = client_for(world, "trainee").get(reverse("home"))
    assert response.status_code == 200
    assert 'data-color="success">Fullført</span>' in response.content.decode()


def test_migration_marks_old_on_track_rows_complete(world, complete):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("lisplan.progress.migrations.0003_summary_status_complete")
    ProgressSummary.objects.filter(trainee=complete).update(status="on_track")
    partial = ProgressSummary.objects.get(trainee=world.colleague)
    assert partial.requirements_met < partial.requirements_total
    ProgressSummary.objects.filter(trainee=world.colleague).update(status="on_track")
    migration.mark_complete(apps, None)
    assert ProgressSummary.objects.get(trainee=complete).status == "complete"
    assert ProgressSummary.objects.get(trainee=world.colleague).status == "on_track"
