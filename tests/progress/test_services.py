"""Progress services: validation (Norwegian, naming the rule), audit events, the goal version
rule, and the cached summary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lisplan.audit.models import AuditEvent
from lisplan.progress import services
from lisplan.progress.ledger_input import build_inputs
from lisplan.progress.models import ActivityRecord, GoalApproval, GoalStatus, ProgressSummary
from lisplan.progress.queries import goal_rows, progress_trainee
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def test_approving_a_goal_records_approver_and_audit(world, goals):
    leader = world.users["leader"]
    row = services.goal_set(
        actor=leader,
        trainee=world.trainee,
        goal=goals["ort1"],
        status="approved",
        assessment="observation",
        approved_on=dt.date(2025, 5, 1),
        arena=world.section,
        institution=world.unn,
    )
    assert row.approved_by == leader and row.approved_on == dt.date(2025, 5, 1)
    event = AuditEvent.objects.get(action="progress.goal_approved")
    assert event.trainee_id == world.trainee.pk and event.actor == leader
    assert event.changes["status"] == [None, "approved"]
    assert ProgressSummary.objects.filter(trainee=world.trainee).exists()


def test_approval_needs_assessment(world, goals):
    with pytest.raises(ValidationError) as exc:
        services.goal_set(
            actor=world.users["leader"],
            trainee=world.trainee,
            goal=goals["ort1"],
            status="approved",
            approved_on=dt.date(2025, 5, 1),
        )
    assert "vurdert" in str(exc.value.message_dict["assessment"])


def test_nobody_approves_their_own_goals(world, goals):
    from lisplan.errors import Refused

    with pytest.raises(Refused):  # the trainee does not approve goals at all
        services.goal_set(
            actor=world.users["trainee"],
            trainee=world.trainee,
            goal=goals["ort1"],
            status="approved",
            assessment="panel",
        )
    # A coordinator who approves goals at UNN, and is a trainee there, not their own.
    coordinator = world.users["local_coordinator"]
    own = f.TraineeFactory(user=coordinator, last_name="Koordinator")
    f.EmploymentFactory(trainee=own, institution=world.unn, specialty=world.specialty)
    with pytest.raises(ValidationError) as exc:
        services.goal_set(
            actor=coordinator,
            trainee=own,
            goal=goals["ort1"],
            status="approved",
            assessment="panel",
        )
    assert "egne læringsmål" in exc.value.message_dict["status"][0]


def test_approval_is_for_the_version_valid_on_the_approval_date(world, goals):
    with pytest.raises(ValidationError) as exc:
        services.goal_set(
            actor=world.users["leader"],
            trainee=world.trainee,
            goal=goals["ort2"],
            status="approved",
            assessment="panel",
            approved_on=dt.date(2025, 1, 10),
        )
    assert "versjonen som gjelder på godkjenningsdatoen" in exc.value.message_dict["approved_on"][0]


def test_tightened_goal_earlier_approval_no_longer_counts_activities_do(world, goals):
    leader = world.users["leader"]
    # Approved in January 2025, before the goal was tightened (as the import records it; the
    # service no longer approves a version that is not valid today).
    GoalApproval.objects.create(
        trainee=world.trainee,
        goal=goals["ort2_old"],
        status="approved",
        assessment="panel",
        approved_by=leader,
        approved_on=dt.date(2025, 1, 10),
    )
    services.activity_create(
        actor=world.users["trainee"],
        trainee=world.trainee,
        kind="procedure",
        title="Hofteprotese",
        date=dt.date(2025, 1, 5),
        count=3,
        goals=[goals["ort2_old"]],
    )
    inp, ctx = build_inputs([world.trainee.pk], TODAY)[world.trainee.pk]
    by_code = {g.code: g for g in inp.goals}
    assert by_code["ORT-002"].approved is False  # the version valid today is not approved
    assert {g.code for g in inp.goals} == {"ORT-001", "ORT-002", "FKM-001"}
    trainee = progress_trainee(world.users["admin"], world.trainee.pk)
    row = next(r for r in goal_rows(trainee, ctx["goals"]) if r.goal.code == "ORT-002")
    assert row.needs_reapproval and row.activities == 1
    assert row.status == GoalStatus.IN_PROGRESS


def test_activity_validation_names_the_rule(world):
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=world.users["trainee"],
            trainee=world.trainee,
            kind="supervision_meeting",
            date=dt.date(2025, 1, 5),
        )
    assert "referatet" in exc.value.message_dict["minutes_by"][0]
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=world.users["trainee"],
            trainee=world.trainee,
            kind="group_supervision",
            date=dt.date(2025, 1, 5),
        )
    assert set(exc.value.message_dict) == {"end_date", "hours"}
    assert not ActivityRecord.objects.exists()


def test_activity_create_update_delete_are_audited(world, course, goals):
    actor = world.users["supervisor"]
    a = services.activity_create(
        actor=actor,
        trainee=world.trainee,
        kind="course",
        course=course,
        date=dt.date(2025, 2, 1),
        hours=30,
        goals=[goals["fkm"]],
    )
    services.activity_update(actor=actor, activity=a, hours=32, goals=[])
    services.activity_delete(actor=actor, activity=a)
    actions = list(
        AuditEvent.objects.filter(trainee_id=world.trainee.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "progress.activity_created",
        "progress.activity_changed",
        "progress.activity_changed",
        "progress.activity_deleted",
    ]
    created = AuditEvent.objects.filter(action="progress.activity_created").get()
    assert created.changes["goals"] == [None, ["FKM-001"]]


def test_service_periods_may_not_overlap(world):
    actor = world.users["local_coordinator"]
    services.service_create(
        actor=actor,
        trainee=world.trainee,
        category="open_practice",
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=actor,
            trainee=world.trainee,
            category="nursing_home",
            start=dt.date(2024, 6, 1),
            end=dt.date(2025, 1, 31),
        )
    assert "overlapper" in exc.value.message_dict["start"][0]
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=actor,
            trainee=world.trainee,
            category="other_specialty",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 3, 31),
        )
    assert "spesialitet" in exc.value.message_dict["specialty"][0]
    assert AuditEvent.objects.filter(action="progress.service_created").count() == 1


def test_inputs_from_employments_service_periods_and_leave(world):
    from tests import factories as f

    f.LeaveFactory(trainee=world.trainee)
    services.service_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        category="lis1",
        start=dt.date(2021, 1, 1),
        end=dt.date(2022, 6, 30),
    )
    inp, ctx = build_inputs([world.trainee.pk], TODAY)[world.trainee.pk]
    assert inp.specialty == "ORT"
    cats = sorted(p.category for p in inp.periods)
    assert cats == ["lis1", "specialty"]
    assert inp.leave[0].kind == "parental"


def test_approving_a_version_that_is_no_longer_valid_is_refused(world, goals):
    """An approval records the version it approves; a stale version (the page was opened
    before the goal was tightened) is refused with a message naming both versions."""
    leader = world.users["leader"]
    with pytest.raises(services.StaleGoalVersion) as exc:
        services.goal_set(
            actor=leader,
            trainee=world.trainee,
            goal=goals["ort2_old"],
            status="approved",
            assessment="panel",
        )
    assert exc.value.current == goals["ort2"]
    assert "01.03.2026" in exc.value.messages[0] and "01.03.2019" in exc.value.messages[0]
    assert not GoalApproval.objects.exists()
    row = services.goal_set(
        actor=leader,
        trainee=world.trainee,
        goal=goals["ort2"],
        status="approved",
        assessment="panel",
    )
    assert row.goal == goals["ort2"] and row.goal.valid_from == dt.date(2026, 3, 1)
    # marking an old version as started is not an approval and is not refused
    services.goal_set(
        actor=world.users["trainee"],
        trainee=world.trainee,
        goal=goals["ort2_old"],
        status="in_progress",
    )


def test_nobody_registers_their_own_service_periods(world):
    """Only the API checked this once (issue 11); the service does now, for the page too."""
    from lisplan.errors import Refused

    coordinator = world.users["local_coordinator"]
    own = f.TraineeFactory(user=coordinator, last_name="Koordinator")
    f.EmploymentFactory(trainee=own, institution=world.unn, specialty=world.specialty)
    with pytest.raises(Refused) as exc:
        services.service_create(
            actor=coordinator,
            trainee=own,
            category="lis1",
            start=dt.date(2019, 1, 1),
            percent=100,
            place="Bodø",
        )
    assert exc.value.code == "own_record"
    period = services.service_create(
        actor=world.users["admin"],
        trainee=own,
        category="lis1",
        start=dt.date(2019, 1, 1),
        percent=100,
        place="Bodø",
    )
    with pytest.raises(Refused):
        services.service_update(actor=coordinator, period=period, note="Endret")
    with pytest.raises(Refused):
        services.service_delete(actor=coordinator, period=period)
