"""Stored IUP deadlines (`DeadlineSummary`): one row per trainee, so the work list, its counts
and the start-page card are one indexed query each, whatever the size of the region (#18).

The deadline itself is still decided by the pure `rules.deadline`, through
`queries.deadlines` (seven queries for any number of trainees). This module stores its result
and keeps it current:

* **marked in the same transaction as the change**: signals on the inputs — employments,
  leave, education-plan revisions and meetings, assessment panels in the ledger — mark the
  trainee's row stale (`connect`, `mark_stale`: one UPDATE), so a write does not pay for the
  recomputation; a new trainee has no row yet;
* **when the date moves an input**: each row carries `fresh_until`, the first day a planned
  panel has passed, the employment has ended, or a panel or leave has left the look-back window;
  `ensure_fresh` recomputes the rows of a scope that are stale, whose day has come or that are
  missing before a page reads them — normally none, so one cheap query (`stored_deadline_for`
  does the same for one trainee); `refresh` locks the rows it recomputes, so a write that marks
  one of them meanwhile waits and marks it again;
* **in bulk**: the demo and imports call `refresh` for all the trainees they wrote.

The state (missing / overdue / due soon / ok / none) depends on today and is computed in the
query from `due` and `signed` (`state_case`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from lisplan.iup import rules
from lisplan.iup.models import DeadlineSummary

BATCH = 2000
FIELDS = [
    "due",
    "reason",
    "signed",
    "employed",
    "last_signed",
    "open_status",
    "open_revision",
    "latest_revision",
    "fresh_until",
    "computed_on",
]


def _rows(trainees: QuerySet, today: dt.date) -> list[DeadlineSummary]:
    from lisplan.iup.queries import deadlines

    return [
        DeadlineSummary(
            trainee_id=tid,
            due=d.deadline.due,
            reason=d.deadline.reason,
            signed=d.deadline.reason not in ("", "new_position"),
            employed=d.employment is not None,
            last_signed=d.last_signed,
            open_status=d.open_status,
            open_revision_id=d.open_revision,
            latest_revision_id=d.latest_revision,
            fresh_until=d.fresh_until,
            computed_on=today,
        )
        for tid, d in deadlines(trainees, today).items()
    ]


@transaction.atomic
def refresh(trainee_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Recompute and store the deadlines of these trainees (in batches); returns the count. The
    existing rows are locked first (in id order), as in `insights.facts.refresh`."""
    from lisplan.trainees.models import Trainee

    today = today or timezone.localdate()
    ids = sorted(set(trainee_ids))
    done = 0
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        locked = DeadlineSummary.objects.select_for_update().filter(trainee_id__in=chunk)
        list(locked.order_by("trainee_id").values_list("trainee_id", flat=True))
        rows = _rows(Trainee.objects.filter(pk__in=chunk), today)
        DeadlineSummary.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["trainee"], update_fields=FIELDS
        )
        done += len(rows)
    return done


def refresh_all(today: dt.date | None = None) -> int:
    """Every trainee at once (the demo, after a bulk load): seven queries and one upsert."""
    from lisplan.trainees.models import Trainee

    today = today or timezone.localdate()
    rows = _rows(Trainee.objects.all(), today)
    DeadlineSummary.objects.all().delete()
    DeadlineSummary.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def current(today: dt.date) -> Q:
    """The stored rows still valid on `today` (their `fresh_until` has not come)."""
    return Q(fresh_until__isnull=True) | Q(fresh_until__gt=today)


def ensure_fresh(trainees: QuerySet, today: dt.date | None = None) -> int:
    """Recompute the rows of these trainees that are missing or whose `fresh_until` has come.
    One query when nothing is out of date (the usual case)."""
    today = today or timezone.localdate()
    current_rows = DeadlineSummary.objects.filter(current(today), trainee_id=OuterRef("pk"))
    ids = list(trainees.order_by().filter(~Exists(current_rows)).values_list("pk", flat=True))
    return refresh(ids, today) if ids else 0


def state_case(today: dt.date) -> Case:
    """The deadline state as of `today`, as an SQL expression on `DeadlineSummary`."""
    soon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
    return Case(
        When(due__isnull=True, then=Value("none")),
        When(due__lt=today, signed=False, then=Value("missing")),
        When(due__lt=today, then=Value("overdue")),
        When(due__lte=soon, then=Value("due_soon")),
        default=Value("ok"),
        output_field=CharField(),
    )


def state_filter(state: str, today: dt.date) -> Q:
    """The rows in `state` (a `queries.STATES` value) as a filter on `DeadlineSummary`."""
    soon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
    return {
        "none": Q(due__isnull=True),
        "missing": Q(due__lt=today, signed=False),
        "overdue": Q(due__lt=today, signed=True),
        "due_soon": Q(due__gte=today, due__lte=soon),
        "ok": Q(due__gt=soon),
    }[state]


# --- keeping the rows current: signals on the inputs -----------------------------------------


STALE = dt.date(1, 1, 1)


def mark_stale(trainee_ids) -> int:
    """Make `ensure_fresh` recompute these rows on the next read (one UPDATE; a trainee without
    a row is computed then anyway): every write of an input, and bulk writes."""
    return DeadlineSummary.objects.filter(trainee_id__in=trainee_ids).update(fresh_until=STALE)


def _trainee_row(sender, instance, **kwargs) -> None:
    if instance.trainee_id:
        mark_stale([instance.trainee_id])


def _revision(sender, instance, **kwargs) -> None:
    from lisplan.iup.models import EducationPlan

    mark_stale(EducationPlan.objects.filter(pk=instance.plan_id).values("trainee_id"))


def connect() -> None:
    """Employments and leave (saved and deleted one at a time by their services, the admin and
    imports) and revisions (saved by the IUP services) mark the row stale; the IUP services
    mark it after writing a revision's meetings, and the progress services after an
    assessment panel is registered (`progress.services._refresh`). Only `post_save` on
    revisions, meetings and activities: a delete listener would stop Django deleting those
    tables in bulk."""
    from lisplan.iup.models import Revision
    from lisplan.trainees.models import Employment, LeavePeriod

    for model in (Employment, LeavePeriod):
        post_save.connect(_trainee_row, sender=model, dispatch_uid=f"iup-deadline-{model.__name__}")
        post_delete.connect(
            _trainee_row, sender=model, dispatch_uid=f"iup-deadline-del-{model.__name__}"
        )
    post_save.connect(_revision, sender=Revision, dispatch_uid="iup-deadline-revision")
