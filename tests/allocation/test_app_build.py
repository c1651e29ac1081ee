"""Building an engine instance from the register (lisplan.allocation.build)."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.allocation.build import HORIZON_MONTHS, build_instance, month_date
from lisplan.allocation.engine import solve
from lisplan.allocation.instance import month_index
from lisplan.allocation.parse import parse_instance
from lisplan.rotations import services
from lisplan.rotations.models import RotationRequest, Status, add_months
from tests import factories as f

pytestmark = pytest.mark.django_db


def _request(doc, pk):
    for trainee in doc["trainees"]:
        for r in trainee["requests"]:
            if r["id"] == f"R-{pk}":
                return trainee, r
    return None, None


def test_instance_from_the_register_is_accepted_by_the_engine_parser(world, register):
    built = build_instance(world.unn.region)
    inst = parse_instance(built.document)  # raises InvalidFile on any format error
    assert len(inst.requests) == 3
    assert built.document["horizon_months"] == HORIZON_MONTHS
    assert month_date(inst.start_month) == register.first
    agreement = built.document["agreements"][0]
    assert agreement["id"] == f"A-{register.agreement.pk}"
    assert (agreement["sending"], agreement["receiving"]) == ("UNN", "NLSH")
    assert agreement["capacity"] == 1 and agreement["duration_months"] == 6
    result = solve(inst, time_limit=5)
    assert len(result.plan.assignments) == 3


def test_mapping_rules(world, register):
    actor = world.users["local_coordinator"]
    first, second, third = register.requests
    # Seniority is the queue date; the sending trust's rank is the trainee's.
    services.request_set_rank(actor=actor, request=second, rank=1)
    # Leave makes the trainee unavailable; an accepted period elsewhere takes capacity.
    f.LeaveFactory(
        trainee=world.trainee,
        start=add_months(register.first, 2),
        end=add_months(register.first, 4) - dt.timedelta(days=1),
    )
    running = f.TraineeFactory(last_name="Pågår")
    f.EmploymentFactory(trainee=running, institution=world.unn, specialty=world.specialty)
    occupying = services.request_create(
        actor=actor,
        trainee=running,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=add_months(register.first, -2),
    )
    RotationRequest.objects.filter(pk=occupying.pk).update(
        status=Status.IN_PROGRESS, agreed_start=add_months(register.first, -2)
    )
    # A temporary employee queues but cannot be placed; an agreement for spring only.
    world.same_institution.employments.update(permanent=False)
    register.agreement.quota_semester = "spring"
    register.agreement.start_months = [1, 3, 8]
    register.agreement.save()

    doc = build_instance(world.unn.region, max_delay=4).document
    parse_instance(doc)
    assert doc["policy"] == {"max_delay_months": 4}
    trainee, request = _request(doc, first.pk)
    assert request["registered"] == first.forwarded_on.isoformat()
    assert request["desired_start"] == register.first.isoformat()[:7]
    assert request["agreements"] == [f"A-{register.agreement.pk}"]
    assert trainee["home"] == "UNN" and trainee["permanent"] is True
    assert trainee["unavailable"] == [
        {
            "from": add_months(register.first, 2).isoformat()[:7],
            "to": add_months(register.first, 3).isoformat()[:7],
        }
    ]
    assert _request(doc, second.pk)[0]["sending_rank"] == 1
    assert _request(doc, third.pk)[0]["permanent"] is False
    assert doc["agreements"][0]["start_months"] == [1, 3]  # spring months only
    start = month_index(register.first.isoformat()[:7])
    assert doc["occupied"] == [
        {
            "agreement": f"A-{register.agreement.pk}",
            "trainee": f"T-{running.pk}",
            "from": add_months(register.first, -2).isoformat()[:7],
            "to": add_months(register.first, 3).isoformat()[:7],
        }
    ]
    assert month_index(doc["occupied"][0]["to"]) >= start


def test_region_scope_and_requests_without_agreement(world, register):
    other = build_instance(world.bergen.region)
    assert other.document["trainees"] == [] and other.document["agreements"] == []
    national = build_instance(None)
    assert len(national.instance.requests) == 3
    # The agreement expires: the requests have no valid agreement and are left out (noted).
    register.agreement.valid_to = add_months(register.first, -1)
    register.agreement.save()
    built = build_instance(world.unn.region)
    assert built.document["trainees"] == []
    assert any("ingen gyldig fagavtale" in note for note in built.notes)


def test_only_forwarded_requests_are_queued(world, register):
    first = register.requests[0]
    services.request_offer(
        actor=register.coordinator, request=first, start=add_months(register.first, 1)
    )
    doc = build_instance(world.unn.region).document
    assert _request(doc, first.pk) == (None, None)
    # The open offer holds its place under the agreement.
    assert [o["trainee"] for o in doc["occupied"]] == [f"T-{first.trainee_id}"]


def test_prerequisites_and_extensions(world, register):
    from lisplan.catalogue.models import LearningGoal
    from lisplan.progress import services as progress

    actor = world.users["local_coordinator"]
    goal = LearningGoal.objects.create(
        code="ORT-090",
        specialty=world.specialty,
        part="part3",
        text="[Test] ORT-090",
        valid_from=dt.date(2019, 3, 1),
    )
    other = LearningGoal.objects.create(
        code="ORT-091",
        specialty=world.specialty,
        part="part3",
        text="[Test] ORT-091",
        valid_from=dt.date(2019, 3, 1),
    )
    register.agreement.prerequisites.set([goal, other])
    progress.goal_set(
        actor=world.users["leader"],
        trainee=world.trainee,
        goal=goal,
        status="approved",
        assessment="panel",
        approved_on=dt.date(2025, 5, 1),
    )
    first = register.requests[0]
    # An extension of a queued request comes after it.
    extension = services.request_create(
        actor=actor,
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=add_months(register.first, 6),
        extends=first,
    )
    RotationRequest.objects.filter(pk=extension.pk).update(
        status=Status.FORWARDED, forwarded_on=first.forwarded_on
    )
    doc = build_instance(world.unn.region).document
    inst = parse_instance(doc)
    assert doc["agreements"][0]["prerequisites"] == ["ORT-090", "ORT-091"]
    trainee, request = _request(doc, extension.pk)
    assert request["after"] == f"R-{first.pk}"
    assert trainee["approved_goals"] == ["ORT-090"]
    # ORT-091 is neither approved nor expected: nobody can start under the agreement.
    result = solve(inst, time_limit=5)
    assert result.plan.assignments == {}
    assert all(
        "rule 4" in u.reason or "no start month" in u.reason or "after" in u.reason
        for u in result.plan.unassigned.values()
    )
