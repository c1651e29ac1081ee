"""Everything lisplan holds about one person (GDPR Art. 15), as JSON and as a PDF.

What is collected: the user and every row that would go with them or their trainee record
(Django's deletion collector: roles, identities, plans, revisions, periods, signatures, IUPs,
progress, register entries, notifications, …), plus the rows that only mention them — audit
events about them or by them, read-access records of their data, and rows where they are the
supervisor, approver or signer. Secrets are left out (password hash, token hashes, one-time-code
keys, session contents).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

from django.contrib.admin.utils import NestedObjects
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

SECRET_FIELDS = {
    "password",
    "token_hash",
    "key",
    "session_data",
    "session_key",
    "bin_key",
    "secret",
    "token",
}
SKIP_MODELS = {"sessions.Session", "accounts.LoginSession"}


def _value(value):
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file
        return value.name or ""
    return value


def _row(obj: models.Model) -> dict:
    fields = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        name = field.attname if field.is_relation else field.name
        fields[field.name] = _value(getattr(obj, name))
    return {"id": obj.pk, "text": str(obj)[:300], "fields": fields}


def _mentions(user, trainee) -> list[models.Model]:
    """Rows outside the deletion cascade that name the person."""
    from django.apps import apps

    from lisplan.audit.models import AuditEvent, ReadAccess

    rows: list[models.Model] = []
    about = Q(actor=user)
    if trainee is not None:
        about |= Q(trainee_id=trainee.pk)
    rows += list(AuditEvent.objects.filter(about).order_by("created_at", "id"))
    if trainee is not None:
        rows += list(ReadAccess.objects.filter(trainee_id=trainee.pk).order_by("at", "id"))
    rows += list(ReadAccess.objects.filter(actor=user).order_by("at", "id")[:5000])
    # Rows where the person is named in another role (supervisor, approver, signer, …).
    for model in apps.get_models():
        if model._meta.label in {"audit.AuditEvent", "audit.ReadAccess"}:
            continue
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model is not None
                and field.related_model._meta.label == "accounts.User"
                and field.remote_field.on_delete is not models.CASCADE
            ):
                rows += list(model._default_manager.filter(**{field.name: user})[:5000])
    return rows


def collect(user) -> dict:
    """The export as a dict: `{"person": …, "generated_at": …, "data": {label: [rows]}}`."""
    trainee = getattr(user, "trainee", None) if hasattr(user, "trainee") else None
    collector = NestedObjects(using="default")
    collector.collect([user])
    if trainee is not None:
        collector.collect([trainee])
    data: dict[str, dict[int, dict]] = {}

    def add(obj: models.Model) -> None:
        label = obj._meta.label
        if label in SKIP_MODELS:
            return
        data.setdefault(label, {})[obj.pk] = _row(obj)

    for objs in collector.data.values():  # NestedObjects never fast-deletes: all rows are here
        for obj in objs:
            add(obj)
    for obj in _mentions(user, trainee):
        add(obj)
    return {
        "person": {
            "user_id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name(),
            "trainee_id": trainee.pk if trainee is not None else None,
        },
        "generated_at": timezone.localtime().isoformat(),
        "data": {
            label: [rows[k] for k in sorted(rows, key=str)] for label, rows in sorted(data.items())
        },
    }


def as_json(user) -> bytes:
    return json.dumps(collect(user), ensure_ascii=False, indent=2, default=str).encode()


PDF_ROWS = 100  # per kind of data; the JSON file holds every row
PDF_CHARS = 300  # per value: an allocation run's whole result is one value, kept in the JSON


def _labelled(model, fields: dict) -> list[tuple[str, object]]:
    """A row's fields under their names in words (the model's verbose names), not the code's."""
    out = []
    for name, value in fields.items():
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 — a field the model no longer has keeps its name
            label = name.replace("_", " ")
        text = "–" if value in (None, "") else str(value)
        if len(text) > PDF_CHARS:
            text = text[:PDF_CHARS] + " … " + str(_("(resten i JSON-fila)"))
        out.append((label[:1].upper() + label[1:], text))
    return out


def as_pdf(user) -> bytes:
    """The export as a document a person reads: every kind of data with its count, and up to
    `PDF_ROWS` rows of each with the fields in words. (One table per row made a planner's
    export take minutes to lay out; the JSON download is the complete copy.)"""
    from django.apps import apps
    from django.template.loader import render_to_string

    from lisplan.documents.pdf import write_pdf

    export = collect(user)
    sections = []
    for label, rows in export["data"].items():
        try:
            model = apps.get_model(label)
            title = str(model._meta.verbose_name_plural)
        except LookupError:
            model, title = None, label
        shown = [
            {"text": row["text"], "fields": _labelled(model, row["fields"]) if model else []}
            for row in rows[:PDF_ROWS]
        ]
        sections.append(
            {"title": title, "count": len(rows), "rows": shown, "more": len(rows) - len(shown)}
        )
    html = render_to_string(
        "operations/subject_access_pdf.html", {"export": export, "sections": sections}
    )
    return write_pdf(html)
