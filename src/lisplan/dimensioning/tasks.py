"""The background task that runs a dimensioning run (django-tasks; the worker is
`lisplan db_worker`). The body is `services.execute`: it claims the queued run, writes progress
into the run row and always ends the run as done (with a result) or failed (with a message)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_dimensioning(run_id: int) -> str:
    from lisplan.dimensioning.services import execute

    return execute(run_id)
