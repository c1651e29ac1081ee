"""Stored indicator facts per trainee (`TraineeFacts`): the indicator page for today counts
these rows (one query for all the trainee indicators) instead of recomputing each trainee's
primary employment, plan, IUP, supervisor and 12-month counts for the whole scope (#18).

One definition: each fact is computed by the live indicator's own queryset in `indicators`
(`_flagged` for the flags, the rows of `_meetings`, `_panels` and `_goals_approved` counted per
trainee, `_summaries` for the progress status), restricted to the trainees being refreshed
(`Ctx.trainees`). `tests/insights/test_facts.py` checks that the stored values and lists equal
the live ones.

Kept current without making the writes pay for the recomputation (about 40 ms a trainee):

* **marked in the same transaction as the change**: signals on the inputs (employments,
  supervision, approved plan revisions, signed IUP revisions, learning activities, goal
  approvals, progress summaries, new trainees) mark the trainee's row stale (`mark_stale`: one
  upsert; a trainee without a row gets a stale one); the progress services mark theirs when
  they delete in bulk; the progress summaries written in bulk are copied (`copy_summaries`).
  A row dated today is therefore never wrong;
* **recomputed before a read**: `ensure_fresh` (called by `indicators.context` before a page,
  the API or the work list reads the rows) recomputes the stale rows and the rows from before
  today — the windows (12 months, 6 months, validity, employments starting and ending) move
  with the date — in one batch: normally none, so one cheap query; after a write, that
  trainee's; the first read of a day, everyone in bulk (a few queries). `refresh` locks the
  rows it recomputes, so a write that marks one of them meanwhile waits and marks it again;
* **in bulk**: a bulk job pays for its own upkeep: the demo calls `refresh_all`, the
  spreadsheet import `refresh`; the daily `lisplan harvest --scheduled` calls `ensure_fresh`
  just after midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from lisplan.insights.models import TraineeFacts

BATCH = 2000
FLAGS = ("req", "valid", "expired", "signed", "updated", "supervised")
UNIT = ("institution", "arena", "specialty")  # foreign keys, like "employment"
SUMMARY = ("status", "projected_completion")  # copied from the progress summary
FIELDS = ["computed_on", "employment", *UNIT, *FLAGS, "meetings", "panels", "goals", *SUMMARY]
STALE = dt.date(1, 1, 1)


def _rows(trainee_ids: list[int] | None, today: dt.date) -> list[TraineeFacts]:
    """The facts of these trainees (None: every trainee) on `today`, from the live querysets."""
    from lisplan.insights import indicators as i
    from lisplan.trainees.models import Trainee

    ids = tuple(trainee_ids) if trainee_ids is not None else None
    ctx = i.Ctx.of(i.Scope(), today, trainees=ids)
    everyone = Trainee.objects.order_by("pk").values_list("pk", flat=True)
    rows = {  # in id order: concurrent upserts lock the rows in the same order
        tid: TraineeFacts(trainee_id=tid, computed_on=today)
        for tid in (sorted(ids) if ids is not None else everyone)
    }
    for r in i._flagged(ctx).values("pk", "trainee_id", *UNIT, *FLAGS):
        row = rows.get(r["trainee_id"])
        if row is not None:
            row.employment_id = r["pk"]
            for name in UNIT:
                setattr(row, f"{name}_id", r[name])
            for flag in FLAGS:
                setattr(row, flag, bool(r[flag]))
    for indicator_rows, column in i.STORED_COUNTS.items():
        counts = indicator_rows(ctx).order_by().values("trainee_id").annotate(n=Count("pk"))
        for r in counts:
            row = rows.get(r["trainee_id"])
            if row is not None:
                setattr(row, column, r["n"])
    for r in i._summaries(ctx).values("trainee_id", *SUMMARY):
        row = rows.get(r["trainee_id"])
        if row is not None:
            for name in SUMMARY:
                setattr(row, name, r[name])
    return list(rows.values())


def _store(rows: list[TraineeFacts]) -> None:
    TraineeFacts.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["trainee"],
        update_fields=FIELDS,
    )


@transaction.atomic
def refresh(trainee_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Recompute and store the facts of these trainees (in batches); returns the count. The
    rows are locked first (in id order), so the facts are read after any write that is marking
    them has committed, and a write that marks them meanwhile waits for this one."""
    today = today or timezone.localdate()
    ids = sorted(set(trainee_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        locked = TraineeFacts.objects.select_for_update().filter(trainee_id__in=chunk)
        list(locked.order_by("trainee_id").values_list("trainee_id", flat=True))
        _store(_rows(chunk, today))
    return len(ids)


@transaction.atomic
def refresh_all(today: dt.date | None = None) -> int:
    """Every trainee at once (the demo, after a bulk load; the first read of a day)."""
    today = today or timezone.localdate()
    rows = _rows(None, today)
    _store(rows)
    return len(rows)


def ensure_fresh(today: dt.date | None = None) -> int:
    """Bring every stored row to `today`: one indexed query when none is out of date (the usual
    case); else the out-of-date rows and any trainee without a row (a bulk insert without
    `refresh`), or everyone at once when many are out of date (the date has moved). All rows,
    not a scope's: a trainee whose new employment starts today moves into a scope from another.
    A trainee without a row whose others are all current is not seen here: a new trainee gets
    a stale row (`mark_stale`), and the demo computes everyone's."""
    today = today or timezone.localdate()
    stale = TraineeFacts.objects.filter(computed_on__lt=today)  # STALE is before every day
    ids = list(stale.order_by("trainee_id").values_list("trainee_id", flat=True)[: BATCH + 1])
    if not ids:
        return 0
    if len(ids) > BATCH:
        return refresh_all(today)
    from lisplan.trainees.models import Trainee

    missing = Trainee.objects.filter(insight_facts__isnull=True).values_list("pk", flat=True)
    return refresh([*ids, *missing], today)


def copy_summaries(trainee_ids) -> int:
    """Copy these trainees' progress summaries, just written in bulk (`progress.summary`), into
    their facts: one UPDATE. Only for the population, as `_rows` copies them."""
    from django.db.models import OuterRef, Subquery

    from lisplan.progress.models import ProgressSummary

    summary = ProgressSummary.objects.filter(trainee_id=OuterRef("trainee_id"))
    return TraineeFacts.objects.filter(trainee_id__in=trainee_ids, employment__isnull=False).update(
        **{name: Subquery(summary.values(name)[:1]) for name in SUMMARY}
    )


def mark_stale(trainee_ids: Iterable[int], *, add_missing: bool = True) -> None:
    """Make `ensure_fresh` recompute these trainees' rows before the next read: one upsert,
    which gives a trainee without a row a stale one. `add_missing=False` on deletes, where the
    trainee may be going too (a cascade): only the existing rows are marked."""
    ids = sorted(set(trainee_ids))
    if not add_missing:
        TraineeFacts.objects.filter(trainee_id__in=ids).update(computed_on=STALE)
        return
    TraineeFacts.objects.bulk_create(
        [TraineeFacts(trainee_id=tid, computed_on=STALE) for tid in ids],
        update_conflicts=True,
        unique_fields=["trainee"],
        update_fields=["computed_on"],
    )


# --- keeping the rows current: signals on the inputs -----------------------------------------


def _mark_one(trainee_id: int | None, signal=None) -> None:
    if trainee_id:
        mark_stale([trainee_id], add_missing=signal is not post_delete)


def _trainee_row(sender, instance, signal=None, raw=False, **kwargs) -> None:
    if not raw:
        _mark_one(instance.trainee_id, signal)


def _plan_revision(sender, instance, raw=False, **kwargs) -> None:
    from lisplan.plans.models import ImplementationPlan, Status

    if raw or instance.status not in (Status.APPROVED, Status.SUPERSEDED):
        return  # only approved (and then superseded) revisions are facts
    plan = ImplementationPlan.objects.filter(pk=instance.plan_id)
    _mark_one(plan.values_list("trainee_id", flat=True).first())


def _iup_revision(sender, instance, raw=False, **kwargs) -> None:
    from lisplan.iup.models import EducationPlan, Status

    if raw or instance.status not in (Status.SIGNED, Status.SUPERSEDED):
        return  # only signed (and then superseded) revisions are facts
    plan = EducationPlan.objects.filter(pk=instance.plan_id)
    _mark_one(plan.values_list("trainee_id", flat=True).first())


def _trainee_created(sender, instance, created=False, raw=False, **kwargs) -> None:
    if created and not raw:
        mark_stale([instance.pk])


def connect() -> None:
    """Employments and supervision (saved and deleted one at a time by their services, the
    admin and imports), approved plan revisions, signed IUP revisions, learning activities,
    goal approvals and progress summaries saved one at a time mark the trainee's row stale; the
    summaries written in bulk are copied by `progress.summary.refresh_summaries`
    (`copy_summaries`). Activities and goal approvals are deleted by the progress services,
    which mark the row themselves (`progress.services.activity_delete`): a delete listener on
    those tables would stop Django deleting them in bulk."""
    from lisplan.iup.models import Revision as IupRevision
    from lisplan.plans.models import Revision as PlanRevision
    from lisplan.progress.models import ActivityRecord, GoalApproval, ProgressSummary
    from lisplan.trainees.models import Employment, Supervision, Trainee

    for model in (Employment, Supervision):
        name = model.__name__
        post_save.connect(_trainee_row, sender=model, dispatch_uid=f"insight-facts-{name}")
        post_delete.connect(_trainee_row, sender=model, dispatch_uid=f"insight-facts-del-{name}")
    for model in (ActivityRecord, GoalApproval, ProgressSummary):
        name = model.__name__
        post_save.connect(_trainee_row, sender=model, dispatch_uid=f"insight-facts-{name}")
    post_save.connect(_plan_revision, sender=PlanRevision, dispatch_uid="insight-facts-plan")
    post_save.connect(_iup_revision, sender=IupRevision, dispatch_uid="insight-facts-iup")
    post_save.connect(_trainee_created, sender=Trainee, dispatch_uid="insight-facts-trainee")
