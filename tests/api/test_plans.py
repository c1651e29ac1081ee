"""`/implementation-plans`: the life cycle of a plan through the API, every refusal, the error
shapes, the optimistic lock and the history (docs api.md «Implementation plans»)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lisplan.plans.models import Revision, Status
from tests import factories as f
from tests.api.conftest import ApiClient

LIST = "/api/v1/implementation-plans"

REVISION_FIELDS = {  # api.md, «Fields of a revision»
    "id",
    "plan",
    "revision",
    "trainee",
    "employer",
    "specialty",
    "estimated_start",
    "estimated_end",
    "plan_date",
    "revision_dates",
    "credit_old_scheme_months",
    "credit_other_specialty_months",
    "periods",
    "remarks",
    "status",
    "signatures",
    "approved_by",
    "approved_at",
    "valid_until",
    "version",
}
PERIOD_FIELDS = {"specialty", "institution", "arena", "start", "end", "contact_person", "agreement"}


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
    """Personas beyond `world`: a leader of another UNN department, the coordinator of the
    partner institution (NLSH) where the plan has a period."""
    other = f.ArenaFactory(
        institution=world.unn, parent=world.department.parent, name="Nevrologisk avdeling"
    )
    users = dict(world.users)
    users["other_leader"] = f.UserFactory(username="other_leader")
    f.assign(users["other_leader"], "leader", arena=other)
    users["partner_coordinator"] = f.UserFactory(username="partner_coordinator")
    f.assign(users["partner_coordinator"], "local_coordinator", institution=world.nlsh)
    return users


@pytest.fixture
def api(people):
    clients: dict[str, Api] = {}

    def make(persona: str) -> Api:
        if persona not in clients:
            clients[persona] = Api(people[persona])
        return clients[persona]

    return make


def body(world, **overrides) -> dict:
    data = {
        "trainee": world.trainee.pk,
        "estimated_start": "2024-01-01",
        "estimated_end": "2029-06-30",
        "plan_date": "2025-11-01",
        "periods": [
            {
                "specialty": "ORT",
                "institution": world.nlsh.pk,
                "start": "2026-01-01",
                "end": "2026-06-30",
                "contact_person": "Kari",
            }
        ],
    }
    data.update(overrides)
    return data


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    data = response.json()
    assert isinstance(data["detail"], str) and data["detail"]
    return data


def fields(response, status: int = 400) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in error(response, status)["errors"]}


@pytest.fixture
def draft(world, api) -> dict:
    return ok(api("leader").post(LIST, body(world)), 201)


def approve(api, rev: dict) -> dict:
    url = f"{LIST}/{rev['id']}"
    ok(api("leader").post(f"{url}/submit"))
    ok(api("trainee").post(f"{url}/sign"))
    ok(api("leader").post(f"{url}/sign"))
    return ok(api("local_coordinator").post(f"{url}/approve", {"confirm_no_agreement": True}))


@pytest.fixture
def approved(api, draft) -> dict:
    return approve(api, draft)


# --- the life cycle ----------------------------------------------------------------------------


def test_full_life_cycle(world, api, time_machine):
    # On a leap day: 12 months on is 28 February (the assertion on localdate().replace(year=+1)
    # broke on 29 February).
    time_machine.move_to(dt.datetime(2028, 2, 29, 12, tzinfo=ZoneInfo("Europe/Oslo")), tick=False)
    rev = ok(api("leader").post(LIST, body(world)), 201)
    assert set(rev) >= REVISION_FIELDS
    assert rev["revision"] == 1 and rev["status"] == "draft" and rev["version"] == 1
    assert (rev["trainee"], rev["employer"], rev["specialty"]) == (
        world.trainee.pk,
        world.unn.pk,
        "ORT",
    )  # pre-filled from the employment
    [period] = rev["periods"]
    assert set(period) >= PERIOD_FIELDS
    assert (
        period["specialty"],
        period["institution"],
        period["arena"],
        period["start"],
        period["end"],
        period["contact_person"],
        period["agreement"],
    ) == ("ORT", world.nlsh.pk, None, "2026-01-01", "2026-06-30", "Kari", None)
    url = f"{LIST}/{rev['id']}"

    rev = ok(
        api("trainee").patch(
            url, {"version": 1, "remarks": "Forskning 20 %", "credit_old_scheme_months": "12.5"}
        )
    )
    assert rev["remarks"] == "Forskning 20 %" and rev["version"] == 2
    assert rev["credit_old_scheme_months"] == "12.5"
    assert len(rev["periods"]) == 1  # not sent: kept

    rev = ok(api("leader").post(f"{url}/submit"))
    assert rev["status"] == "awaiting_signatures"
    rev = ok(api("trainee").post(f"{url}/sign"))
    assert rev["status"] == "awaiting_signatures"
    rev = ok(api("leader").post(f"{url}/sign"))
    assert rev["status"] == "awaiting_approval"
    assert {(s["role"], s["user"]) for s in rev["signatures"]} == {
        ("trainee", world.users["trainee"].pk),
        ("leader", world.users["leader"].pk),
    }
    assert all(s["name"] and s["signed_at"] for s in rev["signatures"])

    leap_day = dt.date(2028, 2, 29)
    rev = ok(api("local_coordinator").post(f"{url}/approve", {"confirm_no_agreement": True}))
    assert rev["status"] == "approved"
    assert rev["approved_by"] == world.users["local_coordinator"].pk
    approved_at = dt.datetime.fromisoformat(rev["approved_at"].replace("Z", "+00:00"))
    assert timezone.localdate(approved_at) == leap_day
    assert rev["valid_until"] == "2029-02-28"
    assert rev["revision_dates"] == []

    new = ok(api("trainee").post(f"{url}/revise"), 201)
    assert [
        e["action"] for e in ok(api("leader").get(f"{LIST}/{new['id']}/history"))["results"]
    ] == ["plan.revised"]
    assert (new["plan"], new["revision"], new["status"]) == (rev["plan"], 2, "draft")
    assert new["remarks"] == "Forskning 20 %" and len(new["periods"]) == 1
    assert ok(api("leader").get(url))["status"] == "approved"  # stays valid meanwhile
    assert ok(api("leader").post(f"{url}/revise"), 400)  # only one open revision

    new_url = f"{LIST}/{new['id']}"
    new = ok(api("leader").patch(new_url, {"version": new["version"], "periods": []}))
    assert new["periods"] == []
    approve(api, new)
    assert ok(api("leader").get(url))["status"] == "superseded"
    new = ok(api("leader").get(new_url))
    assert new["status"] == "approved" and new["revision_dates"] == [leap_day.isoformat()]

    history = ok(api("leader").get(f"{url}/history"))
    assert [e["action"] for e in history["results"]] == [
        "plan.created",
        "plan.changed",
        "plan.submitted",
        "plan.signed",
        "plan.signed",
        "plan.sent_for_approval",
        "plan.approved",
        "plan.superseded",
    ]
    assert history["count"] == 8
    changed = history["results"][1]
    assert changed["actor"] == world.users["trainee"].pk and changed["actor_name"]
    assert changed["changes"]["remarks"] == ["", "Forskning 20 %"]
    assert set(changed) >= {"at", "actor", "action", "changes"}


def test_create_by_trainee_and_local_coordinator(world, api):
    for persona in ["trainee", "local_coordinator", "admin"]:
        rev = ok(api(persona).post(LIST, body(world)), 201)
        assert rev["trainee"] == world.trainee.pk


def test_create_with_explicit_employment_employer_and_specialty(world, api):
    employment = world.trainee.employments.get()
    f.SpecialtyFactory(code="MED")
    rev = ok(
        api("leader").post(
            LIST,
            body(
                world,
                employment=employment.pk,
                employer=world.unn.pk,
                specialty="med",
                employee_number=" 4711 ",
                periods=[
                    {
                        "specialty": "ORT",
                        "institution": world.unn.pk,
                        "arena": world.section.pk,
                        "service_place": "Traume",
                        "start": "2026-01-01",
                        "end": "2026-06-30",
                        "agreement": None,
                    }
                ],
            ),
        ),
        201,
    )
    assert (rev["employment"], rev["specialty"], rev["employee_number"]) == (
        employment.pk,
        "MED",
        "4711",
    )
    assert rev["periods"][0]["arena"] == world.section.pk
    assert rev["periods"][0]["service_place"] == "Traume"


def test_return_keeps_comment_and_clears_signatures(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    ok(api("leader").post(f"{url}/submit"))
    ok(api("leader").post(f"{url}/sign"))
    assert fields(api("local_coordinator").post(f"{url}/return", {"comment": "  "})) == {
        ("comment", "required")
    }
    assert fields(api("local_coordinator").post(f"{url}/return", {})) == {("comment", "required")}
    rev = ok(api("local_coordinator").post(f"{url}/return", {"comment": "Mangler kontakt"}))
    assert (rev["status"], rev["return_comment"], rev["signatures"]) == (
        "draft",
        "Mangler kontakt",
        [],
    )
    history = ok(api("leader").get(f"{url}/history"))["results"]
    assert [e["action"] for e in history][-1] == "plan.returned"
    assert history[-1]["changes"]["status"] == ["awaiting_signatures", "draft"]
    assert history[-1]["actor"] == world.users["local_coordinator"].pk


# --- who may do what ---------------------------------------------------------------------------


def test_outsider_sees_nothing(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    outsider = api("outsider")  # local coordinator in Helse Bergen
    assert ok(outsider.get(LIST))["count"] == 0
    assert error(outsider.get(url), 404)["errors"] == []
    assert outsider.get(f"{url}/history").status_code == 404
    assert outsider.patch(url, {"version": 1, "remarks": "x"}).status_code == 404
    assert outsider.post(f"{url}/approve").status_code == 404
    assert outsider.post(LIST, body(world)).status_code == 404  # the trainee is unknown to them


def test_leader_of_another_arena_gets_404(world, api, draft):
    other = api("other_leader")
    assert other.get(f"{LIST}/{draft['id']}").status_code == 404
    assert other.post(f"{LIST}/{draft['id']}/sign").status_code == 404
    assert other.post(LIST, body(world)).status_code == 404
    assert ok(other.get(LIST))["count"] == 0


def test_supervisor_and_education_lead_view_but_cannot_edit(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    for persona in ["supervisor", "education_lead", "regional_coordinator"]:
        client = api(persona)
        assert ok(client.get(url))["id"] == draft["id"]
        assert [r["id"] for r in ok(client.get(LIST))["results"]] == [draft["id"]]
        assert client.patch(url, {"version": 1, "remarks": "x"}).status_code == 403
        assert client.post(LIST, body(world)).status_code == 403
        assert client.post(f"{url}/submit").status_code == 403
    assert Revision.objects.get(pk=draft["id"]).remarks == ""


def test_only_signers_sign_and_only_the_employers_coordinator_approves(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    assert api("local_coordinator").post(f"{url}/submit").status_code == 403
    ok(api("trainee").post(f"{url}/submit"))
    for persona in ["local_coordinator", "supervisor", "partner_coordinator"]:
        assert api(persona).post(f"{url}/sign").status_code == 403
    ok(api("trainee").post(f"{url}/sign"))
    assert fields(api("trainee").post(f"{url}/sign")) == {("status", "already_signed")}
    ok(api("leader").post(f"{url}/sign"))
    assert api("trainee").post(f"{url}/approve").status_code == 403
    assert api("leader").post(f"{url}/approve").status_code == 403
    # the partner institution's coordinator sees the plan (a period there) but cannot approve
    partner = api("partner_coordinator")
    assert ok(partner.get(url))["status"] == "awaiting_approval"
    assert error(partner.post(f"{url}/approve"), 403)
    assert partner.post(f"{url}/return", {"comment": "nei"}).status_code == 403
    assert partner.patch(url, {"version": 1}).status_code == 403
    assert partner.post(LIST, body(world)).status_code == 404
    assert Revision.objects.get(pk=draft["id"]).status == Status.AWAITING_APPROVAL
    ok(api("local_coordinator").post(f"{url}/approve", {"confirm_no_agreement": True}))


def test_actions_in_the_wrong_state(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    assert fields(api("local_coordinator").post(f"{url}/approve")) == {("status", "invalid_state")}
    assert fields(api("leader").post(f"{url}/sign")) == {("status", "invalid_state")}
    assert fields(api("leader").post(f"{url}/revise")) == {("status", "invalid_state")}
    ok(api("leader").post(f"{url}/submit"))
    version = Revision.objects.get(pk=draft["id"]).version
    assert fields(api("leader").patch(url, {"version": version, "remarks": "x"})) == {
        ("status", "not_draft")
    }


def test_only_the_leader_confirms_periods_outside_employment(world, api):
    today = timezone.localdate()
    world.trainee.employments.update(end=today + dt.timedelta(days=60))
    rev = ok(
        api("trainee").post(
            LIST,
            body(
                world,
                periods=[
                    period(
                        world,
                        start=today.isoformat(),
                        end=(today + dt.timedelta(days=120)).isoformat(),
                    )
                ],
            ),
        ),
        201,
    )
    assert [(w["field"], w["code"]) for w in rev["warnings"]] == [
        ("periods[0].start", "outside_employment")
    ]
    url = f"{LIST}/{rev['id']}"
    assert fields(api("trainee").post(f"{url}/submit")) == {
        ("periods[0].start", "outside_employment")
    }
    assert fields(
        api("trainee").patch(url, {"version": 1, "outside_employment_confirmed": True}), 403
    ) == {("outside_employment_confirmed", "leader_only")}
    rev = ok(api("leader").patch(url, {"version": 1, "outside_employment_confirmed": True}))
    assert rev["outside_employment_confirmed"] is True
    assert ok(api("trainee").post(f"{url}/submit"))["status"] == "awaiting_signatures"


# --- bad input: 400 naming the field, never 500 ------------------------------------------------


def period(world, **kw) -> dict:
    return {
        "specialty": "ORT",
        "institution": world.nlsh.pk,
        "start": "2026-01-01",
        "end": "2026-06-30",
        **kw,
    }


def test_rule_problems_name_the_period(world, api):
    response = api("leader").post(
        LIST,
        body(
            world,
            credit_old_scheme_months=79,
            periods=[
                period(world),
                period(world, start="2026-06-01", end="2026-12-31"),
                period(world, start="2027-05-01", end="2027-01-01"),
            ],
        ),
    )
    assert fields(response) == {
        ("credit_old_scheme_months", "above_cap"),
        ("periods[1].start", "overlap"),
        ("periods[2].end", "end_before_start"),
    }
    assert all(e["message"] for e in response.json()["errors"])
    assert not Revision.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"periods": [{"specialty": "XYZ"}]}, "periods[0].specialty"),
        ({"periods": [{"institution": 999999}]}, "periods[0].institution"),
        ({"periods": [{"institution": 2**63}]}, "periods[0].institution"),
        ({"periods": [{"arena": 999999}]}, "periods[0].arena"),
        ({"periods": [{"end": "2026-13-01"}]}, "periods[0].end"),
        ({"periods": [{"start": "01.01.2026"}]}, "periods[0].start"),
        ({"periods": [{"start": None}]}, "periods[0].start"),
        ({"periods": [{"agreement": 3}]}, "periods[0].agreement"),
        ({"periods": [{"contact_person": "x\x00y"}]}, "periods[0].contact_person"),
        ({"periods": [{"service_place": "x" * 201}]}, "periods[0].service_place"),
        ({"specialty": "NOPE"}, "specialty"),
        ({"specialty": "O\x00T"}, "specialty"),
        ({"employer": 999999}, "employer"),
        ({"employer": "UNN"}, "employer"),
        ({"employment": 999999}, "employment"),
        ({"estimated_start": "2024-02-30"}, "estimated_start"),
        ({"estimated_end": "2023-01-01"}, "estimated_end"),
        ({"credit_other_specialty_months": "-1"}, "credit_other_specialty_months"),
        ({"credit_other_specialty_months": "NaN"}, "credit_other_specialty_months"),
        ({"credit_old_scheme_months": "1.25"}, "credit_old_scheme_months"),
        ({"credit_old_scheme_months": "1e9"}, "credit_old_scheme_months"),
        ({"remarks": "a\x00b"}, "remarks"),
        ({"employee_number": "9" * 31}, "employee_number"),
        ({"outside_employment_confirmed": "kanskje"}, "outside_employment_confirmed"),
        ({"trainee": None}, "trainee"),
        ({"trainee": "Tora"}, "trainee"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, api, change, expected):
    data = body(world)
    if "periods" in change:
        data["periods"] = [period(world, **change["periods"][0])]
    else:
        data.update(change)
    response = api("leader").post(LIST, data)
    assert expected in {field for field, _code in fields(response)}, response.json()
    assert not Revision.objects.exists()


def test_bad_json_and_missing_trainee(world, api):
    client = api("leader")
    response = client.client.post(
        LIST, "{nope", content_type="application/json", headers=client.headers
    )
    assert response.status_code == 400
    assert fields(client.post(LIST, {})) == {("trainee", "required")}
    assert fields(client.post(LIST, body(world, periods=[{}]))) >= {
        ("periods[0].specialty", "required"),
        ("periods[0].end", "required"),
    }


def test_unknown_trainee_is_404(world, api):
    assert api("admin").post(LIST, body(world, trainee=999999)).status_code == 404


def test_employment_of_another_trainee_is_400(world, api):
    other = world.colleague.employments.get()
    assert fields(api("admin").post(LIST, body(world, employment=other.pk))) == {
        ("employment", "unknown")
    }


def test_arena_must_belong_to_the_periods_institution(world, api):
    response = api("leader").post(
        LIST, body(world, periods=[period(world, arena=world.section.pk)])
    )  # section at UNN, period at NLSH
    assert fields(response) == {("periods[0].arena", "wrong_institution")}


def test_patch_errors_name_the_field(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    response = api("leader").patch(
        url,
        {
            "version": 1,
            "periods": [period(world), period(world, start="2026-06-01", end="2026-05-01")],
        },
    )
    assert fields(response) == {("periods[1].end", "end_before_start")}
    assert fields(api("leader").patch(url, {"version": 1, "employer": None})) == {
        ("employer", "required")
    }
    assert fields(api("leader").patch(url, {"version": 1, "specialty": None})) == {
        ("specialty", "required")
    }
    assert len(ok(api("leader").get(url))["periods"]) == 1


# --- the optimistic lock -----------------------------------------------------------------------


def test_patch_needs_version(world, api, draft):
    assert fields(api("leader").patch(f"{LIST}/{draft['id']}", {"remarks": "x"})) == {
        ("version", "required")
    }


def test_stale_version_is_409_and_overwrites_nothing(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    ok(api("leader").patch(url, {"version": 1, "remarks": "Leders tekst"}))
    response = api("trainee").patch(url, {"version": 1, "remarks": "Legens tekst", "periods": []})
    data = error(response, 409)
    assert data["current_version"] == 2 and data["errors"] == []
    rev = ok(api("leader").get(url))
    assert rev["remarks"] == "Leders tekst" and len(rev["periods"]) == 1
    assert rev["version"] == 2
    actions = [e["action"] for e in ok(api("leader").get(f"{url}/history"))["results"]]
    assert actions == ["plan.created", "plan.changed"]


def test_every_write_bumps_the_version(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    versions = [draft["version"]]
    versions.append(ok(api("leader").post(f"{url}/submit"))["version"])
    versions.append(ok(api("leader").post(f"{url}/sign"))["version"])
    versions.append(ok(api("trainee").post(f"{url}/sign"))["version"])
    assert versions == sorted(set(versions))


# --- the list ----------------------------------------------------------------------------------


def test_list_filters_by_trainee_and_status_including_expired(world, api, approved):
    other = ok(api("local_coordinator").post(LIST, body(world, trainee=world.colleague.pk)), 201)
    coord = api("local_coordinator")

    def listed(**params) -> list[int]:
        return [r["id"] for r in ok(coord.get(LIST, **params))["results"]]

    assert set(listed()) == {approved["id"], other["id"]}
    assert listed(trainee=world.colleague.pk) == [other["id"]]
    assert listed(status="draft") == [other["id"]]
    assert listed(status="approved") == [approved["id"]]
    assert listed(status="expired") == []
    Revision.objects.filter(pk=approved["id"]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert listed(status="expired") == [approved["id"]]
    assert listed(status="approved") == []
    assert ok(coord.get(f"{LIST}/{approved['id']}"))["status"] == "expired"
    assert fields(coord.get(LIST, status="godkjent")) == {("status", "invalid")}
    assert fields(coord.get(LIST, trainee="abc")) == {("trainee", "invalid")}


def test_trainee_lists_only_own_plans(world, api, draft):
    ok(api("local_coordinator").post(LIST, body(world, trainee=world.colleague.pk)), 201)
    assert [r["id"] for r in ok(api("trainee").get(LIST))["results"]] == [draft["id"]]


def test_list_query_count_is_constant(world, api):
    client = api("local_coordinator")
    ok(client.post(LIST, body(world)), 201)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            ok(client.get(LIST))
        return len(ctx.captured_queries)

    client.get(LIST)  # warm up
    first = queries()
    for trainee in [world.colleague, world.same_institution]:
        rev = ok(
            client.post(
                LIST,
                body(
                    world,
                    trainee=trainee.pk,
                    periods=[
                        period(world),
                        period(
                            world,
                            start="2026-07-01",
                            end="2026-12-31",
                            institution=world.unn.pk,
                            arena=world.section.pk,
                        ),
                    ],
                ),
            ),
            201,
        )
        ok(api("admin").post(f"{LIST}/{rev['id']}/submit"))
        if trainee == world.colleague:  # in the leader's department
            ok(api("leader").post(f"{LIST}/{rev['id']}/sign"))
    assert ok(client.get(LIST))["count"] == 3
    assert queries() == first


def test_history_is_scoped_and_paginated(world, api, approved):
    url = f"{LIST}/{approved['id']}/history"
    page = ok(api("supervisor").get(url, page_size=2))
    assert page["count"] == 6 and len(page["results"]) == 2
    assert api("outsider").get(url).status_code == 404


def test_pdf_is_scoped(world, api, draft):
    url = f"{LIST}/{draft['id']}/pdf"
    response = api("supervisor").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert api("outsider").get(url).status_code == 404


def test_withdraw_to_draft(world, api, draft):
    url = f"{LIST}/{draft['id']}"
    assert fields(api("leader").post(f"{url}/withdraw")) == {("status", "invalid_state")}
    ok(api("leader").post(f"{url}/submit"))
    ok(api("trainee").post(f"{url}/sign"))
    for persona, status in [
        ("supervisor", 403),
        ("local_coordinator", 403),
        ("partner_coordinator", 403),
        ("other_leader", 404),
        ("outsider", 403),
    ]:  # no plan.sign anywhere
        assert api(persona).post(f"{url}/withdraw").status_code == status, persona
    rev = ok(api("leader").post(f"{url}/withdraw"))
    assert (rev["status"], rev["signatures"]) == ("draft", [])
    history = ok(api("trainee").get(f"{url}/history"))["results"]
    assert history[-1]["action"] == "plan.withdrawn"
    assert history[-1]["changes"]["status"] == ["awaiting_signatures", "draft"]
    rev = ok(api("trainee").patch(url, {"version": rev["version"], "remarks": "Ny periode"}))
    assert ok(api("trainee").post(f"{url}/submit"))["status"] == "awaiting_signatures"


def test_model_field_errors_are_400_naming_the_field(world, api):
    response = api("leader").post(LIST, body(world, credit_old_scheme_months="12.25"))
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["credit_old_scheme_months"]


def test_period_links_to_a_matching_collaboration_agreement(world, api):
    from lisplan.rotations.services import agreement_create

    kw = dict(
        actor=world.users["admin"],
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
    )
    right = agreement_create(sending=world.unn, receiving=world.nlsh, **kw)
    wrong = agreement_create(sending=world.nlsh, receiving=world.unn, **kw)
    bad = api("leader").post(LIST, body(world, periods=[period(world) | {"agreement": wrong.pk}]))
    assert bad.status_code == 400
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [
        ("periods[0].agreement", "agreement_mismatch")
    ]
    unknown = api("leader").post(LIST, body(world, periods=[period(world) | {"agreement": 999}]))
    assert [e["code"] for e in unknown.json()["errors"]] == ["unknown"]
    rev = ok(
        api("leader").post(LIST, body(world, periods=[period(world) | {"agreement": right.pk}])),
        201,
    )
    assert rev["periods"][0]["agreement"] == right.pk
    revised = ok(
        api("leader").patch(f"{LIST}/{rev['id']}", {"version": rev["version"], "remarks": "x"})
    )
    assert revised["periods"][0]["agreement"] == right.pk


def test_purpose_and_place_of_the_plan(world, api):
    """Seed 000: «til bruk ved: a) Inngåelse av arbeidsavtale … b) Konvertering fra gammel til
    ny utdanningsordning» and «Sted, dato»."""
    rev = ok(api("local_coordinator").post(LIST, body(world)), 201)
    assert rev["purpose"] == "employment" and rev["place"] == ""
    rev = ok(
        api("local_coordinator").post(LIST, body(world, purpose="conversion", place=" Tromsø ")),
        201,
    )
    assert rev["purpose"] == "conversion" and rev["place"] == "Tromsø"
    assert (
        api("local_coordinator").post(LIST, body(world, purpose="other")).status_code == 422
        or api("local_coordinator").post(LIST, body(world, purpose="other")).status_code == 400
    )
