"""The API: programme plans (list, read, PDF, draft, change, publish with 409 on a stale
version), where a goal can be reached, and coverage; the two agree on the gaps."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lisplan.accounts.models import ApiToken
from tests.programmes.conftest import publish_plan

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        _, token = ApiToken.issue(user, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params)

    def send(self, method, path, body):
        return getattr(self.client, method)(
            "/api/v1" + path, json.dumps(body), content_type="application/json"
        )


def test_plans_read(world, course):
    plan = publish_plan(world, course)
    api = Api(world.users["trainee"])
    page = api.get("/programme-plans", specialty="ORT", status="published").json()
    assert page["count"] == 1
    body = api.get(f"/programme-plans/{plan.pk}").json()
    assert body["institution"]["code"] == "UNN" and body["specialty"]["code"] == "ORT"
    assert body["status"] == "published" and body["number"] == 1
    assert body["public_url"].endswith("/utdanningsplan/UNN/ORT/")
    assert [a["goals"] for a in body["arenas"]] == [["ORT-001", "ORT-002", "ORT-003"], ["ORT-004"]]
    assert body["arenas"][1]["prerequisites"] == ["ORT-001"]
    assert [p["agreement"] for p in body["partner_periods"]] == [course.agreement.pk]
    assert body["partner_periods"][0]["approving_institution"]["code"] == "NLSH"
    assert api.get("/programme-plans", status="nonsense").status_code == 400
    pdf = api.get(f"/programme-plans/{plan.pk}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_draft_change_publish_and_conflict(world, course):
    uao, coordinator = Api(course.uao), Api(course.coordinator)
    created = uao.send(
        "post",
        "/programme-plans",
        {"institution": world.unn.pk, "specialty": "ORT", "courses": "Kurs <script>x</script>"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and "script" not in body["courses"]
    assert (
        coordinator.send(
            "post", "/programme-plans", {"institution": world.unn.pk, "specialty": "ORT"}
        ).status_code
        == 403
    )
    changed = uao.send(
        "patch",
        f"/programme-plans/{body['id']}",
        {
            "version": body["version"],
            "arenas": [{"arena": world.department.pk, "goals": ["ORT-001"]}],
        },
    )
    assert changed.status_code == 200, changed.content
    stale = uao.send("patch", f"/programme-plans/{body['id']}", {"version": body["version"]})
    assert stale.status_code == 409 and stale.json()["current_version"] == changed.json()["version"]
    bad = uao.send(
        "patch",
        f"/programme-plans/{body['id']}",
        {
            "version": changed.json()["version"],
            "arenas": [{"arena": world.department.pk, "goals": ["ORT-999"]}],
        },
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "arenas[0].goals"
    version = changed.json()["version"]
    assert (
        uao.send("post", f"/programme-plans/{body['id']}/publish", {"version": version}).status_code
        == 403
    )
    assert (
        coordinator.send(
            "post", f"/programme-plans/{body['id']}/publish", {"version": version - 1}
        ).status_code
        == 409
    )
    published = coordinator.send(
        "post", f"/programme-plans/{body['id']}/publish", {"version": version}
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = uao.send(
        "patch",
        f"/programme-plans/{body['id']}",
        {"version": published.json()["version"], "courses": "x"},
    )
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "status"


def test_places_and_coverage_agree(world, course):
    publish_plan(world, course)
    api = Api(world.users["regional_coordinator"])
    places = api.get("/learning-goals/ORT-005/places", region="NORD").json()
    assert [
        (p["source"], p["institution"]["code"], p["agreement"], p["approving_institution"]["code"])
        for p in places["results"]
    ] == [("agreement", "NLSH", course.agreement.pk, "NLSH")]
    assert api.get("/learning-goals/XYZ-999/places").status_code == 404
    cov = api.get("/coverage", institution=world.unn.pk, specialty="ORT").json()
    assert cov["gaps"] == ["ORT-006"]
    by_goal = {g["goal"]: g for g in cov["goals"]}
    assert by_goal["ORT-005"]["agreements"] == [course.agreement.pk]
    assert by_goal["ORT-001"]["at_home"] and not by_goal["ORT-006"]["at_home"]
    for goal in cov["goals"]:
        listed = api.get(f"/learning-goals/{goal['goal']}/places").json()["results"]
        reachable = any(
            p["institution"]["id"] == world.unn.pk
            or (p["sending_institution"] or {}).get("id") == world.unn.pk
            for p in listed
        )
        assert goal["gap"] == (not reachable) == (goal["goal"] in cov["gaps"])
