"""The demo's audit events: written in bulk with their own past times, deleted on the next run.

The demo writes its rows with `bulk_create`, not through the services, so it writes the audit
events the services would have written itself (implementation plans: `demo.plans.write_audit`,
rotation requests: `rotations.demo`, education plans: `iup.demo`). Every event has
`request_id` «demo» (the append-only trigger lets exactly those be deleted, audit/0003) and the
actor by name only: the demo users are replaced on the next run, and a foreign key would make
that an UPDATE of the append-only events. `demo.plans.clear_plans` deletes them all on a re-run
(`clear_events`).
"""

from __future__ import annotations

import datetime as dt

DEMO_REQUEST_ID = "demo"  # marks the demo's audit events; a re-run deletes them (audit/0003)


def event(
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id,
    object_repr: str,
    trainee_id: int | None,
    changes: dict,
) -> dict:
    """One event as the row `insert_events` writes (the fields of `AuditEvent`)."""
    return {
        "created_at": at,
        "actor_id": None,
        "actor_name": actor[:200],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:300],
        "trainee_id": trainee_id,
        "changes": changes,
        "request_id": DEMO_REQUEST_ID,
    }


def insert_events(events: list[dict]) -> None:
    """In bulk (`demo.bulk.write_rows`: COPY on PostgreSQL): `bulk_create` spent seconds
    preparing ~20,000 rows field by field; only the time and the JSON need the backend's
    preparing here."""
    from django.db import connection

    from lisplan.audit.models import AuditEvent
    from lisplan.demo.bulk import write_rows

    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    prepare = {
        "created_at": ops.adapt_datetimefield_value,
        "changes": lambda value: ops.adapt_json_value(value, None),
    }
    steps = [(f.attname, prepare.get(f.attname)) for f in fields]
    write_rows(
        AuditEvent._meta.db_table,
        [f.column for f in fields],
        ([e[a] if p is None else p(e[a]) for a, p in steps] for e in events),
    )


def clear_events(object_type: str | None = None) -> None:
    """Delete the demo's audit events (of one object type, or all of them)."""
    from lisplan.audit.models import AuditEvent

    events = AuditEvent.objects.filter(request_id=DEMO_REQUEST_ID)
    if object_type is not None:
        events = events.filter(object_type=object_type)
    events.delete()
