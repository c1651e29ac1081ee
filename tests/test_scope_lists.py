"""The scope test (issue 11): each list endpoint's visible set, for every persona, equals the
scope computed here independently — straight from the role table (`ROLE_PERMISSIONS`,
`RELATIONSHIP_PERMISSIONS`) and the role assignments, with plain Python over the rows instead
of the access policy's queries. It is the check that would have caught the education lead's
plan leak: the data includes a plan of another specialty with a period at the lead's
institution.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lisplan.accounts.access import RELATIONSHIP_PERMISSIONS, ROLE_PERMISSIONS
from lisplan.accounts.models import Role, RoleAssignment
from lisplan.plans import services as plans
from lisplan.plans.models import Revision
from lisplan.plans.services import PeriodData
from lisplan.trainees.models import Employment, Supervision, Trainee
from tests import factories as f
from tests.api.conftest import ApiClient

PERSONAS = [
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
    "outsider",
    "partner_lead",
]


@pytest.fixture
def data(world):
    """Plans for every trainee of the world (each with a period at NLSH), and a GP trainee at
    NLSH whose plan has a period at UNN; a second education lead at NLSH in ORT."""
    gp = f.SpecialtyFactory(code="ALM", name="Allmennmedisin")
    doctor = f.TraineeFactory(last_name="Allmennlege")
    f.EmploymentFactory(trainee=doctor, institution=world.nlsh, specialty=gp)
    admin = world.users["admin"]
    for trainee in Trainee.objects.exclude(pk=doctor.pk):
        plans.plan_create(
            actor=admin,
            trainee=trainee,
            periods=[
                PeriodData(
                    specialty=world.specialty,
                    institution=world.nlsh,
                    start=dt.date(2026, 1, 1),
                    end=dt.date(2026, 6, 30),
                )
            ],
        )
    plans.plan_create(
        actor=admin,
        trainee=doctor,
        periods=[
            PeriodData(
                specialty=gp,
                institution=world.unn,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 6, 30),
            )
        ],
    )
    users = dict(world.users)
    users["partner_lead"] = f.UserFactory(username="partner_lead")
    f.assign(
        users["partner_lead"], "education_lead", institution=world.nlsh, specialty=world.specialty
    )
    return users


# --- the scope, computed independently -----------------------------------------------------


def _reaches(a: RoleAssignment, employment: Employment) -> bool:
    if a.arena_id:
        return employment.arena is not None and employment.arena.path.startswith(a.arena.path)
    if a.institution_id:
        same = employment.institution_id == a.institution_id
        if a.role == Role.EDUCATION_LEAD:
            return same and employment.specialty_id == a.specialty_id
        return same
    if a.region_id:
        return employment.institution.region_id == a.region_id
    return False


def expected_trainees(user, permission: str) -> set[int] | None:
    """Trainee ids in scope; None for everything (the administrator)."""
    today = timezone.localdate()
    assignments = list(RoleAssignment.objects.active().filter(user=user))
    if any(a.role == Role.ADMIN for a in assignments) or user.is_superuser:
        return None
    current = [
        e
        for e in Employment.objects.select_related("arena", "institution")
        if e.end is None or e.end >= today
    ]
    out = set()
    for a in assignments:
        if a.role in (Role.TRAINEE, Role.SUPERVISOR):
            continue  # they reach through relationships
        if permission in ROLE_PERMISSIONS.get(a.role, set()):
            out |= {e.trainee_id for e in current if _reaches(a, e)}
    if permission in RELATIONSHIP_PERMISSIONS["self"]:
        out |= set(Trainee.objects.filter(user=user).values_list("pk", flat=True))
    if permission in RELATIONSHIP_PERMISSIONS["supervisee"]:
        out |= {
            s.trainee_id
            for s in Supervision.objects.filter(supervisor=user)
            if s.end is None or s.end >= today
        }
    return out


def expected_revisions(user) -> set[int]:
    trainees = expected_trainees(user, "plan.view")
    revisions = list(Revision.objects.select_related("plan").prefetch_related("periods"))
    if trainees is None:
        return {r.pk for r in revisions}
    out = {r.pk for r in revisions if r.plan.trainee_id in trainees}
    # The partner rule: an institution scope sees plans with a period at the institution; an
    # education lead only those of their specialty.
    for a in RoleAssignment.objects.active().filter(user=user, institution__isnull=False):
        if "plan.view" not in ROLE_PERMISSIONS.get(a.role, set()):
            continue
        for r in revisions:
            at = any(p.institution_id == a.institution_id for p in r.periods.all())
            if at and (a.role != Role.EDUCATION_LEAD or r.specialty_id == a.specialty_id):
                out.add(r.pk)
    return out


def visible(client: ApiClient, path: str) -> set[int]:
    response = client.get(path, page_size=100)
    if response.status_code == 403:
        return set()
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] <= 100
    return {row["id"] for row in body["results"]}


# --- the lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_trainee_list_is_the_trainee_view_scope(data, persona):
    user = data[persona]
    expected = expected_trainees(user, "trainee.view")
    if expected is None:
        expected = set(Trainee.objects.values_list("pk", flat=True))
    assert visible(ApiClient(user), "/api/v1/trainees") == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_plan_list_is_the_plan_view_scope(data, persona):
    user = data[persona]
    assert visible(ApiClient(user), "/api/v1/implementation-plans") == expected_revisions(user)
