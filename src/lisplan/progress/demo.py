"""Realistic progress for every demo trainee: goal approvals, activities, ALIS service periods,
and the cached summaries. Deterministic (`random.Random(seed)`), written with `bulk_create`.

Called by the demo loader after the trainees, employments, leave and plans are written:

    from lisplan.progress.demo import load_progress_demo
    load_progress_demo(seed=seed, today=today)

Rows hang off demo trainees (CASCADE), so clearing the demo trainees clears them too.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from lisplan.accounts.models import Role, RoleAssignment
from lisplan.catalogue.models import LearningGoal
from lisplan.demo.bulk import insert_rows, keys_checked_at_end, new_row
from lisplan.progress.loader import load_courses
from lisplan.progress.models import (
    ActivityRecord,
    Assessment,
    Course,
    GoalApproval,
    GoalStatus,
    ServicePeriod,
)
from lisplan.progress.summary import refresh_summaries
from lisplan.trainees.models import Employment, Supervision, Trainee

TRAINING_YEARS = 5.0
ASSESSMENTS = [
    Assessment.PANEL,
    Assessment.OBSERVATION,
    Assessment.SUPERVISION,
    Assessment.CASE,
    Assessment.PROCEDURE,
]
PROCEDURES = [
    "Lumbalpunksjon",
    "Thoraxdren",
    "Sentralt venekateter",
    "Gipsing",
    "Sutur av sår",
    "Ultralydveiledet punksjon",
]


@dataclass
class ProgressDemoResult:
    trainees: int
    approvals: int
    activities: int
    service_periods: int
    seconds: float
    # each trainee's engine input and context as of today, read once for the summaries and
    # reused by the IUP demo's status tables (`iup.demo.load_iup_demo(inputs=…)`)
    inputs: dict = field(default_factory=dict, repr=False)


def _days(a: dt.date, b: dt.date) -> int:
    return max((b - a).days, 0)


def _between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randint(0, _days(a, b)))


@transaction.atomic
def load_progress_demo(*, seed: int, today: dt.date) -> ProgressDemoResult:
    with keys_checked_at_end(GoalApproval, ActivityRecord, ActivityRecord.goals.through):
        return _load(seed, today)


def _load(seed: int, today: dt.date) -> ProgressDemoResult:
    started = time.perf_counter()
    load_courses()
    rng = random.Random(seed)
    trainee_ids = list(
        Trainee.objects.filter(demo=True).order_by("pk").values_list("pk", flat=True)
    )
    ActivityRecord.objects.filter(trainee_id__in=trainee_ids).delete()
    GoalApproval.objects.filter(trainee_id__in=trainee_ids).delete()
    ServicePeriod.objects.filter(trainee_id__in=trainee_ids).delete()

    employments: dict[int, list[Employment]] = defaultdict(list)
    for e in (
        Employment.objects.filter(trainee_id__in=trainee_ids)
        .select_related("specialty", "arena")
        .order_by("start", "id")
    ):
        employments[e.trainee_id].append(e)
    supervisors: dict[int, int] = {}
    for tid, uid in Supervision.objects.filter(trainee_id__in=trainee_ids).values_list(
        "trainee_id", "supervisor_id"
    ):
        supervisors.setdefault(tid, uid)
    # Approvers: the arena's leader, else a local coordinator of the employer.
    coordinators: dict[int, int] = {}
    for inst, uid in RoleAssignment.objects.filter(
        role=Role.LOCAL_COORDINATOR, institution__isnull=False
    ).values_list("institution_id", "user_id"):
        coordinators.setdefault(inst, uid)
    goals_by_specialty: dict[int, list[LearningGoal]] = {}
    courses = list(Course.objects.all())
    alm_courses = {
        c.requirement_code: c
        for c in courses
        if c.specialty and c.specialty.code == "ALM" and c.kind != Course.Kind.TOPIC
    }
    topic_courses = [c for c in courses if c.kind == Course.Kind.TOPIC]
    national = [c for c in courses if c.kind in (Course.Kind.NATIONAL, Course.Kind.FKM)]

    approvals, activities, periods = [], [], []
    for tid in trainee_ids:
        rows = employments.get(tid)
        if not rows:
            continue
        main = max(rows, key=lambda e: (e.permanent, e.start, e.pk))
        spec = main.specialty
        first = min(e.start for e in rows if e.specialty_id == spec.pk)
        if first > today:
            continue
        elapsed = _days(first, today) / 365.25
        # Most are on pace; some are behind (slow sign-off), a few ahead.
        pace = rng.choice([1.0, 1.0, 1.0, 0.9, 0.75, 0.5, 1.15])
        fraction = min(1.0, elapsed / TRAINING_YEARS * pace)
        if spec.pk not in goals_by_specialty:
            cond = Q(specialty=spec) | Q(common=True)
            if spec.part2_group:
                cond |= Q(code__startswith=f"{spec.part2_group}-")
            goals_by_specialty[spec.pk] = list(
                LearningGoal.objects.filter(
                    cond,
                    Q(valid_to__isnull=True) | Q(valid_to__gte=today),
                    valid_from__lte=today,
                )
                .exclude(part=LearningGoal.Part.LIS1)
                .order_by("code")
            )
        approver = (
            main.arena.leader_id
            if main.arena_id and main.arena.leader_id
            else coordinators.get(main.institution_id)
        )
        for goal in goals_by_specialty[spec.pk]:
            roll = rng.random()
            if roll < fraction and approver:
                approvals.append(
                    _row(
                        GoalApproval,
                        trainee_id=tid,
                        goal=goal,
                        status=GoalStatus.APPROVED,
                        assessment=rng.choice(ASSESSMENTS),
                        approved_by_id=approver,
                        approved_on=_between(rng, max(first, goal.valid_from), today),
                        institution_id=main.institution_id,
                        arena_id=main.arena_id,
                    )
                )
            elif roll < fraction + 0.15:
                approvals.append(
                    _row(GoalApproval, trainee_id=tid, goal=goal, status=GoalStatus.IN_PROGRESS)
                )
        # Meetings and panels of the last year only (earlier ones are in the paper IUP).
        supervisor = supervisors.get(tid)
        since = max(first, today - dt.timedelta(days=365))
        for m in range(0, int(_days(since, today) / 30.4), rng.choice([1, 2, 2, 3])):
            day = since + dt.timedelta(days=int(m * 30.4) + rng.randint(0, 20))
            if day > today or supervisor is None:
                break
            activities.append(
                _row(
                    ActivityRecord,
                    trainee_id=tid,
                    kind="supervision_meeting",
                    date=day,
                    supervisor_id=supervisor,
                    minutes_by=rng.choice(["trainee", "supervisor"]),
                    summary="Gjennomgang av progresjon og læringsmål.",
                )
            )
        for half in range(int(elapsed * 2)):
            day = first + dt.timedelta(days=int(half * 182.6) + 150)
            if since <= day <= today:
                activities.append(
                    _row(
                        ActivityRecord,
                        trainee_id=tid,
                        kind="assessment_panel",
                        date=day,
                        participants="Utdanningsansvarlig overlege, leder, veileder",
                        summary="Progresjonen er vurdert; se IUP.",
                    )
                )
        if spec.code == "ALM":
            _alm(
                rng,
                tid,
                main,
                first,
                today,
                fraction,
                alm_courses,
                topic_courses,
                activities,
                periods,
            )
        elif spec.code == "SAM":
            _sam(rng, tid, main, first, today, fraction, activities, periods)
        else:
            # The specialty's own recommended courses and the general ones (FKM, ATLS …).
            mine = [c for c in national if c.specialty_id in (None, spec.pk)]
            for course in rng.sample(mine, k=min(len(mine), int(fraction * 4))):
                activities.append(
                    _row(
                        ActivityRecord,
                        trainee_id=tid,
                        kind="course",
                        course=course,
                        hours=course.hours,
                        date=_between(rng, first, today),
                    )
                )
            for _i in range(rng.randint(0, 2)):
                activities.append(
                    _row(
                        ActivityRecord,
                        trainee_id=tid,
                        kind="procedure",
                        title=rng.choice(PROCEDURES),
                        count=rng.randint(1, 10),
                        date=_between(rng, first, today),
                    )
                )
    _insert(GoalApproval, approvals)
    _insert(ActivityRecord, activities)
    _insert(ServicePeriod, periods)
    inputs: dict = {}
    refresh_summaries(trainee_ids, today=today, inputs=inputs)
    return ProgressDemoResult(
        len(trainee_ids),
        len(approvals),
        len(activities),
        len(periods),
        time.perf_counter() - started,
        inputs,
    )


def _row(model, **values) -> dict:
    return new_row(model, **values)


def _insert(model, rows: list[dict]) -> None:
    insert_rows(model, rows)


def _sam(rng, tid, main, first, today, fraction, activities, periods) -> None:
    """Samfunnsmedisin: community-medicine work in the employment (the ledger's default for a
    SAM employment), for most a year of clinical service before it (outside lisplan), and
    group supervision in proportion to progress (docs/rules.md, set «sam»)."""
    if rng.random() < 0.8:
        start = first - dt.timedelta(days=365 + rng.randint(0, 180))
        periods.append(
            _row(
                ServicePeriod,
                trainee_id=tid,
                category="clinical",
                start=start,
                end=first - dt.timedelta(days=1),
                percent=100,
                place=rng.choice(["Fastlegepraksis", "Legevakt og sykehjem", "Medisinsk avdeling"]),
            )
        )
    group_end = min(today, first + dt.timedelta(days=int(1095 * min(1.0, fraction * 1.3))))
    if group_end > first + dt.timedelta(days=30):
        activities.append(
            _row(
                ActivityRecord,
                trainee_id=tid,
                kind="group_supervision",
                date=first,
                end_date=group_end,
                hours=round(30 * _days(first, group_end) / 365.25, 1),
            )
        )


def _alm(
    rng, tid, main, first, today, fraction, alm_courses, topic_courses, activities, periods
) -> None:
    """ALIS: open practice in the employment, often an earlier institutional period, courses,
    out-of-hours shifts and group supervision in proportion to progress."""
    if rng.random() < 0.5:
        start = first - dt.timedelta(days=183 + rng.randint(0, 60))
        periods.append(
            _row(
                ServicePeriod,
                trainee_id=tid,
                category="institutional",
                start=start,
                end=first - dt.timedelta(days=1),
                percent=100,
                place="Sykehusavdeling (institusjonstjeneste)",
            )
        )
    periods.append(
        _row(
            ServicePeriod,
            trainee_id=tid,
            category="open_practice",
            start=first,
            end=main.end,
            percent=main.position_percent,
            employment=main,
            institution_id=main.institution_id,
        )
    )
    for code in [
        "grunnkurs_a",
        "grunnkurs_b",
        "grunnkurs_c",
        "grunnkurs_d",
        "akuttmedisin",
        "sakkyndighet",
        "fkm",
    ]:
        course = alm_courses.get(code)
        if course and rng.random() < fraction * 1.2:
            activities.append(
                _row(
                    ActivityRecord,
                    trainee_id=tid,
                    kind="course",
                    course=course,
                    hours=course.hours,
                    date=_between(rng, first, today),
                )
            )
    for course in topic_courses[: int(fraction * 7)]:
        activities.append(
            _row(
                ActivityRecord,
                trainee_id=tid,
                kind="course",
                course=course,
                hours=course.hours,
                date=_between(rng, first, today),
            )
        )
    shifts = int(fraction * 50)
    if shifts:
        for batch in range(0, shifts, 10):
            activities.append(
                _row(
                    ActivityRecord,
                    trainee_id=tid,
                    kind="out_of_hours",
                    count=min(10, shifts - batch),
                    date=_between(rng, first, today),
                )
            )
    group_end = min(today, first + dt.timedelta(days=int(730 * min(1.0, fraction * 1.5))))
    if group_end > first + dt.timedelta(days=30):
        activities.append(
            _row(
                ActivityRecord,
                trainee_id=tid,
                kind="group_supervision",
                date=first,
                end_date=group_end,
                hours=round(60 * _days(first, group_end) / 365.25, 1),
            )
        )
