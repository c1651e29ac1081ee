"""What changed between two revisions of an education plan: every typed field and the child
tables (supervisors, planned meetings, tentative periods), each shown as old → new text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lisplan.iup.models import Revision
from lisplan.iup.services import content_snapshot, fields_for

CHILD_LABELS = {
    "supervisors": "Veiledere",
    "meetings": "Planlagte møter",
    "periods": "Tentative tjenesteperioder",
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


def show(value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def _label(name: str) -> str:
    if name in CHILD_LABELS:
        return _(CHILD_LABELS[name])
    field = Revision._meta.get_field(name)
    return str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]


def compare(previous: Revision, revision: Revision) -> list[Change]:
    """Fields whose value differs between `previous` and `revision`, in form order."""
    old, new = content_snapshot(previous), content_snapshot(revision)
    names = [*fields_for(revision.plan.kind), *CHILD_LABELS]
    choices = {f: dict(Revision._meta.get_field(f).choices or []) for f in ("scheme", "minutes_by")}
    out = []
    for name in names:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if name in choices:
            a, b = choices[name].get(a, a), choices[name].get(b, b)
        out.append(Change(name, _label(name), show(a), show(b)))
    return out


def previous_of(revision: Revision, revisions: list[Revision] | None = None) -> Revision | None:
    """The revision before this one in its plan (from `revisions`, the plan's revisions, when
    the caller has read them)."""
    if revisions is not None:
        earlier = [
            r for r in revisions if r.plan_id == revision.plan_id and r.number < revision.number
        ]
        return max(earlier, key=lambda r: r.number, default=None)
    return (
        Revision.objects.filter(plan_id=revision.plan_id, number__lt=revision.number)
        .order_by("-number")
        .first()
    )
