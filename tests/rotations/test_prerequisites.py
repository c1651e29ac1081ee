"""Prerequisites are checked against the progress app's goal approvals (met / missing)."""

from __future__ import annotations

import datetime as dt

from lisplan.catalogue.models import LearningGoal
from lisplan.progress import services as progress
from lisplan.rotations import services
from lisplan.rotations.queries import eligibility


def _goal(code: str, valid_from=dt.date(2019, 3, 1), valid_to=None, specialty=None):
    return LearningGoal.objects.create(
        code=code,
        specialty=specialty,
        part="part3",
        text=f"[Demo] {code}",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def test_prerequisite_met_after_approval_and_missing_after_tightening(world, nlsh):
    goal = _goal("ORT-012", specialty=world.specialty)
    other = _goal("ORT-013", specialty=world.specialty)
    agreement = services.agreement_create(
        actor=world.users["local_coordinator"],
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        arenas=[nlsh.arena],
        prerequisites=[goal, other],
    )
    request = services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
        agreement=agreement,
    )
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states == {"ORT-012": "missing", "ORT-013": "missing"}

    progress.goal_set(
        actor=world.users["leader"],
        trainee=world.trainee,
        goal=goal,
        status="approved",
        assessment="panel",
        approved_on=dt.date(2025, 5, 1),
    )
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states == {"ORT-012": "met", "ORT-013": "missing"}

    # Tightened from 1 September: the earlier approval no longer counts.
    LearningGoal.objects.filter(pk=goal.pk).update(valid_to=dt.date(2025, 8, 31))
    _goal("ORT-012", valid_from=dt.date(2025, 9, 1), specialty=world.specialty)
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states["ORT-012"] == "missing"


def test_prerequisite_expected_by_an_earlier_period_that_covers_it(world, nlsh):
    """Expected (with the date) when a period ending before the start covers the goal: a
    period of the approved implementation plan linked to an agreement with the goal, or an
    agreed rotation under such an agreement. Missing when that period ends after the start."""
    from django.utils import timezone

    from lisplan.plans import services as plans
    from lisplan.plans.services import PeriodData

    today = timezone.localdate()
    goal, later = (
        _goal("ORT-020", specialty=world.specialty),
        _goal("ORT-021", specialty=world.specialty),
    )
    admin = world.users["admin"]
    covering = services.agreement_create(
        actor=admin,
        sending=world.unn,
        receiving=world.bergen,
        specialty=world.specialty,
        duration_months=4,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        goals=[goal],
    )
    target = services.agreement_create(
        actor=admin,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        arenas=[nlsh.arena],
        prerequisites=[goal, later],
    )
    start = today + dt.timedelta(days=300)
    request = services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=start,
        agreement=target,
    )
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states == {"ORT-020": "missing", "ORT-021": "missing"}

    period_start = today + dt.timedelta(days=30)
    # within the agreement's 3 months, whatever today is
    period_end = period_start + dt.timedelta(days=88)
    revision = plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=today,
        periods=[
            PeriodData(
                specialty=world.specialty,
                institution=world.bergen,
                agreement=covering,
                start=period_start,
                end=period_end,
            )
        ],
    )
    plans.revision_submit(actor=world.users["trainee"], revision=revision)
    plans.revision_sign(actor=world.users["trainee"], revision=revision)
    plans.revision_sign(actor=world.users["leader"], revision=revision)
    plans.revision_approve(
        actor=world.users["local_coordinator"], revision=revision, confirm_no_agreement=True
    )
    [first, second] = eligibility([request])[request.pk].prerequisites
    assert (first.code, first.state, first.date) == ("ORT-020", "expected", period_end)
    assert (second.code, second.state) == ("ORT-021", "missing")
    # checked against an earlier start, the covering period ends too late: missing
    early = eligibility([request], on=today + dt.timedelta(days=60))[request.pk]
    assert early.prerequisites[0].state == "missing"
    # a running rotation under the covering agreement that ends sooner wins (the earliest)
    from lisplan.rotations.models import RotationRequest, Status, add_months

    rotation = RotationRequest.objects.get(trainee=world.trainee, receiving=world.bergen)
    assert rotation.agreement == covering  # synced from the plan with its linked agreement
    agreed = today - dt.timedelta(days=40)
    RotationRequest.objects.filter(pk=rotation.pk).update(
        status=Status.IN_PROGRESS, agreed_start=agreed
    )
    [first, _second] = eligibility([request])[request.pk].prerequisites
    end = add_months(agreed, rotation.duration_months) - dt.timedelta(days=1)
    assert end < period_end and (first.state, first.date) == ("expected", end)
