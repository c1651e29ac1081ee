"""A course to plan: UNN's orthopaedics (the `world` personas), goals ORT-001…ORT-006, NLSH as
partner with its own orthopaedic department, and an agreement UNN → NLSH."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from lisplan.catalogue.models import LearningGoal
from lisplan.programmes import services
from lisplan.rotations.models import CollaborationAgreement
from tests import factories as f

CODES = [f"ORT-{n:03d}" for n in range(1, 7)]


@pytest.fixture
def course(world):
    return make_course(world)


def make_course(world):
    goals = {
        c: LearningGoal.objects.create(
            code=c,
            specialty=world.specialty,
            part="part3",
            text=f"Læringsmål {c}",
            valid_from=dt.date(2019, 3, 1),
        )
        for c in CODES
    }
    nlsh_arena = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
    )
    nlsh_coordinator = f.UserFactory(username="nlsh_coordinator")
    f.assign(nlsh_coordinator, "local_coordinator", institution=world.nlsh)
    agreement = CollaborationAgreement.objects.create(
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        reference="FA-UNN-NLSH-ORT",
    )
    agreement.arenas.add(nlsh_arena)
    agreement.goals.add(goals["ORT-005"])
    return SimpleNamespace(
        goals=goals,
        nlsh_arena=nlsh_arena,
        agreement=agreement,
        uao=world.users["education_lead"],
        coordinator=world.users["local_coordinator"],
        nlsh_coordinator=nlsh_coordinator,
    )


def publish_plan(world, course, *, institution=None, arenas=None, actor=None, publisher=None):
    """A published plan: UNN's department reaches ORT-001…ORT-003, the section ORT-004 (by
    default); ORT-005 via the agreement; ORT-006 nowhere (a gap)."""
    from lisplan.programmes.models import ProgrammePlan

    institution = institution or world.unn
    plan = ProgrammePlan.objects.filter(
        institution=institution, specialty=world.specialty, status="draft"
    ).first()
    plan = plan or services.draft_create(
        actor=actor or course.uao, institution=institution, specialty=world.specialty
    )
    if arenas is None:
        arenas = [
            services.ArenaData(
                world.department.pk, ["ORT-001", "ORT-002", "ORT-003"], activities="Poliklinikk"
            ),
            services.ArenaData(world.section.pk, ["ORT-004"], ["ORT-001"]),
        ]
    plan = services.draft_update(
        actor=actor or course.uao,
        plan=plan,
        version=plan.version,
        content=services.Content(fields={"introduction": "Oppbygging."}, arenas=arenas),
    )
    return services.publish(actor=publisher or course.coordinator, plan=plan, version=plan.version)
