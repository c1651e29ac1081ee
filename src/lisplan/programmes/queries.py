"""Where every learning goal can be reached (seed 004: «oversikt over hvilke læringsmål som kan
oppnås hvor»), built from published programme plans and valid collaboration agreements.

* `places(...)` — every place (institution, arena) a goal is reached, with its source (the
  programme plan of the arena's institution, or an agreement), and who approves the goal
  there: the arena's institution, or the employer where the sending institution's published
  plan says so for that agreement's period (`PartnerPeriod.approver`).
* `coverage(...)` — per institution and specialty, each goal of the specialty: reached at home
  (the institution's published plan), through which valid agreements, and where else; the
  gaps. `is_gap` is the one definition of a gap, used by the API, the pages and the report.
* `capacity_shortfalls(...)` — agreements whose capacity cannot cover the expected demand
  from the register (fiktiv enhet) for goals the sending institution cannot offer at home.

Everything is a constant number of queries whatever the number of goals, plans or trainees.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.organisations.models import Institution, LearningArena, Region
from lisplan.programmes.models import Approver, PartnerPeriod, PlanArena, ProgrammePlan, Status
from lisplan.rotations.models import CollaborationAgreement, RegisterEntry

PROGRAMME_PLAN, AGREEMENT = "programme_plan", "agreement"
# Months of a specialist course when the plan does not say (normed 5 years; seed 003).
DEFAULT_COURSE_MONTHS = 60


def is_gap(at_home: bool, agreements: Iterable) -> bool:
    """A goal is a gap for an institution exactly when its trainees can reach it neither at
    home (its published programme plan) nor through one of its valid agreements."""
    return not at_home and not list(agreements)


def public_path(plan_or_codes) -> str:
    """The stable public address of an institution's plan in a specialty (the current published
    version): `/utdanningsplan/<institution code>/<specialty code>/`."""
    if isinstance(plan_or_codes, ProgrammePlan):
        inst, spec = plan_or_codes.institution.code, plan_or_codes.specialty.code
    else:
        inst, spec = plan_or_codes
    return reverse("programmes:public", args=[inst, spec])


def public_url(plan_or_codes) -> str:
    from lisplan.operations.origin import base_url

    return base_url() + public_path(plan_or_codes)


def published_plan(institution_code: str, specialty_code: str) -> ProgrammePlan | None:
    return (
        ProgrammePlan.objects.filter(
            status=Status.PUBLISHED,
            institution__code__iexact=institution_code,
            specialty__code__iexact=specialty_code,
        )
        .select_related("institution__region", "specialty")
        .first()
    )


def plan_detail(qs, pk: int) -> ProgrammePlan | None:
    """A plan with everything its page, PDF and API read (constant queries)."""
    return (
        qs.filter(pk=pk)
        .select_related("institution__region", "specialty", "published_by")
        .prefetch_related(
            "phases",
            "arenas__arena",
            "arenas__goals",
            "arenas__prerequisites",
            "arenas__phase",
            "partner_periods__agreement__receiving",
            "partner_periods__agreement__goals",
            "partner_periods__agreement__arenas",
            "partner_periods__agreement__prerequisites",
            "partner_periods__prerequisites",
            "partner_periods__phase",
        )
        .first()
    )


# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    goal: str
    institution_id: int
    arena_id: int | None
    source: str
    programme_plan_id: int | None
    agreement_id: int | None
    approving_institution_id: int
    sending_id: int | None = None  # agreements: whose trainees reach the goal there


def _region_id(region) -> int | None:
    """A region given as id, code or object (None: the whole country)."""
    if region in (None, ""):
        return None
    if isinstance(region, Region):
        return region.pk
    if isinstance(region, int) or str(region).isdigit():
        return int(region)
    return (
        Region.objects.filter(code__iexact=str(region)).values_list("pk", flat=True).first() or -1
    )


def _valid_goals(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def places(
    *,
    codes: Iterable[str] | None = None,
    specialty_ids: Iterable[int] | None = None,
    region=None,
    on: dt.date | None = None,
) -> list[Place]:
    """Every place the goals (by code, or all goals of the specialties) are reached: published
    programme plans (the plan's institution and arena) and agreements valid on `on` (the
    receiving institution and each of the agreement's arenas, or no arena). With `region`,
    plans of institutions in the region and agreements with a party in it. Five queries."""
    on = on or timezone.localdate()
    region_id = _region_id(region)
    goals = LearningGoal.objects.all()
    if codes is not None:
        goals = goals.filter(code__in=sorted({c.upper() for c in codes}))
    if specialty_ids is not None:
        specialty_ids = list(specialty_ids)
        goals = goals.filter(specialty_id__in=specialty_ids)
    code_of = dict(goals.values_list("pk", "code"))
    # the goals as a subquery: a region's specialties have hundreds of goal ids
    plan_rows = PlanArena.goals.through.objects.filter(
        learninggoal_id__in=goals.values("pk"), planarena__plan__status=Status.PUBLISHED
    )
    agreement_rows = CollaborationAgreement.goals.through.objects.filter(
        Q(collaborationagreement__valid_to__isnull=True)
        | Q(collaborationagreement__valid_to__gte=on),
        learninggoal_id__in=goals.values("pk"),
        collaborationagreement__valid_from__lte=on,
    )
    if region_id is not None:
        plan_rows = plan_rows.filter(planarena__plan__institution__region_id=region_id)
        agreement_rows = agreement_rows.filter(
            Q(collaborationagreement__receiving__region_id=region_id)
            | Q(collaborationagreement__sending__region_id=region_id)
        )
    out: set[Place] = set()
    for goal, plan_id, inst, arena in plan_rows.values_list(
        "learninggoal_id",
        "planarena__plan_id",
        "planarena__plan__institution_id",
        "planarena__arena_id",
    ):
        out.add(Place(code_of[goal], inst, arena, PROGRAMME_PLAN, plan_id, None, inst))
    rows = [
        (code_of[goal], *rest)
        for goal, *rest in agreement_rows.values_list(
            "learninggoal_id",
            "collaborationagreement_id",
            "collaborationagreement__sending_id",
            "collaborationagreement__receiving_id",
        )
    ]
    ids = {r[1] for r in rows}
    arenas: dict[int, list[int]] = defaultdict(list)
    employer_approves: set[int] = set()
    if ids:
        for agreement, arena in CollaborationAgreement.arenas.through.objects.filter(
            collaborationagreement_id__in=ids
        ).values_list("collaborationagreement_id", "learningarena_id"):
            arenas[agreement].append(arena)
        employer_approves = set(
            PartnerPeriod.objects.filter(
                agreement_id__in=ids, approver=Approver.EMPLOYER, plan__status=Status.PUBLISHED
            ).values_list("agreement_id", flat=True)
        )
    for code, agreement, sending, receiving in rows:
        approver = sending if agreement in employer_approves else receiving
        for arena in arenas.get(agreement) or [None]:
            out.add(Place(code, receiving, arena, AGREEMENT, None, agreement, approver, sending))
    return sorted(
        out,
        key=lambda p: (
            p.goal,
            p.source != PROGRAMME_PLAN,
            p.institution_id,
            p.arena_id or 0,
            p.agreement_id or 0,
        ),
    )


@dataclass
class Names:
    """Names for the ids in a list of places (two queries)."""

    institutions: dict[int, Institution]
    arenas: dict[int, LearningArena]

    @classmethod
    def of(cls, rows: Iterable[Place]) -> Names:
        rows = list(rows)
        inst = (
            {p.institution_id for p in rows}
            | {p.approving_institution_id for p in rows}
            | {p.sending_id for p in rows if p.sending_id}
        )
        return cls(
            Institution.objects.select_related("region").in_bulk(inst),
            LearningArena.objects.in_bulk({p.arena_id for p in rows if p.arena_id}),
        )


def place_dict(p: Place, names: Names) -> dict:
    """A place as the API and the pages show it."""
    inst, approver = (
        names.institutions[p.institution_id],
        names.institutions[p.approving_institution_id],
    )
    arena = names.arenas.get(p.arena_id) if p.arena_id else None
    return {
        "goal": p.goal,
        "institution": {"id": inst.pk, "code": inst.code, "name": inst.name},
        "region": inst.region.code,
        "arena": {"id": arena.pk, "name": arena.name} if arena else None,
        "source": p.source,
        "programme_plan": p.programme_plan_id,
        "agreement": p.agreement_id,
        "sending_institution": (
            {
                "id": p.sending_id,
                "code": names.institutions[p.sending_id].code,
                "name": names.institutions[p.sending_id].name,
            }
            if p.sending_id
            else None
        ),
        "approving_institution": {"id": approver.pk, "code": approver.code, "name": approver.name},
    }


def goal_places(code: str, *, region=None, on: dt.date | None = None) -> list[dict]:
    """«Where can this goal be reached?» — the by-goal view and the API."""
    rows = places(codes=[code], region=region, on=on)
    names = Names.of(rows)
    return [place_dict(p, names) for p in rows]


def current_goal(code: str, on: dt.date | None = None) -> LearningGoal | None:
    on = on or timezone.localdate()
    return (
        LearningGoal.objects.filter(_valid_goals(on), code__iexact=code)
        .select_related("specialty")
        .order_by("-valid_from")
        .first()
    )


# --- coverage and gaps -----------------------------------------------------------------------


@dataclass
class GoalCoverage:
    code: str
    text: str
    at_home: bool
    home_arenas: list[int]
    agreements: list[int]
    places: list[Place]

    @property
    def gap(self) -> bool:
        return is_gap(self.at_home, self.agreements)

    @property
    def candidates(self) -> list[Place]:
        """Places elsewhere (for a gap: where a new agreement could take the trainees)."""
        return [p for p in self.places if p.source == PROGRAMME_PLAN]


@dataclass
class Coverage:
    institution_id: int
    specialty_id: int
    plan_id: int | None
    goals: list[GoalCoverage] = field(default_factory=list)

    @property
    def gaps(self) -> list[str]:
        return [g.code for g in self.goals if g.gap]


def specialty_goals(specialty_ids: Iterable[int], on: dt.date) -> dict[int, list[tuple]]:
    """The current goals (code, text) of each specialty, in code order (FKM goals are common
    to every course and not part of the map)."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for spec, code, text in (
        LearningGoal.objects.filter(_valid_goals(on), specialty_id__in=list(specialty_ids))
        .order_by("code", "valid_from")
        .values_list("specialty_id", "code", "text")
    ):
        out[spec][code] = text
    return {s: sorted(goals.items()) for s, goals in out.items()}


def coverage_many(
    pairs: Iterable[tuple[int, int]], *, on: dt.date | None = None, region=None
) -> list[Coverage]:
    """Coverage of each (institution, specialty); places elsewhere nationally (or in the
    region). Constant queries for any number of pairs."""
    on = on or timezone.localdate()
    pairs = sorted(set(pairs))
    if not pairs:
        return []
    specs = {s for _i, s in pairs}
    insts = {i for i, _s in pairs}
    goals = specialty_goals(specs, on)
    all_places = places(specialty_ids=specs, region=region, on=on)
    if region is not None:  # the institutions' own plans and agreements always count
        own = places(specialty_ids=specs, on=on)
        all_places = sorted(
            set(all_places)
            | {
                p
                for p in own
                if (p.institution_id in insts and p.source == PROGRAMME_PLAN)
                or p.sending_id in insts
            },
            key=lambda p: (p.goal, p.institution_id),
        )
    by_goal: dict[str, list[Place]] = defaultdict(list)
    for p in all_places:
        by_goal[p.goal].append(p)
    plan_of = {
        (i, s): pk
        for pk, i, s in ProgrammePlan.objects.filter(
            status=Status.PUBLISHED, institution_id__in=insts, specialty_id__in=specs
        ).values_list("pk", "institution_id", "specialty_id")
    }
    out = []
    for inst, spec in pairs:
        plan_id = plan_of.get((inst, spec))
        cov = Coverage(inst, spec, plan_id)
        for code, text in goals.get(spec, []):
            here = by_goal.get(code, [])
            home = sorted(
                {
                    p.arena_id
                    for p in here
                    if p.source == PROGRAMME_PLAN
                    and p.programme_plan_id == plan_id
                    and plan_id is not None
                }
            )
            agreements = sorted(
                {p.agreement_id for p in here if p.source == AGREEMENT and p.sending_id == inst}
            )
            elsewhere = [
                p for p in here if not (p.source == PROGRAMME_PLAN and p.institution_id == inst)
            ]
            cov.goals.append(GoalCoverage(code, text, bool(home), home, agreements, elsewhere))
        out.append(cov)
    return out


def coverage(
    institution_id: int, specialty_id: int, *, on: dt.date | None = None, region=None
) -> Coverage:
    return coverage_many([(institution_id, specialty_id)], on=on, region=region)[0]


def courses(*, region=None, institutions: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """The (institution, specialty) pairs the gap report covers: every published plan, in the
    region or for the given institutions."""
    qs = ProgrammePlan.objects.filter(status=Status.PUBLISHED)
    region_id = _region_id(region)
    if region_id is not None:
        qs = qs.filter(institution__region_id=region_id)
    if institutions is not None:
        qs = qs.filter(institution_id__in=list(institutions))
    return list(qs.values_list("institution_id", "specialty_id").distinct())


# --- demand from the register ----------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """Agreements that are the only way to some goals: `demand` trainees at one time (the
    register's trainees × the period's months / the course's months) against `capacity`."""

    institution_id: int
    specialty_id: int
    agreements: tuple[int, ...]
    goals: tuple[str, ...]
    trainees: int
    demand: int
    capacity: int


def capacity_shortfalls(covs: list[Coverage]) -> list[Shortfall]:
    """For each course, the agreements it depends on (goals not reachable at home) whose
    combined capacity at one time is below the expected demand. Three queries."""
    needs: dict[tuple[int, int], dict[tuple[int, ...], list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for cov in covs:
        for g in cov.goals:
            if not g.at_home and g.agreements:
                needs[(cov.institution_id, cov.specialty_id)][tuple(g.agreements)].append(g.code)
    if not needs:
        return []
    ids = {a for groups in needs.values() for key in groups for a in key}
    agreements = {
        a["pk"]: a
        for a in CollaborationAgreement.objects.filter(pk__in=ids).values(
            "pk", "capacity", "duration_months"
        )
    }
    trainees = {
        (r["institution_id"], r["specialty_id"]): r["n"]
        for r in RegisterEntry.objects.filter(
            left_on__isnull=True,
            institution_id__in={i for i, _s in needs},
            specialty_id__in={s for _i, s in needs},
        )
        .values("institution_id", "specialty_id")
        .annotate(n=Count("trainee", distinct=True))
    }
    months = _course_months([c for c in covs if c.plan_id])
    out = []
    for (inst, spec), groups in needs.items():
        n = trainees.get((inst, spec), 0)
        if not n:
            continue
        course = months.get((inst, spec)) or DEFAULT_COURSE_MONTHS
        for key, codes in groups.items():
            period = min(agreements[a]["duration_months"] for a in key)
            demand = math.ceil(n * period / course)
            capacity = sum(agreements[a]["capacity"] for a in key)
            if demand > capacity:
                out.append(Shortfall(inst, spec, key, tuple(codes), n, demand, capacity))
    return out


def _course_months(covs: list[Coverage]) -> dict[tuple[int, int], int]:
    from django.db.models import Sum

    from lisplan.programmes.models import Phase

    plan_ids = {c.plan_id for c in covs}
    by_plan = dict(
        Phase.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(m=Sum("months"))
        .values_list("plan_id", "m")
    )
    return {(c.institution_id, c.specialty_id): by_plan.get(c.plan_id, 0) for c in covs}


# --- the gap report --------------------------------------------------------------------------


@dataclass
class GapRow:
    institution: Institution
    specialty: Specialty
    plan_id: int | None
    gaps: list[GoalCoverage]
    shortfalls: list[Shortfall]


def gap_report(
    *, region=None, institutions: Iterable[int] | None = None, on: dt.date | None = None
) -> list[GapRow]:
    """Every course with a published plan (in the region / for the institutions) that has gaps
    or capacity shortfalls, with the candidate places for each gap."""
    pairs = courses(region=region, institutions=institutions)
    covs = coverage_many(pairs, on=on)
    short = defaultdict(list)
    for s in capacity_shortfalls(covs):
        short[(s.institution_id, s.specialty_id)].append(s)
    inst = Institution.objects.in_bulk({i for i, _s in pairs})
    spec = Specialty.objects.in_bulk({s for _i, s in pairs})
    rows = []
    for cov in covs:
        gaps = [g for g in cov.goals if g.gap]
        key = (cov.institution_id, cov.specialty_id)
        if gaps or short.get(key):
            rows.append(
                GapRow(
                    inst[cov.institution_id],
                    spec[cov.specialty_id],
                    cov.plan_id,
                    gaps,
                    short.get(key, []),
                )
            )
    rows.sort(key=lambda r: (r.institution.name, r.specialty.name))
    return rows


# --- prerequisites and IUP table 3 read from the plan ------------------------------------------


def plan_prerequisites(agreement_ids: Iterable[int]) -> dict[int, set[int]]:
    """Goal ids the sending institution's published plan requires before each agreement's
    period (its partner period for that agreement). One query."""
    out: dict[int, set[int]] = defaultdict(set)
    rows = PartnerPeriod.prerequisites.through.objects.filter(
        partnerperiod__agreement_id__in=list(agreement_ids),
        partnerperiod__plan__status=Status.PUBLISHED,
    ).values_list("partnerperiod__agreement_id", "learninggoal_id")
    for agreement, goal in rows:
        out[agreement].add(goal)
    return dict(out)


def rotation_prerequisites(agreement_ids: Iterable[int]) -> dict[int, list[LearningGoal]]:
    """The learning goals required before a period under each agreement: the sending
    institution's published programme plan (its partner period for that agreement) together
    with the agreement's own — the stricter of the two, as their union. One goal per code (the
    newest version), in code order. Two queries."""
    ids = list(agreement_ids)
    goals: dict[int, dict[str, LearningGoal]] = defaultdict(dict)

    def add(agreement: int, goal: LearningGoal) -> None:
        have = goals[agreement].get(goal.code)
        if have is None or goal.valid_from > have.valid_from:
            goals[agreement][goal.code] = goal

    for row in CollaborationAgreement.prerequisites.through.objects.filter(
        collaborationagreement_id__in=ids
    ).select_related("learninggoal"):
        add(row.collaborationagreement_id, row.learninggoal)
    for row in PartnerPeriod.prerequisites.through.objects.filter(
        partnerperiod__agreement_id__in=ids, partnerperiod__plan__status=Status.PUBLISHED
    ).select_related("learninggoal", "partnerperiod"):
        add(row.partnerperiod.agreement_id, row.learninggoal)
    return {a: [g for _c, g in sorted(by_code.items())] for a, by_code in goals.items()}


def table3_prefill(institution_id, specialty_id) -> dict | None:
    """IUP table 3 («hvor læringsmålene oppnås») from the course's published programme plan:
    the public link, goals at the own unit and at other arenas of the trust, goals in other
    trusts under each partner period's agreement. None without a published plan."""
    if not institution_id or not specialty_id:
        return None
    published = ProgrammePlan.objects.filter(
        status=Status.PUBLISHED, institution_id=institution_id, specialty_id=specialty_id
    )
    pk = published.values_list("pk", flat=True).first()
    plan = plan_detail(published, pk) if pk else None
    if plan is None:
        return None
    arenas = list(plan.arenas.all())

    def line(name, goals) -> str:
        codes = ", ".join(sorted(g.code for g in goals))
        return f"{name}: {codes}" if codes else ""

    own = [line(a.arena.name, a.goals.all()) for a in arenas[:1]]
    other = [line(a.arena.name, a.goals.all()) for a in arenas[1:]]
    trusts = []
    for p in plan.partner_periods.all():
        text = line(p.agreement.receiving.name, p.agreement.goals.all())
        required = sorted(
            {g.code for g in p.prerequisites.all()}
            | {g.code for g in p.agreement.prerequisites.all()}
        )
        if text and required:
            text += " " + _("(krever før start: %(codes)s)") % {"codes": ", ".join(required)}
        trusts.append(text)
    return {
        "programme_plan_url": public_url(plan),
        "goals_own_unit": "\n".join(x for x in own if x),
        "goals_other_unit": "\n".join(x for x in other if x),
        "goals_other_trust": "\n".join(x for x in trusts if x),
    }
