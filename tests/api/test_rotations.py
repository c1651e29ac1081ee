"""`/agreements`, `/rotation-requests`, `/vacancies/candidates`: the rotation register through
the API — the happy paths, every refusal, the error shapes, the optimistic lock and constant
query counts on the lists."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lisplan.accounts.models import RoleAssignment
from lisplan.audit.models import AuditEvent
from lisplan.rotations import services
from lisplan.rotations.models import CollaborationAgreement, RotationRequest, Status
from tests import factories as f
from tests.api.conftest import ApiClient

AGREEMENTS = "/api/v1/agreements"
REQUESTS = "/api/v1/rotation-requests"
CANDIDATES = "/api/v1/vacancies/candidates"


class Api(ApiClient):
    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def people(world):
    """`world` plus the receiving side at NLSH: its orthopaedic department, leader and
    coordinator."""
    arena = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
    )
    users = dict(world.users)
    users["nlsh_leader"] = f.UserFactory(username="nlsh_leader")
    arena.leader = users["nlsh_leader"]
    arena.save()
    f.assign(users["nlsh_leader"], "leader", arena=arena)
    users["nlsh_coordinator"] = f.UserFactory(username="nlsh_coordinator")
    f.assign(users["nlsh_coordinator"], "local_coordinator", institution=world.nlsh)
    return type("People", (), {"users": users, "arena": arena})


@pytest.fixture
def api(people):
    clients: dict[str, Api] = {}

    def make(persona: str) -> Api:
        if persona not in clients:
            clients[persona] = Api(people.users[persona])
        return clients[persona]

    return make


@pytest.fixture
def agreement(world, people):
    return services.agreement_create(
        actor=world.users["local_coordinator"],
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        arenas=[people.arena],
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    data = response.json()
    assert isinstance(data["detail"], str) and data["detail"]
    assert isinstance(data["errors"], list)
    return data


def fields(response, status: int = 400) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in error(response, status)["errors"]}


def new_request(world, api, **overrides) -> dict:
    body = {
        "trainee": world.trainee.pk,
        "receiving": world.nlsh.pk,
        "specialty": "ORT",
        "desired_start": "2027-02-01",
    }
    body.update(overrides)
    return ok(api("local_coordinator").post(REQUESTS, body), 201)


@pytest.fixture
def forwarded(world, api, agreement) -> dict:
    r = new_request(world, api, wish=True)
    return ok(api("local_coordinator").post(f"{REQUESTS}/{r['id']}/forward"))


# --- agreements ------------------------------------------------------------------------------


def test_agreements_are_scoped_and_filtered(world, api, agreement):
    data = ok(api("local_coordinator").get(AGREEMENTS))
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["sending"], row["receiving"], row["specialty"]) == (
        world.unn.pk,
        world.nlsh.pk,
        "ORT",
    )
    assert row["duration_months"] == 6 and row["capacity"] == 1 and not row["refunded"]
    assert ok(api("nlsh_coordinator").get(AGREEMENTS))["count"] == 1  # the receiving party
    assert ok(api("outsider").get(AGREEMENTS))["count"] == 0  # Bergen
    coordinator = api("local_coordinator")
    assert ok(coordinator.get(AGREEMENTS, specialty="MED"))["count"] == 0
    assert ok(coordinator.get(AGREEMENTS, sending=world.nlsh.pk))["count"] == 0
    assert ok(coordinator.get(AGREEMENTS, receiving=world.nlsh.pk))["count"] == 1
    assert ok(coordinator.get(AGREEMENTS, valid_on="2023-12-31"))["count"] == 0
    assert ok(coordinator.get(AGREEMENTS, valid_on="2026-01-01"))["count"] == 1
    assert fields(coordinator.get(AGREEMENTS, specialty="XYZ")) == {("specialty", "unknown")}
    assert fields(coordinator.get(AGREEMENTS, valid_on="1.1.2026")) == {("valid_on", "invalid")}


def test_agreement_detail_404_outside_scope(api, agreement):
    assert ok(api("leader").get(f"{AGREEMENTS}/{agreement.pk}"))["id"] == agreement.pk
    error(api("outsider").get(f"{AGREEMENTS}/{agreement.pk}"), 404)
    error(api("leader").get(f"{AGREEMENTS}/999999"), 404)


def test_agreement_list_queries_are_constant(world, api, agreement):
    coordinator = api("local_coordinator")
    coordinator.get(AGREEMENTS)  # warm up (token, grants)
    with CaptureQueriesContext(connection) as few:
        ok(coordinator.get(AGREEMENTS))
    for code in ("MED", "GKI", "NEV"):
        other = services.agreement_create(
            actor=world.users["local_coordinator"],
            sending=world.unn,
            receiving=world.nlsh,
            specialty=f.SpecialtyFactory(code=code),
            duration_months=2,
            valid_from=dt.date(2024, 1, 1),
            arenas=[f.ArenaFactory(institution=world.nlsh)],
        )
        assert other.refunded
    with CaptureQueriesContext(connection) as many:
        assert ok(coordinator.get(AGREEMENTS))["count"] == 4
    assert len(many) == len(few)


def test_capacity_per_month(world, api, agreement):
    r = RotationRequest.objects.create(
        trainee=world.trainee,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        agreement=agreement,
        desired_start=dt.date(2026, 3, 1),
        agreed_start=dt.date(2026, 3, 1),
        duration_months=6,
        status=Status.IN_PROGRESS,
        need_on=dt.date(2025, 1, 1),
    )
    assert r.end == dt.date(2026, 8, 31)
    data = ok(
        api("leader").get(
            f"{AGREEMENTS}/{agreement.pk}/capacity", **{"from": "2026-01", "to": "2026-12"}
        )
    )
    months = {m["month"]: (m["capacity"], m["used"], m["free"]) for m in data["months"]}
    assert len(months) == 12
    assert months["2026-02"] == (1, 0, 1)
    assert months["2026-03"] == months["2026-08"] == (1, 1, 0)
    assert months["2026-09"] == (1, 0, 1)
    url = f"{AGREEMENTS}/{agreement.pk}/capacity"
    assert fields(api("leader").get(url, **{"from": "2026-13", "to": "2026-12"})) == {
        ("from", "invalid")
    }
    assert fields(api("leader").get(url, to="2026-12")) == {("from", "required")}
    assert fields(api("leader").get(url, **{"from": "2026-05", "to": "2026-04"})) == {
        ("to", "before_from")
    }
    assert fields(api("leader").get(url, **{"from": "2000-01", "to": "2026-04"})) == {
        ("to", "max_value")
    }
    error(api("outsider").get(url, **{"from": "2026-01", "to": "2026-02"}), 404)


def agreement_body(world, **overrides) -> dict:
    body = {
        "sending": world.unn.pk,
        "receiving": world.nlsh.pk,
        "specialty": "ORT",
        "duration_months": 3,
        "capacity": 2,
        "valid_from": "2025-01-01",
        "start_months": [2, 8],
        "semester_quota": 1,
        "quota_semester": "spring",
        "reference": "UNN-NLSH-ORT-1",
    }
    body.update(overrides)
    return body


def test_create_agreement(world, api, people):
    data = ok(
        api("local_coordinator").post(AGREEMENTS, agreement_body(world, arenas=[people.arena.pk])),
        201,
    )
    assert data["arenas"] == [people.arena.pk] and data["start_months"] == [2, 8]
    assert data["quota_semester"] == "spring" and data["capacity"] == 2
    assert CollaborationAgreement.objects.filter(pk=data["id"]).exists()


def test_create_agreement_refusals(world, api, people):
    # A coordinator of neither party: 403, nothing saved.
    error(api("outsider").post(AGREEMENTS, agreement_body(world)), 403)
    # A role without agreement.change: 403.
    error(api("leader").post(AGREEMENTS, agreement_body(world)), 403)
    error(api("trainee").post(AGREEMENTS, agreement_body(world)), 403)
    assert not CollaborationAgreement.objects.exists()
    coordinator = api("local_coordinator")
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, sending=999999))) == {
        ("sending", "unknown")
    }
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, receiving=world.unn.pk))) == {
        ("receiving", "invalid")
    }
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, valid_to="2024-01-01"))) == {
        ("valid_to", "invalid")
    }
    assert fields(
        coordinator.post(AGREEMENTS, agreement_body(world, arenas=[world.department.pk]))
    ) == {("arenas", "arena_institution")}
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, arenas=[999999]))) == {
        ("arenas[0]", "unknown")
    }
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, quota_semester="x"))) == {
        ("quota_semester", "invalid")
    }
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, start_months=[13]))) == {
        ("start_months[0]", "max_value")
    }
    assert fields(coordinator.post(AGREEMENTS, agreement_body(world, duration_months=0))) == {
        ("duration_months", "min_value")
    }
    assert ("valid_from", "required") in fields(
        coordinator.post(AGREEMENTS, {"sending": world.unn.pk})
    )
    assert not CollaborationAgreement.objects.exists()


# --- requests: life cycle --------------------------------------------------------------------


def test_full_life_cycle(world, api, agreement):
    r = new_request(world, api)
    assert r["status"] == "need" and r["duration_months"] == 6 and r["version"] == 1
    assert r["agreement"] == agreement.pk and r["sending"] == world.unn.pk
    url = f"{REQUESTS}/{r['id']}"
    r = ok(api("local_coordinator").post(f"{url}/wish"))
    assert r["status"] == "wish" and r["wish_on"]
    r = ok(api("local_coordinator").post(f"{url}/forward"))
    assert r["status"] == "forwarded" and r["forwarded_on"] == timezone.localdate().isoformat()
    r = ok(api("nlsh_coordinator").post(f"{url}/offer", {"comment": "Velkommen"}))
    assert r["status"] == "offered" and r["comment"] == "Velkommen"
    r = ok(api("trainee").post(f"{url}/accept"))
    assert r["status"] == "accepted"
    r = ok(api("nlsh_coordinator").post(f"{url}/agree", {"start": "2027-03-01"}))
    assert r["status"] == "start_agreed" and r["agreed_start"] == "2027-03-01"
    assert r["start"] == "2027-03-01" and r["end"] == "2027-08-31"
    # Seed 003: no start long before the agreed date, no end before the period's end
    # without a reason («må LIS likevel fullføre spesialiseringsperioden»).
    if timezone.localdate() < dt.date(2027, 2, 15):
        assert (
            error(api("nlsh_coordinator").post(f"{url}/start"))["errors"][0]["code"] == "too_early"
        )
        RotationRequest.objects.filter(pk=r["id"]).update(agreed_start=timezone.localdate())
    r = ok(api("nlsh_coordinator").post(f"{url}/start"))
    assert r["status"] == "in_progress" and r["started_on"] == r["agreed_start"]
    err = error(api("nlsh_coordinator").post(f"{url}/complete", {"goals_reached": True}))
    assert err["errors"][0] == {
        "field": "early_end_reason",
        "code": "early_end",
        "message": err["detail"],
    }
    r = ok(
        api("nlsh_coordinator").post(
            f"{url}/complete", {"goals_reached": True, "early_end_reason": "Flytter"}
        )
    )
    assert r["status"] == "completed" and r["goals_reached"] is True
    assert r["early_end_reason"] == "Flytter" and r["version"] == 8


def test_prerequisites_refused_named_and_waived_by_the_receiving_coordinator(world, api, agreement):
    """Seed 003: «Leder ved mottakende foretak vurderer dine kvalifikasjoner og om du er klar
    for å tre inn i gjennomstrømningsstillingen.»"""
    from lisplan.catalogue.models import LearningGoal

    goal = LearningGoal.objects.create(
        code="ORT-088",
        specialty=world.specialty,
        part="part3",
        text="Lukket reposisjon",
        valid_from=dt.date(2019, 3, 1),
    )
    agreement.prerequisites.add(goal)
    r = new_request(world, api)
    url = f"{REQUESTS}/{r['id']}"
    ok(api("local_coordinator").post(f"{url}/wish"))
    ok(api("local_coordinator").post(f"{url}/forward"))
    err = error(api("nlsh_coordinator").post(f"{url}/offer"))
    assert err["errors"][0]["code"] == "prerequisites_missing"
    assert "«Lukket reposisjon» (ORT-088)" in err["detail"]
    error(api("nlsh_leader").post(f"{url}/waive-prerequisites", {"reason": "Klar"}), 403)
    r = ok(api("nlsh_coordinator").post(f"{url}/waive-prerequisites", {"reason": "Klar"}))
    assert r["prerequisites_waived_reason"] == "Klar" and r["prerequisites_waived_on"]
    assert ok(api("nlsh_coordinator").post(f"{url}/offer"))["status"] == "offered"


def test_decline_and_cancel(world, api, forwarded):
    url = f"{REQUESTS}/{forwarded['id']}"
    ok(api("nlsh_coordinator").post(f"{url}/offer", {"start": "2027-02-01"}))
    r = ok(api("local_coordinator").post(f"{url}/decline", {"comment": "Permisjon"}))
    assert r["status"] == "declined" and r["comment"] == "Permisjon"
    other = new_request(world, api)
    r = ok(
        api("local_coordinator").post(
            f"{REQUESTS}/{other['id']}/cancel", {"reason": "Byttet ønske"}
        )
    )
    assert r["status"] == "cancelled" and r["cancelled_on"]


def test_visibility_of_requests(world, api, agreement):
    r = new_request(world, api)
    url = f"{REQUESTS}/{r['id']}"
    assert ok(api("trainee").get(url))["id"] == r["id"]  # own record
    assert ok(api("supervisor").get(url))["id"] == r["id"]  # supervisee
    error(api("nlsh_coordinator").get(url), 404)  # not forwarded yet
    error(api("outsider").get(url), 404)
    ok(api("local_coordinator").post(f"{url}/wish"))
    ok(api("local_coordinator").post(f"{url}/forward"))
    assert ok(api("nlsh_coordinator").get(url))["status"] == "forwarded"
    assert ok(api("nlsh_leader").get(url))["id"] == r["id"]  # the agreement's arena
    error(api("outsider").get(url), 404)


def test_action_refusals(world, api, forwarded):
    url = f"{REQUESTS}/{forwarded['id']}"
    # No register.offer anywhere: 403 from the rule.
    error(api("trainee").post(f"{url}/offer"), 403)
    # Holds register.offer (at UNN) but not on a request to NLSH: 403.
    error(api("local_coordinator").post(f"{url}/offer"), 403)
    # Sees the request (receiving) but may not forward or cancel for UNN: 403.
    error(api("nlsh_coordinator").post(f"{url}/forward"), 403)
    error(api("nlsh_coordinator").post(f"{url}/cancel", {"reason": "x"}), 403)
    # Outside scope: 404.
    error(api("outsider").post(f"{url}/forward"), 404)
    error(api("local_coordinator").post(f"{REQUESTS}/999999/forward"), 404)
    # A step the state does not allow: 400 naming `status`.
    data = error(api("local_coordinator").post(f"{url}/forward"))
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("status", "invalid_state")]
    assert fields(api("nlsh_coordinator").post(f"{url}/start")) == {("status", "invalid_state")}
    # Body errors.
    assert fields(api("nlsh_coordinator").post(f"{url}/offer", {"start": "x"})) == {
        ("start", "invalid")
    }
    assert fields(api("nlsh_coordinator").post(f"{url}/offer", {"vacancy": 999999})) == {
        ("vacancy", "unknown")
    }
    assert fields(api("local_coordinator").post(f"{url}/cancel", {"reason": "  "})) == {
        ("reason", "reason_required")
    }
    assert fields(api("local_coordinator").post(f"{url}/cancel")) == {("reason", "required")}
    assert RotationRequest.objects.get(pk=forwarded["id"]).status == Status.FORWARDED


def test_only_permanent_employees_can_be_offered(world, api, forwarded):
    world.trainee.employments.update(permanent=False, end=dt.date(2030, 1, 1))
    data = error(api("nlsh_coordinator").post(f"{REQUESTS}/{forwarded['id']}/offer"))
    assert data["errors"][0]["code"] == "not_permanent"
    assert "fast ansatt" in data["detail"]


def test_agreed_start_keeps_the_capacity(world, api, agreement, forwarded):
    RotationRequest.objects.create(
        trainee=world.colleague,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        agreement=agreement,
        desired_start=dt.date(2027, 1, 1),
        agreed_start=dt.date(2027, 1, 1),
        duration_months=6,
        status=Status.START_AGREED,
        need_on=dt.date(2025, 1, 1),
    )
    url = f"{REQUESTS}/{forwarded['id']}"
    ok(api("nlsh_coordinator").post(f"{url}/offer"))
    ok(api("trainee").post(f"{url}/accept"))
    data = error(api("nlsh_coordinator").post(f"{url}/agree", {"start": "2027-03-01"}))
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("start", "agreement_rule")]
    assert "Kapasiteten" in data["errors"][0]["message"]
    assert fields(api("nlsh_coordinator").post(f"{url}/agree", {})) == {("start", "required")}
    assert (
        ok(api("nlsh_coordinator").post(f"{url}/agree", {"start": "2027-07-01"}))["status"]
        == "start_agreed"
    )


def test_create_request_refusals(world, api, agreement):
    error(
        api("outsider").post(
            REQUESTS,
            {
                "trainee": world.trainee.pk,
                "receiving": world.nlsh.pk,
                "specialty": "ORT",
                "desired_start": "2027-02-01",
            },
        ),
        404,
    )
    error(
        api("leader").post(
            REQUESTS,
            {
                "trainee": world.trainee.pk,
                "receiving": world.nlsh.pk,
                "specialty": "ORT",
                "desired_start": "2027-02-01",
            },
        ),
        403,
    )  # no register.change
    error(
        api("nlsh_coordinator").post(
            REQUESTS,
            {
                "trainee": world.trainee.pk,
                "receiving": world.nlsh.pk,
                "specialty": "ORT",
                "desired_start": "2027-02-01",
            },
        ),
        404,
    )
    coordinator = api("local_coordinator")
    base = {
        "trainee": world.trainee.pk,
        "receiving": world.nlsh.pk,
        "specialty": "ORT",
        "desired_start": "2027-02-01",
    }
    assert fields(coordinator.post(REQUESTS, {**base, "receiving": 999999})) == {
        ("receiving", "unknown")
    }
    assert fields(
        coordinator.post(REQUESTS, {**base, "receiving": world.unn.pk, "duration_months": 3})
    ) == {("receiving", "same_institution")}
    assert fields(coordinator.post(REQUESTS, {**base, "specialty": "MED"})) == {
        ("specialty", "no_employment")
    }
    assert fields(coordinator.post(REQUESTS, {**base, "specialty": "NOPE"})) == {
        ("specialty", "unknown")
    }
    assert fields(coordinator.post(REQUESTS, {**base, "receiving": world.bergen.pk})) == {
        ("duration_months", "duration_required")
    }
    assert fields(coordinator.post(REQUESTS, {**base, "arena": world.department.pk})) == {
        ("arena", "arena_institution")
    }
    assert fields(coordinator.post(REQUESTS, {**base, "duration_months": 61})) == {
        ("duration_months", "max_value")
    }
    assert fields(coordinator.post(REQUESTS, {**base, "desired_start": "2027-02-30"})) == {
        ("desired_start", "invalid")
    }
    assert not RotationRequest.objects.exists()
    short = ok(coordinator.post(REQUESTS, {**base, "duration_months": 2}), 201)
    assert short["refunded_by_employer"] is True


def test_one_receiving_institution_at_a_time(world, api, forwarded):
    other = f.InstitutionFactory(code="FIN", name="Finnmarkssykehuset", region=world.unn.region)
    second = new_request(world, api, receiving=other.pk, duration_months=3)
    data = error(api("local_coordinator").post(f"{REQUESTS}/{second['id']}/wish"))
    assert [(e["field"], e["code"]) for e in data["errors"]] == [
        ("receiving", "one_receiving_institution")
    ]
    body = {
        "trainee": world.trainee.pk,
        "receiving": other.pk,
        "specialty": "ORT",
        "desired_start": "2028-01-01",
        "duration_months": 3,
        "wish": True,
    }
    assert fields(api("local_coordinator").post(REQUESTS, body)) == {
        ("receiving", "one_receiving_institution")
    }


# --- PATCH and the optimistic lock -----------------------------------------------------------


def test_patch_with_version(world, api, forwarded):
    url = f"{REQUESTS}/{forwarded['id']}"
    version = forwarded["version"]
    r = ok(
        api("local_coordinator").patch(
            url, {"version": version, "desired_start": "2027-04-01", "sending_rank": 2}
        )
    )
    assert r["desired_start"] == "2027-04-01" and r["sending_rank"] == 2
    assert r["version"] == version + 2
    stale = error(
        api("local_coordinator").patch(url, {"version": version, "desired_start": "2027-05-01"}),
        409,
    )
    assert stale["current_version"] == version + 2
    assert RotationRequest.objects.get(pk=forwarded["id"]).desired_start == dt.date(2027, 4, 1)
    assert fields(api("local_coordinator").patch(url, {"desired_start": "2027-05-01"})) == {
        ("version", "required")
    }
    assert fields(
        api("local_coordinator").patch(url, {"version": version + 2, "desired_start": None})
    ) == {("desired_start", "required")}
    assert fields(
        api("local_coordinator").patch(url, {"version": version + 2, "sending_rank": 0})
    ) == {("sending_rank", "min_value")}
    r = ok(api("local_coordinator").patch(url, {"version": version + 2, "sending_rank": None}))
    assert r["sending_rank"] is None
    error(api("trainee").patch(url, {"version": 1}), 403)
    error(api("nlsh_coordinator").patch(url, {"version": 1}), 403)
    error(api("outsider").patch(url, {"version": 1}), 404)  # register.change only in Bergen
    error(Api(f.UserFactory(username="nobody")).patch(url, {"version": 1}), 403)


def test_patch_outside_scope_is_404(world, api, forwarded):
    other_coordinator = f.UserFactory(username="fin_coordinator")
    f.assign(other_coordinator, "local_coordinator", institution=world.bergen)
    error(Api(other_coordinator).get(f"{REQUESTS}/{forwarded['id']}"), 404)


def test_patch_refused_when_start_agreed(world, api, forwarded):
    url = f"{REQUESTS}/{forwarded['id']}"
    ok(api("nlsh_coordinator").post(f"{url}/offer"))
    ok(api("trainee").post(f"{url}/accept"))
    r = ok(api("nlsh_coordinator").post(f"{url}/agree", {"start": "2027-03-01"}))
    assert fields(
        api("local_coordinator").patch(
            url, {"version": r["version"], "desired_start": "2027-06-01"}
        )
    ) == {("desired_start", "invalid_state")}


# --- lists -----------------------------------------------------------------------------------


def test_request_list_filters_and_constant_queries(world, api, agreement):
    first = new_request(world, api)
    coordinator = api("local_coordinator")
    coordinator.get(REQUESTS)
    with CaptureQueriesContext(connection) as few:
        assert ok(coordinator.get(REQUESTS))["count"] == 1
    for t in (world.colleague, world.same_institution):
        new_request(world, api, trainee=t.pk)
    with CaptureQueriesContext(connection) as many:
        assert ok(coordinator.get(REQUESTS))["count"] == 3
    assert len(many) == len(few)
    assert (
        ok(coordinator.get(REQUESTS, trainee=world.trainee.pk))["results"][0]["id"] == first["id"]
    )
    assert ok(coordinator.get(REQUESTS, status="need"))["count"] == 3
    assert ok(coordinator.get(REQUESTS, status="open"))["count"] == 3
    assert ok(coordinator.get(REQUESTS, status="forwarded"))["count"] == 0
    assert ok(coordinator.get(REQUESTS, receiving=world.bergen.pk))["count"] == 0
    assert ok(coordinator.get(REQUESTS, specialty="ort"))["count"] == 3
    assert ok(coordinator.get(REQUESTS, page_size=2))["count"] == 3
    assert len(ok(coordinator.get(REQUESTS, page_size=2, page=2))["results"]) == 1
    assert fields(coordinator.get(REQUESTS, status="nope")) == {("status", "invalid")}
    assert fields(coordinator.get(REQUESTS, page_size=0)) == {("page_size", "min_value")}
    assert ok(api("trainee").get(REQUESTS))["count"] == 1  # only their own
    assert ok(api("nlsh_coordinator").get(REQUESTS))["count"] == 0  # nothing forwarded
    assert ok(api("outsider").get(REQUESTS))["count"] == 0


def test_unauthenticated_is_401(world):
    for path in (AGREEMENTS, REQUESTS, f"{CANDIDATES}?arena=1&start=2027-01-01&duration=6"):
        response = Api().get(path)
        assert response.status_code == 401
        assert set(response.json()) == {"detail", "errors"}


# --- candidates ------------------------------------------------------------------------------


def test_candidates_ranked_with_explanation(world, api, people, agreement, forwarded):
    temporary = world.colleague
    temporary.employments.update(permanent=False, end=dt.date(2030, 1, 1))
    r = new_request(world, api, trainee=temporary.pk, wish=True)
    ok(api("local_coordinator").post(f"{REQUESTS}/{r['id']}/forward"))
    params = {
        "arena": people.arena.pk,
        "start": "2027-01-01",
        "start_to": "2027-06-30",
        "duration": 6,
    }
    data = ok(api("nlsh_leader").get(CANDIDATES, **params))
    assert data["count"] == 2 and data["specialty"] == "ORT"
    top, second = data["results"]
    assert (top["request"], top["place"], top["eligible"]) == (forwarded["id"], 1, True)
    assert top["explanation"].startswith("Køplass")
    assert (second["request"], second["eligible"], second["permanent"]) == (r["id"], False, False)
    assert second["reasons"] == ["ikke fast ansatt"]
    assert "Etter de kvalifiserte" in second["explanation"]
    assert top["prerequisites"] == [] and top["prerequisites_missing"] == []
    # Wanting to start after the window: not a candidate.
    assert (
        ok(
            api("nlsh_coordinator").get(
                CANDIDATES, **{**params, "start_to": "2026-12-31", "start": "2026-06-01"}
            )
        )["count"]
        == 0
    )


def test_candidates_prerequisites_missing(world, api, people, agreement, forwarded):
    from lisplan.catalogue.models import LearningGoal

    goal = LearningGoal.objects.create(
        code="ORT-001",
        specialty=world.specialty,
        part="part3",
        text="Behandle brudd",
        valid_from=dt.date(2019, 3, 1),
    )
    agreement.prerequisites.add(goal)
    data = ok(
        api("nlsh_coordinator").get(
            CANDIDATES, arena=people.arena.pk, start="2027-01-01", start_to="2027-03-01", duration=6
        )
    )
    row = data["results"][0]
    assert row["prerequisites_missing"] == ["ORT-001"] and not row["eligible"]
    assert row["prerequisites"][0]["state"] == "missing"


def test_candidates_refusals(world, api, people):
    base = {"arena": people.arena.pk, "start": "2027-01-01", "duration": 6}
    error(api("trainee").get(CANDIDATES, **base), 403)  # no vacancy.view
    error(api("leader").get(CANDIDATES, **base), 403)  # leads another arena
    error(api("outsider").get(CANDIDATES, **base), 403)  # Bergen's coordinator
    assert ok(api("regional_coordinator").get(CANDIDATES, **base))["count"] == 0
    leader = api("nlsh_leader")
    assert fields(leader.get(CANDIDATES, **{**base, "arena": 999999})) == {("arena", "unknown")}
    assert fields(leader.get(CANDIDATES, **{**base, "start_to": "2026-01-01"})) == {
        ("start_to", "before_start")
    }
    assert fields(leader.get(CANDIDATES, **{**base, "duration": 0})) == {("duration", "min_value")}
    assert fields(leader.get(CANDIDATES, arena=people.arena.pk)) == {
        ("start", "required"),
        ("duration", "required"),
    }
    clinic = world.department.parent
    assert fields(api("local_coordinator").get(CANDIDATES, **{**base, "arena": clinic.pk})) == {
        ("arena", "no_specialty")
    }


def test_candidate_queries_are_constant(world, api, people, agreement, forwarded):
    params = {
        "arena": people.arena.pk,
        "start": "2027-01-01",
        "start_to": "2027-12-31",
        "duration": 6,
    }
    leader = api("nlsh_leader")
    leader.get(CANDIDATES, **params)
    with CaptureQueriesContext(connection) as few:
        assert ok(leader.get(CANDIDATES, **params))["count"] == 1
    for t in (world.colleague, world.same_institution):
        r = new_request(world, api, trainee=t.pk, wish=True)
        ok(api("local_coordinator").post(f"{REQUESTS}/{r['id']}/forward"))
    with CaptureQueriesContext(connection) as many:
        assert ok(leader.get(CANDIDATES, **params))["count"] == 3
    assert len(many) == len(few)


# --- cross-region registration: export (JSON, PDF) and the external answer ------------------
# Scoped as the export pages: 404 outside `register.view`, 403 without `register.forward` on
# the request, 400 for a state with nothing to send.


def _pypdf():
    return pytest.importorskip("pypdf")


@pytest.fixture
def bergen_request(world):
    """A wish forwarded from UNN to Helse Bergen (another region, no coordinator in lisplan)."""
    actor = world.users["local_coordinator"]
    services.agreement_create(
        actor=actor,
        sending=world.unn,
        receiving=world.bergen,
        specialty=world.specialty,
        duration_months=2,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
        reference="HB-ORT-1",
    )
    RoleAssignment.objects.filter(user=world.users["outsider"]).delete()
    world.trainee.hpr_number = "7654321"
    world.trainee.save()
    r = services.request_create(
        actor=actor,
        trainee=world.trainee,
        receiving=world.bergen,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
        wish=True,
        comment="Ønsker vårsemesteret.",
    )
    return services.request_forward(actor=actor, request=r)


def test_export_json_is_the_form_record(world, api, bergen_request):
    data = ok(api("local_coordinator").get(f"{REQUESTS}/{bergen_request.pk}/export"))
    assert data["format"] == "lisplan.rotation-registration/1"
    assert data["id"] == bergen_request.pk and data["status"] == "forwarded"
    assert data["trainee"]["name"] == "Tora Trainee" and data["trainee"]["hpr_number"] == "7654321"
    assert data["employment"]["employer_code"] == world.unn.code
    assert data["receiving"]["code"] == world.bergen.code
    assert data["agreement"]["reference"] == "HB-ORT-1"
    assert data["period"] == {
        "desired_start": "2027-02-01",
        "agreed_start": None,
        "duration_months": 2,
        "end": "2027-03-31",
        "refunded_by_employer": True,
    }
    assert data["register"]["registered_on"] == bergen_request.forwarded_on.isoformat()
    assert data["exported_by"]["name"] == world.users["local_coordinator"].get_full_name()
    assert data["comment"] == "Ønsker vårsemesteret."


def test_export_pdf(world, api, bergen_request):
    response = api("local_coordinator").get(f"{REQUESTS}/{bergen_request.pk}/export/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "innmelding-tora-trainee-hb.pdf" in response["Content-Disposition"]
    text = " ".join(
        "\n".join(
            p.extract_text() for p in _pypdf().PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    for expected in (
        "INNMELDING TIL SPESIALISERINGSPERIODE",
        "Tora Trainee",
        "7654321",
        "Helse Bergen HF",
        "01.02.2027",
    ):
        assert expected in text, expected


@pytest.mark.parametrize("suffix", ["export", "export/pdf"])
def test_export_refusals(world, api, bergen_request, suffix):
    path = f"{REQUESTS}/{bergen_request.pk}/{suffix}"
    # they see the request, but do not forward for the sending side
    for persona in ("trainee", "leader", "supervisor"):
        assert error(api(persona).get(path), 403), persona
    assert error(api("local_coordinator").get(f"{REQUESTS}/999999/{suffix}"), 404)
    services.request_cancel(
        actor=world.users["local_coordinator"], request=bergen_request, reason="Trukket"
    )
    assert fields(api("local_coordinator").get(path)) == {("status", "invalid_state")}


def test_export_outside_scope_is_404(world, api, bergen_request, people):
    """Another trust's coordinator (NLSH) cannot see UNN's request to Bergen."""
    assert error(api("nlsh_coordinator").get(f"{REQUESTS}/{bergen_request.pk}/export"), 404)


def test_external_answer_accepted_with_start(world, api, bergen_request):
    world.trainee.employments.update(permanent=True)
    body = {"accepted": True, "start": "2027-02-01", "comment": "Velkommen"}
    data = ok(
        api("local_coordinator").post(f"{REQUESTS}/{bergen_request.pk}/external-answer", body)
    )
    assert data["status"] == Status.START_AGREED and data["agreed_start"] == "2027-02-01"
    event = AuditEvent.objects.filter(
        action="register.external_answer", object_id=str(bergen_request.pk)
    ).get()
    assert event.changes["answer"] == [None, "accepted"]


def test_external_answer_refusals(world, api, bergen_request, people, agreement):
    path = f"{REQUESTS}/{bergen_request.pk}/external-answer"
    assert fields(
        api("local_coordinator").post(path, {"accepted": False, "start": "2027-02-01"})
    ) == {("start", "start_with_decline")}
    assert error(api("trainee").post(path, {"accepted": False}), 403)
    assert error(api("nlsh_coordinator").post(path, {"accepted": False}), 404)
    assert "accepted" in {f for f, _code in fields(api("local_coordinator").post(path, {}))}
    # NLSH answers in lisplan itself
    nlsh = services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=dt.date(2028, 2, 1),
    )
    assert fields(
        api("local_coordinator").post(f"{REQUESTS}/{nlsh.pk}/external-answer", {"accepted": True})
    ) == {("receiving", "not_external")}
    data = ok(api("local_coordinator").post(path, {"accepted": False, "comment": "Fullt"}))
    assert data["status"] == Status.CANCELLED and "Fullt" in data["comment"]
    assert RotationRequest.objects.get(pk=bergen_request.pk).status == Status.CANCELLED
