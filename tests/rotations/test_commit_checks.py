"""Prerequisites at every step that commits a trainee to a period; no early start or end
(issue 12, item 2).

Seed 003: «Leder ved mottakende foretak vurderer dine kvalifikasjoner og om du er klar for å
tre inn i gjennomstrømningsstillingen.» and «Dersom læringsmål oppnås raskere enn normert tid,
må LIS likevel fullføre spesialiseringsperioden i tråd med inngått arbeidsavtale.»
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lisplan.audit.models import AuditEvent
from lisplan.catalogue.models import LearningGoal
from lisplan.progress import services as progress
from lisplan.rotations import services
from lisplan.rotations.models import RotationRequest, Status
from lisplan.rotations.services import RotationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world):
    return LearningGoal.objects.create(
        code="ORT-077",
        specialty=world.specialty,
        part="part3",
        text="Behandle hoftebrudd",
        valid_from=dt.date(2019, 3, 1),
    )


@pytest.fixture
def required(world, agreement, goal):
    agreement.prerequisites.add(goal)
    return goal


def _at(request, status, **fields):
    RotationRequest.objects.filter(pk=request.pk).update(status=status, **fields)
    return RotationRequest.objects.get(pk=request.pk)


def test_offer_refused_with_the_missing_goal_named(world, nlsh, forwarded, required):
    with pytest.raises(RotationError) as exc:
        services.request_offer(actor=nlsh.coordinator, request=forwarded)
    assert exc.value.code == "prerequisites_missing"
    assert "«Behandle hoftebrudd» (ORT-077)" in str(exc.value)


def test_accept_agree_and_start_refused_when_a_goal_is_missing(world, nlsh, forwarded, goal):
    offered = services.request_offer(actor=nlsh.coordinator, request=forwarded)
    forwarded.agreement.prerequisites.add(goal)  # required after the offer
    with pytest.raises(RotationError, match="Behandle hoftebrudd"):
        services.request_answer(actor=world.users["trainee"], request=offered, accept=True)
    accepted = _at(offered, Status.ACCEPTED)
    with pytest.raises(RotationError, match="Behandle hoftebrudd"):
        services.request_agree_start(
            actor=nlsh.coordinator, request=accepted, start=dt.date(2027, 2, 1)
        )
    agreed = _at(accepted, Status.START_AGREED, agreed_start=timezone.localdate())
    with pytest.raises(RotationError, match="Behandle hoftebrudd"):
        services.request_start(actor=nlsh.coordinator, request=agreed)


def test_approved_goal_lets_the_trainee_through(world, nlsh, forwarded, required):
    progress.goal_set(
        actor=world.users["leader"],
        trainee=world.trainee,
        goal=required,
        status="approved",
        assessment="panel",
        approved_on=dt.date(2025, 5, 1),
    )
    r = services.request_offer(actor=nlsh.coordinator, request=forwarded)
    assert r.status == Status.OFFERED


def test_only_the_receiving_coordinator_waives_with_a_reason(world, nlsh, forwarded, required):
    with pytest.raises(RotationError) as exc:  # the sending coordinator
        services.request_waive_prerequisites(
            actor=world.users["local_coordinator"], request=forwarded, reason="Klar likevel"
        )
    assert exc.value.code == "forbidden"
    with pytest.raises(RotationError) as exc:  # the receiving leader is not a coordinator
        services.request_waive_prerequisites(
            actor=nlsh.leader, request=forwarded, reason="Klar likevel"
        )
    assert exc.value.code == "forbidden"
    with pytest.raises(RotationError) as exc:
        services.request_waive_prerequisites(actor=nlsh.coordinator, request=forwarded, reason="  ")
    assert exc.value.code == "reason_required"
    r = services.request_waive_prerequisites(
        actor=nlsh.coordinator, request=forwarded, reason="Har tilsvarende erfaring fra Tromsø"
    )
    assert r.prerequisites_waived_by == nlsh.coordinator
    event = AuditEvent.objects.get(action="register.prerequisites_waived", object_id=str(r.pk))
    assert event.changes["missing_goals"][1] == "ORT-077"
    assert event.changes["prerequisites_waived_reason"][1] == "Har tilsvarende erfaring fra Tromsø"
    assert services.request_offer(actor=nlsh.coordinator, request=r).status == Status.OFFERED


def test_start_long_before_the_agreed_date_is_refused(world, nlsh, forwarded):
    agreed = _at(
        forwarded, Status.START_AGREED, agreed_start=timezone.localdate() + dt.timedelta(days=60)
    )
    with pytest.raises(RotationError) as exc:
        services.request_start(actor=nlsh.coordinator, request=agreed)
    assert exc.value.code == "too_early"
    soon = _at(
        agreed, Status.START_AGREED, agreed_start=timezone.localdate() + dt.timedelta(days=3)
    )
    assert services.request_start(actor=nlsh.coordinator, request=soon).status == Status.IN_PROGRESS


def test_complete_before_the_end_needs_a_recorded_reason(world, nlsh, forwarded):
    running = _at(
        forwarded,
        Status.IN_PROGRESS,
        agreed_start=timezone.localdate(),
        started_on=timezone.localdate(),
    )
    with pytest.raises(RotationError) as exc:
        services.request_complete(actor=nlsh.coordinator, request=running, goals_reached=True)
    assert exc.value.code == "early_end"
    done = services.request_complete(
        actor=nlsh.coordinator,
        request=running,
        goals_reached=True,
        early_end_reason="Sykemeldt resten av perioden",
    )
    assert done.status == Status.COMPLETED
    assert done.early_end_reason == "Sykemeldt resten av perioden"
    event = AuditEvent.objects.get(action="register.completed", object_id=str(done.pk))
    assert event.changes["early_end_reason"][1] == "Sykemeldt resten av perioden"
