"""The demo's agreements, register, requests and vacancy (`lisplan.rotations.demo`): every state,
consistent with the rules, the personas' pages filled, deterministic, replaced on re-run."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from lisplan.accounts.models import User
from lisplan.demo.generator import load_demo
from lisplan.rotations import queries
from lisplan.rotations.models import (
    OCCUPYING_STATUSES,
    WISH_STATUSES,
    CollaborationAgreement,
    RegisterEntry,
    RotationRequest,
    Status,
    Vacancy,
)
from lisplan.trainees.models import Employment

N = 400
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo(trainees=N, seed=7)


def test_every_state_and_the_rules(demo):
    requests = list(RotationRequest.objects.select_related("agreement", "receiving"))
    statuses = Counter(r.status for r in requests)
    assert set(statuses) == set(Status.values), statuses
    assert len(requests) >= 100
    assert CollaborationAgreement.objects.filter(demo=True).count() >= 10
    assert CollaborationAgreement.objects.filter(
        receiving__region__code="VEST", semester_quota=1
    ).exists()
    assert RegisterEntry.objects.count() >= N * 0.8
    permanent = set(
        Employment.objects.not_ended()
        .filter(permanent=True)
        .values_list("trainee_id", "institution_id", "specialty_id")
    )
    wishes: dict[int, set[int]] = {}
    for r in requests:
        # The agreement is between the request's trusts, in its specialty.
        a = r.agreement
        assert (a.sending_id, a.receiving_id, a.specialty_id) == (
            r.sending_id,
            r.receiving_id,
            r.specialty_id,
        )
        assert r.refunded_by_employer == (r.duration_months < 3)
        if r.status in (*OCCUPYING_STATUSES, Status.OFFERED, Status.DECLINED, Status.COMPLETED):
            assert (r.trainee_id, r.sending_id, r.specialty_id) in permanent, r
        if r.status in WISH_STATUSES:
            wishes.setdefault(r.trainee_id, set()).add(r.receiving_id)
        if r.status in (Status.FORWARDED, Status.OFFERED):
            assert r.forwarded_on and r.need_on <= r.wish_on <= r.forwarded_on
        steps = [
            d
            for d in (
                r.need_on,
                r.wish_on,
                r.forwarded_on,
                r.offered_on,
                r.answered_on,
                r.start_agreed_on,
            )
            if d
        ]
        assert steps == sorted(steps), r
        if r.status == Status.IN_PROGRESS:
            assert r.agreed_start <= timezone.localdate() <= r.end
        if r.status == Status.COMPLETED:
            assert r.end < timezone.localdate() and r.completed_on == r.end
    assert all(len(v) == 1 for v in wishes.values())  # one receiving institution at a time
    # Occupied capacity never above the agreement's, month by month.
    for a in CollaborationAgreement.objects.filter(demo=True):
        for month in queries.agreement_usage(a, dt.date(2015, 1, 1), 12 * 20):
            assert month.used <= a.capacity, (a, month)


def test_personas(demo):
    trainee = User.objects.get(username="trainee").trainee
    own = [o for o in queries.own_requests(trainee) if o.request.status == Status.FORWARDED]
    assert own and 2 <= own[0].queue_place < own[0].queue_length  # others ahead and behind
    coordinator = User.objects.get(username="local_coordinator")
    mine = queries.request_list(coordinator, queries.RequestFilters())
    unn = own[0].request.sending_id
    assert mine.filter(status=Status.WISH, sending_id=unn).count() >= 3
    assert (
        mine.filter(status=Status.FORWARDED, receiving_id=unn).exclude(sending_id=unn).count() >= 3
    )
    leader = User.objects.get(username="leader")
    vacancy = queries.vacancy_list(leader).get()
    assert vacancy.arena.name == "Ortopedisk avdeling" and vacancy.state == Vacancy.State.OPEN
    assert len(queries.candidates(vacancy)) >= 3
    conflicts = queries.all_conflicts(User.objects.get(username="regional_coordinator"))
    assert conflicts and len(conflicts[0][1].homes) >= 2


def test_deterministic_and_replaced_on_rerun(demo):
    def snapshot():
        return sorted(
            RotationRequest.objects.values_list(
                "trainee__hpr_number", "receiving__code", "status", "desired_start", "forwarded_on"
            )
        )

    first = snapshot()
    agreements = CollaborationAgreement.objects.count()
    load_demo(trainees=N, seed=7)
    assert snapshot() == first
    assert CollaborationAgreement.objects.count() == agreements
    assert Vacancy.objects.count() == 1


def test_agreements_with_prerequisites_show_every_state(demo):
    """About half the agreements within Helse Nord require goals before start (the demo
    trainee's one always); the eligibility column finds them met, expected and missing."""
    with_prerequisites = CollaborationAgreement.objects.filter(
        demo=True, prerequisites__isnull=False
    ).distinct()
    nord = CollaborationAgreement.objects.filter(demo=True, receiving__region__code="NORD")
    assert 0.25 * nord.count() <= with_prerequisites.count() <= 0.75 * nord.count()
    assert with_prerequisites.filter(
        sending__code="UNN", receiving__code="NLSH", specialty__code="ORT"
    ).exists()
    for a in with_prerequisites.prefetch_related("prerequisites", "goals"):
        codes = {g.code for g in a.prerequisites.all()}
        assert 1 <= len(codes) <= 3
        assert not codes & {g.code for g in a.goals.all()}  # not what the period itself gives
        assert {g.specialty_id for g in a.prerequisites.all()} == {a.specialty_id}
    requests = list(RotationRequest.objects.filter(agreement__in=with_prerequisites))
    assert "met" not in {
        p.state for e in queries.eligibility(requests).values() for p in e.prerequisites
    }  # no goal approvals yet
    from lisplan.progress.demo import load_progress_demo

    load_progress_demo(seed=7, today=timezone.localdate())
    states = Counter(
        p.state for e in queries.eligibility(requests).values() for p in e.prerequisites
    )
    assert states["missing"] and states["met"] + states["expected"], states
