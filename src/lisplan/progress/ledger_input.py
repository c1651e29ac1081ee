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

from django.db.models import Q

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


def _main_employment(rows: list[Employment], today: dt.date) -> Employment | None:
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

    def goals(self, specialty: Specialty) -> list[LearningGoal]:
        if specialty.pk not in self._cache:
            cond = Q(specialty=specialty) | Q(common=True)
            if specialty.part2_group:
                cond |= Q(code__startswith=f"{specialty.part2_group}-")
            self._cache[specialty.pk] = list(
                LearningGoal.objects.filter(
                    cond, Q(valid_to__isnull=True) | Q(valid_to__gte=self.today),
                    valid_from__lte=self.today,
                ).exclude(part=LearningGoal.Part.LIS1).only(
                    "id", "code", "part", "text", "common", "valid_from", "valid_to"
                ).order_by("common", "code"))
        return self._cache[specialty.pk]


def _approved_plans(trainee_ids: list[int]) -> dict[int, object]:
    """The latest approved revision per trainee, with its periods."""
    from django.db.models import Prefetch

    from lisplan.plans.models import Period, Revision, Status

    revisions = (
        Revision.objects.filter(plan__trainee_id__in=trainee_ids, status=Status.APPROVED)
        .select_related("plan", "specialty")
        .prefetch_related(Prefetch("periods", queryset=Period.objects.select_related(
            "specialty", "institution").order_by("start")))
        .order_by("plan__trainee_id", "-approved_at", "-id")
    )
    out: dict[int, object] = {}
    for r in revisions:
        out.setdefault(r.plan.trainee_id, r)
    return out


def build_inputs(trainee_ids: Iterable[int], today: dt.date,
                 goals: GoalCatalogue | None = None) -> dict[int, tuple[engine.TraineeInput, dict]]:
    """{trainee id: (TraineeInput, context)}; context holds the specialty, the main employment
    and the resolved goal rows for rendering."""
    ids = list(trainee_ids)
    goals = goals or GoalCatalogue(today)
    employments: dict[int, list[Employment]] = defaultdict(list)
    for e in (Employment.objects.filter(trainee_id__in=ids)
              .select_related("specialty", "institution", "arena").order_by("start", "id")):
        employments[e.trainee_id].append(e)
    # Plain tuples, not model instances, for the large tables: building 100,000 model objects
    # took most of the time of a 2,500-trainee refresh.
    leave: dict[int, list[engine.Leave]] = defaultdict(list)
    kinds = dict(LeavePeriod.Kind.choices)
    for pk, tid, kind, start, end, percent in (
            LeavePeriod.objects.filter(trainee_id__in=ids).order_by("start")
            .values_list("pk", "trainee_id", "kind", "start", "end", "percent")):
        leave[tid].append(engine.Leave(start=start, end=end, kind=kind, percent=percent,
                                       ref=f"leave:{pk}", label=str(kinds.get(kind, kind))))
    periods: dict[int, list[ServicePeriod]] = defaultdict(list)
    for p in (ServicePeriod.objects.filter(trainee_id__in=ids)
              .select_related("institution", "specialty").order_by("start")):
        periods[p.trainee_id].append(p)
    approvals: dict[int, dict[int, tuple[str, dt.date | None]]] = defaultdict(dict)
    for tid, goal_id, status, approved_on in (
            GoalApproval.objects.filter(trainee_id__in=ids)
            .values_list("trainee_id", "goal_id", "status", "approved_on")):
        approvals[tid][goal_id] = (status, approved_on)
    activities: dict[int, list[engine.Activity]] = defaultdict(list)
    for row in (ActivityRecord.objects.filter(trainee_id__in=ids).order_by("date", "pk")
                .values_list("pk", "trainee_id", "kind", "date", "end_date", "count", "hours",
                             "title", "course_id", "course__name", "course__hours",
                             "course__requirement_code", "course__counts_as")):
        activities[row[1]].append(_activity(*row))
    plans = _approved_plans(ids)

    out = {}
    for tid in ids:
        main = _main_employment(employments[tid], today)
        specialty = main.specialty if main else None
        code = specialty.code if specialty else ""
        plan = plans.get(tid)
        required = goals.goals(specialty) if specialty else []
        approved = approvals[tid]
        goal_inputs = []
        for g in required:
            status, approved_on = approved.get(g.pk, ("", None))
            ok = status == GoalStatus.APPROVED
            goal_inputs.append(engine.GoalStatus(
                code=g.code, scope=g.part, approved=ok,
                approved_on=approved_on if ok else None, label=g.text[:120]))
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
        starts = [e.start for e in employments[tid] if e.specialty_id == getattr(
            specialty, "pk", None)]
        out[tid] = (inp, {"specialty": specialty, "main_employment": main, "plan": plan,
                          "goals": required, "specialty_start": min(starts, default=today)})
    return out


def _service(employments: list[Employment], periods: list[ServicePeriod], specialty: str,
             plan) -> list[engine.ServicePeriod]:
    linked = {p.employment_id for p in periods if p.employment_id}
    out = []
    for e in employments:
        if e.pk in linked:
            continue
        if e.specialty.code == specialty:
            category = "open_practice" if specialty == GP else "specialty"
        else:
            category = "other_specialty"
        place = f"{e.institution}" + (f", {e.arena.name}" if e.arena_id else "")
        out.append(engine.ServicePeriod(
            start=e.start, end=e.end, category=category, percent=e.position_percent,
            specialty=e.specialty.code, ref=f"employment:{e.pk}",
            label=f"{place} ({e.specialty.name})"))
    for p in periods:
        place = str(p.institution) if p.institution_id else p.place
        out.append(engine.ServicePeriod(
            start=p.start, end=p.end, category=LEDGER_CATEGORY[p.category], percent=p.percent,
            specialty=p.specialty.code if p.specialty_id else specialty,
            ref=f"service:{p.pk}",
            label=f"{p.get_category_display()}" + (f", {place}" if place else "")))
    if plan is not None:
        for period in plan.periods.all():
            own = period.specialty.code == specialty
            out.append(engine.ServicePeriod(
                start=period.start, end=period.end,
                category=("open_practice" if specialty == GP else "specialty") if own
                else "other_specialty",
                percent=None, specialty=period.specialty.code, ref=f"plan-period:{period.pk}",
                label=f"{period.institution} ({period.specialty.name})", planned=True))
    return out


def _credits(plan) -> list[engine.Credit]:
    if plan is None:
        return []
    out = []
    if plan.credit_old_scheme_months:
        out.append(engine.Credit("old_scheme", Decimal(plan.credit_old_scheme_months),
                                 ref=f"plan:{plan.pk}",
                                 label="Godkjent tjenestetid i gammel ordning"))
    if plan.credit_other_specialty_months:
        out.append(engine.Credit("other_specialty", Decimal(plan.credit_other_specialty_months),
                                 ref=f"plan:{plan.pk}",
                                 label="Godkjent tjenestetid fra annen spesialitet"))
    return out


# ActivityRecord.kind -> the activity_kind the requirement sets use, where they differ.
ENGINE_KIND = {"procedure": "procedures"}


def _activity(pk, _tid, kind, on, end, count, hours, title, course_id, course_name,
              course_hours, requirement_code, counts_as) -> engine.Activity:
    """A catalogue course counts under its requirement code (emnekurs, grunnkurs_a, …) and
    its own name, so six different topic courses are six distinct titles."""
    kind = ENGINE_KIND.get(kind, kind)
    if course_id:
        return engine.Activity(kind=counts_as or kind, code=requirement_code,
                               title=title or course_name, on=on, end=end, count=count,
                               hours=hours if hours is not None else course_hours,
                               ref=f"activity:{pk}")
    return engine.Activity(kind=kind, code="", title=title, on=on, end=end, count=count,
                           hours=hours, ref=f"activity:{pk}")
