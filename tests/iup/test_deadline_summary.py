"""The stored IUP deadlines (`iup.deadlines`, issue #18) always agree with the rule computed
afresh (`queries.deadlines`), after each kind of change (a write marks the row stale, the next
read recomputes it; a row still current is never wrong), and the work list reads them with a
constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lisplan.iup import deadlines, queries
from lisplan.iup.models import DeadlineSummary, Revision
from lisplan.trainees.models import Trainee
from tests import factories as f


def _stored(trainee, today):
    kept = DeadlineSummary.objects.filter(deadlines.current(today), trainee=trainee).first()
    if kept is not None:  # a row still current is never wrong: every write marks its row stale
        assert (kept.due, kept.reason) == _fresh(trainee, today)[:2]
    row = queries.summaries(Trainee.objects.filter(pk=trainee.pk), today).get()
    return row.due, row.reason, row.state


def _one(trainee, today):
    """The one-trainee read of the start page and the revision page."""
    d = queries.stored_deadline_for(trainee.pk, today)
    return d.deadline.due, d.deadline.reason, d.state


def _fresh(trainee, today):
    d = queries.deadline_for(trainee, today)
    return d.deadline.due, d.deadline.reason, d.state


def test_stored_deadline_follows_every_input(world, draft):
    today = timezone.localdate()
    t = world.trainee
    assert _stored(t, today) == _fresh(t, today)  # a draft: the 4-week deadline
    from tests.iup.outputs import sign_all

    sign_all(world, draft)
    assert _stored(t, today)[2] == "ok"
    assert _stored(t, today) == _fresh(t, today)
    # long leave registered: due the day before it starts
    f.LeaveFactory(
        trainee=t, start=today + dt.timedelta(days=10), end=today + dt.timedelta(days=200)
    )
    assert _stored(t, today) == _fresh(t, today)
    assert _stored(t, today)[1] == "long_leave"
    # an assessment panel registered through the progress services
    from lisplan.progress import services as progress_services

    Revision.objects.filter(pk=draft.pk).update(signed_at=timezone.now() - dt.timedelta(days=20))
    deadlines.refresh([t.pk])
    progress_services.activity_create(
        actor=world.users["local_coordinator"],
        trainee=t,
        kind="assessment_panel",
        date=today - dt.timedelta(days=1),
        participants="UAO",
    )
    assert _stored(t, today) == _fresh(t, today)
    assert _stored(t, today)[1:] == ("assessment_panel", "overdue")
    assert _one(t, today) == _fresh(t, today)


def test_an_imported_assessment_panel_moves_the_stored_deadline(world, draft):
    """The spreadsheet import writes in bulk, without signals, and brings the rows up to date
    itself: the row is current and right straight after the import."""
    from lisplan.progress.importer import import_progress
    from tests.iup.outputs import sign_all
    from tests.progress.test_import import csv

    today = timezone.localdate()
    t = world.trainee
    t.hpr_number = "012345678"
    t.save()
    sign_all(world, draft)
    Revision.objects.filter(pk=draft.pk).update(signed_at=timezone.now() - dt.timedelta(days=20))
    deadlines.refresh([t.pk])
    line = f"012345678;vurderingskollegium;{today - dt.timedelta(days=1):%d.%m.%Y};;;;;;;;;;;UAO"
    assert import_progress(csv(line), actor=world.users["local_coordinator"]).ok
    kept = DeadlineSummary.objects.filter(deadlines.current(today)).get(trainee=t)
    assert (kept.due, kept.reason) == _fresh(t, today)[:2]
    assert kept.reason == "assessment_panel"


def test_rows_are_recomputed_when_their_day_comes(world, signed):
    today = timezone.localdate()
    t = world.trainee
    employment = t.employments.order_by("-start").first()
    employment.end = today + dt.timedelta(days=40)
    employment.save()
    assert _one(t, today) == _fresh(t, today)  # the read recomputes the row the save marked
    row = DeadlineSummary.objects.get(trainee=t)
    assert row.fresh_until == employment.end + dt.timedelta(days=1)
    later = employment.end + dt.timedelta(days=2)
    # the day after the employment ended the stored row is out of date and recomputed on read
    assert _one(t, later) == _fresh(t, later)
    assert DeadlineSummary.objects.get(trainee=t).computed_on == later
    deadlines.mark_stale([t.pk])
    assert _stored(t, later) == _fresh(t, later) == _one(t, later)


def test_missing_rows_are_computed_on_read(world, draft):
    today = timezone.localdate()
    DeadlineSummary.objects.all().delete()
    assert _one(world.trainee, today) == _fresh(world.trainee, today)
    DeadlineSummary.objects.all().delete()
    assert _stored(world.trainee, today) == _fresh(world.trainee, today)


def test_work_list_queries_do_not_grow_with_trainees(client, world):
    from tests.iup.test_views import _employ, login, url

    c = login(client, world, "local_coordinator")
    c.get(url("work_list"))  # warm up (sessions, stored rows)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url("work_list")).status_code == 200
    for i in range(12):
        _employ(world, world.unn, last_name=f"Flere{i}")
    c.get(url("work_list"))
    with CaptureQueriesContext(connection) as many:
        response = c.get(url("work_list"))
    assert response.context["counts"]["missing"] >= 12
    assert len(many) == len(few)
