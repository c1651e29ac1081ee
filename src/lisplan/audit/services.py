"""Recording audit events. Every service that changes state calls `record` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from lisplan.audit.middleware import current_request_id
from lisplan.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The auditable values of a row, by field name (foreign keys as their text)."""
    names = fields or [f.name for f in obj._meta.concrete_fields if f.name != "id"]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]}."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    trainee_id: int | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_full_name() or user.username) if user else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        trainee_id=trainee_id,
        changes=changes or {},
        request_id=current_request_id(),
    )


def record_change(*, actor, action: str, obj: models.Model, before: dict, trainee_id=None):
    """Record an update with the changed fields; nothing when nothing changed."""
    changes = diff(before, snapshot(obj, before.keys()))
    if changes:
        return record(actor=actor, action=action, obj=obj, changes=changes, trainee_id=trainee_id)
    return None


def events_for(obj: models.Model):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")


def event_rows(obj: models.Model, labels: dict, field_label=None) -> list[dict]:
    """What happened to `obj`, oldest first, in the words of its page (one query): when, who,
    the action's label and a detail (the signer's role for a signature, the changed fields for
    a change, named by `field_label`)."""
    from lisplan.audit.present import action_label

    rows = []
    for e in events_for(obj).order_by("created_at", "id"):
        detail = ""
        if e.action.endswith(".signed"):
            detail = str((e.changes.get("signature") or [None, ""])[1] or "")
        elif e.action.endswith(".changed") and field_label is not None:
            detail = ", ".join(field_label(name) for name in e.changes)
        rows.append(
            {
                "when": e.created_at,
                "who": e.actor_name or "–",
                "action": str(labels.get(e.action) or action_label(e.action)),
                "detail": detail,
            }
        )
    return rows
