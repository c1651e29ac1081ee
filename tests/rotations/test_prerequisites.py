"""Prerequisites are checked against the progress app's goal approvals (met / missing)."""

from __future__ import annotations

import datetime as dt

from lisplan.catalogue.models import LearningGoal
from lisplan.progress import services as progress
from lisplan.rotations import services
from lisplan.rotations.queries import eligibility


def _goal(code: str, valid_from=dt.date(2019, 3, 1), valid_to=None, specialty=None):
    return LearningGoal.objects.create(code=code, specialty=specialty, part="part3",
                                       text=f"[Demo] {code}", valid_from=valid_from,
                                       valid_to=valid_to)


def test_prerequisite_met_after_approval_and_missing_after_tightening(world, nlsh):
    goal = _goal("ORT-012", specialty=world.specialty)
    other = _goal("ORT-013", specialty=world.specialty)
    agreement = services.agreement_create(
        actor=world.users["local_coordinator"], sending=world.unn, receiving=world.nlsh,
        specialty=world.specialty, duration_months=6, capacity=1,
        valid_from=dt.date(2024, 1, 1), arenas=[nlsh.arena], prerequisites=[goal, other])
    request = services.request_create(
        actor=world.users["local_coordinator"], trainee=world.trainee, receiving=world.nlsh,
        specialty=world.specialty, desired_start=dt.date(2027, 2, 1), agreement=agreement)
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states == {"ORT-012": "missing", "ORT-013": "missing"}

    progress.goal_set(actor=world.users["leader"], trainee=world.trainee, goal=goal,
                      status="approved", assessment="panel",
                      approved_on=dt.date(2025, 5, 1))
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states == {"ORT-012": "met", "ORT-013": "missing"}

    # Tightened from 1 September: the earlier approval no longer counts.
    LearningGoal.objects.filter(pk=goal.pk).update(valid_to=dt.date(2025, 8, 31))
    _goal("ORT-012", valid_from=dt.date(2025, 9, 1), specialty=world.specialty)
    states = {p.code: p.state for p in eligibility([request])[request.pk].prerequisites}
    assert states["ORT-012"] == "missing"
