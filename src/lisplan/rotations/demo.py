"""Collaboration agreements, the register (fiktiv enhet), requests in every state and a vacancy
for the demo region.

`load_rotation_demo(seed=S, today=D)` runs after the demo trainees, employments and plans are
written (`lisplan.demo.generator.load_demo`). It reads them back in primary-key order (the
insertion order, so the same seed and N give the same result) and decides everything from its
own `random.Random(seed)`, then writes with `bulk_create`: no notifications, but every row is one
the services could have produced (seed 003; design/domain.md § 6), and every request's history
has the audit events of the steps it went through (`write_audit`, as `demo.plans` does):

* agreements between the Helse Nord trusts (the smaller trusts send to UNN and Nordlandssykehuset,
  the larger ones to the local hospitals), with the receiving department as arena, some of the
  specialty's goals, normed durations of 2–12 months, capacities of 1–4 at one time, some with
  start months or a semester quota; and a few with trusts in other regions (OUS, Helse Bergen —
  1 LIS per spring semester in plastic surgery —, St. Olavs), which are outside the system;
  about half of those within Helse Nord require learning goals before start (prerequisites,
  shown met / expected / missing from the progress demo's approvals and agreed periods); the
  demo plans' periods at a partner are linked to the matching agreement (`demo.plans`);
* a register entry per qualifying employment (permanent, or temporary for 6 months or more);
* requests in every state: only permanent employees are offered, accept or decline, start or
  complete; a trainee has open requests at one receiving institution at a time (here: at most
  one open request); `forwarded_on` gives the seniority; periods under 3 months are flagged
  refunded; every agreed start passes the agreement's rules (`ranking.start_problem`: validity,
  start months, semester quota, capacity at one time), so occupied capacity never exceeds it;
* the personas: `trainee` has a forwarded wish to Nordlandssykehuset with others in the queue;
  `local_coordinator` (UNN) has wishes to forward and requests forwarded to UNN; `leader`
  (Ortopedisk avdeling, UNN) has an open vacancy with candidates; `regional_coordinator` sees a
  conflict between trusts over UNN's orthopaedic places next semester.

`clear_rotations()` deletes all of it; the generator calls it before deleting demo trainees.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

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
HOME = ("UNN", "ORT")  # the demo trainee, leader and conflict

STATUS_WEIGHTS = {
    Status.NEED: 9,
    Status.WISH: 11,
    Status.FORWARDED: 26,
    Status.OFFERED: 5,
    Status.ACCEPTED: 4,
    Status.DECLINED: 3,
    Status.START_AGREED: 9,
    Status.IN_PROGRESS: 11,
    Status.COMPLETED: 14,
    Status.CANCELLED: 8,
}
PERMANENT_ONLY = {
    Status.OFFERED,
    Status.ACCEPTED,
    Status.DECLINED,
    Status.START_AGREED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
}
PLACED = (Status.START_AGREED, Status.IN_PROGRESS, Status.COMPLETED)
CANCEL_REASONS = [
    "Legen har fått fast stilling i et annet foretak.",
    "Læringsmålene oppnås i eget foretak etter omorganisering.",
    "Byttet ønske til et annet foretak.",
    "Foreldrepermisjon: nytt ønske meldes senere.",
]
DECLINE_COMMENTS = ["Familiesituasjonen gjør det vanskelig nå.", "Ønsker senere oppstart.", ""]


@dataclass
class Emp:
    trainee: int
    institution: int
    code: str  # institution code
    specialty: int
    spec: str  # specialty code
    permanent: bool
    start: dt.date


@dataclass
class RotationDemoResult:
    agreements: int = 0
    register_entries: int = 0
    requests: Counter = field(default_factory=Counter)
    vacancies: int = 0
    prerequisites: int = 0  # agreements with learning goals required before start
    plan_links: int = 0  # plan periods linked to their agreement
    audit_events: int = 0  # the requests' life-cycle steps (`write_audit`)


def clear_rotations() -> None:
    """Delete the demo's vacancies, requests, register entries and agreements (before the demo
    trainees and arenas they point to)."""
    requests = RotationRequest.objects.filter(Q(demo=True) | Q(trainee__demo=True))
    Vacancy.objects.filter(Q(arena__leader__demo=True) | Q(selected__in=requests)).delete()
    requests.exclude(extends=None).update(extends=None)
    # bandit B113 misreads this queryset of rotation requests as the HTTP library
    requests.delete()  # nosec B113
    RegisterEntry.objects.filter(trainee__demo=True).delete()
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


def _first(day: dt.date) -> dt.date:
    return day.replace(day=1)


class RotationPlanner:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(seed * 7 + 3)
        self.today = today
        self.requests: list[RotationRequest] = []
        self.busy: set[int] = set()  # trainees with an open request
        self.placed: dict[int, list[ranking.Period]] = defaultdict(list)  # agreement → periods
        self.rank: Counter = Counter()

    # -- dates --
    def between(self, low: dt.date, high: dt.date) -> dt.date:
        if high <= low:
            return low
        return low + dt.timedelta(days=self.rng.randint(0, (high - low).days))

    def steps(self, emp: Emp, n: int, earliest_days: int = 900) -> list[dt.date]:
        """n increasing dates, the first on or after the employment start, all before today."""
        low = max(emp.start, self.today - dt.timedelta(days=earliest_days))
        first = self.between(low, self.today - dt.timedelta(days=10 * n))
        out = [first]
        for _ in range(n - 1):
            out.append(self.between(out[-1], min(out[-1] + dt.timedelta(days=90), self.today)))
        return out

    def desired(
        self, agreement: CollaborationAgreement, ahead: tuple[int, int] = (2, 24)
    ) -> dt.date:
        start = add_months(_first(self.today), self.rng.randint(*ahead))
        for _ in range(12):
            if agreement.allows_start(start):
                break
            start = add_months(start, 1)
        return start

    # -- placing a period under the agreement's rules --
    def place(
        self, agreement: CollaborationAgreement, status: str, earliest: dt.date
    ) -> dt.date | None:
        months = agreement.duration_months
        this = _first(self.today)
        rules = ranking.AgreementRules(
            capacity=agreement.capacity,
            start_months=tuple(agreement.start_months or ()),
            valid_from=agreement.valid_from,
            valid_to=agreement.valid_to,
            semester_quota=agreement.semester_quota,
            quota_semester=agreement.quota_semester,
        )
        for _ in range(12):
            if status == Status.START_AGREED:
                start = add_months(this, self.rng.randint(1, 18))
            elif status == Status.IN_PROGRESS:
                start = add_months(this, -self.rng.randint(0, months - 1))
            else:
                start = add_months(this, -self.rng.randint(months, months + 36))
            if start < earliest:  # not before the employment began
                continue
            if ranking.start_problem(rules, start, months, self.placed[agreement.pk]) is None:
                self.placed[agreement.pk].append(ranking.Period(start, months))
                return start
        return None

    # -- one request --
    def request(
        self,
        emp: Emp,
        agreement: CollaborationAgreement,
        status: str,
        arena_id: int | None,
        *,
        forwarded_on: dt.date | None = None,
        fallback: str = Status.FORWARDED,
    ) -> RotationRequest | None:
        """`fallback`: the status when `status` is not possible (a temporary employee, or no
        room under the agreement)."""
        if status in PERMANENT_ONLY and not emp.permanent:
            status = fallback
        agreed = None
        if status in PLACED:
            agreed = self.place(agreement, status, emp.start)
            if agreed is None:  # no room under the agreement
                status = fallback
        months = agreement.duration_months
        r = RotationRequest(
            trainee_id=emp.trainee,
            sending_id=emp.institution,
            receiving_id=agreement.receiving_id,
            specialty_id=emp.specialty,
            agreement=agreement,
            arena_id=arena_id,
            duration_months=months,
            status=status,
            refunded_by_employer=months < REFUND_BELOW_MONTHS,
            demo=True,
            source=RotationRequest.Source.MANUAL,  # not linked to the demo plans' periods
            desired_start=agreed or self.desired(agreement),
            agreed_start=agreed,
        )
        if status == Status.NEED:
            r.need_on = self.steps(emp, 1, 300)[0]
        elif status == Status.WISH:
            r.need_on, r.wish_on = self.steps(emp, 2, 300)
        elif status in (Status.FORWARDED, Status.CANCELLED):
            r.need_on, r.wish_on, r.forwarded_on = self.steps(emp, 3)
            if forwarded_on is not None:
                r.forwarded_on = forwarded_on
                r.wish_on = min(r.wish_on, forwarded_on)
                r.need_on = min(r.need_on, r.wish_on)
            if status == Status.CANCELLED:
                r.cancelled_on = self.between(r.forwarded_on, self.today)
                r.comment = self.rng.choice(CANCEL_REASONS)
        elif status in (Status.OFFERED, Status.ACCEPTED, Status.DECLINED):
            dates = self.steps(emp, 4 if status == Status.OFFERED else 5)
            r.need_on, r.wish_on, r.forwarded_on, r.offered_on = dates[:4]
            if status != Status.OFFERED:
                r.answered_on = dates[4]
            if status == Status.DECLINED:
                r.comment = self.rng.choice(DECLINE_COMMENTS)
        else:  # placed: every step before the agreed start
            last = min(self.today, agreed - dt.timedelta(days=14))
            low = max(emp.start, agreed - dt.timedelta(days=700))
            if last < low:
                low = last - dt.timedelta(days=60)  # the employment began just before
            dates = sorted(self.between(low, last) for _ in range(6))
            (
                r.need_on,
                r.wish_on,
                r.forwarded_on,
                r.offered_on,
                r.answered_on,
                r.start_agreed_on,
            ) = dates
            if status in (Status.IN_PROGRESS, Status.COMPLETED):
                r.started_on = agreed
            if status == Status.COMPLETED:
                r.completed_on = r.end
                r.goals_reached = self.rng.random() > 0.08
        if status in (Status.FORWARDED, Status.OFFERED) and self.rng.random() < 0.3:
            key = (emp.institution, agreement.receiving_id, emp.specialty)
            self.rank[key] += 1
            r.sending_rank = self.rank[key]
        self.requests.append(r)
        if status not in (Status.COMPLETED, Status.CANCELLED, Status.DECLINED):
            self.busy.add(emp.trainee)
        return r


@transaction.atomic
def load_rotation_demo(*, seed: int, today: dt.date) -> RotationDemoResult:
    from lisplan.accounts.models import User
    from lisplan.catalogue.models import LearningGoal, Specialty
    from lisplan.organisations.models import Institution, LearningArena
    from lisplan.trainees.models import Employment, Trainee

    clear_rotations()
    result = RotationDemoResult()
    p = RotationPlanner(seed, today)
    rng = p.rng
    institutions = {
        i.code: i
        for i in Institution.objects.filter(code__in=[*NORD, *(c for c, _s in CROSS_REGION)])
    }
    specialties = dict(Specialty.objects.values_list("code", "id"))
    departments = {
        (a.institution.code, a.specialty.code): a
        for a in LearningArena.objects.filter(
            level=LearningArena.Level.DEPARTMENT,
            leader__demo=True,
            institution__code__in=NORD,
            specialty__isnull=False,
        )
        .select_related("institution", "specialty")
        .order_by("pk")
    }

    # -- the register: an entry per qualifying, current employment --
    codes = {i.pk: c for c, i in institutions.items()}
    spec_codes = {v: k for k, v in specialties.items()}
    emps: list[Emp] = []
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
        if e.institution_id in codes:
            emps.append(
                Emp(
                    e.trainee_id,
                    e.institution_id,
                    codes[e.institution_id],
                    e.specialty_id,
                    spec_codes[e.specialty_id],
                    e.permanent,
                    e.start,
                )
            )
    RegisterEntry.objects.bulk_create(entries.values(), batch_size=1000)
    result.register_entries = len(entries)

    # -- agreements --
    trained = {(x.code, x.spec) for x in emps}
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
        wanted += [
            ("UNN", receiving, s) for s in specs if s in specialties and receiving in institutions
        ]
    goals_of: dict[int, list[int]] = defaultdict(list)
    for pk, spec in (
        LearningGoal.objects.filter(
            specialty_id__in={specialties[s] for _a, _b, s in wanted}, common=False
        )
        .order_by("code", "pk")
        .values_list("pk", "specialty_id")
    ):
        goals_of[spec].append(pk)
    agreements, arena_rows, goal_rows = [], [], []
    covered: dict[int, set[int]] = defaultdict(set)
    Arenas = CollaborationAgreement.arenas.through
    Goals = CollaborationAgreement.goals.through
    for sending, receiving, spec in wanted:
        fixed = (sending, receiving, spec) in FIXED
        cross = receiving not in NORD
        duration = rng.choices([2, 3, 6, 12], weights=[1, 3, 6, 2])[0]
        a = CollaborationAgreement(
            sending=institutions[sending],
            receiving=institutions[receiving],
            specialty_id=specialties[spec],
            demo=True,
            duration_months=6 if fixed else duration,
            capacity=1 if fixed or cross else rng.choices([1, 2, 3, 4], weights=[4, 4, 2, 1])[0],
            start_months=[] if fixed else rng.choice([[], [], [], [2, 8], [1, 7], [3, 9]]),
            valid_from=dt.date(today.year - rng.randint(2, 5), 1, 1),
            valid_to=None
            if fixed or rng.random() < 0.8
            else dt.date(today.year + rng.randint(1, 3), 12, 31),
            reference=f"FA-{sending}-{receiving}-{spec}",
        )
        if receiving == "HB":  # seed 003: one trainee per spring semester
            a.semester_quota, a.quota_semester, a.start_months = 1, "spring", [2]
        elif cross:
            a.notes = "Skjema sendes av lokal koordinator til regional LIS-koordinator."
        agreements.append(a)
    CollaborationAgreement.objects.bulk_create(agreements, batch_size=500)
    for a in agreements:
        dept = departments.get((a.receiving.code, spec_codes[a.specialty_id]))
        if dept is not None:
            arena_rows.append(Arenas(collaborationagreement_id=a.pk, learningarena_id=dept.pk))
        pool = goals_of.get(a.specialty_id, [])
        for g in rng.sample(pool, min(len(pool), rng.randint(3, 8))):
            goal_rows.append(Goals(collaborationagreement_id=a.pk, learninggoal_id=g))
            covered[a.pk].add(g)
    Arenas.objects.bulk_create(arena_rows, batch_size=1000)
    Goals.objects.bulk_create(goal_rows, batch_size=1000)
    result.prerequisites = _prerequisites(agreements, covered, goals_of, seed)
    result.agreements = len(agreements)
    from lisplan.demo.plans import link_agreements

    result.plan_links = link_agreements(agreements)

    out_of: dict[tuple[int, int], list[CollaborationAgreement]] = defaultdict(list)
    for a in agreements:
        out_of[(a.sending_id, a.specialty_id)].append(a)
    by_key = {(a.sending.code, a.receiving.code, spec_codes[a.specialty_id]): a for a in agreements}

    def arena_for(a: CollaborationAgreement) -> int | None:
        dept = departments.get((a.receiving.code, spec_codes[a.specialty_id]))
        return dept.pk if dept is not None and rng.random() < 0.7 else None

    # -- the personas (first, so the random requests keep clear of them) --
    demo_trainee = Trainee.objects.filter(demo=True, user__username="trainee").first()
    me = next(
        (
            x
            for x in emps
            if demo_trainee and x.trainee == demo_trainee.pk and (x.code, x.spec) == HOME
        ),
        None,
    )
    home_ort = [x for x in emps if x.spec == HOME[1] and x is not me]
    rng.shuffle(home_ort)
    nlsh_queue = by_key.get(("UNN", "NLSH", "ORT"))
    if me is not None and nlsh_queue is not None:
        # Two in front of the demo trainee, two behind: a visible place in the queue.
        others = [
            x
            for x in home_ort
            if x.code in ("UNN", "FIN", "HSYK") and (x.code, "NLSH", "ORT") in by_key
        ][:4]
        for i, x in enumerate(others):
            p.request(
                x,
                by_key[(x.code, "NLSH", "ORT")],
                Status.FORWARDED,
                None,
                forwarded_on=today - dt.timedelta(days=400 - 150 * i),
            )
        p.request(
            me,
            nlsh_queue,
            Status.FORWARDED,
            arena_for(nlsh_queue),
            forwarded_on=today - dt.timedelta(days=200),
        )
    # The conflict over UNN's orthopaedic places next semester (and the leader's candidates).
    semester_start = (
        dt.date(today.year, 7, 1) if today.month <= 6 else dt.date(today.year + 1, 1, 1)
    )
    into_home = [a for k, a in by_key.items() if k[1:] == HOME]
    places = sum(a.capacity for a in into_home)
    contenders = [
        x
        for x in home_ort
        if x.code != "UNN" and x.trainee not in p.busy and (x.code, *HOME) in by_key
    ]
    picked: list[Emp] = []
    for x in sorted(contenders, key=lambda x: x.code):  # every trust in turn
        if len(picked) < places + 2 and x.code not in {y.code for y in picked}:
            picked.append(x)
    picked += [x for x in contenders if x not in picked][: max(0, places + 2 - len(picked))]
    dept_home = departments.get(HOME)
    for i, x in enumerate(picked):
        r = p.request(
            x,
            by_key[(x.code, *HOME)],
            Status.FORWARDED,
            dept_home.pk if dept_home and i % 2 else None,
            forwarded_on=today - dt.timedelta(days=30 + 45 * i),
        )
        r.desired_start = add_months(semester_start, i % 3)
    # Wishes for UNN's coordinator to forward.
    for x in [
        x
        for x in emps
        if x.code == "UNN"
        and x.trainee not in p.busy
        and out_of.get((x.institution, x.specialty))
        and x is not me
    ][:6]:
        p.request(x, rng.choice(out_of[(x.institution, x.specialty)]), Status.WISH, None)

    # -- requests in every state --
    for x in emps:
        if x.trainee in p.busy or (demo_trainee and x.trainee == demo_trainee.pk):
            continue
        options = [
            a
            for a in out_of.get((x.institution, x.specialty), [])
            if (a.receiving.code, x.spec) != HOME
        ]  # UNN ORT: the crafted conflict only
        if not options:
            continue
        statuses = dict(STATUS_WEIGHTS)
        if rng.random() < 0.12:  # an earlier period, completed or cancelled
            a = rng.choice(options)
            p.request(
                x,
                a,
                rng.choice([Status.COMPLETED, Status.COMPLETED, Status.CANCELLED]),
                arena_for(a),
                fallback=Status.CANCELLED,
            )
            statuses = {s: w for s, w in statuses.items() if s not in PLACED}
        if rng.random() < 0.45 and x.trainee not in p.busy:
            status = rng.choices(list(statuses), weights=list(statuses.values()))[0]
            a = rng.choice(options)
            p.request(x, a, status, arena_for(a))
    RotationRequest.objects.bulk_create(p.requests, batch_size=1000)
    result.requests = Counter(r.status for r in p.requests)
    result.audit_events = write_audit(p.requests, institutions, specialties)
    result.prerequisites += _expected_prerequisites(p.requests, covered, today)

    # -- the leader's open vacancy at Ortopedisk avdeling, UNN --
    leader = User.objects.filter(username="leader", demo=True).first()
    if dept_home is not None:
        Vacancy.objects.create(
            institution=dept_home.institution,
            arena=dept_home,
            specialty=dept_home.specialty,
            start_from=add_months(semester_start, -1),
            start_to=add_months(semester_start, 3),
            duration_months=6,
            opened_by=leader,
            comment="Ledig gjennomstrømningsstilling fra neste semester.",
        )
        result.vacancies = 1
    with connection.cursor() as cursor:
        for model in (CollaborationAgreement, RegisterEntry, RotationRequest):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return result


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
