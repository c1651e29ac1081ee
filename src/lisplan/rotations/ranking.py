"""Candidate ranking, semesters, capacity and conflicts: pure computation, no Django.

The order is the published criteria (seed 003, criteria 5 and 6; allocation-format.md
«Priority»): between trusts the one registered longest first — every request holds a queue
place by its queue date —, and each place held by a trust goes to that trust's own best
request (its `sending_rank`). The order itself comes from `lisplan.allocation.priority`, the
engine's one implementation of the rule, so the candidate list and the allocation agree.
Eligible candidates come before the others, each group in that order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from lisplan.allocation.instance import Instance, Request, Trainee
from lisplan.allocation.priority import priority_order


@dataclass(frozen=True)
class Candidate:
    """One queued request, as the ranking sees it."""

    id: int  # the request
    home: str  # the sending institution (its code)
    registered: dt.date  # the seniority date that ranks the request (`queries.seniority`)
    sending_rank: int | None = None
    eligible: bool = True
    reasons: tuple[str, ...] = ()  # why not eligible, in words
    goals_share: float | None = None  # share of the specialty's goals approved, 0–1
    months_done: float | None = None  # months of service in the specialty
    # which date `registered` is: "register" (registered in the fiktiv enhet, seed 003: the
    # register accrues seniority) or "forwarded" (no earlier register date known)
    basis: str = "forwarded"
    forwarded_on: dt.date | None = None  # when the wish reached the receiving side


@dataclass(frozen=True)
class Ranked:
    place: int  # 1-based place in the candidate list
    queue_place: int  # 1-based place in the published queue (all candidates)
    candidate: Candidate
    explanation: str


def _key(candidate_id: int) -> str:
    # Zero-padded so text order is numeric order (the engine breaks ties by id as text).
    return f"{candidate_id:012d}"


def queue_order(candidates: list[Candidate]) -> list[Candidate]:
    """The published priority order over all candidates, by the allocation engine's rule."""
    by_key = {_key(c.id): c for c in candidates}
    instance = Instance(
        start_month=0,
        horizon_months=1,
        max_delay_months=0,
        arenas={},
        agreements={},
        # One engine trainee per request: the sending rank belongs to the request here.
        trainees={
            k: Trainee(
                id=k,
                home=c.home,
                specialty="",
                permanent=c.eligible,
                sending_rank=c.sending_rank,
                requests=(k,),
            )
            for k, c in by_key.items()
        },
        requests={
            k: Request(id=k, trainee=k, agreements=(), registered=c.registered.isoformat())
            for k, c in by_key.items()
        },
    )
    return [by_key[k] for k in priority_order(instance)]


def rank(candidates: list[Candidate]) -> list[Ranked]:
    """Eligible first, then the rest; within each, the published queue order. Each row gets a
    one-line explanation of its place."""
    order = queue_order(candidates)
    dates = sorted(c.registered for c in candidates)
    queue_place = {c.id: i + 1 for i, c in enumerate(order)}
    held = Counter[str]()
    place_home: dict[int, int] = {}
    for c in order:  # the n-th place held by this trust
        held[c.home] += 1
        place_home[c.id] = held[c.home]
    ranked = [c for c in order if c.eligible] + [c for c in order if not c.eligible]
    rows = []
    for i, c in enumerate(ranked, start=1):
        q = queue_place[c.id]
        rows.append(
            Ranked(
                place=i,
                queue_place=q,
                candidate=c,
                explanation=_explain(c, q, dates[q - 1], place_home[c.id]),
            )
        )
    return rows


def _explain(c: Candidate, queue_place: int, place_date: dt.date, nth: int) -> str:
    rank = (
        f"{c.home}s prioritet nr. {c.sending_rank}"
        if c.sending_rank is not None
        else f"uten prioritet fra {c.home}"
    )
    text = (
        f"Køplass {queue_place}: {c.home}s {nth}. køplass (registrert {place_date:%d.%m.%Y}),"
        f" {rank}; {_since(c)}."
    )
    if not c.eligible:
        reasons = "; ".join(c.reasons) or "ikke kvalifisert"
        text = f"Etter de kvalifiserte ({reasons}). {text}"
    return text


def _since(c: Candidate) -> str:
    """The date that ranks the row, named, with the forwarding date beside it."""
    if c.basis == "register":
        text = f"ansiennitet fra registrering i fiktiv enhet {c.registered:%d.%m.%Y}"
        if c.forwarded_on and c.forwarded_on != c.registered:
            text += f" (videresendt {c.forwarded_on:%d.%m.%Y})"
        return text
    return f"ansiennitet fra videresending {c.registered:%d.%m.%Y}"


# --- semesters, capacity, quotas ----------------------------------------------------------


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def semester(day: dt.date) -> tuple[int, str]:
    """(year, "spring" | "autumn"): January–June is the spring semester."""
    return (day.year, "spring" if day.month <= 6 else "autumn")


def semester_label(key: tuple[int, str]) -> str:
    return f"{'Vår' if key[1] == 'spring' else 'Høst'} {key[0]}"


@dataclass(frozen=True)
class Period:
    start: dt.date
    months: int

    @property
    def months_covered(self) -> range:
        first = month_index(self.start)
        return range(first, first + self.months)


def occupancy(periods: list[Period]) -> Counter[int]:
    """How many periods run in each month (month index)."""
    count = Counter[int]()
    for p in periods:
        count.update(p.months_covered)
    return count


@dataclass(frozen=True)
class AgreementRules:
    capacity: int
    start_months: tuple[int, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    semester_quota: int | None = None
    quota_semester: str = "any"  # "any" | "spring" | "autumn"


def start_problem(
    rules: AgreementRules, start: dt.date, months: int, others: list[Period]
) -> str | None:
    """Why a period (start, months) cannot start under the agreement, given the other periods
    already agreed on it; None when it can."""
    end = Period(start, months)
    last = max(end.months_covered)
    if rules.valid_from and start < rules.valid_from:
        return f"Fagavtalen gjelder først fra {rules.valid_from:%d.%m.%Y}."
    if rules.valid_to and last > month_index(rules.valid_to):
        return f"Fagavtalen gjelder bare til {rules.valid_to:%d.%m.%Y}."
    if rules.start_months and start.month not in rules.start_months:
        allowed = ", ".join(str(m) for m in sorted(rules.start_months))
        return f"Oppstart er bare mulig i måned {allowed} etter fagavtalen."
    sem = semester(start)
    if rules.quota_semester != "any" and sem[1] != rules.quota_semester:
        return f"Fagavtalen gir bare plass i {semester_label((sem[0], rules.quota_semester))}."
    if rules.semester_quota is not None:
        used = sum(1 for p in others if semester(p.start) == sem)
        if used >= rules.semester_quota:
            return (
                f"Kvoten på {rules.semester_quota} per semester er brukt opp for "
                f"{semester_label(sem).lower()}."
            )
    busy = occupancy(others)
    full = [m for m in end.months_covered if busy[m] >= rules.capacity]
    if full:
        first = dt.date(full[0] // 12, full[0] % 12 + 1, 1)
        return f"Kapasiteten ({rules.capacity} samtidig) er fylt i {first:%m.%Y}."
    return None


# --- conflicts between trusts -------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    request: int
    home: str  # the sending institution's name (the conflict's explanation names it)
    start: dt.date


@dataclass(frozen=True)
class Conflict:
    """Queued requests from two or more trusts for the same receiving capacity and semester
    outnumber its free places (criterion 6: flagged for the regional coordinator)."""

    semester: tuple[int, str]
    homes: tuple[str, ...]
    requests: tuple[int, ...]
    places: int
    explanation: str = field(default="")


def _places_words(free: int) -> str:
    if free == 0:
        return "ingen ledige plasser"
    return "1 ledig plass" if free == 1 else f"{free} ledige plasser"


def conflicts(demands: list[Demand], places: dict[tuple[int, str], int]) -> list[Conflict]:
    """Per semester: a conflict when two or more trusts queue for more than the free places
    (`places[semester]`, default 0)."""
    by_semester: dict[tuple[int, str], list[Demand]] = {}
    for d in demands:
        by_semester.setdefault(semester(d.start), []).append(d)
    out = []
    for sem in sorted(by_semester):
        group = by_semester[sem]
        homes = tuple(sorted({d.home for d in group}))
        free = places.get(sem, 0)
        if len(homes) >= 2 and len(group) > free:
            counts = Counter(d.home for d in group)
            who = ", ".join(f"{h} {counts[h]}" for h in homes)
            out.append(
                Conflict(
                    semester=sem,
                    homes=homes,
                    requests=tuple(d.request for d in group),
                    places=free,
                    explanation=(
                        f"{semester_label(sem)}: {len(group)} ønsker fra {len(homes)} "
                        f"foretak ({who}) om {_places_words(free)}."
                    ),
                )
            )
    return out
