"""One finished allocation run for the demo region, so that the run pages and the trainees'
forecasts («forventet oppstart») have content. Runs in the demo command, after the register."""

from __future__ import annotations

import time
from dataclasses import dataclass

from lisplan.allocation import services
from lisplan.allocation.models import AllocationRun

DEMO_MAX_DELAY = 3
DEMO_TIME_LIMIT = 10


@dataclass
class AllocationDemo:
    run: AllocationRun | None
    seconds: float


def load_allocation_demo() -> AllocationDemo:
    """Replace the demo runs by one run for the regional coordinator's region, executed here
    (not by the worker) with a short time limit."""
    from lisplan.accounts.models import RoleAssignment, User
    from lisplan.audit.services import record

    started = time.perf_counter()
    AllocationRun.objects.filter(demo=True).delete()
    user = User.objects.filter(username="regional_coordinator", demo=True).first()
    assignment = (
        (
            RoleAssignment.objects.active()
            .filter(user=user, region__isnull=False)
            .select_related("region")
            .first()
        )
        if user
        else None
    )
    if assignment is None:
        return AllocationDemo(None, time.perf_counter() - started)
    run = AllocationRun.objects.create(
        region=assignment.region,
        max_delay_months=DEMO_MAX_DELAY,
        time_limit=DEMO_TIME_LIMIT,
        created_by=user,
        demo=True,
    )
    record(
        actor=user,
        action="allocation.run_started",
        obj=run,
        changes={
            "scope": [None, run.scope],
            "max_delay_months": [None, DEMO_MAX_DELAY],
            "time_limit": [None, DEMO_TIME_LIMIT],
        },
    )
    services.execute(run.pk)
    run.refresh_from_db()
    return AllocationDemo(run, time.perf_counter() - started)
