"""Automatic register membership and the implementation-plan hook."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lisplan.notifications.models import Notification
from lisplan.plans import services as plans
from lisplan.plans.services import PeriodData
from lisplan.rotations import services
from lisplan.rotations.models import RegisterEntry, RotationRequest, Status
from tests import factories as f


@pytest.mark.parametrize(
    ("permanent", "end", "registered"),
    [
        (True, None, True),
        (False, dt.date(2026, 6, 30), True),  # 01.01–30.06: six months
        (False, dt.date(2026, 6, 29), False),  # a day short
        (False, dt.date(2026, 3, 31), False),
    ],
)
def test_membership_rule(world, permanent, end, registered):
    t = f.TraineeFactory()
    f.EmploymentFactory(
        trainee=t,
        institution=world.unn,
        specialty=world.specialty,
        permanent=permanent,
        start=dt.date(2026, 1, 1),
        end=end,
    )
    e = t.employments.get()
    assert services.qualifies_for_register(e, on=dt.date(2026, 1, 1)) is registered


def test_sync_registers_updates_and_leaves(world):
    actor = world.users["local_coordinator"]
    [entry] = services.register_sync(actor=actor, trainee=world.trainee)
    assert entry.permanent and entry.registered_on == timezone.localdate()
    assert services.register_sync(actor=actor, trainee=world.trainee)[0].pk == entry.pk
    world.trainee.employments.update(
        permanent=False, end=timezone.localdate() + dt.timedelta(days=400)
    )
    [entry2] = services.register_sync(actor=actor, trainee=world.trainee)
    assert entry2.pk == entry.pk and not entry2.permanent  # temporary: stays, accrues seniority
    world.trainee.employments.update(end=timezone.localdate() - dt.timedelta(days=1))
    assert services.register_sync(actor=actor, trainee=world.trainee) == []
    assert RegisterEntry.objects.get(pk=entry.pk).left_on == timezone.localdate()


@pytest.fixture
def approved_plan(world, nlsh):
    def approve(periods, revision=None):
        if revision is None:
            revision = plans.plan_create(
                actor=world.users["leader"],
                trainee=world.trainee,
                estimated_start=dt.date(2024, 1, 1),
                estimated_end=dt.date(2029, 6, 30),
                plan_date=dt.date(2025, 11, 1),
                periods=periods,
            )
        plans.revision_submit(actor=world.users["trainee"], revision=revision)
        plans.revision_sign(actor=world.users["trainee"], revision=revision)
        plans.revision_sign(actor=world.users["leader"], revision=revision)
        return plans.revision_approve(
            actor=world.users["local_coordinator"], revision=revision, confirm_no_agreement=True
        )

    return approve


def test_sync_from_plan_creates_updates_and_cancels(world, nlsh, agreement, approved_plan):
    coordinator = world.users["local_coordinator"]
    own = PeriodData(
        specialty=world.specialty,
        institution=world.unn,
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 12, 31),
    )
    away = PeriodData(
        specialty=world.specialty,
        institution=world.nlsh,
        arena=nlsh.arena,
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 2, 28),
    )
    revision = approved_plan([own, away])
    [request] = services.sync_from_plan(revision=revision, actor=coordinator)
    assert request.status == Status.NEED and request.source == RotationRequest.Source.PLAN
    assert request.duration_months == 2 and request.refunded_by_employer
    assert request.agreement == agreement
    assert world.trainee.register_entries.filter(left_on=None).count() == 1
    services.request_register_wish(actor=coordinator, request=request)
    services.request_forward(actor=coordinator, request=request)

    # Revision 2 moves the period: the same request follows, the receiving side is told.
    draft = plans.revision_revise(actor=coordinator, revision=revision)
    period = draft.periods.get(institution=world.nlsh)
    period.start, period.end = dt.date(2027, 3, 1), dt.date(2027, 8, 31)
    period.save()
    revision2 = approved_plan(None, revision=draft)
    [moved] = services.sync_from_plan(revision=revision2, actor=coordinator)
    assert moved.pk == request.pk
    assert moved.desired_start == dt.date(2027, 3, 1) and moved.duration_months == 6
    assert not moved.refunded_by_employer and moved.status == Status.FORWARDED
    assert Notification.objects.filter(
        user=nlsh.coordinator, title__contains="Endret spesialiseringsperiode"
    ).exists()

    # Revision 3 drops it: the request is cancelled, both sides told.
    draft = plans.revision_revise(actor=coordinator, revision=revision2)
    draft.periods.filter(institution=world.nlsh).delete()
    revision3 = approved_plan(None, revision=draft)
    assert services.sync_from_plan(revision=revision3, actor=coordinator) == []
    moved.refresh_from_db()
    assert moved.status == Status.CANCELLED
    assert Notification.objects.filter(user=nlsh.coordinator, kind="rotations.cancelled").exists()


def test_sync_from_plan_uses_the_periods_linked_agreement(world, nlsh, agreement, approved_plan):
    """A period that names its agreement gets that one, not the newest valid one the lookup
    would guess; a revision that links another agreement moves the request to it."""
    coordinator = world.users["local_coordinator"]
    newer = services.agreement_create(
        actor=coordinator,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=2,
        valid_from=dt.date(2025, 1, 1),
        arenas=[nlsh.arena],
    )
    assert (
        services.find_agreement(
            sending=world.unn,
            receiving=world.nlsh,
            specialty=world.specialty,
            on=dt.date(2027, 1, 1),
        )
        == newer
    )  # what a guess would pick
    away = PeriodData(
        specialty=world.specialty,
        institution=world.nlsh,
        arena=nlsh.arena,
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 6, 30),
        agreement=agreement,
    )
    revision = approved_plan([away])
    [request] = RotationRequest.objects.filter(
        trainee=world.trainee, source=RotationRequest.Source.PLAN
    )
    assert request.agreement == agreement  # the approval ran the sync with the linked one

    draft = plans.revision_revise(actor=coordinator, revision=revision)
    draft.periods.filter(institution=world.nlsh).update(agreement=newer)
    approved_plan(None, revision=draft)
    request.refresh_from_db()
    assert request.agreement == newer and request.version > 1
    event = request_events(request)[-1]
    assert event.action == "register.updated_from_plan"
    assert "agreement" in event.changes


def request_events(request):
    from lisplan.audit.models import AuditEvent

    return list(
        AuditEvent.objects.filter(
            object_id=str(request.pk), action__startswith="register."
        ).order_by("pk")
    )


def test_conflict_between_trusts_flagged_to_regional_coordinator(world, nlsh, agreement, forwarded):
    helg = f.InstitutionFactory(code="HELG", name="Helgelandssykehuset", region=world.unn.region)
    services.agreement_create(
        actor=world.users["admin"],
        sending=helg,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
    )
    t = f.TraineeFactory(last_name="Helgeland")
    f.EmploymentFactory(trainee=t, institution=helg, specialty=world.specialty)
    admin = world.users["admin"]
    for start in (dt.date(2027, 3, 1), dt.date(2027, 4, 1)):
        r = services.request_create(
            actor=admin,
            trainee=t,
            receiving=world.nlsh,
            specialty=world.specialty,
            desired_start=start,
            wish=True,
        )
        services.request_forward(actor=admin, request=r)
    # Capacity 1 + 1 for the spring; three wishes from two trusts: a conflict.
    assert Notification.objects.filter(
        user=world.users["regional_coordinator"], kind="rotations.conflict"
    ).exists()
