"""`/trainees/{id}/progress`, goal approvals and activities: scoped like the pages, with the
API's 401/403/404/400 shapes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from lisplan.audit.models import AuditEvent
from lisplan.catalogue.models import LearningGoal
from lisplan.progress.models import ActivityRecord, Course, GoalApproval
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


class Api(ApiClient):
    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api(world):
    return lambda persona: Api(world.users[persona])


@pytest.fixture
def goal(world):
    return LearningGoal.objects.create(
        code="ORT-001",
        specialty=world.specialty,
        part="part3",
        text="Kunne behandle brudd.",
        valid_from=dt.date(2019, 3, 1),
    )


def url(trainee, tail="progress"):
    return f"/api/v1/trainees/{trainee.pk}/{tail}"


def assert_error(response, status: int):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["errors"], list)
    return body


def test_progress_shape(world, goal, api):
    response = api("leader").get(url(world.trainee))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["trainee"] == world.trainee.pk and body["specialty"] == "ORT"
    assert body["status"] in {"complete", "on_track", "behind", "at_risk", "unknown"}
    assert [g["code"] for g in body["goals"]] == ["ORT-001"]
    assert body["goals"][0]["status"] == "not_started"
    if body["requirements"]:
        req = body["requirements"][0]
        assert {"code", "done", "remaining", "status", "evidence"} <= set(req)


def test_progress_unauthenticated_is_401(world):
    assert_error(Client().get(url(world.trainee)), 401)


def test_progress_outside_scope_is_404(world, api):
    assert_error(api("outsider").get(url(world.trainee)), 404)
    assert_error(api("trainee").get(url(world.colleague)), 404)
    assert_error(api("admin").get("/api/v1/trainees/999999/progress"), 404)


def test_goal_approval_by_leader(world, goal, api):
    response = api("leader").post(
        url(world.trainee, "goal-approvals"),
        {
            "goal": "ORT-001",
            "status": "approved",
            "assessment": "panel",
            "approved_on": "2025-05-01",
            "arena": world.section.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "approved" and body["approved_by"] == world.users["leader"].pk
    assert AuditEvent.objects.filter(action="progress.goal_approved").count() == 1
    progress = api("trainee").get(url(world.trainee)).json()
    assert progress["goals"][0]["status"] == "approved"


def test_trainee_may_mark_but_not_approve(world, goal, api):
    client = api("trainee")
    assert (
        client.post(
            url(world.trainee, "goal-approvals"), {"goal": "ORT-001", "status": "in_progress"}
        ).status_code
        == 201
    )
    assert_error(
        client.post(
            url(world.trainee, "goal-approvals"),
            {"goal": "ORT-001", "status": "approved", "assessment": "panel"},
        ),
        403,
    )
    assert GoalApproval.objects.get().status == "in_progress"


def test_viewer_without_record_permission_is_403(world, goal, api):
    assert_error(
        api("education_lead").post(
            url(world.trainee, "goal-approvals"), {"goal": "ORT-001", "status": "in_progress"}
        ),
        403,
    )
    assert_error(
        api("planner").post(
            url(world.trainee, "activities"), {"kind": "out_of_hours", "date": "2025-01-01"}
        ),
        403,
    )


def test_goal_approval_errors_are_400(world, goal, api):
    client = api("leader")
    body = assert_error(
        client.post(
            url(world.trainee, "goal-approvals"), {"goal": "XYZ-999", "status": "approved"}
        ),
        400,
    )
    assert body["errors"][0]["field"] == "goal" and body["errors"][0]["code"] == "unknown"
    body = assert_error(
        client.post(
            url(world.trainee, "goal-approvals"), {"goal": "ORT-001", "status": "approved"}
        ),
        400,
    )
    assert body["errors"][0]["field"] == "assessment"
    body = assert_error(
        client.post(url(world.trainee, "goal-approvals"), {"goal": "ORT-001", "status": "done"}),
        400,
    )
    assert body["errors"][0]["field"] == "status"
    body = assert_error(client.post(url(world.trainee, "goal-approvals"), {"goal": "ORT-001"}), 400)
    assert body["errors"][0] == {
        "field": "status",
        "code": "required",
        "message": body["errors"][0]["message"],
    }


def test_create_list_delete_activity(world, goal, api):
    Course.objects.create(code="ORT-TRAUME", name="Traumekurs", kind="national", hours=30)
    client = api("supervisor")
    response = client.post(
        url(world.trainee, "activities"),
        {"kind": "course", "date": "2025-02-01", "course": "ORT-TRAUME", "goals": ["ORT-001"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["course"] == "ORT-TRAUME" and body["goals"] == ["ORT-001"]
    listed = api("trainee").get(url(world.trainee, "activities")).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert_error(api("outsider").delete(url(world.trainee, f"activities/{body['id']}")), 404)
    assert client.delete(url(world.trainee, f"activities/{body['id']}")).status_code == 204
    assert not ActivityRecord.objects.exists()


def test_activity_errors_are_400_with_fields(world, api):
    client = api("trainee")
    body = assert_error(
        client.post(
            url(world.trainee, "activities"), {"kind": "supervision_meeting", "date": "2025-02-01"}
        ),
        400,
    )
    assert body["errors"][0]["field"] == "minutes_by"
    body = assert_error(
        client.post(
            url(world.trainee, "activities"),
            {"kind": "course", "date": "2025-02-01", "course": "NOPE"},
        ),
        400,
    )
    assert body["errors"][0]["field"] == "course"
    body = assert_error(
        client.post(
            url(world.trainee, "activities"),
            {"kind": "procedure", "date": "2025-02-01", "title": "x", "goals": ["ABC-123"]},
        ),
        400,
    )
    assert body["errors"][0]["field"] == "goals[0]"
    body = assert_error(
        client.post(url(world.trainee, "activities"), {"kind": "procedure", "date": "not a date"}),
        400,
    )
    assert body["errors"][0]["field"] == "date"
    assert not ActivityRecord.objects.exists()


def test_activities_list_outside_scope_is_404(world, api):
    assert_error(api("outsider").get(url(world.trainee, "activities")), 404)
