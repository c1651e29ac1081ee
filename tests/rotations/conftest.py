from __future__ import annotations

import datetime as dt

import pytest

from lisplan.rotations import services
from tests import factories as f


@pytest.fixture
def nlsh(world):
    """The receiving side: NLSH's orthopaedic department, its leader and local coordinator."""
    arena = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
    )
    leader = f.UserFactory(username="nlsh_leader")
    arena.leader = leader
    arena.save()
    f.assign(leader, "leader", arena=arena)
    coordinator = f.UserFactory(username="nlsh_coordinator")
    f.assign(coordinator, "local_coordinator", institution=world.nlsh)
    return type(
        "Nlsh",
        (),
        {"arena": arena, "leader": leader, "coordinator": coordinator, "institution": world.nlsh},
    )


@pytest.fixture
def agreement(world, nlsh):
    return services.agreement_create(
        actor=world.users["local_coordinator"],
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        arenas=[nlsh.arena],
    )


@pytest.fixture
def need(world, agreement):
    return services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
    )


@pytest.fixture
def forwarded(world, need):
    actor = world.users["local_coordinator"]
    services.request_register_wish(actor=actor, request=need)
    return services.request_forward(actor=actor, request=need)
