"""The cached per-trainee summary (`ProgressSummary`) behind the overviews.

The overview of 2,500 trainees must not run the engine per trainee per request; it reads one
summary row per trainee (a join). The rows are written here: after every progress write (the
services), by `lisplan refresh_progress` (nightly, since statuses change as time passes, and
after changes to employments, leave or plans), and by the demo loader. `computed_at` is shown
so a stale row is visible.

A row is out of date when it is marked `stale` (an input changed outside the progress
services, progress/signals.py), when it was computed for an earlier day (`computed_on <
today`: statuses move with the date), or when the trainee has none: `stale_trainee_ids`.
`refresh_stale` recomputes exactly those — the nightly job (docs/performance.md § Progress).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from lisplan.progress import present
from lisplan.progress.evaluation import evaluate_many
from lisplan.progress.ledger_input import GoalCatalogue
from lisplan.progress.models import NEW_SCHEME_FROM, ProgressStatus, ProgressSummary

BATCH = 500
_STATUS = {
    "complete": ProgressStatus.COMPLETE,
    "on_track": ProgressStatus.ON_TRACK,
    "behind": ProgressStatus.BEHIND,
    "at_risk": ProgressStatus.AT_RISK,
}


def _months(value) -> Decimal:
    return Decimal(float(value)).quantize(Decimal("0.1"))


def summary_row(
    trainee_id: int, inp, ctx, result, now, today: dt.date | None = None
) -> ProgressSummary:
    goals = inp.goals
    row = ProgressSummary(
        trainee_id=trainee_id,
        computed_at=now,
        computed_on=today or inp.today,
        stale=False,
        goals_total=len(goals),
        goals_approved=sum(1 for g in goals if g.approved),
        planned_completion=inp.target_end,
    )
    if result is None:
        started = ctx.get("specialty_start") if ctx else None
        row.status = (
            ProgressStatus.OLD_SCHEME
            if started and started < NEW_SCHEME_FROM
            else ProgressStatus.UNKNOWN
        )
        return row
    row.status = _STATUS.get(result.overall_status, ProgressStatus.UNKNOWN)
    if result.assessed_manually:
        # The old scheme: what is known is counted below, the status is a person's call.
        row.status = ProgressStatus.OLD_SCHEME
    mandatory = [r for r in result.requirements if r.mandatory]
    row.requirements_total = len(mandatory)
    row.requirements_met = sum(1 for r in mandatory if r.satisfied)
    time_reqs = [r for r in mandatory if r.kind == "service_time" and r.required is not None]
    if time_reqs:
        row.service_months = _months(sum(r.done for r in time_reqs))
        row.service_required_months = _months(sum(r.required for r in time_reqs))
    row.projected_completion = result.projected_completion
    if result.drivers:
        # The reason, said in the reader's language on the overview; the text in the site's
        # language (bokmål) as well, for anything that reads the column.
        row.driver_reason = present.to_json(result.drivers[0])
        with translation.override(settings.LANGUAGE_CODE):
            row.driver = present.text(result.drivers[0])[:300]
    return row


FIELDS = [
    "status",
    "requirements_met",
    "requirements_total",
    "goals_approved",
    "goals_total",
    "service_months",
    "service_required_months",
    "projected_completion",
    "planned_completion",
    "driver",
    "driver_reason",
    "computed_at",
    "computed_on",
    "stale",
]


def refresh_summaries(
    trainee_ids: Iterable[int], today: dt.date | None = None, *, inputs: dict | None = None
) -> int:
    """Recompute and store the summaries of these trainees, in batches; returns the count.
    `inputs`: a dict that receives each trainee's (engine input, context), for a caller that
    evaluates the same trainees again (the demo's IUP status tables) without reading the
    ledger twice."""
    ids = list(trainee_ids)
    today = today or timezone.localdate()
    now = timezone.now()
    goals = GoalCatalogue(today)
    done = 0
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        results = evaluate_many(chunk, today, goals, detail=False)
        if inputs is not None:
            inputs.update((tid, (inp, ctx)) for tid, (inp, ctx, _r) in results.items())
        rows = [summary_row(tid, *results[tid], now, today) for tid in chunk]
        with transaction.atomic():
            ProgressSummary.objects.filter(trainee_id__in=chunk).delete()
            ProgressSummary.objects.bulk_create(rows)
            from lisplan.insights.facts import copy_summaries

            copy_summaries(chunk)  # the indicator page's stored facts (written without signals)
        done += len(rows)
    return done


def stale_trainee_ids(today: dt.date | None = None) -> list[int]:
    """Trainees whose summary is missing, marked stale, or computed for an earlier day."""
    from lisplan.trainees.models import Trainee

    today = today or timezone.localdate()
    return list(
        Trainee.objects.filter(
            Q(progress_summary__isnull=True)
            | Q(progress_summary__stale=True)
            | Q(progress_summary__computed_on__isnull=True)
            | Q(progress_summary__computed_on__lt=today)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def refresh_stale(today: dt.date | None = None) -> int:
    """Recompute every out-of-date summary (see the module docstring); returns the count."""
    today = today or timezone.localdate()
    return refresh_summaries(stale_trainee_ids(today), today)


def fmt_months(value) -> str:
    return present.number(value)
