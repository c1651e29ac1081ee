"""Where goals are reached and the gaps: from published plans and valid agreements. A gap is a
goal reached neither at home nor through a valid agreement; adding an agreement that covers a
gap removes exactly that gap (property test)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisplan.programmes import queries, services
from lisplan.programmes.models import Approver
from lisplan.rotations.models import CollaborationAgreement
from tests.programmes.conftest import CODES, publish_plan

pytestmark = pytest.mark.django_db


def report_count(**where) -> int:
    """What the gap report lists, counted as the start page shows it (gaps + shortfalls)."""
    rows = queries.gap_report(**where)
    return sum(len(r.gaps) + len(r.shortfalls) for r in rows)


def assert_counts_agree(world) -> None:
    """The start page's `gap_count` (own places only) equals the report, for a region and for
    institutions."""
    for where in ({"region": "NORD"}, {"institutions": [world.unn.pk]}, {}):
        assert queries.gap_count(**where) == report_count(**where), where


def test_coverage_home_agreement_and_gap(world, course):
    publish_plan(world, course)
    cov = queries.coverage(world.unn.pk, world.specialty.pk)
    by_code = {g.code: g for g in cov.goals}
    assert [g.code for g in cov.goals] == CODES
    assert by_code["ORT-001"].at_home and by_code["ORT-004"].home_arenas == [world.section.pk]
    assert not by_code["ORT-005"].at_home
    assert by_code["ORT-005"].agreements == [course.agreement.pk]
    assert cov.gaps == ["ORT-006"]


def test_places_name_source_and_approver(world, course):
    plan = publish_plan(world, course)
    places = queries.goal_places("ORT-005")
    assert [
        (
            p["source"],
            p["institution"]["code"],
            p["arena"]["name"],
            p["agreement"],
            p["approving_institution"]["code"],
            p["sending_institution"]["code"],
        )
        for p in places
    ] == [("agreement", "NLSH", "Ortopedisk avdeling NLSH", course.agreement.pk, "NLSH", "UNN")]
    # the employer approves where its published plan says so for that agreement's period
    draft = services.draft_create(
        actor=course.uao, institution=world.unn, specialty=world.specialty
    )
    draft = services.draft_update(
        actor=course.uao,
        plan=draft,
        version=draft.version,
        content=services.Content(
            periods=[
                services.PeriodData(
                    course.agreement.pk, approver=Approver.EMPLOYER, prerequisites=["ORT-001"]
                )
            ]
        ),
    )
    services.publish(actor=course.coordinator, plan=draft, version=draft.version)
    (place,) = queries.goal_places("ORT-005")
    assert place["approving_institution"]["code"] == "UNN"
    home = queries.goal_places("ORT-001")
    assert [(p["source"], p["institution"]["code"], p["programme_plan"]) for p in home] == [
        ("programme_plan", "UNN", draft.pk)
    ]
    assert plan.pk != draft.pk
    # region filter: the plan's region, and agreements with a party in it
    assert queries.goal_places("ORT-001", region="VEST") == []
    assert len(queries.goal_places("ORT-005", region="NORD")) == 1
    # prerequisites read from the plan, per agreement
    assert queries.plan_prerequisites([course.agreement.pk]) == {
        course.agreement.pk: {course.goals["ORT-001"].pk}
    }


def test_expired_agreement_does_not_count(world, course):
    publish_plan(world, course)
    course.agreement.valid_to = dt.date(2024, 12, 31)
    course.agreement.save()
    assert queries.coverage(world.unn.pk, world.specialty.pk).gaps == ["ORT-005", "ORT-006"]


def test_gap_report_lists_candidates_elsewhere(world, course):
    publish_plan(world, course)
    nlsh_lead = course.nlsh_coordinator  # any user who may draft at NLSH
    from tests import factories as f

    f.assign(nlsh_lead, "education_lead", institution=world.nlsh, specialty=world.specialty)
    publish_plan(
        world,
        course,
        institution=world.nlsh,
        actor=nlsh_lead,
        publisher=course.nlsh_coordinator,
        arenas=[services.ArenaData(course.nlsh_arena.pk, ["ORT-005", "ORT-006"])],
    )
    rows = {r.institution.code: r for r in queries.gap_report(region="NORD")}
    unn = rows["UNN"]
    assert [g.code for g in unn.gaps] == ["ORT-006"]
    assert [(p.institution_id, p.arena_id) for p in unn.gaps[0].candidates] == [
        (world.nlsh.pk, course.nlsh_arena.pk)
    ]
    assert sorted(g.code for g in rows["NLSH"].gaps) == CODES[:4]
    assert queries.gap_count(region="NORD") == 1 + 4
    assert_counts_agree(world)


def test_capacity_shortfall_from_the_register(world, course):
    from lisplan.rotations.models import RegisterEntry
    from tests import factories as f

    publish_plan(world, course)
    for _ in range(12):  # 12 trainees × 6 months / 60 months → 2 at a time, capacity 1
        t = f.TraineeFactory()
        RegisterEntry.objects.create(
            trainee=t,
            institution=world.unn,
            specialty=world.specialty,
            registered_on=dt.date(2024, 1, 1),
        )
    cov = queries.coverage(world.unn.pk, world.specialty.pk)
    (short,) = queries.capacity_shortfalls([cov])
    assert (short.goals, short.trainees, short.demand, short.capacity) == (("ORT-005",), 12, 2, 1)
    assert queries.gap_count(institutions=[world.unn.pk]) == 2  # ORT-006, and the shortfall
    assert_counts_agree(world)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    home=st.sets(st.sampled_from(CODES)),
    covered=st.sets(st.sampled_from(CODES)),
    pick=st.integers(min_value=0, max_value=100),
)
def test_adding_an_agreement_for_a_gap_removes_exactly_that_gap(world, course, home, covered, pick):
    from lisplan.programmes.models import ProgrammePlan

    ProgrammePlan.objects.all().delete()
    CollaborationAgreement.objects.exclude(pk=course.agreement.pk).delete()
    course.agreement.goals.set([course.goals[c] for c in covered])
    if home:
        publish_plan(world, course, arenas=[services.ArenaData(world.department.pk, sorted(home))])
    before = queries.coverage(world.unn.pk, world.specialty.pk).gaps
    assert before == sorted(set(CODES) - home - covered)
    assert_counts_agree(world)
    # the endpoints agree: a gap has no home place and no agreement of the institution
    for code in before:
        assert not [
            p
            for p in queries.goal_places(code)
            if p["institution"]["id"] == world.unn.pk
            or (p["sending_institution"] or {}).get("id") == world.unn.pk
        ]
    if not before:
        return
    gap = before[pick % len(before)]
    new = CollaborationAgreement.objects.create(
        sending=world.unn,
        receiving=world.bergen,
        specialty=world.specialty,
        duration_months=3,
        valid_from=dt.date(2024, 1, 1),
    )
    new.goals.add(course.goals[gap])
    after = queries.coverage(world.unn.pk, world.specialty.pk).gaps
    assert after == [c for c in before if c != gap]
    assert_counts_agree(world)


def test_rotation_prerequisites_are_the_plan_and_the_agreement(world, course):
    from lisplan.allocation.build import agreement_key, build_instance

    course.agreement.prerequisites.add(course.goals["ORT-002"])
    publish_plan(world, course)  # the template's partner period for the agreement, no goals
    assert [
        g.code for g in queries.rotation_prerequisites([course.agreement.pk])[course.agreement.pk]
    ] == ["ORT-002"]
    draft = services.draft_create(
        actor=course.uao, institution=world.unn, specialty=world.specialty
    )
    draft = services.draft_update(
        actor=course.uao,
        plan=draft,
        version=draft.version,
        content=services.Content(
            periods=[services.PeriodData(course.agreement.pk, prerequisites=["ORT-001"])]
        ),
    )
    services.publish(actor=course.coordinator, plan=draft, version=draft.version)
    assert [
        g.code for g in queries.rotation_prerequisites([course.agreement.pk])[course.agreement.pk]
    ] == ["ORT-001", "ORT-002"]
    built = build_instance(today=dt.date(2026, 12, 1))
    (doc,) = [
        a for a in built.document["agreements"] if a["id"] == agreement_key(course.agreement.pk)
    ]
    assert doc["prerequisites"] == ["ORT-001", "ORT-002"]


def test_register_checks_read_the_plan_through_required_goals(world, course):
    from types import SimpleNamespace

    from lisplan.rotations.queries import required_goals

    course.agreement.prerequisites.add(course.goals["ORT-002"])
    draft = services.draft_create(
        actor=course.uao, institution=world.unn, specialty=world.specialty
    )
    draft = services.draft_update(
        actor=course.uao,
        plan=draft,
        version=draft.version,
        content=services.Content(
            arenas=[services.ArenaData(world.department.pk, ["ORT-001"])],
            periods=[services.PeriodData(course.agreement.pk, prerequisites=["ORT-003"])],
        ),
    )
    request = SimpleNamespace(pk=1, agreement_id=course.agreement.pk)
    # a draft does not count yet
    assert [g.code for g in required_goals([request])[1]] == ["ORT-002"]
    services.publish(actor=course.coordinator, plan=draft, version=draft.version)
    assert [g.code for g in required_goals([request])[1]] == ["ORT-002", "ORT-003"]
