"""The allocation-run API: 202 on start, status and result, scope (403/404), field errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lisplan.accounts.models import ApiToken
from lisplan.allocation.models import AllocationRun
from lisplan.allocation.parse import parse_instance
from lisplan.allocation.result import parse_result
from lisplan.allocation.validate import violations
from tests.allocation.conftest import immediate_tasks, register  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
RUNS = "/api/v1/allocation-runs"


def _client(user) -> tuple[Client, dict]:
    _, token = ApiToken.issue(user, name="test")
    return Client(), {"Authorization": f"Bearer {token}"}


def _post(user, body) -> tuple[int, dict]:
    client, headers = _client(user)
    response = client.post(RUNS, json.dumps(body), content_type="application/json", headers=headers)
    return response.status_code, response.json()


def _get(user, path) -> tuple[int, dict]:
    client, headers = _client(user)
    response = client.get(path, headers=headers)
    return response.status_code, response.json()


def test_start_follow_and_fetch_the_result(world, register, immediate_tasks):  # noqa: F811
    user = world.users["regional_coordinator"]
    status, body = _post(
        user, {"scope": f"region:{world.unn.region_id}", "max_delay_months": 3, "time_limit": 5}
    )
    assert status == 202, body
    run_id = body["id"]
    assert body["url"] == f"{RUNS}/{run_id}"
    status, run = _get(user, f"{RUNS}/{run_id}")
    assert status == 200 and run["status"] == "done" and run["progress"] == 1.0
    assert run["scope"] == f"region:{world.unn.region_id}"
    assert run["metrics"]["assigned"] == 3 and run["baseline_metrics"]["requests"] == 3
    assert run["bound"] is not None and run["lower_bound"]["objective"] == run["bound"]
    status, result = _get(user, f"{RUNS}/{run_id}/result")
    assert status == 200 and result["format"] == "lisplan-allocation-result/1"
    inst = parse_instance(AllocationRun.objects.get(pk=run_id).instance)
    plan, reported = parse_result(result)
    assert violations(inst, plan, reported=reported, order=None) == []
    status, page = _get(user, RUNS)
    assert status == 200 and page["count"] == 1 and page["results"][0]["id"] == run_id


def test_queued_run_has_no_result_yet(world, register):  # noqa: F811
    user = world.users["planner"]
    status, body = _post(user, {"scope": "national", "max_delay_months": 0})
    assert status == 202 and body["status"] == "queued"
    status, error = _get(user, f"{RUNS}/{body['id']}/result")
    assert status == 400 and error["errors"][0]["field"] == "status"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"scope": "region:x", "max_delay_months": 3}, "scope"),
        ({"scope": "region:999999", "max_delay_months": 3}, "scope"),
        ({"scope": "national", "max_delay_months": 3}, None),  # 403: not the planner
        ({"max_delay_months": 3}, "scope"),
        ({"scope": "national", "max_delay_months": -1}, "max_delay_months"),
        ({"scope": "national", "max_delay_months": 3, "time_limit": 4000}, "time_limit"),
    ],
)
def test_field_errors_and_forbidden_scopes(world, body, field):
    status, error = _post(world.users["regional_coordinator"], body)
    if field is None:
        assert status == 403
    else:
        assert status == 400, error
        assert field in {e["field"].split(".")[-1] for e in error["errors"]}, error
    assert not AllocationRun.objects.exists()


def test_scope_per_persona(world):
    bergen = AllocationRun.objects.create(
        region=world.bergen.region, max_delay_months=0, time_limit=5
    )
    nord = AllocationRun.objects.create(region=world.unn.region, max_delay_months=0, time_limit=5)
    assert _get(world.users["regional_coordinator"], f"{RUNS}/{bergen.pk}")[0] == 404
    assert _get(world.users["regional_coordinator"], f"{RUNS}/{nord.pk}")[0] == 200
    assert _get(world.users["local_coordinator"], f"{RUNS}/{nord.pk}")[0] == 200
    assert _get(world.users["trainee"], f"{RUNS}/{nord.pk}")[0] == 403
    assert _get(world.users["trainee"], RUNS)[0] == 403
    assert (
        _post(
            world.users["local_coordinator"],
            {"scope": f"region:{world.unn.region_id}", "max_delay_months": 0},
        )[0]
        == 403
    )
    assert (
        _post(
            world.users["regional_coordinator"],
            {"scope": f"region:{world.bergen.region_id}", "max_delay_months": 0},
        )[0]
        == 403
    )
    assert _get(world.users["admin"], f"{RUNS}/{bergen.pk + nord.pk + 100}")[0] == 404


def test_queue_weight_defaults_to_the_policy_and_is_returned(
    world,
    register,  # noqa: F811
    immediate_tasks,  # noqa: F811
):
    from lisplan.allocation.services import save_policy

    save_policy(
        actor=world.users["planner"],
        region=world.unn.region,
        version=0,
        queue_weight=0.3,
        max_delay_months=3,
        time_limit=30,
    )
    user = world.users["regional_coordinator"]
    scope = f"region:{world.unn.region_id}"
    status, body = _post(user, {"scope": scope, "max_delay_months": 3, "time_limit": 5})
    assert status == 202, body
    status, run = _get(user, f"{RUNS}/{body['id']}")
    assert run["queue_weight"] == 0.3 and run["status"] == "done"
    status, result = _get(user, f"{RUNS}/{body['id']}/result")
    assert result["queue_weight"] == 0.3
    status, body = _post(
        user, {"scope": scope, "max_delay_months": 3, "time_limit": 5, "queue_weight": 0}
    )
    assert status == 202, body
    assert AllocationRun.objects.get(pk=body["id"]).queue_weight == 0.0
    assert _get(user, f"{RUNS}/{body['id']}/result")[1]["queue_weight"] == 0.0
    status, page = _get(user, RUNS)
    assert sorted(r["queue_weight"] for r in page["results"]) == [0.0, 0.3]


@pytest.mark.parametrize(
    "weight, message",
    [
        (1.5, "Verdien kan ikke være større enn 1"),
        (-0.1, "Verdien må være minst 0"),
        ("mye", None),
        ([0.1], None),
    ],
)
def test_queue_weight_is_validated(world, weight, message):
    status, error = _post(
        world.users["planner"], {"scope": "national", "max_delay_months": 3, "queue_weight": weight}
    )
    assert status == 400, error
    fields = {e["field"].split(".")[-1]: e["message"] for e in error["errors"]}
    assert "queue_weight" in fields, error
    if message:
        assert fields["queue_weight"].startswith(message)
    assert not AllocationRun.objects.exists()


def test_queue_weight_nan_is_refused(world):
    client, headers = _client(world.users["planner"])
    response = client.post(
        RUNS,
        '{"scope": "national", "max_delay_months": 3, "queue_weight": NaN}',
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["queue_weight"]
    assert not AllocationRun.objects.exists()
