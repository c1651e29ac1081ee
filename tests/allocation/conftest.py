"""A small register for the app side of allocation: NLSH receives UNN's orthopaedic trainees
under one agreement with room for one at a time, and three of them queue for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import override_settings

from lisplan.allocation.build import first_month
from lisplan.rotations import services
from lisplan.rotations.models import RotationRequest, add_months
from tests import factories as f

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Register:
    agreement: object
    requests: list  # in queue order (oldest forwarded first)
    coordinator: object  # NLSH's local coordinator (receiving: makes offers)
    first: dt.date  # the plan's first month


@pytest.fixture
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def register(world) -> Register:
    arena = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
    )
    coordinator = f.UserFactory(username="nlsh_coordinator")
    f.assign(coordinator, "local_coordinator", institution=world.nlsh)
    actor = world.users["local_coordinator"]
    agreement = services.agreement_create(
        actor=actor,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        arenas=[arena],
    )
    first = first_month()
    requests = []
    for i, trainee in enumerate([world.trainee, world.colleague, world.same_institution]):
        r = services.request_create(
            actor=actor,
            trainee=trainee,
            receiving=world.nlsh,
            specialty=world.specialty,
            desired_start=first,
        )
        services.request_register_wish(actor=actor, request=r)
        services.request_forward(actor=actor, request=r)
        RotationRequest.objects.filter(pk=r.pk).update(forwarded_on=add_months(first, -12 + i))
        r.refresh_from_db()
        requests.append(r)
    return Register(agreement, requests, coordinator, first)
