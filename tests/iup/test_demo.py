"""The demo education plans (`lisplan.iup.demo`): every state, hospital and ALIS, rows the
services could have produced, the persona's plan, and a second load replacing the first."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from lisplan.accounts.models import User
from lisplan.demo.generator import DEFAULT_SEED
from lisplan.iup import queries, services
from lisplan.iup.demo import clear_iup_demo, load_iup_demo
from lisplan.iup.models import EducationPlan, Kind, RequirementsTemplate, Revision, Status
from lisplan.trainees.models import Trainee

pytestmark = pytest.mark.django_db

N = 200


def demo(n: int = N) -> str:
    out = StringIO()
    call_command("demo", stdout=out, trainees=n)
    return out.getvalue()


def test_demo_plans_in_every_state():
    output = demo()
    assert "Utdanningsplaner (IUP)" in output
    today = timezone.localdate()
    revisions = list(
        Revision.objects.select_related("plan__trainee").prefetch_related("signatures")
    )
    statuses = {r.status for r in revisions}
    assert {Status.DRAFT, Status.AWAITING_SIGNATURES, Status.SIGNED} <= statuses
    assert {p.kind for p in EducationPlan.objects.all()} == {Kind.HOSPITAL, Kind.ALIS}
    for r in revisions:
        roles = {s.role for s in r.signatures.all()}
        if r.status == Status.SIGNED:
            assert roles == {"trainee", "supervisor", "leader"} and r.status_snapshot
            # the signers are the ones the services accept
            for s in r.signatures.all():
                assert services.signing_role(s.user, r) == s.role
        if r.status == Status.DRAFT:
            assert not roles
    # only the newest revision of a plan is open
    for plan in EducationPlan.objects.prefetch_related("revisions"):
        revs = sorted(plan.revisions.all(), key=lambda r: r.number)
        assert all(r.status == Status.SIGNED for r in revs[:-1])
    states = {d.state for d in queries.deadlines(Trainee.objects.filter(demo=True), today).values()}
    assert {"missing", "overdue", "ok"} <= states
    assert RequirementsTemplate.objects.exists()
    persona = Trainee.objects.get(user__username="trainee")
    assert [
        r.status for r in Revision.objects.filter(plan__trainee=persona).order_by("number")
    ] == [Status.SIGNED, Status.AWAITING_SIGNATURES]
    supervisor = User.objects.get(username="supervisor")
    assert queries.awaiting_my_signature(supervisor).filter(plan__trainee=persona).exists()


def test_iup_demo_loads_twice_and_clears():
    demo(60)
    first = EducationPlan.objects.count()
    load_iup_demo(seed=DEFAULT_SEED, today=timezone.localdate())
    assert EducationPlan.objects.count() == first > 0
    clear_iup_demo()
    assert not EducationPlan.objects.exists() and not Revision.objects.exists()
