"""Regression tests for issue 11: where a page and the API decided separately, they disagreed.

Each case was a failing test before the rule moved into the service / the access policy:

1. An education lead (UAO) read plans of other specialties through the partner rule.
2. A trainee or supervisor wiped a leader's goal approval through the API.
3. Only the leader may confirm plan periods outside the employment — also in the HTML editor.
4. Submit and revise need the same permission on the page and in the API.
5. `vacancy_select` answered 500 to a non-numeric `request` and looked it up unscoped.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from lisplan.catalogue.models import LearningGoal
from lisplan.errors import Refused
from lisplan.plans import services as plans
from lisplan.plans.models import Revision, Status
from lisplan.plans.services import PeriodData
from lisplan.progress import services as progress
from lisplan.progress.models import GoalApproval, GoalStatus
from lisplan.rotations import services as rotations
from lisplan.rotations.models import Vacancy
from lisplan.trainees.models import Employment
from tests import factories as f
from tests.api.conftest import ApiClient

PLANS = "/api/v1/implementation-plans"


class Api(ApiClient):
    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


def plan_for(world, trainee, *periods) -> Revision:
    return plans.plan_create(
        actor=world.users["admin"],
        trainee=trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=list(periods),
    )


# --- 1. the education lead's partner rule keeps their specialty ------------------------------


def test_education_lead_sees_partner_plans_only_in_their_specialty(client, world):
    med = f.SpecialtyFactory(code="ALM", name="Allmennmedisin")
    gp = f.TraineeFactory(last_name="Allmennlege")
    f.EmploymentFactory(trainee=gp, institution=world.nlsh, specialty=med)
    other = plan_for(
        world,
        gp,
        PeriodData(
            specialty=med,
            institution=world.unn,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 6, 30),
        ),
    )
    ort = f.TraineeFactory(last_name="Ortoped-NLSH")
    f.EmploymentFactory(trainee=ort, institution=world.nlsh, specialty=world.specialty)
    own = plan_for(
        world,
        ort,
        PeriodData(
            specialty=world.specialty,
            institution=world.unn,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 6, 30),
        ),
    )
    uao = Api(world.users["education_lead"])
    seen = {r["id"] for r in uao.get(PLANS, page_size=100).json()["results"]}
    assert own.pk in seen and other.pk not in seen
    assert uao.get(f"{PLANS}/{other.pk}").status_code == 404
    assert uao.get(f"{PLANS}/{other.pk}/history").status_code == 404
    client.force_login(world.users["education_lead"])
    assert client.get(reverse("plans:revision", args=[other.pk])).status_code == 404
    assert client.get(reverse("plans:pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("plans:revision", args=[own.pk])).status_code == 200
    # The local coordinator (no specialty) keeps the partner rule for every specialty.
    partner = f.UserFactory(username="unn_partner")
    f.assign(partner, "local_coordinator", institution=world.unn)
    seen = {r["id"] for r in Api(partner).get(PLANS, page_size=100).json()["results"]}
    assert {own.pk, other.pk} <= seen


# --- 2. an approved goal is changed only by those who approve ---------------------------------


@pytest.fixture
def approved_goal(world):
    goal = LearningGoal.objects.create(
        code="ORT-001",
        specialty=world.specialty,
        part="part3",
        text="Kunne behandle brudd.",
        valid_from=dt.date(2019, 3, 1),
    )
    progress.goal_set(
        actor=world.users["leader"],
        trainee=world.trainee,
        goal=goal,
        status=GoalStatus.APPROVED,
        assessment="observation",
        approved_on=dt.date(2025, 5, 1),
        institution=world.unn,
        arena=world.section,
    )
    return goal


@pytest.mark.parametrize("persona", ["trainee", "supervisor"])
def test_trainee_or_supervisor_cannot_wipe_an_approval_through_the_api(
    world, approved_goal, persona
):
    url = f"/api/v1/trainees/{world.trainee.pk}/goal-approvals"
    response = Api(world.users[persona]).post(url, {"goal": "ORT-001", "status": "in_progress"})
    assert response.status_code == 403, response.content
    row = GoalApproval.objects.get(trainee=world.trainee, goal=approved_goal)
    assert row.status == GoalStatus.APPROVED
    assert row.approved_by == world.users["leader"] and row.approved_on == dt.date(2025, 5, 1)
    assert row.assessment == "observation" and row.arena == world.section


def test_the_leader_may_still_withdraw_an_approval(world, approved_goal):
    url = f"/api/v1/trainees/{world.trainee.pk}/goal-approvals"
    response = Api(world.users["leader"]).post(url, {"goal": "ORT-001", "status": "in_progress"})
    assert response.status_code == 201, response.content
    assert GoalApproval.objects.get(goal=approved_goal).approved_by is None


# --- 3. only the leader confirms periods outside the employment -------------------------------


@pytest.fixture
def outside(world):
    Employment.objects.filter(trainee=world.trainee).update(end=dt.date(2026, 12, 31))
    return plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=[
            PeriodData(
                specialty=world.specialty,
                institution=world.nlsh,
                start=dt.date(2026, 10, 1),
                end=dt.date(2027, 3, 31),
            )
        ],
    )


def editor_post(world, revision) -> dict:
    return {
        "version": revision.version,
        "employer": world.unn.pk,
        "specialty": world.specialty.pk,
        "employee_number": "",
        "estimated_start": "2024-01-01",
        "estimated_end": "2029-06-30",
        "plan_date": "2025-11-01",
        "remarks": "",
        "outside_employment_confirmed": "on",
        "periods-a-specialty": world.specialty.pk,
        "periods-a-institution": world.nlsh.pk,
        "periods-a-start": "2026-10-01",
        "periods-a-end": "2027-03-31",
        "periods-a-contact_person": "",
        "periods-a-service_place": "",
        "periods-a-arena": "",
    }


def test_trainee_cannot_confirm_outside_employment_in_the_html_editor(client, world, outside):
    client.force_login(world.users["trainee"])
    response = client.post(reverse("plans:edit", args=[outside.pk]), editor_post(world, outside))
    assert response.status_code == 400
    assert "Bare leder med personalansvar" in response.content.decode()
    outside.refresh_from_db()
    assert not outside.outside_employment_confirmed


def test_leader_confirms_outside_employment_in_the_html_editor(client, world, outside):
    client.force_login(world.users["leader"])
    response = client.post(reverse("plans:edit", args=[outside.pk]), editor_post(world, outside))
    assert response.status_code == 302, response.content.decode()[:2000]
    outside.refresh_from_db()
    assert outside.outside_employment_confirmed


def test_the_service_refuses_the_trainee_the_confirmation(world, outside):
    from lisplan.errors import Refused

    with pytest.raises(Refused) as exc:
        plans.revision_update(
            actor=world.users["trainee"],
            revision=outside,
            version=outside.version,
            outside_employment_confirmed=True,
        )
    assert (exc.value.field, exc.value.code) == ("outside_employment_confirmed", "leader_only")


# --- 4. submit and revise: the same permission on the page and in the API ---------------------


@pytest.fixture
def draft(world):
    return plan_for(
        world,
        world.trainee,
        PeriodData(
            specialty=world.specialty,
            institution=world.nlsh,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 6, 30),
        ),
    )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("trainee", True),
        ("leader", True),
        ("local_coordinator", False),
        ("supervisor", False),
    ],
)
def test_submit_same_answer_on_page_and_api(client, world, draft, persona, allowed):
    client.force_login(world.users[persona])
    client.post(reverse("plans:submit", args=[draft.pk]))
    draft.refresh_from_db()
    page_allowed = draft.status == Status.AWAITING_SIGNATURES
    Revision.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    response = Api(world.users[persona]).post(f"{PLANS}/{draft.pk}/submit")
    assert (page_allowed, response.status_code == 200) == (allowed, allowed), response.content


@pytest.fixture
def approved(world, draft):
    plans.revision_submit(actor=world.users["trainee"], revision=draft)
    plans.revision_sign(actor=world.users["trainee"], revision=draft)
    plans.revision_sign(actor=world.users["leader"], revision=draft)
    return plans.revision_approve(
        actor=world.users["local_coordinator"], revision=draft, confirm_no_agreement=True
    )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("trainee", True),
        ("leader", True),
        ("local_coordinator", True),
        ("supervisor", False),
        ("education_lead", False),
    ],
)
def test_revise_same_answer_on_page_and_api(client, world, approved, persona, allowed):
    client.force_login(world.users[persona])
    client.post(reverse("plans:revise", args=[approved.pk]))
    page_allowed = approved.plan.revisions.count() == 2
    approved.plan.revisions.exclude(pk=approved.pk).delete()
    response = Api(world.users[persona]).post(f"{PLANS}/{approved.pk}/revise")
    assert (page_allowed, response.status_code == 201) == (allowed, allowed), response.content


# --- 5. choosing a vacancy's candidate -------------------------------------------------------


@pytest.fixture
def vacancy(world):
    arena = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
    )
    leader = f.UserFactory(username="nlsh_leader")
    arena.leader = leader
    arena.save()
    f.assign(leader, "leader", arena=arena)
    coordinator = world.users["local_coordinator"]
    rotations.agreement_create(
        actor=coordinator,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        arenas=[arena],
    )
    need = rotations.request_create(
        actor=coordinator,
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
    )
    rotations.request_register_wish(actor=coordinator, request=need)
    rotations.request_forward(actor=coordinator, request=need)
    vacancy = rotations.vacancy_open(
        actor=leader,
        arena=arena,
        start_from=dt.date(2027, 1, 1),
        start_to=dt.date(2027, 6, 30),
        duration_months=6,
    )
    return vacancy, leader, need


@pytest.mark.parametrize("value", ["abc", "", "1.5", "99999999999999999999"])
def test_vacancy_select_refuses_garbage_without_500(client, vacancy, value):
    vacancy, leader, _need = vacancy
    client.force_login(leader)
    response = client.post(
        reverse("rotations:vacancy_select", args=[vacancy.pk]), {"request": value}
    )
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.selected is None


def test_vacancy_select_only_takes_the_vacancys_candidates(client, world, vacancy):
    vacancy, leader, need = vacancy
    elsewhere = f.TraineeFactory(last_name="Bergen")
    f.EmploymentFactory(trainee=elsewhere, institution=world.bergen, specialty=world.specialty)
    stranger = rotations.request_create(
        actor=world.users["admin"],
        trainee=elsewhere,
        receiving=world.unn,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
        duration_months=6,
    )
    client.force_login(leader)
    client.post(reverse("rotations:vacancy_select", args=[vacancy.pk]), {"request": stranger.pk})
    vacancy.refresh_from_db()
    assert vacancy.selected is None
    client.post(reverse("rotations:vacancy_select", args=[vacancy.pk]), {"request": need.pk})
    vacancy.refresh_from_db()
    assert vacancy.selected == need and vacancy.state == Vacancy.State.OPEN


def test_vacancy_select_service_checks_the_permission(world, vacancy):
    from lisplan.errors import Refused

    vacancy, _leader, need = vacancy
    with pytest.raises(Refused):
        rotations.vacancy_select(actor=world.users["leader"], vacancy=vacancy, request=need)


def test_vacancy_open_refuses_an_arena_outside_the_actors_scope(vacancy, world):
    """Only the arena's own leader (or a coordinator over it) opens a vacancy there: the service
    refuses another trust's arena, so a page and an API call get the same answer, and nothing
    is written."""
    _vacancy, leader, _need = vacancy
    unn_arena = world.department  # UNN's orthopaedic department; the leader leads one at NLSH
    before = Vacancy.objects.count()
    with pytest.raises(Refused):
        rotations.vacancy_open(
            actor=leader,
            arena=unn_arena,
            start_from=dt.date(2027, 1, 1),
            start_to=dt.date(2027, 6, 30),
            duration_months=6,
        )
    assert Vacancy.objects.count() == before
