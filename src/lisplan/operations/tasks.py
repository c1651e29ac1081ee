"""Background tasks of operations: the nightly purge of personal data past its time."""

from __future__ import annotations

from django_tasks import task


@task()
def purge_personal_data() -> dict[str, int]:
    from lisplan.operations.retention import purge

    return purge()
