"""`/trainees/{id}/service-periods` (list/create/patch with version/delete) and the goal
version check of `/trainees/{id}/goal-approvals` (409 for a stale version)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lisplan.audit.models import AuditEvent
from lisplan.catalogue.models import LearningGoal
from lisplan.progress.models import GoalApproval, ServicePeriod
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


class Api(ApiClient):
    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api(world):
    return lambda persona: Api(world.users[persona])


def url(trainee, tail=""):
    return f"/api/v1/trainees/{trainee.pk}/service-periods{tail}"


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"detail", "errors"} <= set(body)
    return body


BODY = {
    "category": "lis1",
    "start": "2017-01-01",
    "end": "2018-06-30",
    "percent": 100,
    "place": "Nordlandssykehuset",
}


def test_create_list_patch_delete_audited(world, api):
    coordinator = api("local_coordinator")
    created = coordinator.post(url(world.trainee), BODY)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["category"], body["ledger_category"], body["version"]) == ("lis1", "lis1", 1)
    assert body["recorded_by"] == world.users["local_coordinator"].pk

    listed = api("trainee").get(url(world.trainee))
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [body["id"]]
    assert api("trainee").get(url(world.trainee), category="open_practice").json()["results"] == []

    patched = api("leader").patch(
        url(world.trainee, f"/{body['id']}"), {"version": 1, "percent": 50}
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["percent"], patched.json()["version"]) == (50, 2)
    assert patched.json()["end"] == "2018-06-30"  # fields not sent are kept

    stale = api("local_coordinator").patch(
        url(world.trainee, f"/{body['id']}"), {"version": 1, "percent": 80}
    )
    conflict = error(stale, 409)
    assert conflict["current_version"] == 2
    assert ServicePeriod.objects.get().percent == 50

    assert error(coordinator.delete(url(world.trainee, f"/{body['id']}?version=1")), 409)
    assert coordinator.delete(url(world.trainee, f"/{body['id']}?version=2")).status_code == 204
    assert not ServicePeriod.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="progress.service")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "progress.service_created",
        "progress.service_changed",
        "progress.service_deleted",
    ]


def test_validation_names_the_field(world, api):
    coordinator = api("local_coordinator")
    body = error(coordinator.post(url(world.trainee), {**BODY, "category": "moon"}), 400)
    assert body["errors"][0]["field"] == "category"
    body = error(coordinator.post(url(world.trainee), {**BODY, "end": "2016-01-01"}), 400)
    assert body["errors"][0]["field"] == "end"
    body = error(coordinator.post(url(world.trainee), {**BODY, "percent": 0}), 400)
    assert body["errors"][0]["field"] == "percent"
    body = error(coordinator.post(url(world.trainee), {**BODY, "category": "other_specialty"}), 400)
    assert body["errors"][0]["field"] == "specialty"
    body = error(coordinator.post(url(world.trainee), {**BODY, "specialty": "QQQ"}), 400)
    assert body["errors"][0]["field"] == "specialty"
    body = error(coordinator.post(url(world.trainee), {**BODY, "employment": 999999}), 400)
    assert body["errors"][0]["field"] == "employment"
    assert coordinator.post(url(world.trainee), BODY).status_code == 201
    body = error(
        coordinator.post(url(world.trainee), {**BODY, "start": "2018-01-01", "end": "2019-01-01"}),
        400,
    )
    assert body["errors"][0]["field"] == "start" and "overlapper" in body["errors"][0]["message"]
    body = error(api("local_coordinator").patch(url(world.trainee, "/1"), {"percent": 50}), 400)
    assert body["errors"][0]["field"] == "version"
    assert ServicePeriod.objects.count() == 1


def test_scoped_like_the_ui(world, api):
    period = ServicePeriod.objects.create(
        trainee=world.trainee, category="lis1", start=dt.date(2017, 1, 1), end=dt.date(2017, 12, 31)
    )
    # the trainee sees, but registers nothing (progress.approve): 403
    assert api("trainee").get(url(world.trainee)).status_code == 200
    error(api("trainee").post(url(world.trainee), BODY), 403)
    error(api("supervisor").patch(url(world.trainee, f"/{period.pk}"), {"version": 1}), 403)
    # outside the scope: 404 (another trust's coordinator), not found period: 404
    error(api("outsider").get(url(world.trainee)), 404)
    error(api("outsider").post(url(world.trainee), BODY), 404)
    error(api("local_coordinator").delete(url(world.trainee, "/999999")), 404)
    assert Api(None).get(url(world.trainee)).status_code == 401
    assert ServicePeriod.objects.get().version == 1


# --- goal versions ----------------------------------------------------------------------------


@pytest.fixture
def tightened(world):
    old = LearningGoal.objects.create(
        code="ORT-002",
        specialty=world.specialty,
        part="part3",
        text="Kunne operere hofte.",
        valid_from=dt.date(2019, 3, 1),
        valid_to=dt.date(2026, 2, 28),
    )
    new = LearningGoal.objects.create(
        code="ORT-002",
        specialty=world.specialty,
        part="part3",
        text="Kunne operere hofte selvstendig.",
        valid_from=dt.date(2026, 3, 1),
    )
    return old, new


def test_approving_a_stale_goal_version_is_409(world, api, tightened):
    old, new = tightened
    goals = f"/api/v1/trainees/{world.trainee.pk}/goal-approvals"
    stale = api("leader").post(
        goals,
        {"goal": "ORT-002", "version": "2019-03-01", "status": "approved", "assessment": "panel"},
    )
    body = error(stale, 409)
    assert body["current_goal_version"] == "2026-03-01"
    assert body["errors"][0]["field"] == "version" and "01.03.2026" in body["detail"]
    assert not GoalApproval.objects.exists()
    error(
        api("leader").post(
            goals,
            {
                "goal": "ORT-002",
                "version": "2020-01-01",
                "status": "approved",
                "assessment": "panel",
            },
        ),
        400,
    )
    ok = api("leader").post(
        goals,
        {"goal": "ORT-002", "version": "2026-03-01", "status": "approved", "assessment": "panel"},
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["goal_valid_from"] == "2026-03-01"
    # without a version: the version valid today; an approval date before it is a 400
    early = api("leader").post(
        goals,
        {
            "goal": "ORT-002",
            "status": "approved",
            "assessment": "panel",
            "approved_on": "2025-01-10",
        },
    )
    assert error(early, 400)["errors"][0]["field"] == "approved_on"


def test_old_version_approval_shows_but_does_not_count(world, api, tightened):
    old, new = tightened
    GoalApproval.objects.create(
        trainee=world.trainee,
        goal=old,
        status="approved",
        assessment="panel",
        approved_by=world.users["leader"],
        approved_on=dt.date(2025, 1, 10),
    )
    body = api("leader").get(f"/api/v1/trainees/{world.trainee.pk}/progress").json()
    goal = next(g for g in body["goals"] if g["code"] == "ORT-002")
    assert goal["status"] != "approved" and goal["valid_from"] == "2026-03-01"
    assert goal["earlier_version_approved_on"] == "2025-01-10"
