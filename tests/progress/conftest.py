"""Learning goals and courses for the progress tests, on top of the shared `world`."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.catalogue.models import LearningGoal
from lisplan.progress.models import Course


@pytest.fixture
def goals(world):
    """ORT-001 (one version), ORT-002 tightened from 1 March 2026, and one FKM goal."""
    ort = world.specialty
    g1 = LearningGoal.objects.create(
        code="ORT-001",
        specialty=ort,
        part="part3",
        text="Kunne behandle brudd.",
        valid_from=dt.date(2019, 3, 1),
    )
    old = LearningGoal.objects.create(
        code="ORT-002",
        specialty=ort,
        part="part3",
        text="Kunne operere hofte.",
        valid_from=dt.date(2019, 3, 1),
        valid_to=dt.date(2026, 2, 28),
    )
    new = LearningGoal.objects.create(
        code="ORT-002",
        specialty=ort,
        part="part3",
        text="Kunne operere hofte selvstendig.",
        valid_from=dt.date(2026, 3, 1),
    )
    fkm = LearningGoal.objects.create(
        code="FKM-001",
        common=True,
        part="common",
        text="Kunne drøfte etiske problemstillinger.",
        valid_from=dt.date(2019, 3, 1),
    )
    return {"ort1": g1, "ort2_old": old, "ort2": new, "fkm": fkm}


@pytest.fixture
def course(db):
    return Course.objects.create(code="ALM-GK-A", name="Grunnkurs A", kind="basic", hours=30)
