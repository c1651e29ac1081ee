"""Collaboration agreements, the register (fiktiv enhet), requests in every state and a vacancy
for the demo region — one story per trainee (issue #12 item 8):

1. **Agreements first** (`plan_agreements`, plain Python before anything is written, and
   `write_agreements` once institutions and arenas exist): between the Helse Nord trusts (the
   smaller trusts send to UNN and Nordlandssykehuset, the larger ones to the local hospitals),
   with the receiving department as arena, some of the specialty's goals, normed durations of
   2–12 months, capacities of 1–4 at one time, some with start months or a semester quota; a
   few with trusts in other regions (OUS, Helse Bergen — 1 LIS per spring semester in plastic
   surgery —, St. Olavs), which are outside the system; and for ALIS the municipality's
   agreement on institution service (12 months) with its local trust. About half of those
   within Helse Nord require learning goals before start (prerequisites).
2. **The plans** (`lisplan.demo.plans`) pick each trainee's period at a partner among the
   employer's agreements in the specialty, valid when the period starts, of the agreement's
   normed length, in its start months; a period that will have started within a year is placed
   under the agreement's capacity (`PAgreement.place`), so occupied capacity never exceeds it.
3. **The requests follow the plans** (`load_rotation_demo`): one request per period at a
   partner in the approved revision, with its institution, specialty, agreement, arena and
   dates (`plan_period` links it): past periods completed, running ones in progress, those
   starting within six months agreed, within a year offered or accepted, later ones a need, a
   wish or forwarded; temporary employees are never offered (seed 003). Where a newer revision
   moves the period, the approved one's request was declined or cancelled. Requests made when
   the plan was approved in lisplan are `source=plan` from that day; older ones were registered
   by the coordinator (`manual`), still linked to the period.

The personas' stories are chosen by the plan planner (`demo.plans.PlanPlanner.plan_story`) and
come here as `story` (trainee id → forwarding date): `trainee` has a forwarded wish to
Nordlandssykehuset with others ahead and behind in the queue; `local_coordinator` (UNN) has
wishes to forward and requests forwarded to UNN; `leader` (Ortopedisk avdeling, UNN) has an open
vacancy with candidates; `regional_coordinator` sees a conflict between trusts over UNN's
orthopaedic places next semester. Every request's history has the audit events of the steps it
went through (`write_audit`, as `demo.plans` does).

`clear_rotations()` deletes all of it; the generator calls it before deleting demo trainees.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q

from lisplan.demo.bulk import insert_objects
from lisplan.rotations import ranking
from lisplan.rotations.models import (
    REFUND_BELOW_MONTHS,
    CollaborationAgreement,
    RegisterEntry,
    RotationRequest,
    Status,
    Vacancy,
    add_months,
)
from lisplan.rotations.services import qualifies_for_register

NORD = ("UNN", "NLSH", "FIN", "HSYK")
# Probability of an agreement per specialty both trusts train in, by (sending, receiving).
PAIRS = {
    ("FIN", "UNN"): 0.9,
    ("HSYK", "UNN"): 0.5,
    ("NLSH", "UNN"): 0.7,
    ("HSYK", "NLSH"): 0.8,
    ("FIN", "NLSH"): 0.3,
    ("UNN", "NLSH"): 0.4,
    ("UNN", "FIN"): 0.3,
    ("UNN", "HSYK"): 0.2,
    ("NLSH", "FIN"): 0.2,
    ("NLSH", "HSYK"): 0.3,
    ("FIN", "HSYK"): 0.1,
    ("HSYK", "FIN"): 0.1,
}
# The demo's fixed agreements (sending, receiving, specialty): the personas' queues.
FIXED = [
    ("UNN", "NLSH", "ORT"),
    ("NLSH", "UNN", "ORT"),
    ("FIN", "UNN", "ORT"),
    ("HSYK", "UNN", "ORT"),
]
# Agreements with trusts in other regions (outside the system): receiving, specialties.
CROSS_REGION = [("OUS", ("NKI", "BKI", "THK", "GEN")), ("HB", ("PLA",)), ("STO", ("NKI", "KAR"))]
# ALIS: the municipality's agreement on institution service with its local trust, received
# by the trust's psychiatric department.
ALIS_TRUST = {
    "KOM-TROMSO": "UNN",
    "KOM-BODO": "NLSH",
    "KOM-ALTA": "FIN",
    "KOM-HARSTAD": "UNN",
    "KOM-RANA": "HSYK",
    "KOM-NARVIK": "UNN",
    "KOM-HAMMERFEST": "FIN",
    "KOM-VESTVAGOY": "NLSH",
}
ALIS = "ALM"
ALIS_DEPARTMENT = "VOP"
HOME = ("UNN", "ORT")  # the demo trainee, leader and conflict

PLACED_WITHIN = 12  # months: a period starting before then is placed under the capacity
AGREED_WITHIN = 6  # months: a period starting before then has its start agreed
LATER_WEIGHTS = {Status.NEED: 9, Status.WISH: 11, Status.FORWARDED: 26}
PLACED = (Status.START_AGREED, Status.IN_PROGRESS, Status.COMPLETED)
MOVED_REASONS = [
    "Foreldrepermisjon: perioden flyttes i ny revisjon av gjennomføringsplanen.",
    "Mottakende avdeling ba om senere oppstart; gjennomføringsplanen revideres.",
]
DECLINE_COMMENTS = ["Familiesituasjonen gjør det vanskelig nå.", "Ønsker senere oppstart."]


@dataclass
class PAgreement:
    """An agreement as planned (institution and specialty codes), before it is written; the
    plan planner places periods under it (`placed`)."""

    sending: str
    receiving: str
    spec: str
    duration: int
    capacity: int
    start_months: list[int]
    valid_from: dt.date
    valid_to: dt.date | None
    semester_quota: int | None = None
    quota_semester: str = CollaborationAgreement.QuotaSemester.ANY
    notes: str = ""
    placed: list[ranking.Period] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.sending, self.receiving, self.spec)

    @property
    def reference(self) -> str:
        return f"FA-{self.sending}-{self.receiving}-{self.spec}"

    @property
    def arena(self) -> str:
        """The receiving department's key in the generator's plan."""
        return f"{self.receiving}/{ALIS_DEPARTMENT if self.spec == ALIS else self.spec}"

    def fits(self, start: dt.date, end: dt.date) -> bool:
        """A period start–end keeps the agreement's normed duration, start months and validity
        (the rule `plans.services.agreement_problems` checks)."""
        return (
            end < add_months(start, self.duration)
            and (not self.start_months or start.month in self.start_months)
            and self.valid_from <= start
            and (self.valid_to is None or end <= self.valid_to)
        )

    def place(self, start: dt.date) -> bool:
        """Occupy the agreement's capacity (and semester quota) from `start` for its normed
        duration when there is room (`ranking.start_problem`)."""
        rules = ranking.AgreementRules(
            capacity=self.capacity,
            start_months=tuple(self.start_months),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            semester_quota=self.semester_quota,
            quota_semester=self.quota_semester,
        )
        if ranking.start_problem(rules, start, self.duration, self.placed) is not None:
            return False
        self.placed.append(ranking.Period(start, self.duration))
        return True


@dataclass
class RotationDemoResult:
    agreements: int = 0
    register_entries: int = 0
    requests: Counter = field(default_factory=Counter)
    vacancies: int = 0
    prerequisites: int = 0  # agreements with learning goals required before start
    audit_events: int = 0  # the requests' life-cycle steps (`write_audit`)


def clear_requests() -> None:
    """Delete the demo's vacancies, requests and register entries (the agreements stay: the
    demo plans' periods link them)."""
    requests = RotationRequest.objects.filter(Q(demo=True) | Q(trainee__demo=True))
    Vacancy.objects.filter(Q(arena__leader__demo=True) | Q(selected__in=requests)).delete()
    requests.exclude(extends=None).update(extends=None)
    # bandit B113 misreads this queryset of rotation requests as the HTTP library
    requests.delete()  # nosec B113
    RegisterEntry.objects.filter(trainee__demo=True).delete()


def clear_rotations() -> None:
    """Delete the demo's vacancies, requests, register entries and agreements (before the demo
    trainees and arenas they point to)."""
    clear_requests()
    from lisplan.demo.plans import unlink_agreements

    unlink_agreements()  # plan periods protect the agreements they link
    demo_agreements = CollaborationAgreement.objects.filter(demo=True)
    for through in (
        CollaborationAgreement.arenas.through,
        CollaborationAgreement.goals.through,
        CollaborationAgreement.prerequisites.through,
    ):
        through.objects.filter(collaborationagreement__demo=True).delete()
    demo_agreements.delete()


# --- 1. the agreements ---------------------------------------------------------------------


def plan_agreements(planner, seed: int) -> list[PAgreement]:
    """The demo's agreements from the generator's plan (`demo.generator.Planner`): which
    departments exist and which specialties each trust trains in. Own random generator."""
    from lisplan.organisations.models import LearningArena

    rng = random.Random(seed * 7 + 3)
    today = planner.today
    departments = {
        (a.institution, a.specialty)
        for a in planner.arenas.values()
        if a.level == LearningArena.Level.DEPARTMENT and a.specialty and a.institution in NORD
    }
    trained = {(inst, spec) for _t, inst, spec, _arena in planner.trainees}
    wanted: list[tuple[str, str, str]] = [f for f in FIXED if (f[1], f[2]) in departments]
    for (sending, receiving), chance in PAIRS.items():
        for inst, spec in sorted(departments):
            if (
                inst == receiving
                and (sending, spec) in trained
                and rng.random() < chance
                and (sending, receiving, spec) not in wanted
            ):
                wanted.append((sending, receiving, spec))
    for receiving, specs in CROSS_REGION:
        wanted += [("UNN", receiving, s) for s in specs if s in planner.specialties]
    for municipality, trust in ALIS_TRUST.items():
        if (municipality, ALIS) in trained and (trust, ALIS_DEPARTMENT) in departments:
            wanted.append((municipality, trust, ALIS))
    out = []
    for sending, receiving, spec in wanted:
        fixed = (sending, receiving, spec) in FIXED
        cross = receiving not in NORD
        alis = spec == ALIS
        duration = rng.choices([2, 3, 6, 12], weights=[1, 3, 6, 2])[0]
        a = PAgreement(
            sending,
            receiving,
            spec,
            duration=12 if alis else 6 if fixed else duration,
            capacity=1
            if fixed or cross
            else rng.choice([2, 3, 4])
            if alis
            else rng.choices([1, 2, 3, 4], weights=[4, 4, 2, 1])[0],
            start_months=[]
            if fixed
            else rng.choice([[], [1, 8]])
            if alis
            else rng.choice([[], [], [], [2, 8], [1, 7], [3, 9]]),
            # Since the new scheme or before the oldest plan periods: periods in the past
            # have a valid agreement as well.
            valid_from=dt.date(today.year - rng.randint(6, 9), 1, 1),
            valid_to=None
            if fixed or alis or rng.random() < 0.8
            else dt.date(today.year + rng.randint(1, 3), 12, 31),
        )
        if receiving == "HB":  # seed 003: one trainee per spring semester
            a.semester_quota, a.quota_semester, a.start_months = 1, "spring", [2]
        elif cross:
            a.notes = "Skjema sendes av lokal koordinator til regional LIS-koordinator."
        elif alis:
            a.notes = "Institusjonstjeneste for leger i spesialisering i allmennmedisin (ALIS)."
        out.append(a)
    return out


def write_agreements(
    planned: list[PAgreement], *, institutions, specialties, arenas, seed: int
) -> dict[tuple[str, str, str], CollaborationAgreement]:
    """Write the planned agreements with their arenas, goals and prerequisites; returns them by
    (sending, receiving, specialty) code. `institutions` and `arenas` map the generator's keys
    to rows, `specialties` codes to ids."""
    from lisplan.catalogue.models import LearningGoal

    rng = random.Random(seed * 7 + 4)
    rows = [
        CollaborationAgreement(
            sending=institutions[a.sending],
            receiving=institutions[a.receiving],
            specialty_id=specialties[a.spec],
            demo=True,
            duration_months=a.duration,
            capacity=a.capacity,
            start_months=a.start_months,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            reference=a.reference,
            semester_quota=a.semester_quota,
            quota_semester=a.quota_semester,
            notes=a.notes,
        )
        for a in planned
    ]
    CollaborationAgreement.objects.bulk_create(rows, batch_size=500)
    goals_of: dict[int, list[int]] = defaultdict(list)
    for pk, spec in (
        LearningGoal.objects.filter(specialty_id__in={r.specialty_id for r in rows}, common=False)
        .order_by("code", "pk")
        .values_list("pk", "specialty_id")
    ):
        goals_of[spec].append(pk)
    Arenas = CollaborationAgreement.arenas.through
    Goals = CollaborationAgreement.goals.through
    arena_rows, goal_rows = [], []
    covered: dict[int, set[int]] = defaultdict(set)
    for a, row in zip(planned, rows, strict=True):
        if a.arena in arenas:
            arena_rows.append(
                Arenas(collaborationagreement_id=row.pk, learningarena_id=arenas[a.arena].pk)
            )
        pool = goals_of.get(row.specialty_id, [])
        for g in rng.sample(pool, min(len(pool), rng.randint(3, 8))):
            goal_rows.append(Goals(collaborationagreement_id=row.pk, learninggoal_id=g))
            covered[row.pk].add(g)
    Arenas.objects.bulk_create(arena_rows, batch_size=1000)
    Goals.objects.bulk_create(goal_rows, batch_size=1000)
    _prerequisites(rows, covered, goals_of, seed)
    return {a.key: row for a, row in zip(planned, rows, strict=True)}


def _prerequisites(
    agreements, covered: dict[int, set[int]], goals_of: dict[int, list[int]], seed: int
) -> int:
    """About half the agreements within Helse Nord (and the demo trainee's, UNN → NLSH in
    orthopaedics) require 1–3 of the specialty's goals before start (seed 003, d): one the
    sending trust's other agreements in the specialty cover where there is one (so a period
    there makes it «expected»), the others from the specialty's goals. Their own random
    generator: the rest of the demo is unchanged by them."""
    from lisplan.catalogue.models import LearningGoal

    rng = random.Random(seed * 13 + 5)
    Prerequisites = CollaborationAgreement.prerequisites.through
    code = dict(
        LearningGoal.objects.filter(
            pk__in={g for goals in goals_of.values() for g in goals}
        ).values_list("pk", "code")
    )
    siblings: dict[tuple[int, int], list] = defaultdict(list)
    for a in agreements:
        siblings[(a.sending_id, a.specialty_id)].append(a)
    rows, count = [], 0
    for a in agreements:
        fixed = (a.sending.code, a.receiving.code) == ("UNN", "NLSH") and a.reference.endswith(
            "-ORT"
        )
        if a.receiving.code not in NORD or not (fixed or rng.random() < 0.5):
            continue
        own = {code[g] for g in covered[a.pk]}  # by code: a goal may have several versions
        elsewhere = sorted(
            {
                g
                for b in siblings[(a.sending_id, a.specialty_id)]
                if b is not a
                for g in covered[b.pk]
                if code[g] not in own
            }
        )
        chosen = [rng.choice(elsewhere)] if elsewhere else []
        taken = own | {code[g] for g in chosen}
        rest = list(
            {code[g]: g for g in goals_of.get(a.specialty_id, []) if code[g] not in taken}.values()
        )
        chosen += rng.sample(rest, min(len(rest), rng.randint(1, 3) - len(chosen) or 1))
        rows += [Prerequisites(collaborationagreement_id=a.pk, learninggoal_id=g) for g in chosen]
        count += bool(chosen)
    Prerequisites.objects.bulk_create(rows, batch_size=1000)
    return count


def _expected_prerequisites(requests, covered: dict[int, set[int]], today: dt.date) -> int:
    """Where a trainee's approved plan has a coming period at a partner under another agreement
    that ends before a waiting request's start, that agreement requires one of the goals the
    period gives: the request's eligibility shows it «expected» by the period's end (seed 003,
    d: goals reached before start). At most one such goal per agreement. Two queries."""
    from lisplan.catalogue.models import LearningGoal
    from lisplan.plans.models import Period
    from lisplan.plans.models import Status as PlanStatus

    waiting = [
        r
        for r in requests
        if r.status in (Status.NEED, Status.WISH, Status.FORWARDED) and r.agreement_id
    ]
    periods: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for trainee, agreement, end in (
        Period.objects.filter(
            revision__plan__trainee_id__in={r.trainee_id for r in waiting},
            revision__status=PlanStatus.APPROVED,
            revision__valid_until__gte=today,
            agreement__isnull=False,
            end__gte=today,
        )
        .values_list("revision__plan__trainee_id", "agreement_id", "end")
        .order_by("end", "pk")
    ):
        periods[trainee].append((end, agreement))
    code = dict(
        LearningGoal.objects.filter(
            pk__in={g for goals in covered.values() for g in goals}
        ).values_list("pk", "code")
    )
    Prerequisites = CollaborationAgreement.prerequisites.through
    rows, done = [], set()
    for r in waiting:
        if r.agreement_id in done:
            continue
        own = {code[g] for g in covered[r.agreement_id]}
        for end, other in periods.get(r.trainee_id, ()):
            goals = sorted(g for g in covered[other] if code[g] not in own)
            if other != r.agreement_id and end < r.desired_start and goals:
                rows.append(
                    Prerequisites(
                        collaborationagreement_id=r.agreement_id, learninggoal_id=goals[0]
                    )
                )
                done.add(r.agreement_id)
                break
    Prerequisites.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


# --- 3. the requests, from the plans' periods ---------------------------------------------


@dataclass
class PlanPeriod:
    """A period at a partner in a demo trainee's approved plan revision, as read back."""

    pk: int
    plan: int
    trainee: int
    permanent: bool
    employment_start: dt.date
    sending: int
    receiving: int
    specialty: int
    agreement: int
    arena: int | None
    start: dt.date
    end: dt.date
    approved_on: dt.date  # the plan's first approval: when lisplan made the need
    moved: bool  # a newer revision (in progress) moves it
    removed_on: dt.date | None = None  # a later approved revision moved it: cancelled then


def _plan_periods(today: dt.date) -> list[PlanPeriod]:
    """The periods at a partner of every demo plan's approved revision, in trainee order, and
    those an earlier approved revision had where the approved one moved them (removed on the
    later approval: `rotations.services.sync_from_plan` cancels their requests)."""
    from django.utils import timezone

    from lisplan.plans.models import Period, Revision
    from lisplan.plans.models import Status as PlanStatus

    partner = Q(revision__plan__trainee__demo=True) & ~Q(institution_id=F("revision__employer_id"))
    approvals: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)  # plan → (number, day)
    for plan, number, at in (
        Revision.objects.filter(plan__trainee__demo=True, approved_at__isnull=False)
        .order_by("plan_id", "number")
        .values_list("plan_id", "number", "approved_at")
    ):
        approvals[plan].append((number, timezone.localdate(at)))
    pending: dict[int, set[dt.date]] = defaultdict(set)
    for plan, start in Period.objects.filter(
        partner,
        revision__status__in=(
            PlanStatus.DRAFT,
            PlanStatus.AWAITING_SIGNATURES,
            PlanStatus.AWAITING_APPROVAL,
        ),
    ).values_list("revision__plan_id", "start"):
        pending[plan].add(start)
    fields = (
        "pk",
        "revision__plan_id",
        "revision__plan__trainee_id",
        "revision__plan__employment__permanent",
        "revision__plan__employment__start",
        "revision__employer_id",
        "institution_id",
        "specialty_id",
        "agreement_id",
        "arena_id",
        "start",
        "end",
    )
    out, current = [], defaultdict(set)
    for row in (
        Period.objects.filter(partner, revision__status=PlanStatus.APPROVED)
        .order_by("revision__plan__trainee_id", "start", "pk")
        .values_list(*fields)
    ):
        plan, start = row[1], row[10]
        current[plan].add(start)
        moved = plan in pending and start not in pending[plan]
        out.append(PlanPeriod(*row, approved_on=approvals[plan][0][1], moved=moved))
    removed: dict[tuple[int, dt.date], PlanPeriod] = {}
    for *row, number in (
        Period.objects.filter(partner, revision__status=PlanStatus.SUPERSEDED)
        .order_by("revision__plan_id", "revision__number", "pk")
        .values_list(*fields, "revision__number")
    ):
        plan, start = row[1], row[10]
        if start in current[plan]:
            continue
        later = next(day for n, day in approvals[plan] if n > number)
        removed[(plan, start)] = PlanPeriod(  # the newest revision that had it
            *row, approved_on=approvals[plan][0][1], moved=False, removed_on=later
        )
    return out + list(removed.values())


class RequestPlanner:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(seed * 7 + 5)
        self.today = today
        self.rank: Counter = Counter()

    def between(self, low: dt.date, high: dt.date) -> dt.date:
        if high <= low:
            return low
        return low + dt.timedelta(days=self.rng.randint(0, (high - low).days))

    def status(self, p: PlanPeriod) -> str:
        today = self.today
        if p.removed_on is not None:
            return Status.CANCELLED
        if p.moved and p.start > today:  # the trainee asked for a later start
            return Status.DECLINED if p.permanent else Status.CANCELLED
        if not p.permanent:  # temporary employees are not offered (seed 003)
            return self.rng.choices(list(LATER_WEIGHTS), weights=list(LATER_WEIGHTS.values()))[0]
        if p.end < today:
            return Status.COMPLETED
        if p.start <= today:
            return Status.IN_PROGRESS
        if p.start < add_months(today, AGREED_WITHIN):
            return Status.START_AGREED
        if p.start < add_months(today, PLACED_WITHIN):
            return self.rng.choice([Status.OFFERED, Status.ACCEPTED])
        return self.rng.choices(list(LATER_WEIGHTS), weights=list(LATER_WEIGHTS.values()))[0]

    def request(
        self, p: PlanPeriod, status: str, forwarded_on: dt.date | None = None
    ) -> RotationRequest:
        """The request for period `p` in `status`, each step dated: from the plan's approval
        where that came early enough (`source=plan`), else registered by the coordinator."""
        from lisplan.progress.engine import whole_months

        months = whole_months(p.start, p.end)
        placed = status in PLACED
        r = RotationRequest(
            trainee_id=p.trainee,
            sending_id=p.sending,
            receiving_id=p.receiving,
            specialty_id=p.specialty,
            agreement_id=p.agreement,
            arena_id=p.arena,
            duration_months=months,
            status=status,
            refunded_by_employer=months < REFUND_BELOW_MONTHS,
            demo=True,
            plan_period_id=p.pk,
            plan_id=p.plan,
            desired_start=p.start,
            agreed_start=p.start if placed else None,
        )
        steps = {
            Status.NEED: 1,
            Status.WISH: 2,
            Status.FORWARDED: 3,
            Status.CANCELLED: 3,
            Status.OFFERED: 4,
            Status.ACCEPTED: 5,
            Status.DECLINED: 5,
        }.get(status, 6)
        last = min(self.today, p.start - dt.timedelta(days=14)) if placed else self.today
        if p.removed_on is not None:
            last = p.removed_on - dt.timedelta(days=1)
        if forwarded_on is not None:
            last = forwarded_on
        low = max(p.employment_start, last - dt.timedelta(days=700))
        if last < low:
            low = last - dt.timedelta(days=60)
        if p.approved_on <= last - dt.timedelta(days=10 * steps):  # made when approved
            r.source = RotationRequest.Source.PLAN
            dates = [p.approved_on] + sorted(
                self.between(p.approved_on, last) for _ in range(steps - 1)
            )
        else:  # before the plan was approved in lisplan
            r.source = RotationRequest.Source.MANUAL
            dates = sorted(self.between(low, last) for _ in range(steps))
        if forwarded_on is not None:
            dates[-1] = forwarded_on
        names = ["need_on", "wish_on", "forwarded_on", "offered_on", "answered_on"]
        names += ["start_agreed_on"]
        for name, day in zip(names, dates, strict=False):
            setattr(r, name, day)
        if p.removed_on is not None:  # as sync_from_plan cancels it
            r.cancelled_on = p.removed_on
            r.comment = "Fjernet fra gjennomføringsplanen (ny revisjon godkjent)."
        elif status == Status.CANCELLED:
            r.cancelled_on = self.between(r.forwarded_on, self.today)
            r.comment = self.rng.choice(MOVED_REASONS)
        elif status == Status.DECLINED:
            r.comment = self.rng.choice(DECLINE_COMMENTS)
        if status in (Status.IN_PROGRESS, Status.COMPLETED):
            r.started_on = p.start
        if status == Status.COMPLETED:
            r.completed_on = p.end
            r.goals_reached = self.rng.random() > 0.08
        if status in (Status.FORWARDED, Status.OFFERED) and self.rng.random() < 0.3:
            key = (p.sending, p.receiving, p.specialty)
            self.rank[key] += 1
            r.sending_rank = self.rank[key]
        return r


@transaction.atomic
def load_rotation_demo(
    *, seed: int, today: dt.date, story: dict[int, dt.date] | None = None
) -> RotationDemoResult:
    """The register, the requests from the plans' periods and the vacancy; the agreements and
    plans are written already. `story`: trainee id → the day the persona stories' requests
    were forwarded (from `demo.plans`)."""
    from lisplan.accounts.models import User
    from lisplan.organisations.models import Institution, LearningArena
    from lisplan.trainees.models import Employment

    clear_requests()
    story = story or {}
    result = RotationDemoResult()
    p = RequestPlanner(seed, today)
    institutions = {
        i.code: i
        for i in Institution.objects.filter(code__in=[*NORD, *(c for c, _s in CROSS_REGION)])
    }

    # -- the register: an entry per qualifying, current employment --
    entries: dict[tuple[int, int, int], RegisterEntry] = {}
    for e in (
        Employment.objects.filter(trainee__demo=True)
        .not_ended(today)
        .order_by("trainee_id", "-permanent", "start", "pk")
    ):
        if not qualifies_for_register(e, today):
            continue
        key = (e.trainee_id, e.institution_id, e.specialty_id)
        if key in entries:
            continue
        entries[key] = RegisterEntry(
            trainee_id=e.trainee_id,
            institution_id=e.institution_id,
            specialty_id=e.specialty_id,
            employment_id=e.pk,
            permanent=e.permanent,
            registered_on=e.start,
            source=RegisterEntry.Source.EMPLOYMENT,
        )
    insert_objects(list(entries.values()))
    result.register_entries = len(entries)

    agreements = CollaborationAgreement.objects.filter(demo=True)
    result.agreements = agreements.count()
    result.prerequisites = agreements.filter(prerequisites__isnull=False).distinct().count()
    covered: dict[int, set[int]] = defaultdict(set)
    for a, g in CollaborationAgreement.goals.through.objects.filter(
        collaborationagreement__demo=True
    ).values_list("collaborationagreement_id", "learninggoal_id"):
        covered[a].add(g)

    # -- one request per period at a partner in an approved plan --
    requests: list[RotationRequest] = []
    unn = institutions["UNN"].pk if "UNN" in institutions else None
    wishes = 0  # the first later ones of UNN: wishes for its coordinator to forward
    for period in _plan_periods(today):
        if period.trainee in story:
            requests.append(p.request(period, Status.FORWARDED, story[period.trainee]))
            continue
        status = p.status(period)
        if status in LATER_WEIGHTS and period.sending == unn and wishes < 6:
            status, wishes = Status.WISH, wishes + 1
        requests.append(p.request(period, status))
    insert_objects(requests)
    result.requests = Counter(r.status for r in requests)
    from lisplan.catalogue.models import Specialty

    specialties = dict(Specialty.objects.values_list("code", "id"))
    result.audit_events = write_audit(requests, institutions, specialties)
    result.prerequisites += _expected_prerequisites(requests, covered, today)

    # -- the leader's open vacancy at Ortopedisk avdeling, UNN --
    leader = User.objects.filter(username="leader", demo=True).first()
    dept_home = (
        LearningArena.objects.filter(
            level=LearningArena.Level.DEPARTMENT,
            leader__demo=True,
            institution__code=HOME[0],
            specialty__code=HOME[1],
        )
        .select_related("institution", "specialty")
        .first()
    )
    if dept_home is not None:
        semester = semester_start(today)
        Vacancy.objects.create(
            institution=dept_home.institution,
            arena=dept_home,
            specialty=dept_home.specialty,
            start_from=add_months(semester, -1),
            start_to=add_months(semester, 3),
            duration_months=6,
            opened_by=leader,
            comment="Ledig gjennomstrømningsstilling fra neste semester.",
        )
        result.vacancies = 1
    with connection.cursor() as cursor:
        for model in (CollaborationAgreement, RegisterEntry, RotationRequest):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return result


def semester_start(today: dt.date) -> dt.date:
    """The first day of the next semester (the conflict over UNN's orthopaedic places)."""
    return dt.date(today.year, 7, 1) if today.month <= 6 else dt.date(today.year + 1, 1, 1)


# The life-cycle steps (rotations.services): action, the date field it sets, status before/after.
STEPS = [
    ("register.wish_registered", "wish_on", Status.NEED, Status.WISH),
    ("register.forwarded", "forwarded_on", Status.WISH, Status.FORWARDED),
    ("register.offered", "offered_on", Status.FORWARDED, Status.OFFERED),
    ("register.accepted", "answered_on", Status.OFFERED, Status.ACCEPTED),
    ("register.start_agreed", "start_agreed_on", Status.ACCEPTED, Status.START_AGREED),
    ("register.started", "started_on", Status.START_AGREED, Status.IN_PROGRESS),
    ("register.completed", "completed_on", Status.IN_PROGRESS, Status.COMPLETED),
]


def write_audit(requests: list[RotationRequest], institutions, specialties) -> int:
    """The audit history of the demo requests, as `rotations.services` would have written it:
    created (need), wish registered, forwarded, offered, accepted or declined, start agreed,
    started, completed, cancelled — each on the day the request records for the step, in bulk
    (`demo.audit`: `request_id` «demo», the actor by name only). The trainee registers the
    need and the wish and answers the offer, the sending trust's local coordinator forwards
    and cancels, the receiving one offers, agrees the start and follows the period (the
    sending one when the receiving trust is outside Helse Nord). Returns the event count."""
    from django.utils import timezone

    from lisplan.accounts.models import Role, RoleAssignment
    from lisplan.catalogue.models import Specialty
    from lisplan.demo.audit import event, insert_events
    from lisplan.trainees.models import Trainee

    names = {
        pk: f"{first} {last}"
        for pk, first, last in Trainee.objects.filter(demo=True)
        .order_by()
        .values_list("pk", "first_name", "last_name")
    }
    coordinator: dict[int, str] = {}
    for inst, first, last in (
        RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR, user__demo=True)
        .exclude(institution=None)
        .order_by("pk")
        .values_list("institution_id", "user__first_name", "user__last_name")
    ):
        coordinator.setdefault(inst, f"{first} {last}")
    inst_name = {i.pk: str(i) for i in institutions.values()}
    spec_name = dict(
        Specialty.objects.filter(pk__in=set(specialties.values())).values_list("pk", "name")
    )
    now = timezone.now()
    latest = now - dt.timedelta(minutes=10)  # nothing after the demo was loaded
    events: list[dict] = []
    for r in requests:
        trainee = names[r.trainee_id]
        sending = coordinator.get(r.sending_id, "system")
        receiving = coordinator.get(r.receiving_id, sending)
        actor_of = {
            "register.wish_registered": trainee,
            "register.forwarded": sending,
            "register.accepted": trainee,
            "register.declined": trainee,
            "register.cancelled": sending,
        }
        repr_ = (
            f"{trainee} → {inst_name.get(r.receiving_id, '')} "
            f"({spec_name.get(r.specialty_id, '')}, {r.desired_start:%m.%Y})"
        )
        last = [None]

        def add(
            day: dt.date,
            hour: int,
            actor: str,
            action: str,
            changes: dict,
            r=r,
            repr_=repr_,
            last=last,
        ) -> None:
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, r.pk * 7 % 60)))
            if last[0] is not None:
                at = max(at, last[0] + dt.timedelta(minutes=1))  # the steps in order
            at = min(at, latest)
            last[0] = at
            events.append(
                event(
                    at=at,
                    actor=actor,
                    action=action,
                    object_type="rotations.rotationrequest",
                    object_id=r.pk,
                    object_repr=repr_,
                    trainee_id=r.trainee_id,
                    changes=changes,
                )
            )

        created = {
            "status": [None, Status.NEED],
            "sending": [None, inst_name.get(r.sending_id)],
            "receiving": [None, inst_name.get(r.receiving_id)],
            "specialty": [None, spec_name.get(r.specialty_id)],
            "desired_start": [None, r.desired_start.isoformat()],
            "duration_months": [None, r.duration_months],
            "refunded_by_employer": [None, r.refunded_by_employer],
            "source": [None, r.source],
        }
        if r.agreement_id:  # as str(agreement)
            created["agreement"] = [
                None,
                f"{spec_name.get(r.specialty_id)}: "
                f"{inst_name.get(r.sending_id)} → "
                f"{inst_name.get(r.receiving_id)}",
            ]
        add(r.need_on, 9, trainee, "register.request_created", created)
        for action, field_name, before, after in STEPS:
            day = getattr(r, field_name)
            if day is None:
                continue
            if action == "register.accepted" and r.status == Status.DECLINED:
                action, after = "register.declined", Status.DECLINED
            changes = {"status": [before, after], field_name: [None, day.isoformat()]}
            if action == "register.start_agreed":
                changes["agreed_start"] = [None, r.agreed_start.isoformat()]
            elif action == "register.completed":
                changes["goals_reached"] = [None, r.goals_reached]
            elif action == "register.declined" and r.comment:
                changes["comment"] = ["", r.comment]
            add(
                day,
                10 if field_name != "started_on" else 8,
                actor_of.get(action, receiving),
                action,
                changes,
            )
        if r.cancelled_on is not None:
            add(
                r.cancelled_on,
                13,
                sending,
                "register.cancelled",
                {
                    "status": [Status.FORWARDED, Status.CANCELLED],
                    "cancelled_on": [None, r.cancelled_on.isoformat()],
                    "comment": ["", r.comment],
                },
            )
    insert_events(events)
    return len(events)
