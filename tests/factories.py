"""factory_boy factories for the core models."""

from __future__ import annotations

import datetime as dt

import factory

from lisplan.accounts.models import RoleAssignment, User
from lisplan.catalogue.models import Specialty
from lisplan.organisations.models import Institution, LearningArena, Region
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    password = factory.django.Password("pw")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "NORD"
    name = "Helse Nord RHF"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"INST{n}")
    name = factory.LazyAttribute(lambda o: f"Institusjon {o.code}")
    kind = Institution.Kind.HEALTH_TRUST
    region = factory.SubFactory(RegionFactory)


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ["code"]

    code = "ORT"
    name = factory.LazyAttribute(lambda o: {"ORT": "Ortopedisk kirurgi"}.get(o.code, o.code))
    kind = Specialty.Kind.HOSPITAL


class ArenaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningArena

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Avdeling {n}")
    level = LearningArena.Level.DEPARTMENT


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainee

    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    hpr_number = factory.Sequence(lambda n: f"{n:09d}")


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    trainee = factory.SubFactory(TraineeFactory)
    institution = factory.SubFactory(InstitutionFactory)
    specialty = factory.SubFactory(SpecialtyFactory)
    permanent = True
    position_percent = 100
    start = dt.date(2024, 1, 1)


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeavePeriod

    trainee = factory.SubFactory(TraineeFactory)
    kind = LeavePeriod.Kind.PARENTAL
    start = dt.date(2025, 1, 1)
    end = dt.date(2025, 6, 30)


class SupervisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supervision

    trainee = factory.SubFactory(TraineeFactory)
    supervisor = factory.SubFactory(UserFactory)
    start = dt.date(2024, 1, 1)


def assign(user: User, role: str, **scope) -> RoleAssignment:
    return RoleAssignment.objects.create(
        user=user, role=role, valid_from=dt.date(2020, 1, 1), **scope
    )
