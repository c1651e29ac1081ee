"""Demo progress: every demo trainee gets progress, deterministically, with summaries."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.demo.generator import load_demo
from lisplan.progress.demo import load_progress_demo
from lisplan.progress.models import ActivityRecord, GoalApproval, ProgressSummary
from lisplan.trainees.models import Trainee

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def _fingerprint():
    return (
        sorted(
            GoalApproval.objects.values_list(
                "trainee__hpr_number", "goal__code", "status", "approved_on"
            )
        ),
        ActivityRecord.objects.count(),
    )


def test_demo_progress_is_realistic_and_deterministic():
    load_demo(trainees=40, seed=7, force=True, today=TODAY)
    first = load_progress_demo(seed=7, today=TODAY)
    assert first.trainees == Trainee.objects.filter(demo=True).count()
    assert first.approvals > 0 and first.activities > 0
    assert ProgressSummary.objects.count() == first.trainees
    assert ProgressSummary.objects.exclude(status="unknown").exists()
    kinds = set(ActivityRecord.objects.values_list("kind", flat=True))
    assert {"supervision_meeting", "assessment_panel"} <= kinds
    before = _fingerprint()
    load_progress_demo(seed=7, today=TODAY)
    assert _fingerprint() == before
