"""Keeping the cached summaries fresh: the stale flag, `computed_on`, the background task and
`lisplan refresh_progress --stale-only`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lisplan.plans.models import Status
from lisplan.progress.models import ProgressSummary
from lisplan.progress.summary import refresh_stale, refresh_summaries, stale_trainee_ids
from lisplan.progress.tasks import refresh_stale_summaries
from lisplan.trainees.models import LeavePeriod
from tests import factories as f

pytestmark = pytest.mark.django_db


def everyone() -> list[int]:
    from lisplan.trainees.models import Trainee

    return list(Trainee.objects.values_list("pk", flat=True))


def test_refresh_stamps_the_day_and_clears_stale(world):
    today = timezone.localdate()
    refresh_summaries([world.trainee.pk])
    row = ProgressSummary.objects.get(trainee=world.trainee)
    assert row.computed_on == today and row.stale is False
    assert world.trainee.pk not in stale_trainee_ids(today)


def test_missing_and_old_rows_are_stale(world):
    today = timezone.localdate()
    other = f.TraineeFactory()
    assert set(stale_trainee_ids(today)) == set(everyone())  # no rows yet
    refresh_summaries(everyone(), today - dt.timedelta(days=1))
    assert set(stale_trainee_ids(today)) == set(everyone())  # computed yesterday
    assert stale_trainee_ids(today - dt.timedelta(days=1)) == []
    refresh_summaries([other.pk], today)
    assert other.pk not in stale_trainee_ids(today)
    assert refresh_stale(today) == len(everyone()) - 1
    assert stale_trainee_ids(today) == []
    assert set(ProgressSummary.objects.values_list("computed_on", flat=True)) == {today}


def test_input_changes_outside_progress_mark_the_row_stale(world):
    today = timezone.localdate()
    refresh_summaries(everyone())
    leave = LeavePeriod.objects.create(
        trainee=world.trainee,
        kind="parental",
        start=today - dt.timedelta(days=30),
        end=today,
        percent=100,
    )
    assert ProgressSummary.objects.get(trainee=world.trainee).stale
    assert stale_trainee_ids(today) == [world.trainee.pk]
    refresh_stale(today)
    assert not ProgressSummary.objects.get(trainee=world.trainee).stale
    leave.delete()
    assert ProgressSummary.objects.get(trainee=world.trainee).stale
    refresh_stale(today)
    employment = world.trainee.employments.first()
    employment.position_percent = 60
    employment.save()
    assert ProgressSummary.objects.get(trainee=world.trainee).stale


def test_a_new_goal_version_marks_the_specialty_stale(world):
    from lisplan.catalogue.models import LearningGoal

    other = f.TraineeFactory()
    refresh_summaries([world.trainee.pk, other.pk])
    LearningGoal.objects.create(
        code="ORT-099",
        specialty=world.specialty,
        part="part3",
        text="Nytt mål.",
        valid_from=dt.date(2026, 3, 1),
    )
    stale = set(ProgressSummary.objects.filter(stale=True).values_list("trainee_id", flat=True))
    assert world.trainee.pk in stale
    if other.employments.exclude(specialty=world.specialty).exists():
        assert other.pk not in stale


def test_an_approved_revision_marks_stale(world):
    from lisplan.plans import services as plans

    revision = plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=[],
    )
    refresh_summaries([world.trainee.pk])
    revision.save()  # a draft saved again: progress does not read drafts
    assert not ProgressSummary.objects.get(trainee=world.trainee).stale
    revision.status = Status.APPROVED
    revision.save()  # e.g. changed in the admin
    assert ProgressSummary.objects.get(trainee=world.trainee).stale


def test_status_moving_with_the_date_is_picked_up(world):
    """A row computed for an earlier day is recomputed, so a status that depends on the date
    (e.g. the projection passing the planned end) moves without any input changing."""
    today = timezone.localdate()
    refresh_summaries(everyone())
    refresh_summaries([world.trainee.pk], today - dt.timedelta(days=400))
    before = ProgressSummary.objects.get(trainee=world.trainee)
    assert refresh_stale(today) == 1
    after = ProgressSummary.objects.get(trainee=world.trainee)
    assert after.computed_on == today and before.computed_on != after.computed_on


def test_the_task_refreshes_stale_rows(world):
    today = timezone.localdate()
    refresh_summaries(everyone())
    refresh_summaries([world.trainee.pk], today - dt.timedelta(days=1))
    assert refresh_stale_summaries.call(today.isoformat()) == 1
    assert ProgressSummary.objects.get(trainee=world.trainee).computed_on == today
    assert refresh_stale_summaries.call() == 0  # nothing left


def test_command_stale_only_and_enqueue(world):
    today = timezone.localdate()
    other = f.TraineeFactory()
    refresh_summaries(everyone())
    ProgressSummary.objects.filter(trainee=other).update(computed_on=today - dt.timedelta(days=1))
    out = StringIO()
    call_command("refresh_progress", "--stale-only", stdout=out)
    assert "1 leger" in out.getvalue()
    out = StringIO()
    call_command("refresh_progress", stdout=out)
    assert f"{len(everyone())} leger" in out.getvalue()
    out = StringIO()
    call_command("refresh_progress", "--stale-only", "--enqueue", stdout=out)
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("refresh_stale_summaries") and str(queued.id) in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("refresh_progress", "--enqueue", stdout=StringIO(), stderr=StringIO())
