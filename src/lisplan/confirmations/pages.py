"""The confirmation in words, for the page and the PDF alike: the snapshot's codes and numbers
become labels, dates and «N mnd. D dager» (`progress.present`, the one presenter of the
ledger's months and categories); no codes, no file names, no day arithmetic."""

from __future__ import annotations

import datetime as dt

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.confirmations.models import ConfirmationVersion, Status
from lisplan.progress import present
from lisplan.trainees.models import Employment, LeavePeriod

PROGRAMME_LABELS = {
    "lis": gettext_lazy("Lege i spesialisering (LIS)"),
    "alis": gettext_lazy("Allmennlege i spesialisering (ALIS)"),
}
STATUS_COLOURS = {
    Status.REQUESTED: "info",
    Status.AWAITING_SIGNATURES: "warning",
    Status.SIGNED: "success",
    Status.SUPERSEDED: "neutral",
    Status.DECLINED: "danger",
}

# The audit events of a version, in the words of the page (`services` writes them).
EVENT_LABELS = {
    "confirmation.requested": gettext_lazy("Bestilt"),
    "confirmation.issued": gettext_lazy("Utstedt og sendt til signering"),
    "confirmation.returned": gettext_lazy("Sendt tilbake til koordinatoren"),
    "confirmation.declined": gettext_lazy("Avslått"),
    "confirmation.signed": gettext_lazy("Signert"),
    "confirmation.completed": gettext_lazy("Ferdig signert"),
    "confirmation.superseded": gettext_lazy("Erstattet av en nyere signert versjon"),
}


def amount(value: dict | None) -> str:
    """Whole months and days in words (`progress.present.months_days`, the one formatting)."""
    if not value:
        return present.months_days(0, 0)
    return present.months_days(int(value["months"]), int(value["days"]))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def category_label(code: str) -> str:
    """What the ledger counts a period as, in the progress presenter's words."""
    return capfirst(present.category(code))


def document(version: ConfirmationVersion) -> dict | None:
    """The snapshot of an issued version in words, or None before it is issued."""
    return document_of(version.snapshot) if version.snapshot else None


def preview(version: ConfirmationVersion, today: dt.date) -> dict | None:
    """What the coordinator would issue today, for checking before issuing: the service as
    the ledger counts it now (not stored). None when there is nothing to count yet."""
    from lisplan.confirmations import snapshot
    from lisplan.trainees.models import Employment

    if version.status != Status.REQUESTED or version.confirmation.employment_id is None:
        return None
    employment = Employment.objects.select_related(
        "trainee", "institution", "arena", "specialty"
    ).get(pk=version.confirmation.employment_id)
    if employment.start > today:
        return None
    return document_of(snapshot.take(employment, today))


def document_of(snap: dict) -> dict:
    """A snapshot (`confirmations.snapshot.take`) in words."""
    kinds = dict(LeavePeriod.Kind.choices)
    schemes = dict(Employment.Scheme.choices)
    periods = [
        {
            "label": p["label"],
            "counts_as": category_label(p["category"]),
            "start": _date(p["start"]),
            "end": _date(p["end"]),
            "duration": amount(p["duration"]),
            "service": amount(p["service"]),
            "leave_deducted": amount(p["leave_deducted"]),
            "has_leave": bool(p["leave_deducted"]["months"] or p["leave_deducted"]["days"]),
            "over_cap": amount(p["over_cap"]),
            "has_over_cap": bool(p["over_cap"]["months"] or p["over_cap"]["days"]),
            "counted": amount(p["counted"]),
        }
        for p in snap["periods"]
    ]
    leave = [
        {
            "kind": str(kinds.get(lv["kind"], _("Permisjon"))),
            "start": _date(lv["start"]),
            "end": _date(lv["end"]),
            "percent": lv["percent"],
            "counts": lv["counts"],
        }
        for lv in snap["leave"]
    ]
    over_cap = snap["over_cap"]
    return {
        "as_of": _date(snap["as_of"]),
        "trainee_name": snap["trainee"]["name"],
        "hpr_number": snap["trainee"]["hpr_number"],
        "employer": snap["employer"],
        "arena": snap["arena"],
        "specialty": snap["specialty"]["name"],
        "programme": str(PROGRAMME_LABELS.get(snap["programme"], "")),
        "scheme": str(schemes.get(snap["scheme"], "")),
        "permanent": snap["permanent"],
        "position_percent": snap["position_percent"],
        "employee_number": snap["employee_number"],
        "start": _date(snap["start"]),
        "end": _date(snap["end"]),
        "counted_to": _date(snap["counted_to"]),
        "ongoing": snap["end"] is None or _date(snap["end"]) != _date(snap["counted_to"]),
        "duration": amount(snap["duration"]),
        "counts_as": category_label(snap["category"]) if snap["category"] else "",
        "periods": periods,
        "leave": leave,
        "service": amount(snap["service"]),
        "leave_deducted": amount(snap["leave_deducted"]),
        "over_cap": amount(over_cap),
        "has_over_cap": bool(over_cap["months"] or over_cap["days"]),
        "counted": amount(snap["counted"]),
    }


def version_events(version: ConfirmationVersion) -> list[dict]:
    from lisplan.audit.services import event_rows

    return event_rows(version, EVENT_LABELS)


def signature(version: ConfirmationVersion):
    return next(iter(version.signatures.all()), None)
