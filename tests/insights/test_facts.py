"""The stored indicator facts (`insights.TraineeFacts`, issue #18): the page for today counts
them instead of the live queries. Every indicator's value from the stored facts equals the live
computation (`_evaluate_all` without facts) on several scopes — on the hand-built world, on a
demo dataset, after real service writes (each kept current in the same transaction), and after
the date has moved; and every stored row equals the row computed now."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lisplan.insights import facts
from lisplan.insights.indicators import (
    INDICATORS,
    Ctx,
    Scope,
    _evaluate_all,
    context,
    evaluate_all,
    row_values,
)
from lisplan.insights.models import TraineeFacts
from lisplan.insights.queries import WORK_KINDS, work_items, work_items_in
from lisplan.organisations.models import Institution, LearningArena
from lisplan.trainees.models import Employment

pytestmark = pytest.mark.django_db


def _values(values) -> dict:
    return {v.code: (v.numerator, v.denominator, v.value) for v in values}


def _fields(row: TraineeFacts) -> tuple:
    keys = {"employment", *facts.UNIT}
    return tuple(getattr(row, f"{n}_id" if n in keys else n) for n in facts.FIELDS)


def _stored_rows() -> dict:
    return {r.trainee_id: _fields(r) for r in TraineeFacts.objects.all()}


def _rows_now(today: dt.date) -> dict:
    return {r.trainee_id: _fields(r) for r in facts._rows(None, today)}


def assert_same(scopes, today: dt.date | None = None) -> None:
    """No stored row dated today is wrong (a write marks its trainee's row stale; a missed input
    shows here first); the page's values (stored facts) equal the live ones on each scope; and
    after the reads every stored row equals the row computed now."""
    today = today or timezone.localdate()
    now = _rows_now(today)
    dated_today = {t: row for t, row in _stored_rows().items() if row[0] == today}
    assert dated_today == {t: now[t] for t in dated_today}
    for scope in scopes:
        stored = _values(evaluate_all(scope, today))
        live = _values(_evaluate_all(Ctx.of(scope, today)))
        assert stored == live, scope
        assert_same_lists(scope, today)
    assert _stored_rows() == _rows_now(today)


def _list(indicator, ctx) -> list:
    return sorted(
        (tuple(sorted(r.items())) for r in row_values(indicator, indicator.rows(ctx))), key=repr
    )


def assert_same_lists(scope: Scope, today: dt.date) -> None:
    """The lists behind the numbers for today (the drill-down, its export and the API) on the
    stored facts' population are the live lists, row for row."""
    ctx = context(scope, today)
    assert ctx.facts
    for indicator in INDICATORS:
        assert _list(indicator, ctx) == _list(indicator, Ctx.of(scope, today)), indicator.code
    for kind in WORK_KINDS:  # the coordinators' work list before a harvest
        field = "trainee_id" if kind == "plans" else "pk"  # plans: facts rows vs employments
        stored = work_items(kind, scope, today).values_list(field, flat=True)
        live = work_items_in(kind, Ctx.of(scope, today)).values_list(field, flat=True)
        assert list(stored) == list(live), kind


def test_the_page_for_today_reads_the_stored_facts(w):
    facts.ensure_fresh(w.at)  # the rows the world's writes marked stale
    with CaptureQueriesContext(connection) as queries:
        evaluate_all(Scope(region=w.nord.pk), w.at)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "insights_traineefacts" in sql
    assert '"trainees_employment"."start" <=' not in sql  # no live population
    with CaptureQueriesContext(connection) as queries:
        evaluate_all(Scope(region=w.nord.pk), w.at - dt.timedelta(days=1))
    assert "insights_traineefacts" not in " ".join(q["sql"] for q in queries.captured_queries)
    from lisplan.insights.indicators import BY_CODE
    from lisplan.insights.queries import live_rows

    assert live_rows(BY_CODE["plans_missing"], Scope(region=w.nord.pk), w.at).model is TraineeFacts


def test_stored_equal_live_on_the_hand_built_world(w):
    """The world's values are worked out in conftest; the facts give the same on every kind of
    scope."""
    assert_same(
        [
            Scope(),
            Scope(region=w.nord.pk),
            Scope(region=w.vest.pk),
            Scope(institution=w.a.pk),
            Scope(institution=w.b.pk),
            Scope(arena=w.arena.pk),
            Scope(specialty=w.ort.pk),
            Scope(institution=w.a.pk, specialty=w.med.pk),
        ]
    )
    nord = {v.code: v for v in evaluate_all(Scope(region=w.nord.pk), w.at)}
    assert nord["trainees"].value == 4
    assert nord["plans_missing"].numerator == 2
    assert nord["supervision_meetings_per_trainee_12m"].numerator == 3


def test_stored_equal_live_on_the_demo():
    call_command("demo", stdout=StringIO(), trainees=120)
    busiest = (
        Employment.objects.values("institution_id", "institution__region_id", "specialty_id")
        .order_by("institution_id")
        .first()
    )
    arena = LearningArena.objects.filter(employments__isnull=False).order_by("pk").first()
    scopes = [
        Scope(),
        Scope(region=busiest["institution__region_id"]),
        Scope(institution=busiest["institution_id"]),
        Scope(arena=arena.parent_id or arena.pk),
        Scope(arena=arena.pk),
        Scope(specialty=busiest["specialty_id"]),
        Scope(region=busiest["institution__region_id"], specialty=busiest["specialty_id"]),
    ]
    assert TraineeFacts.objects.filter(employment__isnull=False).exists()
    assert_same(scopes)
    # a second institution of the region, too
    other = Institution.objects.exclude(pk=busiest["institution_id"]).filter(
        employments__isnull=False
    )
    assert_same([Scope(institution=other.order_by("pk").first().pk)])


def _scopes(world) -> list[Scope]:
    return [
        Scope(),
        Scope(region=world.unn.region_id),
        Scope(institution=world.unn.pk),
        Scope(institution=world.nlsh.pk),
        Scope(arena=world.department.pk),
        Scope(arena=world.section.pk),
        Scope(specialty=world.specialty.pk),
    ]


def test_service_writes_keep_the_facts_current(world):
    """Each write goes through its service and marks the facts it changes stale in the same
    transaction; the next read recomputes them."""
    from lisplan.plans import services as plans
    from lisplan.progress import services as progress
    from lisplan.trainees import services as trainees
    from lisplan.trainees.models import Supervision
    from tests.iup.outputs import hospital_revision, sign_all

    scopes = _scopes(world)
    today = timezone.localdate()
    assert_same(scopes)
    before = {v.code: v.numerator for v in evaluate_all(Scope(), today)}

    draft = plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=today,
        periods=[
            plans.PeriodData(
                specialty=world.specialty,
                institution=world.nlsh,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 6, 30),
            )
        ],
    )
    plans.revision_submit(actor=world.users["trainee"], revision=draft)
    plans.revision_sign(actor=world.users["trainee"], revision=draft)
    plans.revision_sign(actor=world.users["leader"], revision=draft)
    plans.revision_approve(
        actor=world.users["local_coordinator"], revision=draft, confirm_no_agreement=True
    )
    assert_same(scopes)

    sign_all(world, hospital_revision(world))
    assert_same(scopes)

    supervisor = world.users["supervisor"]
    meeting = progress.activity_create(
        actor=supervisor,
        trainee=world.trainee,
        kind="supervision_meeting",
        date=today - dt.timedelta(days=3),
        minutes_by="trainee",
        title="Veiledning",
    )
    progress.activity_create(
        actor=world.users["leader"],
        trainee=world.colleague,
        kind="assessment_panel",
        date=today - dt.timedelta(days=5),
        participants="UAO, leder",
    )
    assert_same(scopes)

    from lisplan.catalogue.models import LearningGoal

    goal = LearningGoal.objects.create(
        code="ORT-101",
        specialty=world.specialty,
        part="3",
        text="Mål",
        valid_from=dt.date(2019, 3, 1),
    )
    progress.goal_set(
        actor=world.users["leader"],
        trainee=world.trainee,
        goal=goal,
        status="approved",
        assessment="observation",
        approved_on=today - dt.timedelta(days=2),
        institution=world.unn,
    )
    assert_same(scopes)
    after = {v.code: v.numerator for v in evaluate_all(Scope(), today)}
    assert after["plans_valid_share"] == before["plans_valid_share"] + 1
    assert after["iup_missing"] == before["iup_missing"] - 1
    assert after["supervision_meetings_per_trainee_12m"] == 1
    assert after["assessment_panels_per_trainee_12m"] == 1
    assert after["goals_approved_12m"] == 1

    progress.activity_delete(actor=supervisor, activity=meeting)
    assert_same(scopes)
    supervision = Supervision.objects.get(trainee=world.trainee)
    trainees.supervision_update(
        actor=world.users["local_coordinator"],
        supervision=supervision,
        end=today - dt.timedelta(days=1),
    )
    assert_same(scopes)

    coordinator = world.users["local_coordinator"]
    trainees.employment_create(
        actor=coordinator,
        trainee=world.same_institution,
        institution=world.unn,
        specialty=world.specialty,
        arena=world.section,
        start=today,
    )
    assert_same(scopes)
    old = Employment.objects.filter(trainee=world.colleague).get()
    trainees.employment_delete(actor=coordinator, employment=old)
    assert_same(scopes)


def test_the_facts_move_with_the_date(world, travel):
    """A day later every stored row is from yesterday: the first read recomputes them all, and
    the windows (an approved plan expiring, an employment starting) are today's."""
    from lisplan.trainees import services as trainees

    today = timezone.localdate()
    trainees.employment_create(
        actor=world.users["local_coordinator"],
        trainee=world.same_region,
        institution=world.unn,
        specialty=world.specialty,
        start=today + dt.timedelta(days=30),
    )
    assert_same(_scopes(world))
    for later in (today + dt.timedelta(days=31), today + dt.timedelta(days=400)):
        with travel(later):
            assert_same(_scopes(world), later)
            assert set(TraineeFacts.objects.values_list("computed_on", flat=True)) == {later}


def test_summaries_written_in_bulk_are_copied(world):
    """The progress summaries are written in bulk, without signals (`refresh_summaries`); the
    facts take their status and projected completion in the same transaction."""
    from lisplan.progress.summary import refresh_summaries

    ids = [world.trainee.pk, world.colleague.pk]
    TraineeFacts.objects.filter(trainee_id__in=ids).update(status="bogus")
    refresh_summaries(ids)
    assert_same(_scopes(world))
    assert not TraineeFacts.objects.filter(status="bogus").exists()


def test_the_daily_job_brings_the_facts_to_the_new_day(world, travel):
    from django.core.management import call_command

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with travel(tomorrow):
        out = StringIO()
        call_command("harvest", "--scheduled", stdout=out)
        assert f"indicator facts refreshed: {TraineeFacts.objects.count()}" in out.getvalue()
        assert set(TraineeFacts.objects.values_list("computed_on", flat=True)) == {tomorrow}
        assert facts.ensure_fresh() == 0


def test_a_new_day_also_fills_missing_rows(world, travel):
    """A trainee written without signals (a bulk insert) has no row; the first read of a new
    day computes it with the others."""
    TraineeFacts.objects.filter(trainee=world.colleague).delete()
    later = timezone.localdate() + dt.timedelta(days=1)
    with travel(later):
        assert_same(_scopes(world), later)
        assert TraineeFacts.objects.filter(trainee=world.colleague, computed_on=later).exists()
