"""The change history of one trainee («Endringshistorikk»), in words a coordinator reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import can, scope_filter
from lisplan.audit.models import AuditEvent

ACTIONS = {
    "trainee.created": _("Lege registrert"),
    "trainee.changed": _("Opplysninger om legen endret"),
    "employment.created": _("Ansettelse registrert"),
    "employment.changed": _("Ansettelse endret"),
    "employment.deleted": _("Ansettelse slettet"),
    "leave.created": _("Permisjon registrert"),
    "leave.changed": _("Permisjon endret"),
    "leave.deleted": _("Permisjon slettet"),
    "supervision.created": _("Veileder registrert"),
    "supervision.changed": _("Veilederrelasjon endret"),
    "supervision.deleted": _("Veilederrelasjon avsluttet og slettet"),
}
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    action: str
    subject: str
    changes: list[Change]


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _value(field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Ja") if value else _("Nei"))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            pass
    return str(value)


def _row(event: AuditEvent) -> HistoryRow:
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        model = None
    changes = []
    for name, (old, new) in event.changes.items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        changes.append(Change(label[:1].upper() + label[1:], _value(field, old), _value(field, new)))
    return HistoryRow(
        when=event.created_at,
        who=event.actor_name or "–",
        action=str(ACTIONS.get(event.action, event.action)),
        subject=event.object_repr,
        changes=changes,
    )


def trainee_history(user, trainee) -> list[HistoryRow] | None:
    """The latest events about the trainee, or None when the user may not see the history."""
    if not can(user, "audit.view", trainee):
        return None
    events = scope_filter(user, "audit.view", AuditEvent.objects.filter(trainee_id=trainee.pk))
    return [_row(e) for e in events.order_by("-created_at", "-id")[:HISTORY_LIMIT]]
