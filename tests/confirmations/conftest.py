"""Service confirmations: the `world` trainee's employment made concrete (a whole year with a
month of parental leave), and the steps of the flow as helpers."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.confirmations import services
from tests import factories as f

ISSUED_ON = dt.date(2026, 1, 12)


@pytest.fixture
def employment(world):
    return make_employment(world)


def make_employment(world):
    """Tora at UNN, Seksjon for traume (under the leader's department), 01.01.–31.12.2025,
    full time, with parental leave all of March (which does not count, § 31)."""
    e = world.trainee.employments.get()
    e.start, e.end, e.position_percent = dt.date(2025, 1, 1), dt.date(2025, 12, 31), 100
    e.employee_number = "4711"
    e.save()
    f.LeaveFactory(
        trainee=world.trainee,
        kind="parental",
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 31),
        percent=100,
    )
    return e


@pytest.fixture
def other_leader(world):
    """A leader of another department at UNN: not the trainee's unit."""
    user = f.UserFactory(username="other_leader")
    arena = f.ArenaFactory(
        institution=world.unn, parent=world.department.parent, name="Nevrologisk avdeling"
    )
    f.assign(user, "leader", arena=arena)
    return user


def ask(world, employment, persona="trainee", note=""):
    return services.confirmation_request(
        actor=world.users[persona], employment=employment, note=note
    )


def issue(world, version, persona="local_coordinator"):
    return services.confirmation_issue(
        actor=world.users[persona], confirmation=version, version=version.version
    )


def sign(world, version, persona="leader"):
    return services.confirmation_sign(
        actor=world.users[persona], confirmation=version, version=version.version
    )


@pytest.fixture
def signed(world, employment, travel):
    with travel(ISSUED_ON):
        return sign(world, issue(world, ask(world, employment)))
