"""What changed between two revisions of a plan: the plan's fields and the periods table."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from lisplan.plans.models import Revision
from lisplan.plans.services import CONTENT_FIELDS

PERIOD_VALUES = ["start", "end", "contact_person"]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class PeriodChange:
    kind: str  # "added", "removed", "changed", "same"
    old: object | None
    new: object | None
    changed: set[str] = field(default_factory=set)

    @property
    def period(self):
        return self.new or self.old


@dataclass
class Comparison:
    previous: Revision
    fields: list[FieldChange]
    periods: list[PeriodChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields) or any(p.kind != "same" for p in self.periods)


def show(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=1)
    return str(value)


def _fields(old: Revision, new: Revision) -> list[FieldChange]:
    out = []
    for name in CONTENT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = str(Revision._meta.get_field(name).verbose_name)
            out.append(FieldChange(label[:1].upper() + label[1:], show(before), show(after)))
    return out


def _key(p) -> tuple:
    return (p.specialty_id, p.institution_id, p.arena_id, p.service_place.strip().lower())


def _periods(old: list, new: list) -> list[PeriodChange]:
    """Rows matched by place and specialty; a matched row whose dates moved is «changed»."""
    out: list[PeriodChange] = []
    matcher = difflib.SequenceMatcher(
        None, [_key(p) for p in old], [_key(p) for p in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                changed = {f for f in PERIOD_VALUES if getattr(a, f) != getattr(b, f)}
                out.append(PeriodChange("changed" if changed else "same", a, b, changed))
            continue
        out += [PeriodChange("removed", a, None) for a in old[i1:i2]]
        out += [PeriodChange("added", None, b) for b in new[j1:j2]]
    return out


def compare(previous: Revision, revision: Revision) -> Comparison:
    return Comparison(
        previous=previous,
        fields=_fields(previous, revision),
        periods=_periods(list(previous.periods.all()), list(revision.periods.all())),
    )
