from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lisplan.audit.models import AuditEvent
from lisplan.notifications.models import Notification
from lisplan.rotations import services
from lisplan.rotations.models import RegisterEntry, RotationRequest, Status
from lisplan.rotations.services import RotationError
from tests import factories as f


def test_life_cycle_end_to_end(world, nlsh, need):
    coordinator = world.users["local_coordinator"]
    assert need.status == Status.NEED
    assert need.duration_months == 6  # normed from the agreement
    assert need.sending == world.unn
    assert not need.refunded_by_employer
    r = services.request_register_wish(actor=coordinator, request=need)
    assert r.status == Status.WISH and r.wish_on
    r = services.request_forward(actor=coordinator, request=r)
    assert r.status == Status.FORWARDED and r.forwarded_on == timezone.localdate()
    r = services.request_offer(actor=nlsh.coordinator, request=r)
    assert r.status == Status.OFFERED and r.offered_on
    r = services.request_answer(actor=world.users["trainee"], request=r, accept=True)
    assert r.status == Status.ACCEPTED and r.answered_on
    start = timezone.localdate() + dt.timedelta(days=7)  # registered a week ahead
    r = services.request_agree_start(actor=nlsh.coordinator, request=r, start=start)
    assert r.status == Status.START_AGREED and r.agreed_start == start
    r = services.request_start(actor=nlsh.coordinator, request=r)
    assert r.status == Status.IN_PROGRESS and r.started_on == start
    r = services.request_complete(actor=nlsh.coordinator, request=r, goals_reached=True, on=r.end)
    assert r.status == Status.COMPLETED and r.goals_reached
    actions = list(
        AuditEvent.objects.filter(object_type="rotations.rotationrequest", object_id=str(r.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "register.request_created",
        "register.wish_registered",
        "register.forwarded",
        "register.offered",
        "register.accepted",
        "register.start_agreed",
        "register.started",
        "register.completed",
    ]
    assert RegisterEntry.objects.filter(trainee=world.trainee, left_on=None).count() == 1


def test_invalid_transition_is_refused(world, need):
    with pytest.raises(RotationError, match="Kan ikke gå fra"):
        services.request_forward(actor=world.users["local_coordinator"], request=need)


def test_notifications_reach_both_sides_once_forwarded(world, nlsh, need):
    coordinator = world.users["local_coordinator"]
    services.request_register_wish(actor=coordinator, request=need)
    assert not Notification.objects.filter(user=nlsh.coordinator).exists()
    services.request_forward(actor=coordinator, request=need)
    for user in (nlsh.coordinator, nlsh.leader, coordinator, world.users["trainee"]):
        assert Notification.objects.filter(user=user, kind="rotations.forwarded").exists()
    assert not Notification.objects.filter(user=world.users["outsider"]).exists()


def test_one_receiving_institution_at_a_time(world, forwarded):
    other = f.InstitutionFactory(code="FIN", name="Finnmarkssykehuset", region=world.unn.region)
    coordinator = world.users["local_coordinator"]
    second = services.request_create(
        actor=coordinator,
        trainee=world.trainee,
        receiving=other,
        specialty=world.specialty,
        desired_start=dt.date(2028, 1, 1),
        duration_months=3,
    )
    with pytest.raises(RotationError, match="ett foretak om gangen") as error:
        services.request_register_wish(actor=coordinator, request=second)
    assert error.value.code == "one_receiving_institution"
    assert "Nordlandssykehuset" in str(error.value)
    # Another wish at the same institution is fine; after cancelling, the other one too.
    services.request_cancel(actor=coordinator, request=forwarded, reason="Byttet ønske")
    assert services.request_register_wish(actor=coordinator, request=second).status == Status.WISH


def test_temporary_employee_cannot_be_offered(world, nlsh, forwarded):
    world.trainee.employments.update(permanent=False, end=dt.date(2030, 1, 1))
    with pytest.raises(RotationError, match="ikke fast ansatt") as error:
        services.request_offer(actor=nlsh.coordinator, request=forwarded)
    assert error.value.code == "not_permanent"
    assert RotationRequest.objects.get(pk=forwarded.pk).status == Status.FORWARDED


def test_changed_start_reaches_receiving_side(world, nlsh, forwarded):
    services.request_change_start(
        actor=world.users["local_coordinator"], request=forwarded, desired_start=dt.date(2027, 8, 1)
    )
    note = Notification.objects.get(user=nlsh.coordinator, title__contains="Endret ønsket")
    assert "01.08.2027" in note.title


def test_short_period_is_refunded_and_extension_opens_plan_revision(world, nlsh, agreement):
    coordinator = world.users["local_coordinator"]
    r = services.request_create(
        actor=coordinator,
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
        duration_months=2,
    )
    assert r.refunded_by_employer
    # (forwarded first: the receiving coordinator acts on requests forwarded to them)
    r.status, r.agreed_start = Status.IN_PROGRESS, dt.date(2027, 2, 1)
    r.forwarded_on = dt.date(2026, 12, 1)
    r.save()
    r = services.request_complete(actor=nlsh.coordinator, request=r, goals_reached=False, on=r.end)
    new = services.request_extend(actor=coordinator, request=r, duration_months=2)
    assert new.extends == r and new.source == RotationRequest.Source.EXTENSION
    assert new.desired_start == dt.date(2027, 4, 1)
    assert Notification.objects.filter(
        user=world.users["trainee"], kind="rotations.plan_revision_needed"
    ).exists()
