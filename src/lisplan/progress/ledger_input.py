"""Database rows → the requirement engine's input (`progress.engine.TraineeInput`).

`build_inputs(trainee_ids, today)` reads a whole batch with a fixed number of queries (one per
table, goals once per specialty), so the page, the API, `refresh_progress` and the demo share it.

How rows become engine inputs (docs/decisions/0005-progress-data.md):

* An employment is service at its position %: in the trainee's own specialty ``specialty``, in
  another specialty ``other_specialty``; an ALM employment is ``open_practice`` unless service
  periods are linked to it, which then replace it with their own categories (for ALIS the
  category — open practice, nursing home, out-of-hours, institution … — is not in the
  employment).
* Service periods not linked to an employment are service outside lisplan's employments.
* Leave periods are leave; the engine's rules decide what counts.
* The approved implementation plan (the latest approved revision) gives the credits (old
  scheme, other specialty), the target end (`estimated_end`) and its periods as planned
  placements for the projection.
* Goals are the versions valid `today` for the trainee's specialty (own, part-2 group, FKM); an
  approval counts only for that exact version (the goal version rule).
* Activities: the course code of a catalogue course (or the title), the kind, count, hours.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _

from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.progress import engine
from lisplan.progress.models import (
    LEDGER_CATEGORY,
    ActivityRecord,
    GoalApproval,
    GoalStatus,
    ServicePeriod,
)
from lisplan.trainees.models import Employment, LeavePeriod

GP = "ALM"
# The ledger category of service in the trainee's own specialty, where it is not «specialty»
# (parts 2/3 of a hospital specialty): an ALM employment is open unselected practice, a SAM
# employment community-medicine work, unless service periods linked to it say otherwise.
OWN_CATEGORY = {GP: "open_practice", "SAM": "community_medicine"}


class EmploymentRow(NamedTuple):
    """An employment as the ledger reads it: a tuple, not a model instance (a batch of 2,500
    trainees has ~7,500 employments; model instances with three related objects each were
    the largest cost of a refresh). The main employment is loaded as a model for the pages."""

    pk: int
    trainee_id: int
    start: dt.date
    end: dt.date | None
    permanent: bool
    position_percent: int
    specialty_id: int
    specialty_code: str
    specialty_name: str
    institution_name: str
    arena_name: str | None


def _main_employment(rows, today: dt.date):
    current = [e for e in rows if e.start <= today and (e.end is None or e.end >= today)]
    pool = current or rows
    if not pool:
        return None
    return max(pool, key=lambda e: (e.permanent, e.start, e.pk))


class GoalCatalogue:
    """Required goal versions per specialty, read once per specialty per batch."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._cache: dict[int, list[LearningGoal]] = {}
        self._entries: dict[int, list[tuple[int, str, str, str, engine.GoalStatus]]] = {}

    def entries(self, specialty: Specialty) -> list[tuple[int, str, str, str, engine.GoalStatus]]:
        """(goal id, code, scope, label, the engine's «not approved» status) per required
        goal: the not-approved status is immutable and shared by every trainee."""
        got = self._entries.get(specialty.pk)
        if got is None:
            got = self._entries[specialty.pk] = [
                (
                    g.pk,
                    g.code,
                    g.part,
                    g.text[:120],
                    engine.GoalStatus(
                        code=g.code, scope=g.part, approved=False, label=g.text[:120]
                    ),
                )
                for g in self.goals(specialty)
            ]
        return got

    def goals(self, specialty: Specialty) -> list[LearningGoal]:
        if specialty.pk not in self._cache:
            cond = Q(specialty=specialty) | Q(common=True)
            if specialty.part2_group:
                cond |= Q(code__startswith=f"{specialty.part2_group}-")
            self._cache[specialty.pk] = list(
                LearningGoal.objects.filter(
                    cond,
                    Q(valid_to__isnull=True) | Q(valid_to__gte=self.today),
                    valid_from__lte=self.today,
                )
                .exclude(part=LearningGoal.Part.LIS1)
                .only("id", "code", "part", "text", "common", "valid_from", "valid_to")
                .order_by("common", "code")
            )
        return self._cache[specialty.pk]


class PlanPeriodRow(NamedTuple):
    pk: int
    start: dt.date
    end: dt.date
    specialty_code: str
    specialty_name: str
    institution_name: str


class PlanRow(NamedTuple):
    """What progress reads of the latest approved revision of the implementation plan."""

    pk: int
    estimated_end: dt.date | None
    credit_old_scheme_months: Decimal | None
    credit_other_specialty_months: Decimal | None
    periods: list[PlanPeriodRow]


def _approved_plans(trainee_ids: list[int]) -> dict[int, PlanRow]:
    """The latest approved revision per trainee, with its periods (two queries, tuples)."""
    from lisplan.plans.models import Period, Revision, Status

    out: dict[int, PlanRow] = {}
    for pk, tid, end, old, other in (
        Revision.objects.filter(plan__trainee_id__in=trainee_ids, status=Status.APPROVED)
        .order_by("plan__trainee_id", "-approved_at", "-id")
        .values_list(
            "pk",
            "plan__trainee_id",
            "estimated_end",
            "credit_old_scheme_months",
            "credit_other_specialty_months",
        )
    ):
        if tid not in out:
            out[tid] = PlanRow(pk, end, old, other, [])
    by_revision = {plan.pk: plan for plan in out.values()}
    for row in (
        Period.objects.filter(revision_id__in=list(by_revision))
        .order_by("start", "pk")
        .values_list(
            "revision_id",
            "pk",
            "start",
            "end",
            "specialty__code",
            "specialty__name",
            "institution__name",
        )
    ):
        by_revision[row[0]].periods.append(PlanPeriodRow(*row[1:]))
    return out


def build_inputs(
    trainee_ids: Iterable[int], today: dt.date, goals: GoalCatalogue | None = None
) -> dict[int, tuple[engine.TraineeInput, dict]]:
    """{trainee id: (TraineeInput, context)}; context holds the specialty, the main employment
    and the resolved goal rows for rendering."""
    ids = list(trainee_ids)
    goals = goals or GoalCatalogue(today)
    employments: dict[int, list[EmploymentRow]] = defaultdict(list)
    for row in (
        Employment.objects.filter(trainee_id__in=ids)
        .order_by("start", "id")
        .values_list(
            "pk",
            "trainee_id",
            "start",
            "end",
            "permanent",
            "position_percent",
            "specialty_id",
            "specialty__code",
            "specialty__name",
            "institution__name",
            "arena__name",
        )
    ):
        employments[row[1]].append(EmploymentRow(*row))
    # Plain tuples, not model instances, for the large tables: building 100,000 model objects
    # took most of the time of a 2,500-trainee refresh.
    leave: dict[int, list[engine.Leave]] = defaultdict(list)
    kinds = dict(LeavePeriod.Kind.choices)
    for pk, tid, kind, start, end, percent in (
        LeavePeriod.objects.filter(trainee_id__in=ids)
        .order_by("start")
        .values_list("pk", "trainee_id", "kind", "start", "end", "percent")
    ):
        leave[tid].append(
            engine.Leave(
                start=start,
                end=end,
                kind=kind,
                percent=percent,
                ref=f"leave:{pk}",
                label=str(kinds.get(kind, kind)),
            )
        )
    periods: dict[int, list[ServicePeriod]] = defaultdict(list)
    for p in (
        ServicePeriod.objects.filter(trainee_id__in=ids)
        .select_related("institution", "specialty")
        .order_by("start")
    ):
        periods[p.trainee_id].append(p)
    approvals: dict[int, dict[int, tuple[str, dt.date | None]]] = defaultdict(dict)
    # Only approvals count (the goal version rule is applied below by goal id).
    for tid, goal_id, status, approved_on in GoalApproval.objects.filter(
        trainee_id__in=ids, status=GoalStatus.APPROVED
    ).values_list("trainee_id", "goal_id", "status", "approved_on"):
        approvals[tid][goal_id] = (status, approved_on)
    activities: dict[int, list[engine.Activity]] = defaultdict(list)
    for row in (
        ActivityRecord.objects.filter(trainee_id__in=ids)
        .order_by("date", "pk")
        .values_list(
            "pk",
            "trainee_id",
            "kind",
            "date",
            "end_date",
            "count",
            "hours",
            "title",
            "course_id",
            "course__name",
            "course__hours",
            "course__requirement_code",
            "course__counts_as",
            "course__code",
        )
    ):
        activities[row[1]].append(_activity(*row))
    plans = _approved_plans(ids)
    main_rows = {tid: _main_employment(employments[tid], today) for tid in ids}
    mains = Employment.objects.select_related("specialty", "institution", "arena").in_bulk(
        [r.pk for r in main_rows.values() if r is not None]
    )

    out = {}
    for tid in ids:
        main_row = main_rows[tid]
        main = mains.get(main_row.pk) if main_row else None
        specialty = main.specialty if main else None
        code = specialty.code if specialty else ""
        plan = plans.get(tid)
        required = goals.goals(specialty) if specialty else []
        approved = approvals[tid]
        goal_inputs = []
        for goal_id, goal_code, scope, label, not_approved in (
            goals.entries(specialty) if specialty else ()
        ):
            status, approved_on = approved.get(goal_id, ("", None))
            if status == GoalStatus.APPROVED:
                goal_inputs.append(
                    engine.GoalStatus(
                        code=goal_code,
                        scope=scope,
                        approved=True,
                        approved_on=approved_on,
                        label=label,
                    )
                )
            else:
                goal_inputs.append(not_approved)
        inp = engine.TraineeInput(
            today=today,
            specialty=code,
            periods=tuple(_service(employments[tid], periods[tid], code, plan)),
            leave=tuple(leave[tid]),
            credits=tuple(_credits(plan)),
            goals=tuple(goal_inputs),
            activities=tuple(activities[tid]),
            target_end=getattr(plan, "estimated_end", None),
        )
        starts = [
            e.start for e in employments[tid] if e.specialty_id == getattr(specialty, "pk", None)
        ]
        out[tid] = (
            inp,
            {
                "specialty": specialty,
                "main_employment": main,
                "plan": plan,
                "goals": required,
                "specialty_start": min(starts, default=today),
            },
        )
    return out


def _service(
    employments: list[EmploymentRow], periods: list[ServicePeriod], specialty: str, plan
) -> list[engine.ServicePeriod]:
    linked = {p.employment_id for p in periods if p.employment_id}
    out = []
    for e in employments:
        if e.pk in linked:
            continue
        if e.specialty_code == specialty:
            category = OWN_CATEGORY.get(specialty, "specialty")
        else:
            category = "other_specialty"
        place = e.institution_name + (f", {e.arena_name}" if e.arena_name else "")
        out.append(
            engine.ServicePeriod(
                start=e.start,
                end=e.end,
                category=category,
                percent=e.position_percent,
                specialty=e.specialty_code,
                ref=f"employment:{e.pk}",
                label=f"{place} ({e.specialty_name})",
            )
        )
    for p in periods:
        place = str(p.institution) if p.institution_id else p.place
        out.append(
            engine.ServicePeriod(
                start=p.start,
                end=p.end,
                category=LEDGER_CATEGORY[p.category],
                percent=p.percent,
                specialty=p.specialty.code if p.specialty_id else specialty,
                ref=f"service:{p.pk}",
                label=f"{p.get_category_display()}" + (f", {place}" if place else ""),
            )
        )
    if plan is not None:
        for period in plan.periods:
            own = period.specialty_code == specialty
            out.append(
                engine.ServicePeriod(
                    start=period.start,
                    end=period.end,
                    category=OWN_CATEGORY.get(specialty, "specialty") if own else "other_specialty",
                    percent=None,
                    specialty=period.specialty_code,
                    ref=f"plan-period:{period.pk}",
                    label=f"{period.institution_name} ({period.specialty_name})",
                    planned=True,
                )
            )
    return out


def _credits(plan) -> list[engine.Credit]:
    if plan is None:
        return []
    out = []
    if plan.credit_old_scheme_months:
        out.append(
            engine.Credit(
                "old_scheme",
                Decimal(plan.credit_old_scheme_months),
                ref=f"plan:{plan.pk}",
                label=_("Godkjent tjenestetid i gammel ordning"),
            )
        )
    if plan.credit_other_specialty_months:
        out.append(
            engine.Credit(
                "other_specialty",
                Decimal(plan.credit_other_specialty_months),
                ref=f"plan:{plan.pk}",
                label=_("Godkjent tjenestetid fra annen spesialitet"),
            )
        )
    return out


# ActivityRecord.kind -> the activity_kind the requirement sets use, where they differ.
ENGINE_KIND = {"procedure": "procedures"}


def _activity(
    pk,
    _tid,
    kind,
    on,
    end,
    count,
    hours,
    title,
    course_id,
    course_name,
    course_hours,
    requirement_code,
    counts_as,
    course_code,
) -> engine.Activity:
    """A catalogue course counts under its requirement code (emnekurs, grunnkurs_a, …) and
    its own name, so six different topic courses are six distinct titles."""
    kind = ENGINE_KIND.get(kind, kind)
    if course_id:
        return engine.Activity(
            kind=counts_as or kind,
            code=requirement_code,
            title=title or course_name,
            on=on,
            end=end,
            count=count,
            hours=hours if hours is not None else course_hours,
            ref=f"activity:{pk}",
            course=course_code,
        )
    return engine.Activity(
        kind=kind,
        code="",
        title=title,
        on=on,
        end=end,
        count=count,
        hours=hours,
        ref=f"activity:{pk}",
    )
