"""The demo's audit events for rotation requests and education plans (IUP), written in bulk as
the services would have written them (`demo.audit`), shown in the histories, and replaced — not
duplicated — on a re-run."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lisplan.accounts.models import User
from lisplan.audit.models import AuditEvent
from lisplan.audit.services import events_for
from lisplan.demo.audit import DEMO_REQUEST_ID
from lisplan.demo.generator import DEFAULT_SEED
from lisplan.iup.demo import load_iup_demo
from lisplan.iup.models import Revision
from lisplan.iup.models import Status as IupStatus
from lisplan.rotations.models import RotationRequest, Status

pytestmark = pytest.mark.django_db

N = 150

# The steps a request in each status went through, in order (rotations.services' actions).
LIFE = [
    "register.request_created",
    "register.wish_registered",
    "register.forwarded",
    "register.offered",
    "register.accepted",
    "register.start_agreed",
    "register.started",
    "register.completed",
]
EXPECTED = {
    Status.NEED: LIFE[:1],
    Status.WISH: LIFE[:2],
    Status.FORWARDED: LIFE[:3],
    Status.OFFERED: LIFE[:4],
    Status.ACCEPTED: LIFE[:5],
    Status.DECLINED: [*LIFE[:4], "register.declined"],
    Status.START_AGREED: LIFE[:6],
    Status.IN_PROGRESS: LIFE[:7],
    Status.COMPLETED: LIFE,
    Status.CANCELLED: [*LIFE[:3], "register.cancelled"],
}


def demo() -> None:
    call_command("demo", stdout=StringIO(), trainees=N)


def history(obj) -> list[AuditEvent]:
    return list(events_for(obj).order_by("created_at", "id"))


def test_rotation_requests_have_their_life_cycle_history():
    demo()
    now = timezone.now()
    requests = list(RotationRequest.objects.filter(demo=True).select_related("trainee"))
    assert len({r.status for r in requests}) >= 6
    for r in requests:
        events = history(r)
        assert [e.action for e in events] == EXPECTED[r.status], r.status
        assert all(
            e.request_id == DEMO_REQUEST_ID
            and e.actor_id is None
            and e.actor_name
            and e.trainee_id == r.trainee_id
            and e.created_at < now
            for e in events
        )
        assert events[0].actor_name == r.trainee.full_name  # the trainee registers the need
        assert events[-1].changes["status"][1] == r.status
        assert events[0].object_repr == str(r)
    # the request page shows them, with who did what
    placed = next(r for r in requests if r.status == Status.COMPLETED)
    c = Client()
    c.force_login(User.objects.get(username="admin"))
    response = c.get(reverse("rotations:request", args=[placed.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Endringshistorikk" in html
    for e in history(placed):
        assert e.actor_name in html


def test_iup_revisions_have_their_history():
    demo()
    now = timezone.now()
    revisions = list(
        Revision.objects.filter(plan__trainee__demo=True)
        .select_related("plan__trainee")
        .prefetch_related("signatures")
    )
    seen = Counter()
    for rev in revisions:
        events = history(rev)
        actions = [e.action for e in events]
        signatures = sorted(rev.signatures.all(), key=lambda s: s.signed_at)
        first = "iup.created" if rev.number == 1 else "iup.revised"
        expected = [first]
        if rev.submitted_at is not None:
            expected += ["iup.submitted"] + ["iup.signed"] * len(signatures)
        if rev.status == IupStatus.SIGNED:
            expected.append("iup.completed")
        assert actions == expected, (rev.status, actions)
        assert all(e.created_at < now and e.request_id == DEMO_REQUEST_ID for e in events)
        # the events agree with the rows: drafted, sent, signed by whom and when
        assert events[0].created_at == rev.created_at
        if rev.submitted_at is not None:
            assert events[1].created_at == rev.submitted_at
        signed = [e for e in events if e.action == "iup.signed"]
        assert [(e.actor_name, e.created_at) for e in signed] == [
            (s.name, s.signed_at) for s in signatures
        ]
        if rev.status == IupStatus.SIGNED:
            assert events[-1].created_at == rev.signed_at == signatures[-1].signed_at
        seen[rev.status] += 1
    assert {IupStatus.DRAFT, IupStatus.AWAITING_SIGNATURES, IupStatus.SIGNED} <= set(seen)


def test_rerun_replaces_the_events_without_duplicates():
    demo()
    demo_events = AuditEvent.objects.filter(request_id=DEMO_REQUEST_ID)
    first = Counter(demo_events.values_list("object_type", flat=True))
    assert first["rotations.rotationrequest"] > 0 and first["iup.revision"] > 0
    assert first["plans.revision"] > 0
    demo()
    assert Counter(demo_events.values_list("object_type", flat=True)) == first
    # every event belongs to a row of this run
    for model, object_type in (
        (RotationRequest, "rotations.rotationrequest"),
        (Revision, "iup.revision"),
    ):
        ids = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        assert (
            set(demo_events.filter(object_type=object_type).values_list("object_id", flat=True))
            <= ids
        )
    # the IUP demo on its own replaces its own events too
    load_iup_demo(seed=DEFAULT_SEED, today=timezone.localdate(), snapshots=False)
    assert Counter(demo_events.values_list("object_type", flat=True)) == first
