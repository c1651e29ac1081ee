"""The background task that takes a harvest (django-tasks; the worker is `lisplan db_worker`).

The body is `services.execute`: it claims the queued harvest, freezes the rows and always ends
it as done or failed (with a message)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_harvest(harvest_id: int) -> str:
    from lisplan.insights.services import execute

    return execute(harvest_id)
