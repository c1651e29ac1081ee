"""`/trainees/{id}/service-confirmations`: service confirmations through the API — request,
issue, sign, the PDF, the error shape (403 for an action not the caller's, 400 naming the
status, 409 for a stale version) and the scope (404 outside it). Issue 12, item 9: «API
(`GET/POST /api/v1/trainees/{id}/service-confirmations`, `…/{id}/pdf`)»."""

from __future__ import annotations

import pytest

from lisplan.confirmations.models import ConfirmationVersion
from tests.api.test_plans import Api
from tests.confirmations.conftest import ISSUED_ON, employment  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    clients: dict[str, Api] = {}

    def make(persona: str) -> Api:
        if persona not in clients:
            clients[persona] = Api(world.users[persona])
        return clients[persona]

    return make


def base(world) -> str:
    return f"/api/v1/trainees/{world.trainee.pk}/service-confirmations"


def test_request_issue_sign_and_pdf(api, world, employment, travel):  # noqa: F811
    with travel(ISSUED_ON):
        created = api("trainee").post(base(world), {"employment": employment.pk, "note": "Søknad"})
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["status"], body["number"], body["snapshot"], body["pdf"]) == (
            "requested",
            1,
            None,
            None,
        )
        one = f"{base(world)}/{body['id']}"

        issued = api("local_coordinator").post(one + "/issue", {"version": body["version"]})
        assert issued.status_code == 200, issued.content
        issued = issued.json()
        assert issued["status"] == "awaiting_signatures"
        snap = issued["snapshot"]
        assert snap["counted"]["months"] == 11 and snap["counted"]["days"] == 0
        assert snap["leave"][0]["counts"] is False
        assert snap["periods"][0]["category"] == "specialty"

        stale = api("leader").post(one + "/sign", {"version": body["version"]})
        assert stale.status_code == 409 and stale.json()["current_version"] == issued["version"]

        signed = api("leader").post(one + "/sign", {"version": issued["version"]})
        assert signed.status_code == 200, signed.content
        assert signed.json()["status"] == "signed"
        assert signed.json()["signatures"][0]["role"] == "leader"

        listed = api("trainee").get(base(world)).json()
        assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
        pdf = api("trainee").get(one + "/pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_actions_refused_with_the_error_shape(api, world, employment, travel):  # noqa: F811
    with travel(ISSUED_ON):
        body = api("trainee").post(base(world), {"employment": employment.pk}).json()
        one = f"{base(world)}/{body['id']}"
        # the trainee holds no `confirmation.issue` / `confirmation.sign` anywhere: 403
        assert api("trainee").post(one + "/issue").status_code == 403
        assert api("trainee").post(one + "/sign").status_code == 403
        # the leader may sign, but not a version that is not issued: 400 naming the status
        wrong = api("leader").post(one + "/sign")
        assert wrong.status_code == 400
        assert wrong.json()["errors"][0]["field"] == "status"
        # the second open request for the same employment
        again = api("trainee").post(base(world), {"employment": employment.pk})
        assert again.status_code == 400
        # an employment that is not the trainee's
        other = world.colleague.employments.get()
        unknown = api("trainee").post(base(world), {"employment": other.pk})
        assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "employment"
        # the coordinator declines, with a reason
        missing = api("local_coordinator").post(one + "/decline", {"comment": ""})
        assert missing.status_code == 400
        declined = api("local_coordinator").post(one + "/decline", {"comment": "To ganger"})
        assert declined.json()["status"] == "declined"


def test_outside_the_scope_is_not_found(api, world, employment, travel):  # noqa: F811
    with travel(ISSUED_ON):
        body = api("trainee").post(base(world), {"employment": employment.pk}).json()
    one = f"{base(world)}/{body['id']}"
    assert api("outsider").get(base(world)).status_code == 404
    assert api("outsider").get(one).status_code == 404
    assert api("outsider").post(one + "/issue").status_code == 404
    # the right version under the wrong trainee
    colleague = f"/api/v1/trainees/{world.colleague.pk}/service-confirmations/{body['id']}"
    assert api("local_coordinator").get(colleague).status_code == 404
    assert api("planner").get(base(world)).status_code == 403
    assert ConfirmationVersion.objects.count() == 1


def test_coordinator_reaches_an_ended_employment(api, world, employment, travel):  # noqa: F811
    """The employment ended 31.12.2025: the trainee is no longer in the coordinator's trainee
    list, but their confirmation for the employment is."""
    with travel(ISSUED_ON):
        created = api("local_coordinator").post(base(world), {"employment": employment.pk})
        assert created.status_code == 201, created.content
        assert api("local_coordinator").get(base(world)).json()["count"] == 1
        assert api("leader").get(base(world)).json()["count"] == 1


def test_reads_through_the_api_are_logged(api, world, employment, travel):  # noqa: F811
    from lisplan.audit.models import ReadAccess

    with travel(ISSUED_ON):
        body = api("trainee").post(base(world), {"employment": employment.pk}).json()
        assert api("local_coordinator").get(f"{base(world)}/{body['id']}").status_code == 200
    read = ReadAccess.objects.filter(actor=world.users["local_coordinator"]).first()
    assert read is not None and read.trainee_id == world.trainee.pk
    assert read.action == ReadAccess.Action.API
