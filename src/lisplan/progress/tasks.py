"""Background task (django-tasks; the worker is `lisplan db_worker`): refresh the cached
progress summaries that are out of date.

django-tasks has no scheduler. The nightly run is started by cron or a systemd timer with
`lisplan refresh_progress --stale-only` (runs in the command's own process) or
`lisplan refresh_progress --stale-only --enqueue` (queues this task for the worker) — see
docs/performance.md § Progress for the lines.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def refresh_stale_summaries(today: str | None = None) -> int:
    """Recompute every summary that is missing, marked stale or computed before `today`
    (ISO date; default the local date when the task runs). Returns how many were computed."""
    from lisplan.progress.summary import refresh_stale

    return refresh_stale(dt.date.fromisoformat(today) if today else None)
