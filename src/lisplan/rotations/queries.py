"""Reads of agreements, the register, queues, candidates and conflicts; scoped to the user.

Prerequisites and progress are read through `goal_states` and `progress_summary`: a goal is met
by the progress app's approval (of the version valid today), and expected by a date when a
period whose agreement covers it (an agreed or running rotation, or a period of the approved
implementation plan linked to its agreement) ends by then.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from lisplan.accounts.access import get_in_scope, scope_filter
from lisplan.rotations import ranking
from lisplan.rotations.models import (
    OPEN_STATUSES,
    QUEUE_STATUSES,
    CollaborationAgreement,
    RegisterEntry,
    RotationRequest,
    Status,
    Vacancy,
    add_months,
)

# Periods that take a place under their agreement (with a date fixed).
AGREED_STATUSES = (Status.START_AGREED, Status.IN_PROGRESS, Status.COMPLETED)


# --- progress (the seam to the progress app) ---------------------------------------------


@dataclass(frozen=True)
class GoalState:
    approved_on: dt.date | None = None
    expected_on: dt.date | None = None


def goal_states(
    trainee_ids, goal_ids, codes: dict[int, str] | None = None
) -> dict[tuple[int, int], GoalState]:
    """{(trainee, goal): state} for approved goals, from the progress app's goal approvals.
    An approval counts when it is of the goal version valid today (a tightened goal must be
    approved again); a prerequisite names a goal by any of its versions, so match by code.
    `codes` ({goal id: code}) saves reading the codes when the caller has the goals."""
    from lisplan.catalogue.models import LearningGoal
    from lisplan.progress.models import GoalApproval, GoalStatus

    today = timezone.localdate()
    if codes is None:
        codes = dict(LearningGoal.objects.filter(pk__in=list(goal_ids)).values_list("pk", "code"))
    ids_by_code: dict[str, list[int]] = {}
    for pk in sorted(goal_ids):
        if pk in codes:
            ids_by_code.setdefault(codes[pk], []).append(pk)
    approvals = GoalApproval.objects.filter(
        Q(goal__valid_to__isnull=True) | Q(goal__valid_to__gte=today),
        status=GoalStatus.APPROVED,
        trainee_id__in=list(trainee_ids),
        goal__code__in=list(ids_by_code),
        goal__valid_from__lte=today,
    ).values_list("trainee_id", "goal__code", "approved_on")
    out = {
        (trainee, goal): GoalState(approved_on=approved_on)
        for trainee, code, approved_on in approvals
        for goal in ids_by_code[code]
    }
    for (trainee, code), day in _expected(trainee_ids, list(ids_by_code)).items():
        for goal in ids_by_code[code]:
            if (trainee, goal) not in out:
                out[(trainee, goal)] = GoalState(expected_on=day)
    return out


def _expected(trainee_ids, codes: list[str]) -> dict[tuple[int, str], dt.date]:
    """{(trainee, goal code): the earliest day the goal is expected reached}: the end of a
    period whose collaboration agreement covers the goal — a rotation with its start agreed or
    in progress, or a period of the trainee's approved implementation plan that links the
    agreement. Two queries."""
    from lisplan.plans.models import Period, Revision
    from lisplan.plans.models import Status as PlanStatus

    if not codes:
        return {}
    today = timezone.localdate()
    out: dict[tuple[int, str], dt.date] = {}

    def keep(trainee: int, code: str, end: dt.date) -> None:
        if end >= today and ((trainee, code) not in out or end < out[(trainee, code)]):
            out[(trainee, code)] = end

    for trainee, code, agreed, desired, months in RotationRequest.objects.filter(
        trainee_id__in=list(trainee_ids),
        agreement__goals__code__in=codes,
        status__in=(Status.START_AGREED, Status.IN_PROGRESS),
    ).values_list(
        "trainee_id", "agreement__goals__code", "agreed_start", "desired_start", "duration_months"
    ):
        keep(trainee, code, add_months(agreed or desired, months) - dt.timedelta(days=1))
    # From the trainees' approved revisions to their periods: led by the goals instead,
    # PostgreSQL read every period under the goals' agreements (grows with the country).
    approved = Revision.objects.filter(
        plan__trainee_id__in=list(trainee_ids),
        status=PlanStatus.APPROVED,
        valid_until__gte=today,
    )
    for trainee, code, end in (
        Period.objects.filter(revision__in=approved, agreement__goals__code__in=codes)
        .values_list("revision__plan__trainee_id", "agreement__goals__code", "end")
        .order_by()
    ):
        keep(trainee, code, end)
    return out


def progress_summary(
    trainees_specialty: list[tuple[int, int]], on: dt.date | None = None
) -> dict[int, tuple[float | None, float]]:
    """{trainee: (share of goals approved or None, months of service in the specialty)}.
    Months are employment months in the specialty up to `on`, pro rata by position %."""
    from lisplan.trainees.models import Employment

    on = on or timezone.localdate()
    months: dict[int, float] = defaultdict(float)
    pairs = set(trainees_specialty)
    if not pairs:
        return {}
    rows = Employment.objects.filter(
        trainee_id__in={t for t, _s in pairs}, start__lte=on
    ).values_list("trainee_id", "specialty_id", "start", "end", "position_percent")
    for trainee, specialty, start, end, percent in rows:
        if (trainee, specialty) in pairs:
            stop = min(end or on, on)
            months[trainee] += ((stop - start).days + 1) / 30.4375 * percent / 100
    return {t: (None, round(months[t], 1)) for t, _s in pairs}


# --- eligibility -------------------------------------------------------------------------


@dataclass(frozen=True)
class Prerequisite:
    code: str
    title: str
    state: str  # "met" | "expected" | "missing"
    date: dt.date | None = None


@dataclass(frozen=True)
class Eligibility:
    permanent: bool
    prerequisites: tuple[Prerequisite, ...] = ()

    @property
    def missing(self) -> list[Prerequisite]:
        return [p for p in self.prerequisites if p.state == "missing"]

    @property
    def eligible(self) -> bool:
        return self.permanent and not self.missing

    @property
    def reasons(self) -> tuple[str, ...]:
        out = []
        if not self.permanent:
            out.append("ikke fast ansatt")
        if self.missing:
            out.append("mangler " + goal_names(self.missing))
        return tuple(out)


def goal_names(prerequisites) -> str:
    """«Title» (CODE), «Title» (CODE): missing goals named for people."""
    return ", ".join(
        f"«{p.title}» ({p.code})" if p.title and p.title != p.code else p.code
        for p in prerequisites
    )


def required_goals(requests: list[RotationRequest]) -> dict[int, list]:
    """{request: the learning goals the trainee must have (or be expected to have) by the
    start} — THE one place prerequisites are read (seed 003: «Leder ved mottakende foretak
    vurderer dine kvalifikasjoner og om du er klar»). Sources: the sending institution's
    published programme plan (its period for the request's agreement) and the agreement's own
    prerequisites — their union, i.e. the stricter (`programmes.queries.rotation_prerequisites`,
    also read by the allocation instance); every check — offer, accept, agree start, start, the
    candidate lists and the API — follows. Goals in code order, two queries."""
    from lisplan.programmes.queries import rotation_prerequisites

    agreement_ids = {r.agreement_id for r in requests if r.agreement_id}
    by_agreement = rotation_prerequisites(agreement_ids) if agreement_ids else {}
    return {r.pk: list(by_agreement.get(r.agreement_id, ())) for r in requests}


def eligibility(
    requests: list[RotationRequest], on: dt.date | None = None
) -> dict[int, Eligibility]:
    """Per request: permanent in the specialty at the sending institution on `on` (or the
    request's start), and each prerequisite of its agreement met / expected by start / missing.
    Five queries whatever the number of requests."""
    from lisplan.trainees.models import Employment

    if not requests:
        return {}
    trainee_ids = {r.trainee_id for r in requests}
    permanent = set(
        Employment.objects.filter(trainee_id__in=trainee_ids, permanent=True)
        .filter(Q(end__isnull=True) | Q(end__gte=timezone.localdate()))
        .values_list("trainee_id", "institution_id", "specialty_id")
    )
    prereqs = required_goals(requests)
    codes = {g.pk: g.code for goals in prereqs.values() for g in goals}
    states = goal_states(trainee_ids, set(codes), codes) if codes else {}
    out = {}
    for r in requests:
        start = on or r.start
        checks = []
        for goal in prereqs.get(r.pk, []):
            checks.append(_prerequisite(goal, states.get((r.trainee_id, goal.pk)), start))
        out[r.pk] = Eligibility(
            permanent=(r.trainee_id, r.sending_id, r.specialty_id) in permanent,
            prerequisites=tuple(checks),
        )
    return out


def _prerequisite(goal, state: GoalState | None, start: dt.date) -> Prerequisite:
    title = getattr(goal, "title", "") or getattr(goal, "text", "") or str(goal)
    if state and state.approved_on:
        return Prerequisite(goal.code, title, "met", state.approved_on)
    if state and state.expected_on and state.expected_on <= start:
        return Prerequisite(goal.code, title, "expected", state.expected_on)
    return Prerequisite(goal.code, title, "missing")


# --- agreements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFilters:
    q: str = ""
    specialty: int | None = None
    institution: int | None = None
    valid_only: bool = True


def agreement_list(
    user, filters: AgreementFilters = AgreementFilters()
) -> QuerySet[CollaborationAgreement]:
    qs = scope_filter(user, "agreement.view", CollaborationAgreement.objects.all())
    for word in filters.q.split():
        qs = qs.filter(
            Q(reference__icontains=word)
            | Q(specialty__name__icontains=word)
            | Q(specialty__code__iexact=word)
            | Q(sending__name__icontains=word)
            | Q(receiving__name__icontains=word)
            | Q(sending__code__iexact=word)
            | Q(receiving__code__iexact=word)
        )
    if filters.specialty:
        qs = qs.filter(specialty_id=filters.specialty)
    if filters.institution:
        qs = qs.filter(Q(sending_id=filters.institution) | Q(receiving_id=filters.institution))
    if filters.valid_only:
        qs = qs.valid_on(timezone.localdate())
    return (
        qs.select_related("sending", "receiving", "specialty")
        .prefetch_related("arenas")
        .order_by("specialty__name", "receiving__name", "sending__name", "pk")
    )


def agreement_detail(user, pk: int) -> CollaborationAgreement:
    qs = CollaborationAgreement.objects.select_related("sending", "receiving", "specialty")
    return get_in_scope(
        user, "agreement.view", qs.prefetch_related("arenas", "goals", "prerequisites"), pk=pk
    )


def _agreed_periods(agreement_id: int, exclude: int | None = None) -> list[ranking.Period]:
    rows = (
        RotationRequest.objects.filter(
            agreement_id=agreement_id, status__in=AGREED_STATUSES, agreed_start__isnull=False
        )
        .exclude(pk=exclude)
        .values_list("agreed_start", "duration_months")
    )
    return [ranking.Period(start, months) for start, months in rows]


def agreement_problem(
    agreement: CollaborationAgreement, start: dt.date, months: int, exclude: int | None = None
) -> str | None:
    rules = ranking.AgreementRules(
        capacity=agreement.capacity,
        start_months=tuple(agreement.start_months or ()),
        valid_from=agreement.valid_from,
        valid_to=agreement.valid_to,
        semester_quota=agreement.semester_quota,
        quota_semester=agreement.quota_semester,
    )
    return ranking.start_problem(rules, start, months, _agreed_periods(agreement.pk, exclude))


@dataclass(frozen=True)
class UsageMonth:
    month: dt.date
    used: int
    capacity: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.capacity)) if self.capacity else 0


def agreement_usage(
    agreement: CollaborationAgreement, first: dt.date | None = None, months: int = 24
) -> list[UsageMonth]:
    """Places used per month under the agreement (periods with an agreed start), one query."""
    first = (first or timezone.localdate()).replace(day=1)
    busy = ranking.occupancy(_agreed_periods(agreement.pk))
    out = []
    for i in range(months):
        month = add_months(first, i)
        out.append(UsageMonth(month, busy[ranking.month_index(month)], agreement.capacity))
    return out


# --- the register -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    q: str = ""
    status: str = ""
    sending: int | None = None
    receiving: int | None = None
    specialty: int | None = None
    open_only: bool = True


def _with_rows(qs: QuerySet[RotationRequest]) -> QuerySet[RotationRequest]:
    return qs.select_related("trainee", "sending", "receiving", "specialty", "agreement", "arena")


def request_list(user, filters: RequestFilters = RequestFilters()) -> QuerySet[RotationRequest]:
    qs = scope_filter(user, "register.view", RotationRequest.objects.all())
    for word in filters.q.split():
        qs = qs.filter(
            Q(trainee__first_name__icontains=word)
            | Q(trainee__last_name__icontains=word)
            | Q(receiving__name__icontains=word)
            | Q(specialty__name__icontains=word)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif filters.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.sending:
        qs = qs.filter(sending_id=filters.sending)
    if filters.receiving:
        qs = qs.filter(receiving_id=filters.receiving)
    if filters.specialty:
        qs = qs.filter(specialty_id=filters.specialty)
    return _with_rows(qs).order_by("desired_start", "pk")


def request_detail(user, pk: int, permission: str = "register.view") -> RotationRequest:
    qs = _with_rows(RotationRequest.objects.all()).select_related(
        "extends", "vacancy", "plan_period__revision"
    )
    return get_in_scope(user, permission, qs, pk=pk)


def register_entries(user, institution: int | None = None, q: str = "") -> QuerySet[RegisterEntry]:
    qs = scope_filter(user, "register.view", RegisterEntry.objects.filter(left_on=None))
    if institution:
        qs = qs.filter(institution_id=institution)
    for word in q.split():
        qs = qs.filter(
            Q(trainee__first_name__icontains=word) | Q(trainee__last_name__icontains=word)
        )
    return qs.select_related("trainee", "institution", "specialty").order_by(
        "institution__name", "registered_on", "pk"
    )


# --- queues, candidates, conflicts --------------------------------------------------------


def _queued(receiving_id: int, specialty_id: int) -> list[RotationRequest]:
    return list(
        _with_rows(
            RotationRequest.objects.filter(
                receiving_id=receiving_id,
                specialty_id=specialty_id,
                status__in=QUEUE_STATUSES,
                forwarded_on__isnull=False,
            )
        ).order_by("forwarded_on", "pk")
    )


@dataclass(frozen=True)
class Seniority:
    """The date a queued request ranks by, and which date it is."""

    date: dt.date
    basis: str  # "register" | "forwarded"


def seniority(requests: list[RotationRequest]) -> dict[int, Seniority]:
    """Seed 003: trainees registered in the fiktiv enhet «samler ansiennitet» there — between
    trusts the longest registered goes first. A request ranks by the date its trainee was
    registered in the sending trust's register for the specialty (the earliest membership
    still open when the wish was forwarded), or by its forwarding date when that is earlier
    or there is no register entry. One query for all requests; the ranking, the queue pages,
    the API and the allocation instance all use it."""
    trainees = {r.trainee_id for r in requests}
    entries: dict[tuple[int, int, int], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    if trainees:
        for t, inst, spec, registered_on, left_on in RegisterEntry.objects.filter(
            trainee_id__in=trainees
        ).values_list("trainee_id", "institution_id", "specialty_id", "registered_on", "left_on"):
            entries[(t, inst, spec)].append((registered_on, left_on))
    out = {}
    for r in requests:
        queued = r.forwarded_on or r.need_on
        open_then = [
            since
            for since, left in entries.get((r.trainee_id, r.sending_id, r.specialty_id), ())
            if left is None or left >= queued
        ]
        registered = min(open_then, default=None)
        if registered is not None and registered < queued:
            out[r.pk] = Seniority(registered, "register")
        else:
            out[r.pk] = Seniority(queued, "forwarded")
    return out


def rank_requests(
    requests: list[RotationRequest],
    on: dt.date | None = None,
    with_progress: bool = True,
    checks: dict[int, Eligibility] | None = None,
    dates: dict[int, Seniority] | None = None,
) -> list[tuple[ranking.Ranked, RotationRequest, Eligibility]]:
    """The published ranking of queued requests, with each one's eligibility (computed here
    unless given for all of them)."""
    if checks is None:
        checks = eligibility(requests, on=on)
    progress = (
        progress_summary([(r.trainee_id, r.specialty_id) for r in requests])
        if with_progress
        else {}
    )
    by_id = {r.pk: r for r in requests}
    if dates is None:
        dates = seniority(requests)
    candidates = [
        ranking.Candidate(
            id=r.pk,
            home=r.sending.code,
            registered=dates[r.pk].date,
            basis=dates[r.pk].basis,
            forwarded_on=r.forwarded_on,
            sending_rank=r.sending_rank,
            eligible=checks[r.pk].eligible,
            reasons=checks[r.pk].reasons,
            goals_share=progress.get(r.trainee_id, (None, None))[0],
            months_done=progress.get(r.trainee_id, (None, None))[1],
        )
        for r in requests
    ]
    return [
        (row, by_id[row.candidate.id], checks[row.candidate.id]) for row in ranking.rank(candidates)
    ]


def candidates(vacancy: Vacancy) -> list[tuple[ranking.Ranked, RotationRequest, Eligibility]]:
    """Forwarded requests matching the vacancy — same receiving institution and specialty, no
    other arena asked for, wanting to start by the end of the window — ranked."""
    requests = [
        r
        for r in _queued(vacancy.institution_id, vacancy.specialty_id)
        if r.status == Status.FORWARDED
        and r.desired_start <= vacancy.start_to
        and r.arena_id in (None, vacancy.arena_id)
    ]
    return rank_requests(requests, on=vacancy.start_from)


def candidate(vacancy: Vacancy, request_id) -> RotationRequest | None:
    """One of the vacancy's candidates by its id as sent by a form (any text), or None."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        return None
    return next((r for _ranked, r, _e in candidates(vacancy) if r.pk == pk), None)


@dataclass
class Queue:
    receiving: object
    specialty: object
    rows: list = field(default_factory=list)  # (Ranked, request, eligibility, visible)
    conflicts: list = field(default_factory=list)
    count: int = 0  # requests in the queue (all institutions)
    hidden: int = 0  # rows left out on a page of several queues


@dataclass(frozen=True)
class QueueFilters:
    institution: int | None = None  # receiving or sending
    specialty: int | None = None
    agreement: int | None = None


class VisibleQueued:
    """The queued requests a user may see, read once per page (one scoped query of five ids
    per request): the queue list, its filters' agreements and whose names show all come from
    these rows."""

    def __init__(self, user) -> None:
        self.rows: list[tuple[int, int, int, int, int | None]] = list(
            scope_filter(
                user,
                "register.view",
                RotationRequest.objects.filter(
                    status__in=QUEUE_STATUSES, forwarded_on__isnull=False
                ),
            ).values_list("pk", "receiving_id", "sending_id", "specialty_id", "agreement_id")
        )
        self.ids = {row[0] for row in self.rows}

    def agreement_ids(self) -> set[int]:
        return {agreement for *_rest, agreement in self.rows if agreement is not None}

    def matching(self, filters: QueueFilters) -> list[tuple[int, int, int, int, int | None]]:
        """The rows by the queue filters: the institution receiving or sending, the
        specialty, the agreement."""
        return [
            row
            for row in self.rows
            if (not filters.institution or filters.institution in (row[1], row[2]))
            and (not filters.specialty or row[3] == filters.specialty)
            and (not filters.agreement or row[4] == filters.agreement)
        ]


def _group_cond(groups) -> Q:
    """Rows of these (receiving, specialty) queues, and perhaps a few others: two IN lists
    instead of one OR per queue (a region has ~100 queues; the planner's time for a long OR
    was most of the query). Callers keep only their keys."""
    groups = list(groups)
    if not groups:
        return Q(pk__in=[])
    return Q(receiving_id__in={r for r, _s in groups}, specialty_id__in={s for _r, s in groups})


def queue_groups(
    user, filters: QueueFilters = QueueFilters(), visible: VisibleQueued | None = None
) -> list[dict]:
    """The queues (receiving institution × specialty) holding requests the user may see, with
    how many requests each holds and how many the user sees, sorted by name: the visible rows
    and one grouped count, no ranking. `queues_for` ranks the ones a page shows."""
    from django.db.models import Count

    from lisplan.catalogue.models import Specialty
    from lisplan.organisations.models import Institution

    visible = visible or VisibleQueued(user)
    seen = Counter((r, s) for _pk, r, _send, s, _a in visible.matching(filters))
    if not seen:
        return []
    receiving = {r for r, _s in seen}
    specialties = {s for _r, s in seen}
    totals = dict(
        ((r, s), n)
        for r, s, n in RotationRequest.objects.filter(
            status__in=QUEUE_STATUSES,
            forwarded_on__isnull=False,
            receiving_id__in=receiving,
            specialty_id__in=specialties,
        )
        .values("receiving_id", "specialty_id")
        .annotate(n=Count("pk"))
        .values_list("receiving_id", "specialty_id", "n")
    )
    inst = Institution.objects.in_bulk(receiving)
    spec = Specialty.objects.in_bulk(specialties)
    out = [
        {
            "key": key,
            "receiving": inst[key[0]],
            "specialty": spec[key[1]],
            "count": totals.get(key, n),
            "visible": n,
        }
        for key, n in seen.items()
    ]
    out.sort(key=lambda g: (str(g["receiving"]), str(g["specialty"])))
    return out


def queues_for(user, groups: list[dict], visible: VisibleQueued | None = None) -> list[Queue]:
    """Each of these queues (from `queue_groups`) in the published order, with eligibility and
    conflicts: a constant number of queries for the groups of one page."""
    if not groups:
        return []
    keys = {g["key"] for g in groups}
    cond = _group_cond(keys)
    requests = [
        r
        for r in RotationRequest.objects.filter(
            cond, status__in=QUEUE_STATUSES, forwarded_on__isnull=False
        )
        .select_related("trainee", "sending")  # what a queue row shows and ranks by
        .order_by("pk")
        if (r.receiving_id, r.specialty_id) in keys
    ]
    visible_ids = (visible or VisibleQueued(user)).ids
    by_group: dict[tuple[int, int], list[RotationRequest]] = defaultdict(list)
    for r in requests:
        by_group[(r.receiving_id, r.specialty_id)].append(r)
    places = _places(keys)
    checks = eligibility(requests)  # once for every group: constant queries
    dates = seniority(requests)
    out = []
    for g in groups:
        group = by_group.get(g["key"], [])
        if not group:
            continue
        ranked = rank_requests(group, with_progress=False, checks=checks, dates=dates)
        queue = Queue(g["receiving"], g["specialty"], count=len(group))
        # Others' places are shown (the order is public), their names only where visible.
        queue.rows = [(row, r, check, r.pk in visible_ids) for row, r, check in ranked]
        queue.conflicts = _conflicts(group, places.get(g["key"], {}))
        out.append(queue)
    return out


def queues(user, institution: int | None = None) -> list[Queue]:
    """Every queue the user may see, ranked (for a small scope or a test; the page pages
    through `queue_groups` and ranks one page with `queues_for`)."""
    visible = VisibleQueued(user)
    return queues_for(
        user, queue_groups(user, QueueFilters(institution=institution), visible), visible
    )


def _places(groups) -> dict[tuple[int, int], dict[tuple[int, str], int]]:
    """Free places per semester for each (receiving, specialty): the capacity of the valid
    agreements into it, less periods agreed there that run in the semester's first month.
    Two queries."""
    today = timezone.localdate()
    groups = set(groups)
    cond = _group_cond(groups)
    capacity: dict[tuple[int, int], int] = defaultdict(int)
    for receiving, specialty, cap in (
        CollaborationAgreement.objects.valid_on(today)
        .filter(cond)
        .values_list("receiving_id", "specialty_id", "capacity")
    ):
        if (receiving, specialty) in groups:
            capacity[(receiving, specialty)] += cap
    agreed: dict[tuple[int, int], list[ranking.Period]] = defaultdict(list)
    for receiving, specialty, start, months in RotationRequest.objects.filter(
        cond, status__in=AGREED_STATUSES, agreed_start__isnull=False
    ).values_list("receiving_id", "specialty_id", "agreed_start", "duration_months"):
        if (receiving, specialty) in groups:
            agreed[(receiving, specialty)].append(ranking.Period(start, months))
    out = {}
    for key in groups:
        busy = ranking.occupancy(agreed[key])
        semesters = {}
        for year in range(today.year - 1, today.year + 6):
            for half, month in (("spring", 1), ("autumn", 7)):
                first = ranking.month_index(dt.date(year, month, 1))
                semesters[(year, half)] = max(0, capacity[key] - busy[first])
        out[key] = semesters
    return out


def _conflicts(group: list[RotationRequest], places) -> list[ranking.Conflict]:
    # the sending institutions by name: the explanation is read by people (issue 17)
    demands = [ranking.Demand(r.pk, r.sending.name, r.desired_start) for r in group]
    return ranking.conflicts(demands, places)


def conflict_for(request: RotationRequest) -> ranking.Conflict | None:
    """The conflict between trusts that `request` takes part in, if any."""
    group = _queued(request.receiving_id, request.specialty_id)
    key = (request.receiving_id, request.specialty_id)
    for conflict in _conflicts(group, _places({key})[key]):
        if request.pk in conflict.requests:
            return conflict
    return None


def all_conflicts(
    user, filters: QueueFilters = QueueFilters(), visible: VisibleQueued | None = None
) -> list[tuple[Queue, ranking.Conflict]]:
    """Conflicts between trusts in every queue the user may see: from the queued requests'
    sending institution and desired start and the free places — no ranking or eligibility,
    a constant number of queries."""
    groups = queue_groups(user, filters, visible)
    if not groups:
        return []
    keys = {g["key"] for g in groups}
    demands: dict[tuple[int, int], list[ranking.Demand]] = defaultdict(list)
    for pk, receiving, specialty, home, start in (
        RotationRequest.objects.filter(
            _group_cond(keys), status__in=QUEUE_STATUSES, forwarded_on__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "receiving_id", "specialty_id", "sending__name", "desired_start")
    ):
        demands[(receiving, specialty)].append(ranking.Demand(pk, home, start))
    places = _places(keys)
    out = []
    for g in groups:
        queue = Queue(g["receiving"], g["specialty"], count=g["count"])
        for c in ranking.conflicts(demands[g["key"]], places.get(g["key"], {})):
            out.append((queue, c))
    return out


@dataclass(frozen=True)
class OwnRequest:
    request: RotationRequest
    queue_place: int | None  # place in the receiving institution's queue
    queue_length: int
    eligibility: Eligibility | None


def own_requests(trainee) -> list[OwnRequest]:
    """A trainee's requests with their place in each receiving queue."""
    requests = list(
        _with_rows(RotationRequest.objects.filter(trainee=trainee)).order_by("desired_start", "pk")
    )
    queued = {(r.receiving_id, r.specialty_id) for r in requests if r.status in QUEUE_STATUSES}
    places: dict[int, tuple[int, int]] = {}
    checks: dict[int, Eligibility] = {}
    for receiving, specialty in queued:
        group = _queued(receiving, specialty)
        in_queue = eligibility(group)
        checks.update(in_queue)  # the trainee's queued requests are checked here already
        ranked = rank_requests(group, with_progress=False, checks=in_queue)
        for row, r, _check in ranked:
            places[r.pk] = (row.place, len(ranked))
    checks.update(eligibility([r for r in requests if r.pk not in checks]))
    return [
        OwnRequest(
            r, places.get(r.pk, (None, 0))[0], places.get(r.pk, (None, 0))[1], checks.get(r.pk)
        )
        for r in requests
    ]


def vacancy_list(user, open_only: bool = True) -> QuerySet[Vacancy]:
    qs = scope_filter(user, "vacancy.view", Vacancy.objects.all())
    if open_only:
        qs = qs.filter(state=Vacancy.State.OPEN)
    return qs.select_related("institution", "arena", "specialty", "selected__trainee").order_by(
        "start_from", "pk"
    )


def waiting_days(request: RotationRequest, today: dt.date | None = None) -> int | None:
    if request.forwarded_on is None:
        return None
    return ((today or timezone.localdate()) - request.forwarded_on).days
