"""Implementation plans for the demo region, in every state of the workflow.

`plan_plans(planner, seed)` decides, in plain Python and from its own seeded generator (so the
rest of the demo is unchanged by it), which plan each demo trainee has: most permanent
employments an approved plan (often with earlier revisions superseded), some in draft (a few
returned with a comment), awaiting signatures, awaiting approval, expiring within 60 days,
expired, in revision (approved + a newer revision in progress), and some missing. It also gives
every demo trainee a user account (unusable password), since the trainee signs the plan.

`write_plans(...)` writes the result with `bulk_create`, directly rather than through
`lisplan.plans.services` (which take a lock and write audit events per action), but every row
is one the services could have produced:

* the content passes `rules.check_plan` (no overlaps; periods inside a temporary employment);
* signatures are by the trainee's user and by the leader of the trainee's department (the
  arena's leader, or for a section the leader of its department);
* `approved_by` is the employer's local coordinator, `valid_until` = approval + 12 months;
* an approved revision followed by a newer approved one is `superseded`; at most one revision
  per plan is approved, and only the newest revision is in progress;
* periods at partner trusts in Helse Nord carry the partner's department as arena.

The key steps of every revision (created or revised, submitted, signed, sent for approval,
approved, superseded, returned) are written as audit events in bulk with their own past times
(`write_audit`; `request_id` "demo", the actor by name only, since demo users are replaced on
the next run: `demo.audit`), so a plan's history is not empty.

A period at a partner is chosen among the employer's collaboration agreements in the specialty
(planned first, `rotations.demo.plan_agreements`): valid when it starts, of the agreement's
normed length, in its start months, and — when it will have started within a year — within
its capacity; the period links the agreement (issue #12 item 8). The rotation requests then
follow the approved revision's periods (`rotations.demo.load_rotation_demo`).

The demo personas get fixed states: `trainee` has an approved plan (revision 2, revision 1
superseded) with revision 3 in draft; `leader` has plans of their department to sign;
`local_coordinator` (UNN) has several plans to approve.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone

from lisplan.accounts.models import Role
from lisplan.demo.audit import clear_events, event, insert_events
from lisplan.demo.bulk import insert_objects
from lisplan.organisations.models import LearningArena
from lisplan.plans import rules
from lisplan.plans.models import ImplementationPlan, Period, Revision, Signature, Status

# States of a demo trainee's plan, with their weights among employments that need a plan.
APPROVED = "approved"
EXPIRING = "expiring"
EXPIRED = "expired"
REVISION_DRAFT = "revision_draft"
REVISION_SIGNING = "revision_signing"
REVISION_APPROVAL = "revision_approval"
DRAFT = "draft"
RETURNED = "returned"
SIGNING = "signing"
APPROVAL = "approval"
MISSING = "missing"
STATE_WEIGHTS = {
    APPROVED: 58,
    EXPIRING: 6,
    EXPIRED: 5,
    REVISION_DRAFT: 5,
    REVISION_SIGNING: 1.5,
    REVISION_APPROVAL: 1.5,
    DRAFT: 4,
    RETURNED: 1,
    SIGNING: 5,
    APPROVAL: 5,
    MISSING: 8,
}
STATES = list(STATE_WEIGHTS)
IN_REVISION = {
    REVISION_DRAFT: Status.DRAFT,
    REVISION_SIGNING: Status.AWAITING_SIGNATURES,
    REVISION_APPROVAL: Status.AWAITING_APPROVAL,
}
FIRST = {
    DRAFT: Status.DRAFT,
    RETURNED: Status.DRAFT,
    SIGNING: Status.AWAITING_SIGNATURES,
    APPROVAL: Status.AWAITING_APPROVAL,
}

EARLY = dt.timedelta(days=14)  # a plan may be made up to two weeks before the employment starts
RETURN_COMMENTS = [
    "Periodene hos samarbeidsforetaket mangler kontaktperson. Avklar med mottakende avdeling.",
    "Beregnet tidsrom stemmer ikke med stillingsprosenten. Juster sluttdatoen.",
    "Planen må vise når spesialiseringsperioden hos samarbeidsforetaket skal være.",
]
LEAVE_REMARK = "Planen er justert for permisjon fra {start:%d.%m.%Y}."
REVISION_REMARK = "Revidert: spesialiseringsperioden hos samarbeidsforetaket er flyttet."


@dataclass
class PPeriod:
    institution: str
    arena: str | None
    start: dt.date
    end: dt.date
    service_place: str = ""
    contact_person: str = ""
    agreement: tuple[str, str, str] | None = None  # PAgreement.key


@dataclass
class PSignature:
    role: str
    user: str
    at: dt.datetime


@dataclass
class PRevision:
    number: int
    status: str
    created: dt.datetime
    created_by: str
    periods: list[PPeriod]
    remarks: str = ""
    submitted: dt.datetime | None = None
    signatures: list[PSignature] = field(default_factory=list)
    approved: dt.datetime | None = None
    approved_by: str | None = None
    return_comment: str = ""
    version: int = 1

    @property
    def updated(self) -> dt.datetime:
        times = [self.created, self.submitted, self.approved, *(s.at for s in self.signatures)]
        return max(t for t in times if t is not None)


@dataclass
class PPlan:
    trainee: int  # index into planner.trainees
    state: str
    employment: object  # the PEmployment
    estimated_start: dt.date
    estimated_end: dt.date
    credit_old_scheme: int | None
    revisions: list[PRevision] = field(default_factory=list)


def _at(day: dt.date, rng: random.Random, hour: int | None = None) -> dt.datetime:
    hour = rng.randint(8, 15) if hour is None else hour
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59))))


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, max(low, high)))


class PlanPlanner:
    def __init__(self, planner, seed: int, agreements=()):
        from lisplan.demo.generator import NORD_MUNICIPALITIES, NORD_TRUSTS

        self.p = planner
        self.out_of: dict[tuple[str, str], list] = {}  # (sending, specialty) → agreements
        for a in agreements:
            self.out_of.setdefault((a.sending, a.spec), []).append(a)
        self.story: dict[int, tuple] = {}  # trainee index → (agreement, start)
        self.forwarded: dict[int, dt.date] = {}  # trainee index → forwarding day
        self.windows: dict[int, tuple[dt.date, dt.date, int | None]] = {}
        self.rng = random.Random(seed * 31 + 7)
        self.today = planner.today
        self.last = self.today - dt.timedelta(days=1)  # nothing happens today or later
        self.trusts = {t.code: t for t in NORD_TRUSTS}
        self.municipalities = {m.code for m in NORD_MUNICIPALITIES}
        self.approved = set(planner.approvals)
        self.coordinators = {
            scope["institution"]: u.key
            for u in planner.users.values()
            for role, scope in u.roles
            if role == Role.LOCAL_COORDINATOR
        }

    # -- who --
    def leader(self, arena_key: str) -> str:
        """The leader with personnel responsibility: the department's (a section's parent)."""
        arena = self.p.arenas[arena_key]
        if arena.level == LearningArena.Level.SECTION and arena.parent:
            arena = self.p.arenas[arena.parent]
        return arena.leader

    def add_trainee_users(self) -> None:
        """Every demo trainee gets a user account (unusable password) to sign plans with."""
        from lisplan.demo.generator import PUser

        for t, *_ in self.p.trainees:
            if t.user is None:
                key = f"trainee:{t.hpr}"
                self.p.users[key] = PUser(
                    key,
                    self.p.username(t.first_name, t.last_name),
                    t.first_name,
                    t.last_name,
                    t.email,
                    roles=[(Role.TRAINEE, {})],
                )
                t.user = key

    # -- when --
    def states(self) -> list[str | None]:
        """One state per trainee (None: no plan needed), personas first, then by weight."""
        out: list[str | None] = []
        weights = list(STATE_WEIGHTS.values())
        for t, *_ in self.p.trainees:
            e = t.employments[-1]
            if not rules.plan_required(e.permanent, e.start, e.end):
                out.append(None)
            else:
                out.append(self.rng.choices(STATES, weights=weights)[0])
        self.force_personas(out)
        return out

    def force_personas(self, out: list[str | None]) -> None:
        from lisplan.demo.generator import DEMO_HOME

        out[0] = REVISION_DRAFT  # `trainee`
        home_inst, home_spec = DEMO_HOME
        department = f"{home_inst}/{home_spec}"
        led = [
            i
            for i, (_t, inst, spec, arena) in enumerate(self.p.trainees)
            if i and out[i] and (arena == department or arena.startswith(department + "/"))
        ]
        for i, state in zip(led, [SIGNING, REVISION_SIGNING, SIGNING], strict=False):
            out[i] = state  # to sign for `leader`
        home = [
            i
            for i, (_t, inst, *_rest) in enumerate(self.p.trainees)
            if i and out[i] and inst == home_inst and i not in led[:3]
        ]
        for i in home[:4]:
            out[i] = APPROVAL  # to approve for `local_coordinator`
        if len(home) > 4:
            out[home[4]] = REVISION_APPROVAL

    # -- what --
    def window(self, e) -> tuple[dt.date, dt.date, int | None]:
        """The estimated period of the specialization, and old-scheme credit when converting."""
        months = 60 * 100 // e.percent
        credit = None
        if e.scheme == "old":
            credit = self.rng.choice([6, 12, 18, 24, 30, 36])
            months -= credit
        end = rules.add_months(e.start, months) - dt.timedelta(days=1)
        soon = rules.add_months(self.today, self.rng.randint(6, 18))
        return e.start, max(end, soon), credit

    def partner(self, inst: str, spec: str):
        """One of the employer's agreements in the specialty (ALIS: the municipality's on
        institution service), or None; UNN's orthopaedic places are the crafted conflict's only (`plan_story`)."""
        from lisplan.rotations.demo import HOME

        municipal = inst in self.municipalities
        options = [a for a in self.out_of.get((inst, spec), []) if (a.receiving, a.spec) != HOME]
        chance = 0.5 if municipal else {"UNN": 0.35, "NLSH": 0.6}.get(inst, 0.85)
        if not options or self.rng.random() >= chance:
            return None
        unn = [a for a in options if a.receiving == "UNN"]
        if inst != "UNN" and unn and self.rng.random() < 0.8:
            return unn[0]
        return self.rng.choice(options)

    def slot(self, a, e, start: dt.date, last: dt.date, at: dt.date | None = None):
        """(start, end) of a period under agreement `a` inside the plan (after the first two
        months, before the last one), from the 1st of a month 12–36 months in (or `at`): the
        agreement's normed length, start months and validity; a temporary employee's only in
        the future (not offered before, seed 003); one that will have started within a year
        placed under the agreement's capacity, else one later than that (waiting in the
        queue). None when nothing fits."""
        from lisplan.rotations.demo import PLACED_WITHIN

        if at is None:
            first = rules.add_months(start.replace(day=1), self.rng.randint(12, 36))
            tries = [rules.add_months(first, k) for k in range(12)]
            # No room under the capacity then: the period comes later, still to be placed
            # (the trainee waits in the receiving trust's queue).
            later = rules.add_months(self.today.replace(day=1), PLACED_WITHIN)
            later = rules.add_months(later, self.rng.randint(0, 12))
            tries += [rules.add_months(later, k) for k in range(12)]
        else:
            tries = [at]
        for s in tries:
            end = rules.add_months(s, a.duration) - dt.timedelta(days=1)
            if s <= start + dt.timedelta(days=60) or end >= last - dt.timedelta(days=30):
                continue
            if not a.fits(s, end):
                continue
            if not e.permanent and s <= self.today + dt.timedelta(days=60):
                continue
            placed = e.permanent and s < rules.add_months(self.today, PLACED_WITHIN)
            if at is None and placed and not a.place(s):
                continue
            return s, end
        return None

    def later(self, a, slot, last: dt.date):
        """The period moved by a newer revision: 3–14 months later, still under `a`."""
        for k in range(3, 15):
            s = rules.add_months(slot[0], k)
            end = rules.add_months(s, a.duration) - dt.timedelta(days=1)
            if end < last - dt.timedelta(days=30) and a.fits(s, end):
                return s, end
        return None

    def earlier(self, a, slot, start: dt.date):
        """Where an earlier revision had the period: 2–6 months before `slot`, still ahead
        today (so its request could be cancelled), under `a`."""
        for k in range(2, 7):
            s = rules.add_months(slot[0], -k)
            end = rules.add_months(s, a.duration) - dt.timedelta(days=1)
            if s <= self.today + dt.timedelta(days=30) or s <= start + dt.timedelta(days=60):
                return None
            if a.fits(s, end):
                return s, end
        return None

    def partner_arena(self, a) -> str | None:
        return a.arena if a.arena in self.p.arenas else None

    def site(self, inst: str) -> str:
        trust = self.trusts.get(inst)
        if trust is None or len(trust.sites) < 2:
            return ""
        return trust.sites[0] if self.rng.random() < 0.7 else self.rng.choice(trust.sites[1:])

    def contact(self) -> str:
        from lisplan.demo.generator import FIRST_NAMES, LAST_NAMES

        if self.rng.random() < 0.4:
            return ""
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def periods(self, e, arena: str, start: dt.date, end: dt.date, a, slot) -> list[PPeriod]:
        """Main employer before and after an optional period at a partner under agreement `a`
        (`slot`); inside a temporary employment, and never overlapping."""
        last = self.last_day(e, end)
        place = self.site(e.institution)
        if slot is None:
            return [PPeriod(e.institution, arena, start, last, place)]
        p_start, p_end = slot
        trust = self.trusts.get(a.receiving)
        return [
            PPeriod(e.institution, arena, start, p_start - dt.timedelta(days=1), place),
            PPeriod(
                a.receiving,
                self.partner_arena(a),
                p_start,
                p_end,
                trust.sites[0] if trust and trust.sites else "",
                self.contact(),
                a.key,
            ),
            PPeriod(e.institution, arena, p_end + dt.timedelta(days=1), last, place),
        ]

    @staticmethod
    def last_day(e, end: dt.date) -> dt.date:
        return min(end, e.end) if e.end else end

    # -- the revisions --
    def signed(
        self,
        day: dt.date,
        trainee: str,
        leader: str,
        which=("trainee", "leader"),
    ) -> tuple[dt.datetime, list[PSignature]]:
        """Submitted on `day`, then signed by `which` within two days (not after today)."""
        submitted = _at(day, self.rng, hour=9)
        signatures = []
        for role in which:
            at = min(
                submitted + _days(self.rng, 0, 2) + dt.timedelta(hours=self.rng.randint(1, 6)),
                _at(self.last, self.rng, hour=16),
            )
            at = max(at, submitted + dt.timedelta(minutes=5))
            user = trainee if role == "trainee" else leader
            signatures.append(PSignature(role, user, at))
        return submitted, signatures

    def approved_revision(
        self,
        number: int,
        on: dt.date,
        status: str,
        trainee: str,
        leader: str,
        coordinator: str,
        periods: list[PPeriod],
        remarks: str,
    ) -> PRevision:
        created = _at(on - _days(self.rng, 10, 40), self.rng)
        submitted, signatures = self.signed(on - _days(self.rng, 3, 7), trainee, leader)
        approved = max(_at(on, self.rng, hour=14), *(s.at for s in signatures))
        return PRevision(
            number,
            status,
            created,
            self.rng.choice([trainee, leader]),
            periods,
            remarks,
            submitted,
            signatures,
            approved,
            coordinator,
            version=5,
        )

    def in_progress(
        self,
        number: int,
        status: str,
        not_before: dt.date,
        trainee: str,
        leader: str,
        periods: list[PPeriod],
        remarks: str,
        returned: bool = False,
    ) -> PRevision:
        """A revision in draft, awaiting signatures (0 or 1 given) or awaiting approval."""
        lead = (self.last - not_before).days
        created_day = max(self.last - _days(self.rng, 0, min(45, lead)), not_before)
        rev = PRevision(
            number,
            status,
            _at(created_day, self.rng, hour=8),
            self.rng.choice([trainee, leader]),
            periods,
            remarks,
        )
        if returned:
            rev.return_comment = self.rng.choice(RETURN_COMMENTS)
            rev.version = 4
        if status == Status.DRAFT:
            return rev
        day = created_day + _days(self.rng, 0, (self.last - created_day).days)
        which = (
            ("trainee", "leader")
            if status == Status.AWAITING_APPROVAL
            else self.rng.choice([(), (), ("trainee",), ("leader",)])
        )
        rev.submitted, rev.signatures = self.signed(day, trainee, leader, which)
        rev.submitted = max(rev.submitted, rev.created + dt.timedelta(minutes=30))
        for s in rev.signatures:
            s.at = max(s.at, rev.submitted + dt.timedelta(minutes=5))
        rev.version = 2 + len(rev.signatures)
        return rev

    def approval_day(self, state: str, start: dt.date) -> dt.date | None:
        """When the valid (or last) approval was, for the state; None when impossible."""
        year_ago = rules.add_months(self.today, -rules.APPROVAL_VALID_MONTHS)
        first = start - EARLY
        if state == EXPIRED:
            day = year_ago - _days(self.rng, 1, 200)
        elif state == EXPIRING:
            day = year_ago + _days(self.rng, 0, rules.EXPIRY_WARNING_DAYS - 1)
        else:  # valid beyond the warning
            low = max(first, year_ago + dt.timedelta(days=rules.EXPIRY_WARNING_DAYS + 1))
            day = low + _days(self.rng, 0, (self.last - dt.timedelta(days=1) - low).days)
        return day if first <= day < self.last else None

    def plan_one(self, index: int, state: str) -> PPlan | None:
        t, inst, spec, arena = self.p.trainees[index]
        e = t.employments[-1]
        trainee, leader = t.user, self.leader(arena)
        coordinator = self.coordinators[inst]
        start, end, credit = self.windows[index]
        plan = PPlan(index, state, e, start, end, credit)
        last = self.last_day(e, end)
        forced = self.story.get(index)
        if forced is not None:
            a, slot = forced[0], (forced[1], forced[2])
        else:
            a = self.partner(inst, spec)
            slot = self.slot(a, e, start, last) if a is not None else None
        periods = self.periods(e, arena, start, end, a, slot)
        remarks = LEAVE_REMARK.format(start=t.leave[0][1]) if t.leave else ""

        if state in FIRST:
            status = FIRST[state]
            plan.revisions.append(
                self.in_progress(
                    1,
                    status,
                    e.start - EARLY,
                    trainee,
                    leader,
                    periods,
                    remarks,
                    returned=state == RETURNED,
                )
            )
            return plan
        day = self.approval_day(state, e.start)
        if day is None:  # employment too recent for an expired or expiring plan
            state = plan.state = APPROVED
            day = self.approval_day(state, e.start)
        if day is None:
            return None
        # Earlier approvals, about a year apart, superseded by the later ones.
        days = [day]
        while len(days) < 3 and self.rng.random() < 0.6:
            earlier = days[0] - _days(self.rng, 300, 365)
            if earlier < e.start - EARLY:
                break
            days.insert(0, earlier)
        # Sometimes the newest approval moved the period at the partner later: the request
        # the earlier revision made is cancelled (`rotations.services.sync_from_plan`).
        earlier = None
        if len(days) > 1 and slot is not None and forced is None and self.rng.random() < 0.5:
            earlier = self.earlier(a, slot, start)
        before = self.periods(e, arena, start, end, a, earlier) if earlier else periods
        for n, on in enumerate(days, start=1):
            status = Status.APPROVED if n == len(days) else Status.SUPERSEDED
            plan.revisions.append(
                self.approved_revision(
                    n,
                    on,
                    status,
                    trainee,
                    leader,
                    coordinator,
                    periods if n == len(days) else before,
                    REVISION_REMARK if earlier and n == len(days) else remarks,
                )
            )
        if state in IN_REVISION:
            moved = None
            if slot is not None and forced is None and slot[0] > self.today:
                moved = self.later(a, slot, last)
            newer = self.periods(e, arena, start, end, a, moved) if moved else periods
            plan.revisions.append(
                self.in_progress(
                    len(days) + 1,
                    IN_REVISION[state],
                    day + dt.timedelta(days=1),
                    trainee,
                    leader,
                    newer,
                    REVISION_REMARK if moved else remarks,
                )
            )
        if index == 0:  # `trainee`: always two approvals, the first superseded
            self.persona_history(plan, trainee, leader, coordinator, periods, remarks)
        return plan

    def persona_history(self, plan: PPlan, trainee, leader, coordinator, periods, remarks):
        approved = [r for r in plan.revisions if r.approved]
        if len(approved) >= 2:
            return
        first_day = approved[0].approved.date() - dt.timedelta(days=330)
        first = self.approved_revision(
            1, first_day, Status.SUPERSEDED, trainee, leader, coordinator, periods, remarks
        )
        for r in plan.revisions:
            r.number += 1
        plan.revisions.insert(0, first)

    def plan_story(self, states: list[str | None]) -> None:
        """The personas' rotation stories, as periods in approved plans (forwarded requests
        follow them, `rotations.demo`): `trainee` waits for Nordlandssykehuset with two
        ahead of them in the queue and two behind; trainees of the other trusts compete for
        UNN's orthopaedic places next semester, more of them than there are places."""
        from lisplan.demo.generator import DEMO_HOME
        from lisplan.rotations.demo import semester_start

        today = self.today
        agreements = {a.key: a for group in self.out_of.values() for a in group}
        month = today.replace(day=1)

        def fits(i: int, a, at: dt.date, forwarded: dt.date) -> bool:
            """Trainee i (permanent, with a plan, employed a month before `forwarded`) gets a
            period under `a` from `at` in an approved plan, its request forwarded then."""
            t, *_rest = self.p.trainees[i]
            e = t.employments[-1]
            if states[i] is None or not e.permanent or e.start > forwarded - dt.timedelta(30):
                return False
            start, end, _credit = self.windows[i]
            if self.slot(a, e, start, self.last_day(e, end), at) is None:
                return False
            self.story[i] = (a, at, rules.add_months(at, a.duration) - dt.timedelta(days=1))
            self.forwarded[i] = forwarded
            if i:
                states[i] = APPROVED
            return True

        taken = {i for i, s in enumerate(states) if s in FIRST or s in IN_REVISION}
        ort = [
            i
            for i, (_t, _inst, spec, _a) in enumerate(self.p.trainees)
            if i and i not in taken and spec == DEMO_HOME[1]
        ]
        # The queue ranks by the date a trainee entered the register (the employment's start):
        # two who started before `trainee`, two after.
        queue = agreements.get(("UNN", "NLSH", "ORT"))
        me = self.p.trainees[0][0].employments[-1]
        if queue is not None and fits(
            0, queue, rules.add_months(month, 9), today - dt.timedelta(days=200)
        ):
            ahead = behind = 0
            for i in ort:
                inst, e = self.p.trainees[i][1], self.p.trainees[i][0].employments[-1]
                a = agreements.get((inst, "NLSH", "ORT"))
                at = rules.add_months(month, 7 + ahead + behind)
                if a is None:
                    continue
                if e.start < me.start and ahead < 2:
                    ahead += fits(i, a, at, today - dt.timedelta(days=300 + 60 * ahead))
                elif e.start > me.start and behind < 2:
                    behind += fits(i, a, at, today - dt.timedelta(days=120 - 60 * behind))
        # More trainees of the other trusts than UNN has places for, from each trust in turn.
        semester = semester_start(today)
        into = [a for a in agreements.values() if (a.receiving, a.spec) == DEMO_HOME]
        places = sum(a.capacity for a in into)
        picked = 0
        for code in sorted({a.sending for a in into}) * (places + 2):
            if picked >= places + 2:
                break
            a = agreements[(code, *DEMO_HOME)]
            for i in ort:
                if i in self.story or self.p.trainees[i][1] != code:
                    continue
                at = rules.add_months(semester, picked % 3)
                if fits(i, a, at, today - dt.timedelta(days=30 + 45 * picked)):
                    picked += 1
                    break

    def plan(self) -> list[PPlan]:
        self.add_trainee_users()
        states = self.states()
        for index, (t, *_rest) in enumerate(self.p.trainees):
            self.windows[index] = self.window(t.employments[-1])
        self.plan_story(states)
        plans = []
        for index, state in enumerate(states):
            if state is None or state == MISSING:
                continue
            made = self.plan_one(index, state)
            if made is not None:
                plans.append(made)
        return plans


def plan_plans(planner, seed: int, agreements=()) -> tuple[list[PPlan], dict[int, dt.date]]:
    """The plans, and the personas' rotation story: trainee index → the day its request at
    the partner was forwarded (`PlanPlanner.plan_story`)."""
    made = PlanPlanner(planner, seed, agreements)
    return made.plan(), made.forwarded


def plan_date(plan: PPlan) -> dt.date:
    first = plan.revisions[0]
    return (first.approved or first.created).date()


@contextmanager
def _own_timestamps(*models):
    """Let bulk_create write the demo's past timestamps into auto_now(_add) fields."""
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def write_plans(
    plans: list[PPlan],
    planner,
    *,
    trainees,
    employments,
    users,
    arenas,
    institutions,
    specialties,
    agreements=None,
) -> Counter:
    """Write the planned plans; `trainees` are the Trainee rows in planner order,
    `employments` maps id(PEmployment) to its Employment row. Returns rows per state."""
    names = {key: f"{u.first_name} {u.last_name}" for key, u in planner.users.items()}
    with _own_timestamps(ImplementationPlan, Revision):
        plan_rows = [
            ImplementationPlan(
                trainee=trainees[p.trainee],
                employment=employments[id(p.employment)],
                created_at=p.revisions[0].created,
            )
            for p in plans
        ]
        insert_objects(plan_rows)
        revision_rows, pairs = [], []
        for p, row in zip(plans, plan_rows, strict=True):
            _t, inst, spec, _arena = planner.trainees[p.trainee]
            for r in p.revisions:
                obj = Revision(
                    plan=row,
                    number=r.number,
                    status=r.status,
                    employee_number=p.employment.employee_number,
                    employer=institutions[inst],
                    specialty_id=specialties[spec],
                    estimated_start=p.estimated_start,
                    estimated_end=p.estimated_end,
                    plan_date=plan_date(p),
                    credit_old_scheme_months=p.credit_old_scheme,
                    remarks=r.remarks,
                    return_comment=r.return_comment,
                    submitted_at=r.submitted,
                    approved_by=users[r.approved_by] if r.approved_by else None,
                    approved_at=r.approved,
                    valid_until=rules.valid_until(timezone.localdate(r.approved))
                    if r.approved
                    else None,
                    created_by=users[r.created_by],
                    created_at=r.created,
                    updated_at=r.updated,
                    version=r.version,
                )
                revision_rows.append(obj)
                pairs.append((p, r, obj))
        insert_objects(revision_rows)
    periods, signatures = [], []
    for p, r, obj in pairs:
        spec = planner.trainees[p.trainee][2]
        periods += [
            Period(
                revision=obj,
                position=i,
                specialty_id=specialties[spec],
                institution=institutions[x.institution],
                arena=arenas.get(x.arena),
                service_place=x.service_place,
                start=x.start,
                end=x.end,
                contact_person=x.contact_person,
                agreement=(agreements or {}).get(x.agreement),
            )
            for i, x in enumerate(r.periods)
        ]
        signatures += [
            Signature(
                revision=obj, role=s.role, user=users[s.user], name=names[s.user], signed_at=s.at
            )
            for s in r.signatures
        ]
    insert_objects(periods)
    insert_objects(signatures)
    coordinator_of = {
        scope["institution"]: u.key
        for u in planner.users.values()
        for role, scope in u.roles
        if role == Role.LOCAL_COORDINATOR
    }
    write_audit(
        pairs,
        trainees,
        names,
        {p.trainee: coordinator_of[planner.trainees[p.trainee][1]] for p in plans},
    )
    return Counter(p.state for p in plans)


def write_audit(pairs, trainees, names, coordinators) -> int:
    """The audit history of the demo revisions' key steps, as the services would have written
    it — created (or revised), submitted, each signature, sent for approval, approved,
    superseded, returned — in bulk, with the steps' own past times. Returns the event count."""
    events: list[dict] = []
    label = {
        Signature.Role.TRAINEE: str(Signature.Role.TRAINEE.label),
        Signature.Role.LEADER: str(Signature.Role.LEADER.label),
    }

    revision_word = str(Revision._meta.get_field("number").verbose_name)  # «revisjon»

    def add(obj, trainee_id, at, actor, action, changes):
        # By name only (demo.audit); the repr as str(revision), without a translation
        # lookup per event.
        events.append(
            event(
                at=at,
                actor=names[actor],
                action=action,
                object_type="plans.revision",
                object_id=obj.pk,
                object_repr=f"{obj.plan.trainee} – {revision_word} {obj.number}",
                trainee_id=trainee_id,
                changes=changes,
            )
        )

    superseded_at: dict[int, dt.datetime] = {}  # revision pk → when the next approval came
    by_plan: dict[int, list] = {}
    for p, r, obj in pairs:
        by_plan.setdefault(id(p), []).append((r, obj))
    for revisions in by_plan.values():
        approved = [(r, obj) for r, obj in revisions if r.approved]
        for (_r, older), (newer, _o) in zip(approved, approved[1:], strict=False):
            superseded_at[older.pk] = newer.approved
    for p, r, obj in pairs:
        tid = trainees[p.trainee].pk
        if r.number == 1:
            add(
                obj,
                tid,
                r.created,
                r.created_by,
                "plan.created",
                {
                    "status": [None, Status.DRAFT],
                    "employer": [None, str(obj.employer)],
                    "estimated_start": [None, str(obj.estimated_start)],
                    "estimated_end": [None, str(obj.estimated_end)],
                },
            )
        else:
            add(
                obj,
                tid,
                r.created,
                r.created_by,
                "plan.revised",
                {"revision": [r.number - 1, r.number]},
            )
        if r.return_comment:  # submitted once, and returned by the employer's coordinator
            sent = r.created + dt.timedelta(hours=1)
            add(
                obj,
                tid,
                sent,
                r.created_by,
                "plan.submitted",
                {
                    "status": [Status.DRAFT, Status.AWAITING_SIGNATURES],
                    "submitted_at": [None, str(sent)],
                },
            )
            add(
                obj,
                tid,
                r.created + dt.timedelta(days=1),
                coordinators[p.trainee],
                "plan.returned",
                {"status": [Status.AWAITING_APPROVAL, Status.DRAFT]},
            )
        if r.submitted is None:
            continue
        add(
            obj,
            tid,
            r.submitted,
            r.created_by,
            "plan.submitted",
            {
                "status": [Status.DRAFT, Status.AWAITING_SIGNATURES],
                "submitted_at": [None, str(r.submitted)],
            },
        )
        for sig in sorted(r.signatures, key=lambda x: x.at):
            add(obj, tid, sig.at, sig.user, "plan.signed", {"signature": [None, label[sig.role]]})
        if len(r.signatures) == len(Signature.Role):
            last = max(r.signatures, key=lambda x: x.at)
            add(
                obj,
                tid,
                last.at,
                last.user,
                "plan.sent_for_approval",
                {"status": [Status.AWAITING_SIGNATURES, Status.AWAITING_APPROVAL]},
            )
        if r.approved:
            add(
                obj,
                tid,
                r.approved,
                r.approved_by,
                "plan.approved",
                {
                    "status": [Status.AWAITING_APPROVAL, Status.APPROVED],
                    "approved_by": [None, names[r.approved_by]],
                    "approved_at": [None, str(r.approved)],
                    "valid_until": [None, str(obj.valid_until)],
                },
            )
        if obj.pk in superseded_at:
            add(
                obj,
                tid,
                superseded_at[obj.pk],
                r.approved_by,
                "plan.superseded",
                {"status": [Status.APPROVED, Status.SUPERSEDED]},
            )
    insert_events(events)
    return len(events)


def unlink_agreements() -> None:
    """Before the demo agreements are deleted: the plan periods that link one lose the link."""
    Period.objects.filter(agreement__demo=True).update(agreement=None)


def clear_plans() -> None:
    """Delete the demo trainees' plans (with revisions, periods and signatures). Periods and
    signatures first, each in one statement, so the cascade has nothing left to fetch."""
    clear_events()  # all the demo's audit events: plans, rotation requests, IUPs
    mine = {"revision__plan__trainee__demo": True}
    Signature.objects.filter(**mine).delete()
    Period.objects.filter(**mine).delete()
    ImplementationPlan.objects.filter(trainee__demo=True).delete()
