"""Validated, audited create/update/delete of one row — the building blocks of services."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from lisplan.audit.services import record, record_change, snapshot

M = TypeVar("M", bound=models.Model)


def _trainee_id(obj: models.Model) -> int | None:
    if obj._meta.label == "trainees.Trainee":
        return obj.pk
    return getattr(obj, "trainee_id", None)


@transaction.atomic
def create(*, actor, model: type[M], action: str, **fields: Any) -> M:
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    record(
        actor=actor,
        action=action,
        obj=obj,
        trainee_id=_trainee_id(obj),
        changes={k: [None, v] for k, v in after.items() if v not in (None, "")},
    )
    return obj


@transaction.atomic
def update(*, actor, obj: M, action: str, **fields: Any) -> M:
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    record_change(actor=actor, action=action, obj=obj, before=before, trainee_id=_trainee_id(obj))
    return obj


@transaction.atomic
def delete(*, actor, obj: models.Model, action: str) -> None:
    before = snapshot(obj)
    record(
        actor=actor,
        action=action,
        obj=obj,
        trainee_id=_trainee_id(obj),
        changes={k: [v, None] for k, v in before.items() if v not in (None, "")},
    )
    obj.delete()
