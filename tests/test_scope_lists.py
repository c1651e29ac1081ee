"""The scope test (issue 11): each list endpoint's visible set, for every persona, equals the
scope computed here independently — straight from the role table (`ROLE_PERMISSIONS`,
`RELATIONSHIP_PERMISSIONS`) and the role assignments, with plain Python over the rows instead
of the access policy's queries. It is the check that would have caught the education lead's
plan leak: the data includes a plan of another specialty with a period at the lead's
institution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
    return {row["id"] if "id" in row else row["code"] for row in body["results"]}


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


# --- every other list endpoint ---------------------------------------------------------------
# Each paginated list of the OpenAPI document is compared here with its scope computed from
# the role table and the rows; a list endpoint that is neither compared nor in NOT_COMPARED
# fails `test_every_list_endpoint_is_compared`.


def _assignments(user) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("arena", "institution", "region")
    )


def _is_admin(user) -> bool:
    return user.is_superuser or any(a.role == Role.ADMIN for a in _assignments(user))


def _organisational(user, permission: str) -> list[RoleAssignment]:
    """The user's assignments that grant `permission` through their arena, institution or
    region (not the trainee's and supervisor's relationships)."""
    return [
        a
        for a in _assignments(user)
        if a.role not in (Role.TRAINEE, Role.SUPERVISOR, Role.ADMIN)
        and permission in ROLE_PERMISSIONS.get(a.role, set())
    ]


def holds(user, permission: str) -> bool:
    from lisplan.accounts.access import UNSCOPED_PERMISSIONS

    if _is_admin(user) or permission in UNSCOPED_PERMISSIONS:
        return True
    if _organisational(user, permission):
        return True
    if permission in RELATIONSHIP_PERMISSIONS["self"] and Trainee.objects.filter(user=user):
        return True
    return permission in RELATIONSHIP_PERMISSIONS["supervisee"] and bool(
        Supervision.objects.filter(supervisor=user)
    )


def _arena_institutions(a: RoleAssignment) -> set[int]:
    from lisplan.organisations.models import LearningArena

    return {
        x.institution_id for x in LearningArena.objects.all() if x.path.startswith(a.arena.path)
    }


def _institution_reached(a: RoleAssignment, institution, specialty_id: int | None) -> bool:
    """An institution-scoped row (with its specialty) within one assignment: the assignment's
    institution (an education lead's only in their specialty), its arenas' institution, its
    region."""
    if a.arena_id:
        return institution.pk in _arena_institutions(a)
    if a.institution_id:
        if institution.pk != a.institution_id:
            return False
        return a.role != Role.EDUCATION_LEAD or specialty_id == a.specialty_id
    if a.region_id:
        return institution.region_id == a.region_id
    return False


def expected_education_plans(user) -> set[int] | None:
    from lisplan.iup.models import Revision as IupRevision

    rows = list(IupRevision.objects.select_related("plan"))
    if not holds(user, "iup.view"):
        return set()
    trainees = expected_trainees(user, "iup.view")
    return {r.pk for r in rows if trainees is None or r.plan.trainee_id in trainees}


def expected_agreements(user) -> set[int] | None:
    from lisplan.rotations.models import CollaborationAgreement

    rows = list(CollaborationAgreement.objects.select_related("sending", "receiving"))
    if not holds(user, "agreement.view"):
        return set()
    if _is_admin(user):
        return {r.pk for r in rows}
    today = timezone.localdate()
    employers = {
        e.institution_id
        for e in Employment.objects.filter(trainee__user=user)
        if e.end is None or e.end >= today
    }
    out = set()
    for r in rows:
        for a in _organisational(user, "agreement.view"):
            if _institution_reached(a, r.sending, r.specialty_id) or _institution_reached(
                a, r.receiving, r.specialty_id
            ):
                out.add(r.pk)
        if "agreement.view" in RELATIONSHIP_PERMISSIONS["self"] and r.sending_id in employers:
            out.add(r.pk)
    return out


def expected_rotation_requests(user) -> set[int] | None:
    from lisplan.organisations.models import LearningArena
    from lisplan.rotations.models import RotationRequest

    rows = list(RotationRequest.objects.select_related("receiving", "arena"))
    if not holds(user, "register.view"):
        return set()
    trainees = expected_trainees(user, "register.view")
    if trainees is None:
        return {r.pk for r in rows}
    out = {r.pk for r in rows if r.trainee_id in trainees}  # the sending side
    for r in rows:
        if r.forwarded_on is None:
            continue
        for a in _organisational(user, "register.view"):
            if a.arena_id:
                under = [x for x in LearningArena.objects.all() if x.path.startswith(a.arena.path)]
                if r.arena is not None:
                    reached = r.arena.path.startswith(a.arena.path)
                else:
                    reached = r.receiving_id in {x.institution_id for x in under} and (
                        r.specialty_id in {x.specialty_id for x in under if x.specialty_id}
                    )
            else:
                reached = _institution_reached(a, r.receiving, r.specialty_id)
            if reached:
                out.add(r.pk)
    return out


def expected_allocation_runs(user) -> set[int] | None:
    from lisplan.allocation.models import AllocationRun

    rows = list(AllocationRun.objects.all())
    if not holds(user, "allocation.view"):
        return set()
    if _is_admin(user):
        return {r.pk for r in rows}
    regions = set()
    for a in _organisational(user, "allocation.view"):
        if a.region_id:
            regions.add(a.region_id)
        if a.institution_id:
            regions.add(a.institution.region_id)
    return {r.pk for r in rows if r.region_id is None or r.region_id in regions}


def expected_programme_plans(user) -> set[int] | None:
    from lisplan.programmes.models import ProgrammePlan

    rows = list(ProgrammePlan.objects.select_related("institution"))
    if not holds(user, "programme.view"):
        return set()
    if _is_admin(user):
        return {r.pk for r in rows}
    out = {r.pk for r in rows if r.status in ("published", "superseded")}
    for r in rows:
        for a in _organisational(user, "programme.view"):
            if _institution_reached(a, r.institution, r.specialty_id):
                out.add(r.pk)
    return out


def _all_to(permission: str, model: str, key: str = "pk") -> Callable:
    def expected(user) -> set:
        from django.apps import apps

        if not holds(user, permission):
            return set()
        return set(apps.get_model(model).objects.values_list(key, flat=True))

    return expected


# path -> the visible set computed independently (None: everything)
LISTS: dict[str, Callable] = {
    "/api/v1/education-plans": expected_education_plans,
    "/api/v1/agreements": expected_agreements,
    "/api/v1/rotation-requests": expected_rotation_requests,
    "/api/v1/allocation-runs": expected_allocation_runs,
    "/api/v1/programme-plans": expected_programme_plans,
    # Aggregates and reference data: whoever holds the permission sees every row.
    "/api/v1/harvests": _all_to("insights.view", "insights.Harvest"),
    "/api/v1/dimensioning-runs": _all_to("dimensioning.view", "dimensioning.DimensioningRun"),
    "/api/v1/dimensioning-scenarios": _all_to("dimensioning.view", "dimensioning.Scenario"),
    "/api/v1/specialties": _all_to("catalogue.view", "catalogue.Specialty", "code"),
    "/api/v1/institutions": _all_to("organisation.view", "organisations.Institution"),
    "/api/v1/arenas": _all_to("organisation.view", "organisations.LearningArena"),
}
# Lists of one trainee's rows: the trainee's rows when the trainee is in the persona's scope
# for the permission, else 404.
PER_TRAINEE: dict[str, tuple[str, str]] = {
    "/api/v1/trainees/{id}/activities": ("progress.view", "progress.ActivityRecord"),
    "/api/v1/trainees/{id}/service-periods": ("progress.view", "progress.ServicePeriod"),
}
# Already compared above, or not a list of rows a scope selects — with the reason.
NOT_COMPARED: dict[str, str] = {
    "/api/v1/trainees": "test_trainee_list_is_the_trainee_view_scope",
    "/api/v1/implementation-plans": "test_plan_list_is_the_plan_view_scope",
    "/api/v1/learning-goals": "reference data (catalogue.view, everyone); rows are goal "
    "versions filtered by date by default, not by a scope",
    "/api/v1/indicators/{code}/rows": "the rows under one unit chosen by `scope=`; whether the "
    "caller reaches the unit is insights/scopes.py, tested in tests/insights",
    "/api/v1/harvests/{id}/indicators/{code}/rows": "as /indicators/{code}/rows, frozen",
    "/api/v1/implementation-plans/{id}/history": "test_plan_history_is_the_plan_view_scope",
    "/api/v1/learning-goals/{code}/places": "where a goal can be reached: the arenas of "
    "published programme plans, public (programme.view), no person",
    "/api/v1/trainees/{id}/service-confirmations": "not yet compared: the scope adds the "
    "unit of the confirmation's employment, also after it ended (confirmations/scopes.py); "
    "tests/confirmations covers it",
    "/api/v1/vacancies/candidates": "the queue for one arena chosen by `arena=`; whether the "
    "caller reaches the arena is the vacancy scope, tested in tests/api/test_rotations.py",
}


def list_endpoints() -> set[str]:
    """GET operations whose 200 answer is a page: `{"count": …, "results": […]}`."""
    from lisplan.api.main import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        return node

    out = set()
    for path, item in schema["paths"].items():
        get = item.get("get")
        if not get:
            continue
        responses = get.get("responses", {})
        content = (responses.get(200) or responses.get("200") or {}).get("content", {})
        body = resolve(content.get("application/json", {}).get("schema", {}))
        if {"count", "results"} <= set(body.get("properties", {})):
            out.add(path)
    return out


@pytest.fixture
def rows(data, world):
    """Rows of every listed kind inside and outside each persona's scope."""
    from lisplan.allocation.models import AllocationRun
    from lisplan.catalogue.models import Specialty
    from lisplan.dimensioning import services as dimensioning
    from lisplan.insights.models import Harvest
    from lisplan.iup import services as iup
    from lisplan.organisations.models import Approval
    from lisplan.programmes import services as programmes
    from lisplan.progress import services as progress
    from lisplan.rotations import services as rotations
    from lisplan.rotations.models import RotationRequest

    admin = world.users["admin"]
    med = Specialty.objects.get(code="MED")
    for trainee in (world.trainee, world.same_institution, world.same_region, world.other_region):
        iup.plan_create(actor=admin, trainee=trainee)
        progress.activity_create(
            actor=admin, trainee=trainee, kind="procedure", title="Gips", date=dt.date(2025, 3, 1)
        )
        progress.service_create(
            actor=admin,
            trainee=trainee,
            category="lis1",
            start=dt.date(2019, 1, 1),
            end=dt.date(2019, 12, 31),
            percent=100,
            place="Bodø",
        )
    nlsh_ort = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedi NLSH", specialty=world.specialty
    )
    for sending, receiving, specialty in [
        (world.unn, world.nlsh, world.specialty),
        (world.nlsh, world.unn, world.specialty),
        (world.nlsh, world.unn, med),
        (world.bergen, world.nlsh, world.specialty),
        (world.bergen, world.unn, world.specialty),
    ]:
        rotations.agreement_create(
            actor=admin,
            sending=sending,
            receiving=receiving,
            specialty=specialty,
            duration_months=6,
            capacity=3,
            valid_from=dt.date(2024, 1, 1),
        )
    for trainee, receiving, arena, forwarded in [
        (world.trainee, world.nlsh, nlsh_ort, True),  # UNN sends to NLSH
        (world.colleague, world.nlsh, None, False),  # a need at UNN, not yet forwarded
        (world.same_region, world.unn, world.department, True),  # NLSH -> UNN's department
        (world.same_region, world.unn, None, True),  # NLSH -> UNN, no arena
        (world.other_region, world.unn, world.section, False),  # Bergen -> UNN, not sent
        (world.other_region, world.nlsh, None, True),  # Bergen -> NLSH
    ]:
        request = rotations.request_create(
            actor=admin,
            trainee=trainee,
            receiving=receiving,
            specialty=world.specialty,
            desired_start=dt.date(2027, 2, 1),
            arena=arena,
        )
        if forwarded:
            RotationRequest.objects.filter(pk=request.pk).update(
                status="forwarded", forwarded_on=dt.date(2026, 1, 5)
            )
    for region in (world.unn.region, world.bergen.region, None):
        AllocationRun.objects.create(region=region, max_delay_months=2, time_limit=10)
    for institution, specialty in [
        (world.unn, world.specialty),
        (world.unn, med),
        (world.nlsh, world.specialty),
        (world.bergen, world.specialty),
    ]:
        Approval.objects.get_or_create(
            institution=institution,
            specialty=specialty,
            defaults={"valid_from": dt.date(2020, 1, 1)},
        )
        programmes.draft_create(actor=admin, institution=institution, specialty=specialty)
    from lisplan.programmes.models import ProgrammePlan

    ProgrammePlan.objects.filter(institution=world.bergen).update(status="published")
    Harvest.objects.create(date=dt.date(2026, 1, 15))
    dimensioning.create_scenario(actor=admin, name="Basis", description="", params={})
    return data


def test_every_list_endpoint_is_compared():
    listed = set(LISTS) | set(PER_TRAINEE) | set(NOT_COMPARED)
    endpoints = list_endpoints()
    missing = endpoints - listed
    assert not missing, f"list endpoints with no scope comparison: {sorted(missing)}"
    assert not listed - endpoints, f"no such list endpoint: {sorted(listed - endpoints)}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_list_is_its_scope(rows, persona):
    user = rows[persona]
    client = ApiClient(user)
    wrong = []
    for path, expected_of in LISTS.items():
        expected = expected_of(user)
        seen = visible(client, path)
        if seen != expected:
            wrong.append(f"{path}: sees {sorted(seen)}, scope {sorted(expected)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_trainee_list_is_its_scope(rows, persona):
    from django.apps import apps

    user = rows[persona]
    client = ApiClient(user)
    wrong = []
    for template, (permission, model) in PER_TRAINEE.items():
        scope = expected_trainees(user, permission) if holds(user, permission) else set()
        for trainee in Trainee.objects.all():
            path = template.replace("{id}", str(trainee.pk))
            response = client.get(path, page_size=100)
            if scope is None or trainee.pk in scope:
                expected = set(
                    apps.get_model(model)
                    .objects.filter(trainee=trainee)
                    .values_list("pk", flat=True)
                )
                ok = (
                    response.status_code == 200
                    and {r["id"] for r in response.json()["results"]} == expected
                )
            else:
                ok = response.status_code in (403, 404)
            if not ok:
                wrong.append(f"{path}: {response.status_code} {response.content[:200]!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_plan_history_is_the_plan_view_scope(data, persona):
    """One revision's history opens exactly for the revisions in the persona's scope."""
    user = data[persona]
    client = ApiClient(user)
    scope = expected_revisions(user)
    wrong = []
    for revision in Revision.objects.all():
        response = client.get(f"/api/v1/implementation-plans/{revision.pk}/history")
        ok = (
            response.status_code == 200
            if revision.pk in scope
            else response.status_code in (403, 404)
        )
        if not ok:
            wrong.append(f"revision {revision.pk}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
