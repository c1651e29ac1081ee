"""Personas shared by the whole suite (after healthchecks' alice/bob/charlie)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lisplan.organisations.models import LearningArena
from tests import factories as f


@dataclass
class World:
    """A small region with one persona per role and trainees inside and outside each scope."""

    users: dict
    trainee: object  # the persona's own Trainee row
    colleague: object  # same arena (department), other section
    same_institution: object  # UNN, other department
    same_region: object  # other trust in Helse Nord
    other_region: object  # Helse Bergen
    unn: object
    nlsh: object
    bergen: object
    department: object
    section: object
    specialty: object


@pytest.fixture
def world(db) -> World:
    nord = f.RegionFactory(code="NORD", name="Helse Nord RHF")
    vest = f.RegionFactory(code="VEST", name="Helse Vest RHF")
    unn = f.InstitutionFactory(code="UNN", name="Universitetssykehuset Nord-Norge HF", region=nord)
    nlsh = f.InstitutionFactory(code="NLSH", name="Nordlandssykehuset HF", region=nord)
    bergen = f.InstitutionFactory(code="HB", name="Helse Bergen HF", region=vest)
    ort = f.SpecialtyFactory(code="ORT", name="Ortopedisk kirurgi")
    f.SpecialtyFactory(code="MED", name="Indremedisin")

    clinic = f.ArenaFactory(
        institution=unn,
        name="Kirurgi-, kreft- og kvinnehelseklinikken",
        level=LearningArena.Level.CLINIC,
    )
    department = f.ArenaFactory(
        institution=unn, parent=clinic, name="Ortopedisk avdeling", specialty=ort
    )
    section = f.ArenaFactory(
        institution=unn,
        parent=department,
        name="Seksjon for traume",
        level=LearningArena.Level.SECTION,
    )
    section2 = f.ArenaFactory(
        institution=unn,
        parent=department,
        name="Seksjon for protese",
        level=LearningArena.Level.SECTION,
    )
    other_dept = f.ArenaFactory(institution=unn, parent=clinic, name="Gastrokirurgisk avdeling")

    users = {
        name: f.UserFactory(username=name)
        for name in [
            "trainee",
            "supervisor",
            "leader",
            "education_lead",
            "local_coordinator",
            "regional_coordinator",
            "planner",
            "admin",
            "outsider",
        ]
    }
    trainee = f.TraineeFactory(user=users["trainee"], first_name="Tora", last_name="Trainee")
    f.EmploymentFactory(trainee=trainee, institution=unn, arena=section, specialty=ort)
    f.assign(users["trainee"], "trainee")
    f.SupervisionFactory(trainee=trainee, supervisor=users["supervisor"])
    f.assign(users["supervisor"], "supervisor", institution=unn)
    department.leader = users["leader"]
    department.save()
    f.assign(users["leader"], "leader", arena=department)
    f.assign(users["education_lead"], "education_lead", institution=unn, specialty=ort)
    f.assign(users["local_coordinator"], "local_coordinator", institution=unn)
    f.assign(users["regional_coordinator"], "regional_coordinator", region=nord)
    f.assign(users["planner"], "planner", region=nord)
    f.assign(users["admin"], "admin")
    f.assign(users["outsider"], "local_coordinator", institution=bergen)

    def employed(inst, arena=None, specialty=ort, **kw):
        t = f.TraineeFactory(**kw)
        f.EmploymentFactory(trainee=t, institution=inst, arena=arena, specialty=specialty)
        return t

    return World(
        users=users,
        trainee=trainee,
        colleague=employed(unn, section2, last_name="Kollega"),
        same_institution=employed(unn, other_dept, last_name="Samme-HF"),
        same_region=employed(nlsh, last_name="Samme-region"),
        other_region=employed(bergen, last_name="Annen-region"),
        unn=unn,
        nlsh=nlsh,
        bergen=bergen,
        department=department,
        section=section,
        specialty=ort,
    )


@pytest.fixture
def travel():
    """A controllable clock: `with travel(dt.date(2028, 2, 29)): …` runs the block at noon of
    that day in Europe/Oslo (time stands still), so a test asserts a known date rather than
    arithmetic on `localdate()` that breaks on some days of the year."""

    def at(day: dt.date):
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("Europe/Oslo"))
        return time_machine.travel(moment, tick=False)

    return at
