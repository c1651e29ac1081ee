"""Allocation runs as background tasks: start, execute for real, store a valid result."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.core.exceptions import PermissionDenied

from lisplan.allocation import services
from lisplan.allocation.models import AllocationRun, Proposal
from lisplan.allocation.parse import parse_instance
from lisplan.allocation.result import parse_result
from lisplan.allocation.validate import violations
from lisplan.audit.models import AuditEvent
from lisplan.notifications.models import Notification

ENGINE = [
    "baseline",
    "engine",
    "generate",
    "instance",
    "metrics",
    "optimise",
    "parse",
    "priority",
    "result",
    "rules",
    "validate",
]


def test_engine_modules_import_no_django():
    root = pathlib.Path(services.__file__).parent
    for name in ENGINE:
        tree = ast.parse((root / f"{name}.py").read_text())
        for node in ast.walk(tree):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for module in modules:
                assert not module.startswith(("django", "lisplan")), (name, module)


@pytest.mark.django_db
def test_task_runs_the_engine_and_stores_a_valid_plan(world, register, immediate_tasks):
    user = world.users["regional_coordinator"]
    run = services.start_run(actor=user, region=world.unn.region, max_delay_months=3, time_limit=5)
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE, run.error
    assert run.progress == 1.0 and run.started_at and run.finished_at
    inst = parse_instance(run.instance)
    plan, reported = parse_result(run.result)
    assert violations(inst, plan, reported=reported, order=None) == []
    # One place at a time, six months each: the queue order, six months apart.
    proposals = list(run.proposals.order_by("queue_position"))
    assert [p.request_id for p in proposals] == [r.pk for r in register.requests]
    assert [p.wait_months for p in proposals] == [0, 6, 12]
    assert proposals[0].start == register.first
    assert "ønsket oppstart" in proposals[0].reason
    assert "Venter på ledig plass" in proposals[1].reason
    assert run.metrics["assigned"] == 3 and run.baseline_metrics["total_wait_months"] == 18
    assert run.bound is not None
    actions = set(
        AuditEvent.objects.filter(object_type="allocation.allocationrun").values_list(
            "action", flat=True
        )
    )
    assert actions == {"allocation.run_started", "allocation.run_done"}
    assert Notification.objects.filter(user=user, kind="allocation.done").exists()


@pytest.mark.django_db
def test_a_run_that_breaks_fails_with_a_message(world, register, immediate_tasks, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(services.engine, "solve", broken)
    run = services.start_run(
        actor=world.users["planner"], region=None, max_delay_months=0, time_limit=5
    )
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.FAILED
    assert "solver crashed" in run.error and run.finished_at
    assert not Proposal.objects.filter(run=run).exists()


@pytest.mark.django_db
def test_start_run_checks_settings_and_scope(world, register):
    user = world.users["regional_coordinator"]
    with pytest.raises(services.AllocationError) as error:
        services.start_run(actor=user, region=world.unn.region, max_delay_months=99, time_limit=5)
    assert error.value.field == "max_delay_months"
    with pytest.raises(services.AllocationError) as error:
        services.start_run(actor=user, region=world.unn.region, max_delay_months=0, time_limit=1)
    assert error.value.field == "time_limit"
    with pytest.raises(PermissionDenied):  # national runs: the planner only
        services.start_run(actor=user, region=None, max_delay_months=0, time_limit=5)
    with pytest.raises(PermissionDenied):  # another region
        services.start_run(actor=user, region=world.bergen.region, max_delay_months=0, time_limit=5)
    # Queued with the database backend: the worker picks it up later.
    run = services.start_run(actor=user, region=world.unn.region, max_delay_months=0, time_limit=5)
    assert run.status == AllocationRun.Status.QUEUED and run.task_id
    assert services.execute(run.pk) == "done"
    assert services.execute(run.pk) == "skipped"  # a second worker does nothing


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_failed_when_looked_at(world):
    import datetime as dt

    from django.utils import timezone

    run = AllocationRun.objects.create(
        region=world.unn.region,
        max_delay_months=0,
        time_limit=60,
        status=AllocationRun.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(seconds=60 + services.STALE_AFTER_SECONDS + 1),
    )
    assert services.expire_if_stale(run).status == AllocationRun.Status.FAILED
    assert "svarte ikke" in run.error
    fresh = AllocationRun.objects.create(
        region=world.unn.region,
        max_delay_months=0,
        time_limit=60,
        status=AllocationRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    assert services.expire_if_stale(fresh).status == AllocationRun.Status.RUNNING
