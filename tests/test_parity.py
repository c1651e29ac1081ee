"""The parity test (issue 11): every write operation of the API and the page that does the
same thing give every persona the same answer.

The operations come from the OpenAPI document. Each write operation (POST, PUT, PATCH, DELETE)
is either mapped to one or more cases below — an object in the state the action needs, the API
call and the page's form POST — or listed in `NO_PAGE` with the reason it has no page. A write
operation that is neither fails `test_every_write_operation_is_covered`, so a new endpoint
cannot slip through.

For each case and each persona, the API call and the page POST each run in a savepoint that is
rolled back, so both act on the same object in the same state. An answer is *refused* when:

- API: 401, 403 or 404;
- page: 403 or 404, or a domain error with status 403 (`lisplan.errors.Refused`, a
  `not_signer` state error) was raised while the page handled the request — a page may catch
  it and show it as a message.

Anything else is *allowed past the permission* (done, or refused for content or state: 400,
409, a form error, a message). The test fails where one side allows what the other refuses.
Each case must also succeed on both sides for at least one persona, so the case exercises the
real action rather than a validation error.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.test import Client
from django.urls import reverse

from lisplan.accounts.models import ApiToken
from lisplan.errors import DomainError
from tests import factories as f

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
]

# Write operations with no page that does the same thing, each with the reason.
NO_PAGE: dict[tuple[str, str], str] = {
    ("DELETE", "/api/v1/trainees/{id}/service-periods/{period_id}"): (
        "the pages add and change service periods but never delete one"
    ),
}


# --- reading the OpenAPI document -----------------------------------------------------------


def write_operations() -> set[tuple[str, str]]:
    from lisplan.api.main import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    }


# --- the form a page shows --------------------------------------------------------------------


class _Form(HTMLParser):
    """The fields of the page's POST forms, as a browser would submit them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_post = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_post = a.get("method", "get").lower() == "post"
        if not self._in_post:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value", "on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.data.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post = False
        elif tag == "select" and self._select:
            if not self._select_chosen and "multiple" not in self._select:
                self.data.setdefault(self._select, []).append(self._select_first or "")
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                value = self.data[self._textarea][-1]
                self.data[self._textarea][-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def form_of(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _Form()
    parser.feed(response.content.decode())
    data: dict[str, Any] = {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    return data


# --- a case: one object, the API call and the page POST ---------------------------------------


@dataclass
class Case:
    op: tuple[str, str]  # (method, OpenAPI path)
    setup: Callable[[Any], dict]  # world -> context (ids, values)
    api: Callable[[dict], tuple[str, dict | None]]  # context -> (path, body)
    page: Callable[[dict], tuple[str, dict | None]]  # context -> (url, data or None: form_of)
    overrides: Callable[[dict], dict] = field(default=lambda ctx: {})  # on the form_of data


CASES: dict[str, Case] = {}


def case(name: str, method: str, path: str, **kw) -> None:
    assert name not in CASES
    CASES[name] = Case(op=(method, "/api/v1" + path), **kw)


class Rollback(Exception):
    pass


@dataclass
class Answer:
    status: int
    refused: bool
    done: bool  # the action went through (API 2xx; page: no error, no form redisplay)
    note: str = ""


def _attempt(call: Callable[..., Answer], *args) -> Answer:
    out: list[Answer] = []
    try:
        with transaction.atomic():
            out.append(call(*args))
            raise Rollback
    except Rollback:
        pass
    return out[0]


@pytest.fixture
def raised(monkeypatch):
    """The domain errors raised (constructed) while a request is handled."""
    seen: list[DomainError] = []
    original = DomainError.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen.append(self)

    monkeypatch.setattr(DomainError, "__init__", record)
    return seen


def api_answer(token: str, method: str, path: str, body: dict | None) -> Answer:
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "DELETE":
        response = client.delete(path, headers=headers)
    else:
        response = client.generic(
            method,
            path,
            json.dumps(body or {}),
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code < 500, (method, path, response.content)
    refused = response.status_code in (401, 403, 404)
    return Answer(
        response.status_code,
        refused,
        200 <= response.status_code < 300,
        response.content.decode()[:300],
    )


def page_answer(client: Client, url: str, data: dict, raised: list[DomainError]) -> Answer:
    raised.clear()
    response = client.post(url, data)
    assert response.status_code not in (405,) and response.status_code < 500, (url, response)
    refusals = [e for e in raised if e.status in (403, 404)]
    refused = response.status_code in (403, 404) or bool(refusals)
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    errors = [str(m) for m in queued if m.level >= message_levels.ERROR]
    done = response.status_code == 302 and not errors and not refused
    note = "; ".join(errors + [str(e) for e in refusals])
    if response.status_code == 400:
        note += response.content.decode()[:0]
    return Answer(response.status_code, refused, done, note)


@pytest.fixture
def personas(world):
    out = {}
    for name in PERSONAS:
        user = world.users[name]
        _, token = ApiToken.issue(user, name="parity")
        client = Client()
        client.force_login(user)
        out[name] = (token, client)
    return out


def run_case(name: str, world, personas, raised) -> list[str]:
    c = CASES[name]
    ctx = c.setup(world)
    method, _template = c.op
    path, body = c.api(ctx)
    url, data = c.page(ctx)
    if data is None:
        data = form_of(personas["admin"][1], url)
    data = {**data, **c.overrides(ctx)}
    disagreements, rows, succeeded = [], [], False
    for persona in PERSONAS:
        token, client = personas[persona]
        api = _attempt(api_answer, token, method, path, body)
        page = _attempt(page_answer, client, url, data, raised)
        rows.append(
            f"  {persona}: api {api.status} {api.note!r} | page {page.status} {page.note!r}"
        )
        if api.refused != page.refused:
            disagreements.append(
                f"{name}: {persona} is {'refused' if api.refused else 'allowed'} by the API "
                f"({api.status}) but {'refused' if page.refused else 'allowed'} by the page "
                f"({page.status} {page.note})"
            )
        succeeded |= api.done and page.done
    if not succeeded:
        disagreements.append(f"{name}: no persona succeeded on both sides\n" + "\n".join(rows))
    return disagreements


# --- fixtures for the cases -------------------------------------------------------------------


def _admin(world):
    return world.users["admin"]


# =============================================================================================
# Implementation plans
# =============================================================================================


def _plan(world, state: str = "draft", trainee=None) -> dict:
    from lisplan.plans import services as plans
    from lisplan.plans.services import PeriodData

    trainee = trainee or world.trainee
    revision = plans.plan_create(
        actor=_admin(world),
        trainee=trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=[
            PeriodData(
                specialty=world.specialty,
                institution=world.unn,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 6, 30),
            )
        ],
    )
    if state in ("awaiting_signatures", "awaiting_approval", "approved"):
        plans.revision_submit(actor=world.users["trainee"], revision=revision)
    if state in ("awaiting_approval", "approved"):
        plans.revision_sign(actor=world.users["trainee"], revision=revision)
        plans.revision_sign(actor=world.users["leader"], revision=revision)
    if state == "approved":
        plans.revision_approve(
            actor=world.users["local_coordinator"], revision=revision, confirm_no_agreement=True
        )
    revision.refresh_from_db()
    return {"id": revision.pk, "version": revision.version, "trainee": trainee.pk}


PLANS = "/implementation-plans"

case(
    "plan create",
    "POST",
    PLANS,
    setup=lambda w: {"trainee": w.trainee.pk},
    api=lambda c: (f"/api/v1{PLANS}", {"trainee": c["trainee"]}),
    page=lambda c: (reverse("plans:create", args=[c["trainee"]]), {}),
)
case(
    "plan update",
    "PATCH",
    PLANS + "/{id}",
    setup=_plan,
    api=lambda c: (f"/api/v1{PLANS}/{c['id']}", {"version": c["version"], "remarks": "Endret"}),
    page=lambda c: (reverse("plans:edit", args=[c["id"]]), None),
    overrides=lambda c: {"remarks": "Endret"},
)
for _action, _state, _body, _page_data in [
    ("submit", "draft", None, {}),
    ("sign", "awaiting_signatures", None, {}),
    ("withdraw", "awaiting_signatures", None, {}),
    ("approve", "awaiting_approval", {"confirm_no_agreement": True}, {"confirm_no_agreement": "1"}),
    ("return", "awaiting_approval", {"comment": "Rett periodene"}, {"comment": "Rett periodene"}),
    ("revise", "approved", None, {}),
]:
    case(
        f"plan {_action}",
        "POST",
        PLANS + "/{id}/" + _action,
        setup=lambda w, s=_state: _plan(w, s),
        api=lambda c, a=_action, b=_body: (f"/api/v1{PLANS}/{c['id']}/{a}", b),
        page=lambda c, a=_action, d=_page_data: (reverse(f"plans:{a}", args=[c["id"]]), d),
    )


# =============================================================================================
# Education plans (IUP)
# =============================================================================================


def _iup(world, state: str = "draft") -> dict:
    from tests.iup.outputs import hospital_revision, sign_all

    revision = hospital_revision(world)
    if state == "awaiting":
        from lisplan.iup import services as iup

        revision = iup.revision_submit(actor=world.users["trainee"], revision=revision)
    if state == "signed":
        revision = sign_all(world, revision)
    return {"id": revision.pk, "version": revision.version, "trainee": world.trainee.pk}


IUP = "/education-plans"

case(
    "iup create",
    "POST",
    IUP,
    setup=lambda w: {"trainee": w.trainee.pk},
    api=lambda c: (f"/api/v1{IUP}", {"trainee": c["trainee"]}),
    page=lambda c: (reverse("iup:create", args=[c["trainee"]]), {}),
)
case(
    "iup update",
    "PATCH",
    IUP + "/{id}",
    setup=_iup,
    api=lambda c: (f"/api/v1{IUP}/{c['id']}", {"version": c["version"]}),
    page=lambda c: (reverse("iup:edit", args=[c["id"]]), None),
)
for _action, _state in [
    ("submit", "draft"),
    ("sign", "awaiting"),
    ("withdraw", "awaiting"),
    ("revise", "signed"),
]:
    case(
        f"iup {_action}",
        "POST",
        IUP + "/{id}/" + _action,
        setup=lambda w, s=_state: _iup(w, s),
        api=lambda c, a=_action: (f"/api/v1{IUP}/{c['id']}/{a}", None),
        page=lambda c, a=_action: (reverse(f"iup:{a}", args=[c["id"]]), {}),
    )


# =============================================================================================
# Progress: goals, activities, service periods
# =============================================================================================


def _goal(world, approved: bool = False, trainee=None) -> dict:
    from lisplan.catalogue.models import LearningGoal
    from lisplan.progress import services as progress
    from lisplan.progress.models import GoalStatus

    trainee = trainee or world.trainee
    goal = LearningGoal.objects.create(
        code="ORT-001",
        specialty=world.specialty,
        part="part3",
        text="Kunne behandle brudd.",
        valid_from=dt.date(2019, 3, 1),
    )
    if approved:
        progress.goal_set(
            actor=_admin(world),
            trainee=trainee,
            goal=goal,
            status=GoalStatus.APPROVED,
            assessment="observation",
            approved_on=dt.date(2025, 5, 1),
            institution=world.unn,
        )
    return {"trainee": trainee.pk, "goal": goal.pk, "code": goal.code, "unn": world.unn.pk}


def _own_trainee(world):
    """The local coordinator is also a trainee at UNN (one who approves progress, acting on
    their own record)."""
    user = world.users["local_coordinator"]
    trainee = f.TraineeFactory(user=user, last_name="Koordinator")
    f.EmploymentFactory(trainee=trainee, institution=world.unn, specialty=world.specialty)
    return trainee


GOALS = "/trainees/{id}/goal-approvals"

for _name, _approved, _own in [("", False, False), (" approved", True, False)]:
    case(
        f"goal mark{_name}",
        "POST",
        GOALS,
        setup=lambda w, a=_approved: _goal(w, approved=a),
        api=lambda c: (
            f"/api/v1/trainees/{c['trainee']}/goal-approvals",
            {"goal": c["code"], "status": "in_progress"},
        ),
        page=lambda c: (
            reverse("progress:goal_mark", args=[c["trainee"], c["goal"]]),
            {"status": "in_progress", "comment": ""},
        ),
    )
for _name, _own in [("", False), (" of oneself", True)]:
    case(
        f"goal approve{_name}",
        "POST",
        GOALS,
        setup=lambda w, o=_own: _goal(w, trainee=_own_trainee(w) if o else None),
        api=lambda c: (
            f"/api/v1/trainees/{c['trainee']}/goal-approvals",
            {
                "goal": c["code"],
                "status": "approved",
                "assessment": "observation",
                "institution": c["unn"],
            },
        ),
        page=lambda c: (
            reverse("progress:goal_approve", args=[c["trainee"], c["goal"]]),
            {
                "assessment": "observation",
                "approved_on": dt.date.today().isoformat(),
                "institution": c["unn"],
                "arena": "",
                "comment": "",
            },
        ),
    )


def _activity(world) -> dict:
    from lisplan.progress import services as progress

    activity = progress.activity_create(
        actor=_admin(world),
        trainee=world.trainee,
        kind="procedure",
        title="Gips",
        date=dt.date(2025, 3, 1),
    )
    return {"trainee": world.trainee.pk, "id": activity.pk}


case(
    "activity create",
    "POST",
    "/trainees/{id}/activities",
    setup=lambda w: {"trainee": w.trainee.pk},
    api=lambda c: (
        f"/api/v1/trainees/{c['trainee']}/activities",
        {"kind": "procedure", "date": "2025-03-01", "title": "Gips", "count": 2},
    ),
    page=lambda c: (
        reverse("progress:activity_add", args=[c["trainee"], "procedure"]),
        {"title": "Gips", "date": "2025-03-01", "count": "2"},
    ),
)
case(
    "activity delete",
    "DELETE",
    "/trainees/{id}/activities/{activity_id}",
    setup=_activity,
    api=lambda c: (f"/api/v1/trainees/{c['trainee']}/activities/{c['id']}", None),
    page=lambda c: (reverse("progress:activity_delete", args=[c["trainee"], c["id"]]), {}),
)


def _service_period(world, own: bool = False) -> dict:
    from lisplan.progress import services as progress

    trainee = _own_trainee(world) if own else world.trainee
    period = progress.service_create(
        actor=_admin(world),
        trainee=trainee,
        category="lis1",
        start=dt.date(2019, 1, 1),
        end=dt.date(2019, 12, 31),
        percent=100,
        place="Bodø",
    )
    return {"trainee": trainee.pk, "id": period.pk, "version": period.version}


for _name, _own in [("", False), (" of oneself", True)]:
    case(
        f"service period create{_name}",
        "POST",
        "/trainees/{id}/service-periods",
        setup=lambda w, o=_own: {"trainee": (_own_trainee(w) if o else w.trainee).pk},
        api=lambda c: (
            f"/api/v1/trainees/{c['trainee']}/service-periods",
            {"category": "lis1", "start": "2019-01-01", "end": "2019-12-31", "place": "Bodø"},
        ),
        page=lambda c: (reverse("progress:service_add", args=[c["trainee"]]), None),
        overrides=lambda c: {
            "category": "lis1",
            "start": "2019-01-01",
            "end": "2019-12-31",
            "percent": "100",
            "place": "Bodø",
        },
    )
    case(
        f"service period update{_name}",
        "PATCH",
        "/trainees/{id}/service-periods/{period_id}",
        setup=lambda w, o=_own: _service_period(w, own=o),
        api=lambda c: (
            f"/api/v1/trainees/{c['trainee']}/service-periods/{c['id']}",
            {"version": c["version"], "note": "Rettet"},
        ),
        page=lambda c: (reverse("progress:service_edit", args=[c["trainee"], c["id"]]), None),
        overrides=lambda c: {"note": "Rettet"},
    )


# =============================================================================================
# Rotations: agreements and requests (fiktiv enhet)
# =============================================================================================


def _rotation(world, state: str, receiving_side: bool = False, external: bool = False) -> dict:
    """A request in `state`. Sending side (the default): the persona's trainee at UNN asks for
    NLSH, so UNN's people send. Receiving side: a trainee at NLSH asks for UNN's orthopaedic
    department, so UNN's people receive. External: the receiving trust has no coordinator in
    lisplan."""
    from lisplan.rotations import services as rotations
    from lisplan.rotations.models import RotationRequest

    admin = _admin(world)
    if external:
        south = f.RegionFactory(code="SOR", name="Helse Sør-Øst RHF")
        receiving = f.InstitutionFactory(
            code="OUS", name="Oslo universitetssykehus HF", region=south
        )
        arena = f.ArenaFactory(
            institution=receiving, name="Ortopedi OUS", specialty=world.specialty
        )
    elif receiving_side:
        receiving, arena = world.unn, world.department
    else:
        receiving = world.nlsh
        arena = f.ArenaFactory(
            institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
        )
    trainee = world.same_region if receiving_side else world.trainee
    sending = world.nlsh if receiving_side else world.unn
    rotations.agreement_create(
        actor=admin,
        sending=sending,
        receiving=receiving,
        specialty=world.specialty,
        duration_months=6,
        capacity=2,
        valid_from=dt.date(2024, 1, 1),
        arenas=[arena],
    )
    request = rotations.request_create(
        actor=admin,
        trainee=trainee,
        receiving=receiving,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
    )
    order = ["need", "wish", "forwarded", "offered", "accepted", "start_agreed", "in_progress"]
    if order.index(state) >= 1:
        rotations.request_register_wish(actor=admin, request=request)
    if order.index(state) >= 2:
        rotations.request_forward(actor=admin, request=request)
    if order.index(state) >= 3:
        RotationRequest.objects.filter(pk=request.pk).update(
            status=state,
            offered_on=dt.date(2026, 1, 5),
            agreed_start=dt.date(2025, 2, 1) if order.index(state) >= 5 else None,
            started_on=dt.date(2025, 2, 1) if state == "in_progress" else None,
        )
    request.refresh_from_db()
    return {
        "id": request.pk,
        "version": request.version,
        "trainee": trainee.pk,
        "receiving": receiving.pk,
        "arena": arena.pk,
    }


REQUESTS = "/rotation-requests"


def _agreement_setup(world) -> dict:
    arena = f.ArenaFactory(
        institution=world.nlsh, name="Ortopedisk avdeling NLSH", specialty=world.specialty
    )
    return {"sending": world.unn.pk, "receiving": world.nlsh.pk, "arena": arena.pk}


case(
    "agreement create",
    "POST",
    "/agreements",
    setup=_agreement_setup,
    api=lambda c: (
        "/api/v1/agreements",
        {
            "sending": c["sending"],
            "receiving": c["receiving"],
            "specialty": "ORT",
            "arenas": [c["arena"]],
            "duration_months": 6,
            "capacity": 1,
            "valid_from": "2026-01-01",
        },
    ),
    page=lambda c: (reverse("rotations:agreement_add"), None),
    overrides=lambda c: {
        "sending": c["sending"],
        "receiving": c["receiving"],
        "specialty": _specialty_pk("ORT"),
        "arenas": [c["arena"]],
        "duration_months": "6",
        "capacity": "1",
        "valid_from": "2026-01-01",
    },
)


def _specialty_pk(code: str) -> int:
    from lisplan.catalogue.models import Specialty

    return Specialty.objects.get(code=code).pk


def _request_create_setup(world) -> dict:
    out = _agreement_setup(world)
    from lisplan.rotations import services as rotations

    rotations.agreement_create(
        actor=_admin(world),
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=2,
        valid_from=dt.date(2024, 1, 1),
    )
    return {**out, "trainee": world.trainee.pk, "specialty": world.specialty.pk}


case(
    "request create",
    "POST",
    REQUESTS,
    setup=_request_create_setup,
    api=lambda c: (
        f"/api/v1{REQUESTS}",
        {
            "trainee": c["trainee"],
            "receiving": c["receiving"],
            "specialty": "ORT",
            "desired_start": "2027-02-01",
        },
    ),
    page=lambda c: (
        reverse("rotations:request_add", args=[c["trainee"]]),
        {
            "receiving": c["receiving"],
            "specialty": c["specialty"],
            "arena": "",
            "desired_start": "2027-02-01",
            "duration_months": "",
            "comment": "",
        },
    ),
)
case(
    "request change start",
    "PATCH",
    REQUESTS + "/{id}",
    setup=lambda w: _rotation(w, "wish"),
    api=lambda c: (
        f"/api/v1{REQUESTS}/{c['id']}",
        {"version": c["version"], "desired_start": "2027-03-01"},
    ),
    page=lambda c: (
        reverse("rotations:request_change_start", args=[c["id"]]),
        {"desired_start": "2027-03-01"},
    ),
)
case(
    "request rank",
    "PATCH",
    REQUESTS + "/{id}",
    setup=lambda w: _rotation(w, "wish"),
    api=lambda c: (f"/api/v1{REQUESTS}/{c['id']}", {"version": c["version"], "sending_rank": 1}),
    page=lambda c: (reverse("rotations:request_rank", args=[c["id"]]), {"rank": "1"}),
)

# (API action, page action, state, receiving side, API body, page data)
ROTATION_ACTIONS = [
    ("wish", "wish", "need", False, None, {}),
    ("forward", "forward", "wish", False, None, {}),
    ("offer", "offer", "forwarded", True, {}, {"start": "", "comment": ""}),
    ("accept", "answer", "offered", False, {}, {"accept": "yes", "comment": ""}),
    ("decline", "answer", "offered", False, {}, {"accept": "no", "comment": ""}),
    ("agree", "agree_start", "accepted", True, {"start": "2027-02-01"}, {"start": "2027-02-01"}),
    ("start", "start", "start_agreed", True, None, {}),
    (
        "complete",
        "complete",
        "in_progress",
        True,
        {"goals_reached": True, "early_end_reason": "Sluttet"},
        {"goals_reached": "yes", "early_end_reason": "Sluttet"},
    ),
    (
        "waive-prerequisites",
        "waive",
        "forwarded",
        True,
        {"reason": "Erfaren"},
        {"reason": "Erfaren"},
    ),
    ("cancel", "cancel", "wish", False, {"reason": "Flytter"}, {"reason": "Flytter"}),
]
for _api, _page_name, _state, _receiving, _body, _data in ROTATION_ACTIONS:
    case(
        f"request {_api}",
        "POST",
        REQUESTS + "/{id}/" + _api,
        setup=lambda w, s=_state, r=_receiving: _rotation(w, s, receiving_side=r),
        api=lambda c, a=_api, b=_body: (f"/api/v1{REQUESTS}/{c['id']}/{a}", b),
        page=lambda c, p=_page_name, d=_data: (
            reverse(f"rotations:request_{p}", args=[c["id"]]),
            d,
        ),
    )
case(
    "request external answer",
    "POST",
    REQUESTS + "/{id}/external-answer",
    setup=lambda w: _rotation(w, "forwarded", external=True),
    api=lambda c: (f"/api/v1{REQUESTS}/{c['id']}/external-answer", {"accepted": False}),
    page=lambda c: (
        reverse("rotations:export_answer", args=[c["id"]]),
        {"accepted": "no", "start": "", "comment": ""},
    ),
)


# =============================================================================================
# Allocation runs, programme plans, insights harvests, dimensioning
# =============================================================================================

for _name, _national in [("region", False), ("national", True)]:
    case(
        f"allocation run {_name}",
        "POST",
        "/allocation-runs",
        setup=lambda w, n=_national: {"scope": "national" if n else f"region:{w.unn.region_id}"},
        api=lambda c: (
            "/api/v1/allocation-runs",
            {"scope": c["scope"], "max_delay_months": 2, "time_limit": 10},
        ),
        page=lambda c: (
            reverse("allocation:new"),
            {"scope": c["scope"], "max_delay_months": "2", "time_limit": "10"},
        ),
    )


def _course(world) -> dict:
    from lisplan.organisations.models import Approval

    Approval.objects.get_or_create(
        institution=world.unn,
        specialty=world.specialty,
        defaults={"valid_from": dt.date(2020, 1, 1)},
    )
    return {"institution": world.unn.pk, "specialty": world.specialty.pk}


def _programme(world, publishable: bool = False) -> dict:
    from lisplan.programmes import services as programmes
    from tests.programmes.conftest import make_course

    _course(world)
    plan = programmes.draft_create(
        actor=_admin(world), institution=world.unn, specialty=world.specialty
    )
    if publishable:
        make_course(world)
        plan = programmes.draft_update(
            actor=_admin(world),
            plan=plan,
            version=plan.version,
            content=programmes.Content(
                fields={"introduction": "Oppbygging."},
                arenas=[programmes.ArenaData(world.department.pk, ["ORT-001"])],
            ),
        )
    return {"id": plan.pk, "version": plan.version}


case(
    "programme plan create",
    "POST",
    "/programme-plans",
    setup=_course,
    api=lambda c: (
        "/api/v1/programme-plans",
        {"institution": c["institution"], "specialty": "ORT"},
    ),
    page=lambda c: (
        reverse("programmes:create"),
        {"course": f"{c['institution']}-{c['specialty']}"},
    ),
)
case(
    "programme plan update",
    "PATCH",
    "/programme-plans/{id}",
    setup=_programme,
    api=lambda c: ("/api/v1/programme-plans/" + str(c["id"]), {"version": c["version"]}),
    page=lambda c: (reverse("programmes:edit", args=[c["id"]]), None),
)
case(
    "programme plan publish",
    "POST",
    "/programme-plans/{id}/publish",
    setup=lambda w: _programme(w, publishable=True),
    api=lambda c: (f"/api/v1/programme-plans/{c['id']}/publish", {"version": c["version"]}),
    page=lambda c: (reverse("programmes:publish", args=[c["id"]]), {"version": c["version"]}),
)
case(
    "harvest start",
    "POST",
    "/harvests",
    setup=lambda w: {},
    api=lambda c: ("/api/v1/harvests", {"date": "2026-01-15"}),
    page=lambda c: (reverse("insights:harvest_start"), {"date": "2026-01-15"}),
)
case(
    "dimensioning scenario create",
    "POST",
    "/dimensioning-scenarios",
    setup=lambda w: {},
    api=lambda c: ("/api/v1/dimensioning-scenarios", {"name": "Vekst"}),
    page=lambda c: (reverse("dimensioning:scenario_new"), None),
    overrides=lambda c: {"name": "Vekst"},
)


def _scenario(world) -> dict:
    from lisplan.dimensioning import services as dimensioning

    scenario = dimensioning.create_scenario(
        actor=_admin(world), name="Basis", description="", params={}
    )
    return {"scenario": scenario.pk}


case(
    "dimensioning run",
    "POST",
    "/dimensioning-runs",
    setup=_scenario,
    api=lambda c: ("/api/v1/dimensioning-runs", {"scenario": c["scenario"], "draws": 10}),
    page=lambda c: (reverse("dimensioning:new"), {"scenario": c["scenario"], "draws": "10"}),
)


# =============================================================================================
# Service confirmations (bekreftelse på tjeneste)
# =============================================================================================


def _confirmation(world, state: str = "requested") -> dict:
    from lisplan.confirmations import services as confirmations
    from lisplan.trainees.models import Employment

    employment = Employment.objects.get(trainee=world.trainee)
    version = confirmations.confirmation_request(actor=_admin(world), employment=employment)
    if state == "awaiting_signatures":
        version = confirmations.confirmation_issue(
            actor=_admin(world), confirmation=version, version=version.version
        )
    return {
        "id": version.pk,
        "version": version.version,
        "trainee": world.trainee.pk,
        "employment": employment.pk,
    }


CONFIRMATIONS = "/trainees/{id}/service-confirmations"

case(
    "confirmation request",
    "POST",
    CONFIRMATIONS,
    setup=lambda w: {
        "trainee": w.trainee.pk,
        "employment": w.trainee.employments.get().pk,
    },
    api=lambda c: (
        f"/api/v1/trainees/{c['trainee']}/service-confirmations",
        {"employment": c["employment"]},
    ),
    page=lambda c: (
        reverse("confirmations:request", args=[c["trainee"]]),
        {"ansettelse": c["employment"], "merknad": ""},
    ),
)
for _action, _state, _comment in [
    ("issue", "requested", False),
    ("decline", "requested", True),
    ("sign", "awaiting_signatures", False),
    ("return", "awaiting_signatures", True),
]:
    case(
        f"confirmation {_action}",
        "POST",
        CONFIRMATIONS + "/{confirmation_id}/" + _action,
        setup=lambda w, s=_state: _confirmation(w, s),
        api=lambda c, a=_action, k=_comment: (
            f"/api/v1/trainees/{c['trainee']}/service-confirmations/{c['id']}/{a}",
            {"version": c["version"], **({"comment": "Feil periode"} if k else {})},
        ),
        page=lambda c, a=_action, k=_comment: (
            reverse(f"confirmations:{a}", args=[c["id"]]),
            {"version": c["version"], **({"kommentar": "Feil periode"} if k else {})},
        ),
    )


# --- the tests --------------------------------------------------------------------------------


def test_every_write_operation_is_covered():
    mapped = {c.op for c in CASES.values()}
    operations = write_operations()
    assert not (set(NO_PAGE) & mapped), "an operation is both mapped and listed without a page"
    missing = operations - mapped - set(NO_PAGE)
    assert not missing, f"write operations with no parity case and not in NO_PAGE: {missing}"
    stale = (mapped | set(NO_PAGE)) - operations
    assert not stale, f"cases for operations the API no longer has: {stale}"


@pytest.mark.parametrize("name", list(CASES))
def test_page_and_api_give_every_persona_the_same_answer(world, personas, raised, name):
    disagreements = run_case(name, world, personas, raised)
    assert not disagreements, "\n".join(disagreements)
