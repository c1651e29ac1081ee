"""`/education-plans`: the IUP through the API — every operation, persona scoping, the error
shape (400 naming the field), the optimistic lock (409) and the live status section
(docs/api.md «Education plans (IUP)»)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from lisplan.iup.models import Revision, Status
from lisplan.iup.status import status_table
from tests import factories as f
from tests.api.test_plans import Api
from tests.iup.outputs import PANEL, Alis, hospital_revision, sign_all

LIST = "/api/v1/education-plans"
FIELDS = {
    "id",
    "plan",
    "revision",
    "kind",
    "trainee",
    "trainee_name",
    "employment",
    "institution",
    "specialty",
    "status",
    "first_made",
    "content",
    "supervisors",
    "meetings",
    "periods",
    "signatures",
    "submitted_at",
    "signed_at",
    "version",
    "created_at",
    "updated_at",
    "pdf",
}


@pytest.fixture
def other_leader(world):
    """A leader (iup.edit, iup.sign) of a department in another region: the trainee's plans
    are outside their scope."""
    user = f.UserFactory(username="other_leader")
    f.assign(user, "leader", arena=f.ArenaFactory(institution=world.bergen, name="Ortopedi HB"))
    return user


@pytest.fixture
def api(world):
    clients: dict = {}

    def make(persona) -> Api:
        user = persona if not isinstance(persona, str) else world.users[persona]
        if user.pk not in clients:
            clients[user.pk] = Api(user)
        return clients[user.pk]

    return make


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "errors"}
    return body


def test_list_is_scoped_and_paginated(world, api):
    revision = hospital_revision(world)
    for persona in (
        "trainee",
        "supervisor",
        "leader",
        "education_lead",
        "local_coordinator",
        "regional_coordinator",
        "admin",
    ):
        body = ok(api(persona).get(LIST))
        assert [r["id"] for r in body["results"]] == [revision.pk], persona
        assert body["count"] == 1 and set(body["results"][0]) == FIELDS
        assert "status_table" not in body["results"][0]
    assert ok(api("outsider").get(LIST)) == {"count": 0, "results": []}
    error(api("planner").get(LIST), 403)
    assert ok(api("admin").get(LIST, page=2, page_size=1))["results"] == []
    assert (
        ok(api("admin").get(LIST, trainee=world.trainee.pk, status="draft", kind="hospital"))[
            "count"
        ]
        == 1
    )
    assert ok(api("admin").get(LIST, kind="alis"))["count"] == 0
    body = error(api("admin").get(LIST, status="godkjent"))
    assert body["errors"][0]["field"] == "status"
    assert error(api("admin").get(LIST, page_size=500))["errors"][0]["field"] == "page_size"


def test_get_has_the_form_fields_and_the_live_status(world, api):
    revision = hospital_revision(world)
    body = ok(api("supervisor").get(f"{LIST}/{revision.pk}"))
    assert body["kind"] == "hospital" and body["specialty"] == "ORT"
    assert body["trainee_name"] == "Tora Trainee" and body["institution"] == world.unn.pk
    assert body["content"]["workplace"] == "Ortopedisk avdeling, Tromsø"
    assert body["content"]["next_panel"] == PANEL.isoformat()
    assert "municipality_leader" not in body["content"]  # an ALIS field
    assert [s["name"] for s in body["supervisors"]] == ["Vera Veileder", "Per Psykoterapi"]
    assert body["supervisors"][0]["user"] == world.users["supervisor"].pk
    assert [m["kind"] for m in body["meetings"]] == [
        "supervision",
        "supervision",
        "assessment_panel",
    ]
    assert body["periods"][0]["where"] == "other_trust"
    live = status_table(revision, timezone.localdate())
    table = body["status_table"]
    assert table["frozen"] is False and table["computed_on"] == timezone.localdate().isoformat()
    row = next(r for r in table["rows"] if r["key"] == "specialty_time")
    assert (row["done"], row["remaining"]) == (
        live.row("specialty_time").done,
        live.row("specialty_time").remaining,
    )
    assert body["missing"] == []
    error(api("outsider").get(f"{LIST}/{revision.pk}"), 404)
    error(api("admin").get(f"{LIST}/999999"), 404)
    error(api("planner").get(f"{LIST}/{revision.pk}"), 403)


def test_create_prefills_and_takes_content(world, api):
    body = ok(
        api("leader").post(
            LIST,
            {
                "trainee": world.trainee.pk,
                "workplace": "Seksjon for traume",
                "scheme": "new",
                "meetings": [{"date": "2027-01-05", "time": "13:30"}],
            },
        ),
        201,
    )
    assert body["revision"] == 1 and body["status"] == "draft" and body["kind"] == "hospital"
    assert body["content"]["workplace"] == "Seksjon for traume"
    assert body["meetings"] == [
        {"kind": "supervision", "date": "2027-01-05", "time": "13:30:00", "note": ""}
    ]
    assert "degree" in body["missing"]
    # one plan per employment
    again = error(api("leader").post(LIST, {"trainee": world.trainee.pk}))
    assert again["errors"][0] == {
        "field": "status",
        "code": "plan_exists",
        "message": again["errors"][0]["message"],
    }


def test_create_is_refused_outside_scope_and_for_bad_input(world, api, other_leader):
    error(api(other_leader).post(LIST, {"trainee": world.trainee.pk}), 404)
    error(api("outsider").post(LIST, {"trainee": world.trainee.pk}), 403)  # no iup.edit
    error(api("local_coordinator").post(LIST, {"trainee": world.trainee.pk}), 403)
    error(api("planner").post(LIST, {"trainee": world.trainee.pk}), 403)
    body = error(api("leader").post(LIST, {}))
    assert body["errors"][0]["field"] == "trainee" and body["errors"][0]["code"] == "required"
    body = error(api("leader").post(LIST, {"trainee": world.trainee.pk, "employment": 999999}))
    assert body["errors"][0]["field"] == "employment"
    body = error(
        api("leader").post(LIST, {"trainee": world.trainee.pk, "municipality_leader": "Kari"})
    )
    assert body["errors"][0] == {
        "field": "municipality_leader",
        "code": "not_in_form",
        "message": "Feltet «municipality_leader» finnes ikke i sykehusskjemaet.",
    }
    assert not Revision.objects.exists()  # all or nothing
    body = error(
        api("leader").post(
            LIST, {"trainee": world.trainee.pk, "meetings": [{"date": "2027-13-01"}]}
        )
    )
    assert body["errors"][0]["field"] == "meetings[0].date"
    body = error(api("leader").post(LIST, {"trainee": world.trainee.pk, "scheme": "both"}))
    assert body["errors"][0]["field"] == "scheme"


def test_patch_changes_only_what_is_sent_and_detects_stale_versions(world, api, other_leader):
    revision = hospital_revision(world)
    url = f"{LIST}/{revision.pk}"
    body = ok(
        api("trainee").patch(
            url,
            {
                "version": revision.version,
                "personal_goal": "Lede traumeteam",
                "periods": [{"where": "own_unit", "place": "Traume", "start": "2027-01-01"}],
            },
        )
    )
    assert body["content"]["personal_goal"] == "Lede traumeteam"
    assert body["content"]["degree"] == "Universitetet i Tromsø 2019"  # untouched
    assert len(body["supervisors"]) == 2 and [p["place"] for p in body["periods"]] == ["Traume"]
    assert body["version"] == revision.version + 1
    stale = error(
        api("supervisor").patch(url, {"version": revision.version, "personal_goal": "Noe annet"}),
        409,
    )
    assert stale["current_version"] == body["version"]
    assert Revision.objects.get(pk=revision.pk).personal_goal == "Lede traumeteam"
    body = error(
        api("trainee").patch(
            url, {"version": body["version"], "valid_from": "2027-02-01", "valid_to": "2027-01-01"}
        )
    )
    assert body["errors"][0]["field"] == "valid_to"
    body = error(
        api("trainee").patch(
            url,
            {
                "version": 999,
                "periods": [
                    {"where": "own_unit", "place": "A", "start": "2027-02-01", "end": "2027-01-01"}
                ],
            },
        ),
        409,
    )
    current = Revision.objects.get(pk=revision.pk).version
    body = error(
        api("trainee").patch(
            url,
            {
                "version": current,
                "periods": [
                    {"where": "own_unit", "place": "A", "start": "2027-02-01", "end": "2027-01-01"}
                ],
            },
        )
    )
    assert body["errors"][0]["field"] == "periods[0].end"
    body = error(
        api("trainee").patch(url, {"version": current, "programme_plan_url": "ikke en adresse"})
    )
    assert body["errors"][0]["field"] == "programme_plan_url"
    body = error(api("trainee").patch(url, {"personal_goal": "x"}))
    assert body["errors"][0] == {
        "field": "version",
        "code": "required",
        "message": "Feltet må fylles ut.",
    }
    error(api("local_coordinator").patch(url, {"version": current, "degree": "x"}), 403)
    error(api(other_leader).patch(url, {"version": current, "degree": "x"}), 404)


def test_sign_by_all_three_then_revise(world, api, other_leader):
    revision = hospital_revision(world)
    url = f"{LIST}/{revision.pk}"
    error(api("local_coordinator").post(f"{url}/sign"), 403)  # no iup.sign
    error(api("education_lead").post(f"{url}/sign"), 403)
    body = ok(api("trainee").post(f"{url}/sign", {"version": revision.version}))
    assert body["status"] == "awaiting_signatures"
    assert [s["role"] for s in body["signatures"]] == ["trainee"]
    again = error(api("trainee").post(f"{url}/sign"))
    assert again["errors"][0]["code"] == "already_signed"
    error(api("supervisor").post(f"{url}/sign", {"version": 1}), 409)
    ok(api("supervisor").post(f"{url}/sign"))
    error(api("trainee").patch(url, {"version": body["version"] + 1, "degree": "x"}))
    body = ok(api("leader").post(f"{url}/sign"))
    assert body["status"] == "signed" and body["signed_at"]
    assert {s["role"] for s in body["signatures"]} == {"trainee", "supervisor", "leader"}
    assert body["status_table"]["frozen"] is True
    edit = error(api("trainee").patch(url, {"version": body["version"], "degree": "x"}))
    assert edit["errors"][0] == {
        "field": "status",
        "code": "not_draft",
        "message": edit["errors"][0]["message"],
    }
    new = ok(api("leader").post(f"{url}/revise"), 201)
    assert new["revision"] == 2 and new["status"] == "draft" and new["plan"] == body["plan"]
    assert new["content"]["degree"] == "Universitetet i Tromsø 2019"
    assert error(api("leader").post(f"{url}/revise"))["errors"][0]["code"] == "revision_exists"
    error(api(other_leader).post(f"{url}/revise"), 404)
    error(api(other_leader).post(f"{url}/sign"), 404)
    # signing the new one supersedes the old
    new_rev = Revision.objects.get(pk=new["id"])
    sign_all(world, new_rev)
    assert Revision.objects.get(pk=revision.pk).status == Status.SUPERSEDED
    assert ok(api("admin").get(LIST, status="superseded"))["results"][0]["id"] == revision.pk


def test_submit_names_missing_fields_and_withdraw_clears_signatures(world, api):
    revision = hospital_revision(world, degree="", personal_goal="")
    url = f"{LIST}/{revision.pk}"
    body = error(api("trainee").post(f"{url}/submit"))
    assert {e["field"] for e in body["errors"]} == {"degree", "personal_goal"}
    ok(
        api("leader").patch(
            url, {"version": revision.version, "degree": "UiT 2019", "personal_goal": "Bakvakt"}
        )
    )
    assert ok(api("trainee").post(f"{url}/submit"))["status"] == "awaiting_signatures"
    ok(api("supervisor").post(f"{url}/sign"))
    body = ok(api("leader").post(f"{url}/withdraw"))
    assert body["status"] == "draft" and body["signatures"] == []


def test_alis_plan_through_the_api(world, api):
    alis = Alis(world)
    revision = alis.revision()
    body = ok(api(alis.user).get(f"{LIST}/{revision.pk}"))
    assert body["kind"] == "alis" and body["specialty"] == "ALM"
    assert body["content"]["municipality_registered"] is True
    assert "scheme" not in body["content"]
    table = body["status_table"]
    assert table["form_values"]["lv_40"] == "12 vakter"
    row = next(r for r in table["rows"] if r["key"] == "lv_40")
    assert (row["field_done"], row["field_remaining"]) == ("lv_40", "lv_40_rest")
    bad = error(
        api(alis.leader).patch(
            f"{LIST}/{revision.pk}",
            {"version": revision.version, "scheme": "new", "minutes_by": "kommunen"},
        )
    )
    assert {e["field"] for e in bad["errors"]} == {"minutes_by"}
    bad = error(
        api(alis.leader).patch(
            f"{LIST}/{revision.pk}", {"version": revision.version, "scheme": "new"}
        )
    )
    assert bad["errors"][0]["field"] == "scheme" and bad["errors"][0]["code"] == "not_in_form"
    body = ok(
        api(alis.leader).patch(
            f"{LIST}/{revision.pk}",
            {"version": revision.version, "municipality_registered": None, "contact": None},
        )
    )
    assert body["content"]["municipality_registered"] is None
    assert body["content"]["contact"] == ""
    assert ok(api("leader").get(LIST))["count"] == 0  # a hospital leader does not see it


def test_pdf(world, api):
    revision = hospital_revision(world)
    response = api("trainee").get(f"{LIST}/{revision.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pypdf = pytest.importorskip("pypdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "INDIVIDUELL UTDANNINGSPLAN" in text and "Tora Trainee" in text
    error(api("outsider").get(f"{LIST}/{revision.pk}/pdf"), 404)
    error(api("planner").get(f"{LIST}/{revision.pk}/pdf"), 403)


def test_unauthenticated_is_401(world):
    assert Api().get(LIST).status_code == 401


def test_dates_are_dates(world, api):
    revision = hospital_revision(world)
    body = ok(
        api("leader").patch(
            f"{LIST}/{revision.pk}", {"version": revision.version, "next_meeting": "2027-01-31"}
        )
    )
    assert Revision.objects.get(pk=revision.pk).next_meeting == dt.date(2027, 1, 31)
    assert body["content"]["next_meeting"] == "2027-01-31"


def test_list_reads_a_constant_number_of_queries(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hospital_revision(world)
    client = api("admin")
    client.get(LIST)  # warm up (token, grants)
    with CaptureQueriesContext(connection) as one:
        assert ok(client.get(LIST))["count"] == 1
    alis = Alis(world)
    alis.revision()
    with CaptureQueriesContext(connection) as two:
        assert ok(client.get(LIST))["count"] == 2
    assert len(two) == len(one)
