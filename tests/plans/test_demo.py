"""The demo region's implementation plans (`lisplan.demo.plans`): every state, rows the
services could have produced, and the personas' plans. Small N so the suite stays fast."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from lisplan.accounts.access import leads
from lisplan.accounts.models import Role, RoleAssignment, User
from lisplan.plans import pages, rules, worklist
from lisplan.plans.models import ImplementationPlan, Revision, Signature, Status
from lisplan.trainees.models import Employment, Trainee

pytestmark = pytest.mark.django_db

N = 200
IN_PROGRESS = {Status.DRAFT, Status.AWAITING_SIGNATURES, Status.AWAITING_APPROVAL}


def demo(n: int = N, **options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, trainees=n, **options)
    return out.getvalue()


def fresh(username: str) -> User:
    return User.objects.get(username=username)  # grants are cached on the instance


def plan_states(today: dt.date) -> Counter:
    """One label per plan, from the stored rows (not from the generator's own bookkeeping)."""
    out = Counter()
    for plan in ImplementationPlan.objects.prefetch_related("revisions"):
        revs = sorted(plan.revisions.all(), key=lambda r: r.number)
        newest = revs[-1]
        approved = next((r for r in revs if r.status == Status.APPROVED), None)
        if approved and newest is not approved:
            out["in_revision"] += 1
        elif approved and approved.valid_until < today:
            out["expired"] += 1
        elif approved and approved.valid_until <= today + dt.timedelta(days=60):
            out["expiring"] += 1
        elif approved:
            out["approved"] += 1
        else:
            out[newest.status] += 1
    return out


def test_plans_in_every_state_and_valid_rows():
    out = demo()
    today = timezone.localdate()
    assert "Gjennomføringsplaner:" in out
    states = plan_states(today)
    for state in (
        "approved",
        "expiring",
        "expired",
        "in_revision",
        Status.DRAFT,
        Status.AWAITING_SIGNATURES,
        Status.AWAITING_APPROVAL,
    ):
        assert states[state] > 0, (state, states)
    assert states["approved"] > N * 0.4  # most have an approved plan
    assert Revision.objects.filter(status=Status.SUPERSEDED).exists()
    assert Revision.objects.filter(status=Status.DRAFT).exclude(return_comment="").exists()

    admin = fresh("admin")
    missing = worklist.missing(admin, today)
    assert missing.exists()
    assert missing.count() < Employment.objects.not_ended().count() * 0.3
    # every employment the rule says needs a plan has one, or shows on the «missing» tab
    employments = Employment.objects.not_ended().select_related("trainee")
    with_plan = set(ImplementationPlan.objects.values_list("employment_id", flat=True))
    for e in employments:
        if rules.plan_required(e.permanent, e.start, e.end):
            assert e.pk in with_plan or e.pk in set(missing.values_list("pk", flat=True))

    coordinators = set(
        RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR)
        .values_list("user_id", "institution_id")
    )
    revisions = Revision.objects.select_related(
        "plan__trainee__user", "plan__employment", "employer"
    ).prefetch_related("periods__institution__region", "periods__arena", "signatures__user")
    partner_periods = 0
    by_plan: dict[int, list[Revision]] = {}
    for r in revisions:
        by_plan.setdefault(r.plan_id, []).append(r)
        e, trainee = r.plan.employment, r.plan.trainee
        periods = list(r.periods.all())
        report = rules.check_plan(
            rules.PlanInput(
                employer=r.employer_id,
                estimated_start=r.estimated_start,
                estimated_end=r.estimated_end,
                credit_old_scheme_months=r.credit_old_scheme_months,
                credit_other_specialty_months=r.credit_other_specialty_months,
                periods=tuple(
                    rules.Period(p.specialty_id, p.institution_id, p.start, p.end, p.arena_id)
                    for p in periods
                ),
                employment_start=e.start,
                employment_end=e.end,
            )
        )
        assert report.problems == [], (r.pk, report.problems)
        assert periods and r.employer_id == e.institution_id
        assert r.employee_number == e.employee_number
        for p in periods:
            # Helse Nord, or a trust elsewhere under the employer's agreement
            assert p.institution.region.code == "NORD" or p.agreement_id
            assert p.arena is None or p.arena.institution_id == p.institution_id
            partner_periods += p.institution_id != r.employer_id
        signatures = {s.role: s for s in r.signatures.all()}
        expected = {
            Status.AWAITING_APPROVAL: 2,
            Status.APPROVED: 2,
            Status.SUPERSEDED: 2,
            Status.DRAFT: 0,
        }.get(r.status)
        if expected is not None:
            assert len(signatures) == expected, r.status
        else:
            assert len(signatures) < 2
        if Signature.Role.TRAINEE in signatures:
            assert signatures[Signature.Role.TRAINEE].user_id == trainee.user_id
        if Signature.Role.LEADER in signatures:
            leader = signatures[Signature.Role.LEADER].user
            assert leader.pk != trainee.user_id and leads(leader, trainee)
        for s in signatures.values():
            assert s.name == s.user.get_full_name()
            assert r.submitted_at <= s.signed_at < timezone.now()
        if r.status in (Status.APPROVED, Status.SUPERSEDED):
            assert (r.approved_by_id, r.employer_id) in coordinators
            assert r.valid_until == rules.valid_until(timezone.localdate(r.approved_at))
            assert max(s.signed_at for s in signatures.values()) <= r.approved_at
        else:
            assert r.approved_by_id is None and r.valid_until is None
        assert r.created_at <= r.updated_at < timezone.now()
    assert partner_periods > 0

    for revs in by_plan.values():
        revs.sort(key=lambda r: r.number)
        assert [r.number for r in revs] == list(range(1, len(revs) + 1))
        statuses = [r.status for r in revs]
        assert statuses.count(Status.APPROVED) <= 1
        assert all(s not in IN_PROGRESS for s in statuses[:-1])  # only the newest in progress
        if Status.APPROVED in statuses:
            i = statuses.index(Status.APPROVED)
            assert set(statuses[:i]) <= {Status.SUPERSEDED}
            assert all(
                a.approved_at < b.approved_at
                for a, b in zip(revs[:i], revs[1 : i + 1], strict=True)
            )
        else:
            assert Status.SUPERSEDED not in statuses


def test_personas_plans():
    demo()
    today = timezone.localdate()
    me = Trainee.objects.get(user__username="trainee")
    revs = list(Revision.objects.filter(plan__trainee=me).order_by("number"))
    statuses = [r.status for r in revs]
    assert statuses[-2:] == [Status.APPROVED, Status.DRAFT]
    assert Status.SUPERSEDED in statuses
    assert revs[-2].valid_until > today + dt.timedelta(days=60)

    to_sign = list(pages.awaiting_my_signature(fresh("leader")))
    assert to_sign and me.pk not in {r.plan.trainee_id for r in to_sign}
    coordinator = fresh("local_coordinator")
    assert worklist.awaiting(coordinator, today).count() >= 4
    assert worklist.counts(coordinator, today)["expiring"] > 0


def test_every_trainee_can_sign_and_rerun_replaces_the_plans():
    demo(n=80, seed=5)
    first = sorted(
        Revision.objects.values_list("plan__trainee__hpr_number", "number", "status", "valid_until")
    )
    assert not Trainee.objects.filter(user=None).exists()
    assert RoleAssignment.objects.filter(role=Role.TRAINEE).count() == 80
    demo(n=80, seed=5)
    assert (
        sorted(
            Revision.objects.values_list(
                "plan__trainee__hpr_number", "number", "status", "valid_until"
            )
        )
        == first
    )
    assert ImplementationPlan.objects.filter(trainee__demo=False).count() == 0


def test_demo_plans_have_their_history_and_agreement_links():
    """Every demo revision's key steps are in the audit history, as the services write them;
    every period at a partner links the employer's matching agreement (issue #12 item 8: the
    plan picks its partner periods among the employer's agreements)."""
    from lisplan.audit.models import AuditEvent
    from lisplan.audit.services import events_for
    from lisplan.plans.models import Period
    from lisplan.plans.services import PeriodData, agreement_problems
    from lisplan.rotations.models import CollaborationAgreement

    demo()
    revisions = {
        r.pk: r
        for r in Revision.objects.select_related("plan__trainee").prefetch_related("signatures")
    }
    events = list(
        AuditEvent.objects.filter(
            object_type="plans.revision", object_id__in=[str(pk) for pk in revisions]
        )
    )
    by_revision: dict[int, Counter] = {}
    for e in events:
        by_revision.setdefault(int(e.object_id), Counter())[e.action] += 1
    for pk, r in revisions.items():
        actions = by_revision.get(pk, Counter())
        assert actions["plan.created" if r.number == 1 else "plan.revised"] == 1, (r, actions)
        assert actions["plan.signed"] == len(r.signatures.all()), (r, actions)
        assert actions["plan.approved"] == (1 if r.approved_at else 0), (r, actions)
        assert actions["plan.superseded"] == (1 if r.status == Status.SUPERSEDED else 0)
        assert actions["plan.returned"] == (1 if r.return_comment else 0)
    e = next(e for e in events if e.action == "plan.approved")
    r = revisions[int(e.object_id)]
    assert (e.created_at, e.actor_name, e.trainee_id) == (
        r.approved_at,
        r.approved_by.get_full_name(),
        r.plan.trainee_id,
    )
    assert e.actor_id is None  # demo users are replaced on re-run; the events stay
    assert e.object_repr == str(r) and e.changes["status"] == ["awaiting_approval", "approved"]
    assert e.request_id == "demo"
    # the plan page's history reads them, oldest step first
    trainee_plan = Revision.objects.filter(
        plan__trainee__user__username="trainee", status=Status.APPROVED
    ).get()
    history = list(events_for(trainee_plan).order_by("created_at", "id"))
    assert [h.action for h in history][0] == "plan.revised"
    assert history[-1].action == "plan.approved"

    partner = Period.objects.exclude(institution_id=models_f("revision__employer_id"))
    linked = list(partner.filter(agreement__isnull=False).select_related("agreement", "revision"))
    assert linked and not partner.filter(agreement__isnull=True).exists()
    for p in linked:
        assert not agreement_problems(
            p.revision.employer_id,
            [
                PeriodData(
                    specialty=p.specialty_id,
                    institution=p.institution_id,
                    start=p.start,
                    end=p.end,
                    agreement=p.agreement,
                )
            ],
        )
        assert p.agreement.valid_on(p.start) and p.agreement.demo
    # a re-run replaces the agreements the plans link (no protected-key refusal)
    demo()
    assert CollaborationAgreement.objects.filter(demo=True, plan_periods__isnull=False).exists()


def models_f(name):
    from django.db.models import F

    return F(name)
