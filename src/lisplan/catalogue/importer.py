"""Import learning goals from a spreadsheet (.xlsx) or CSV file — the layout is in
`docs/catalogue-import.md`.

All or nothing: every row is checked first; if any row is bad, nothing is written and the
report lists each error by line and field. A good file creates new goals and updates existing
ones (same code and «gyldig fra»), as official goals (`demo=False`) with the file name as source.
An earlier version of a code that is still open is closed the day before the new version starts;
other demo versions that overlap the file's are removed (the official text replaces them).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lisplan.audit.services import record
from lisplan.catalogue.loader import conventions, goal_fields, upsert
from lisplan.catalogue.models import LearningGoal, Specialty, TopicArea
from lisplan.catalogue.tables import TableError, read_table
from lisplan.catalogue.validation import (
    GoalContext,
    GoalRow,
    RowError,
    periods_overlap,
    validate_goal_rows,
)

ACTION = "catalogue.goals_imported"


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0  # earlier open versions that got a «gyldig til»
    demo_removed: int = 0  # overlapping demo versions replaced by the official ones
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "demo_removed": self.demo_removed,
        }

    def summary(self) -> str:
        if not self.ok:
            return ngettext(
                "%(n)s feil i %(file)s. Ingen læringsmål ble importert.",
                "%(n)s feil i %(file)s. Ingen læringsmål ble importert.",
                len(self.errors),
            ) % {"n": len(self.errors), "file": self.file_name}
        text = _(
            "%(file)s: %(rows)s rader, %(created)s nye, %(updated)s oppdatert, "
            "%(unchanged)s uendret, %(closed)s eldre versjoner avsluttet, "
            "%(demo_removed)s demoversjoner fjernet."
        ) % {"file": self.file_name, **self.counts()}
        if self.dry_run:
            text += " " + _("Prøvekjøring: ingenting er lagret.")
        return text


def import_goals(
    source: str | os.PathLike | IO,
    *,
    actor=None,
    dry_run: bool = False,
    name: str | None = None,
) -> ImportReport:
    """Check and import the goals in `source` (a path or an open binary file, e.g. an upload)."""
    try:
        table = read_table(source, name=name)
    except TableError as exc:
        file_name = name or os.path.basename(
            os.fspath(source)
            if isinstance(source, str | os.PathLike)
            else getattr(source, "name", "") or ""
        )
        return ImportReport(file_name, dry_run, errors=[RowError(exc.line, "", exc.message)])
    report = ImportReport(
        table.name, dry_run, rows=len(table.rows), ignored_columns=table.ignored_columns
    )
    if not table.rows:
        report.errors.append(RowError(0, "", _("Filen inneholder ingen læringsmål.")))
        return report

    ctx = GoalContext.build(Specialty.objects.all(), TopicArea.objects.all(), conventions())
    goals, report.errors = validate_goal_rows(table.rows, ctx)
    if report.errors:
        return report

    try:
        with transaction.atomic():
            _write(goals, table.name, report, actor=actor, dry_run=dry_run)
    except _Rejected as exc:  # rolled back: nothing was written
        report.errors = exc.errors
        report.created = report.updated = report.unchanged = 0
        report.closed = report.demo_removed = 0
    return report


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


def _write(goals: list[GoalRow], file_name: str, report: ImportReport, *, actor, dry_run) -> None:
    to_close, to_remove, errors = _check_existing_versions(goals)
    if errors:
        raise _Rejected(errors)
    spec_ids = dict(Specialty.objects.values_list("code", "id"))
    topic_ids = dict(TopicArea.objects.values_list("code", "id"))
    source_name = file_name[:300]
    rows = [goal_fields(g, spec_ids, topic_ids, source=source_name) for g in goals]
    counts = upsert(LearningGoal, ("code", "valid_from"), rows, dry_run=dry_run)
    report.created, report.updated = counts["created"], counts["updated"]
    report.unchanged, report.closed = counts["unchanged"], len(to_close)
    report.demo_removed = len(to_remove)
    if not dry_run:
        if to_close:
            LearningGoal.objects.bulk_update(to_close, ["valid_to"])
        for old, line in to_remove:
            try:
                old.delete()
            except ProtectedError as exc:
                raise _Rejected(
                    [
                        RowError(
                            line,
                            "gyldig_fra",
                            _(
                                "Demoversjonen av %(code)s fra %(date)s overlapper og er i bruk, så den "
                                "kan ikke erstattes."
                            )
                            % {"code": old.code, "date": f"{old.valid_from:%d.%m.%Y}"},
                        )
                    ]
                ) from exc
        record(
            actor=actor,
            action=ACTION,
            obj=_audit_object(goals),
            changes={"file": file_name, **report.counts()},
        )


def _check_existing_versions(goals: list[GoalRow]):
    """Versions already stored that the file does not replace must not overlap the file's.

    An open-ended earlier version (no «gyldig til») is closed the day before the file's first
    version of the code starts — that is how a revision (e.g. from 1 March 2026) is loaded.
    """
    by_code: dict[str, list[GoalRow]] = {}
    for g in goals:
        by_code.setdefault(g.code, []).append(g)
    keys = {g.key for g in goals}
    to_close: list[LearningGoal] = []
    to_remove: list[tuple[LearningGoal, int]] = []
    errors: list[RowError] = []
    existing = LearningGoal.objects.filter(code__in=by_code).order_by("code", "valid_from")
    for old in existing.select_for_update():
        if (old.code, old.valid_from) in keys:
            continue  # replaced by the file's row
        versions = sorted(by_code[old.code], key=lambda g: g.valid_from)
        first = versions[0]
        if old.valid_to is None and old.valid_from < first.valid_from:
            old.valid_to = first.valid_from - dt.timedelta(days=1)
            to_close.append(old)
        clashes = [
            g
            for g in versions
            if periods_overlap(old.valid_from, old.valid_to, g.valid_from, g.valid_to)
        ]
        if clashes and old.demo:
            to_remove.append((old, clashes[0].line))  # the official version replaces it
        else:
            errors += [
                RowError(
                    g.line,
                    "gyldig_fra",
                    _("Perioden overlapper en lagret versjon av %(code)s (gyldig fra %(date)s).")
                    % {"code": g.code, "date": f"{old.valid_from:%d.%m.%Y}"},
                )
                for g in clashes
            ]
    errors.sort(key=lambda e: e.line)
    return to_close, to_remove, errors


def _audit_object(goals: list[GoalRow]):
    """The specialty when the file is about one specialty, else the file's first goal."""
    specialties = {g.specialty for g in goals}
    if len(specialties) == 1 and "" not in specialties:
        return Specialty.objects.get(code=specialties.pop())
    return LearningGoal.objects.get(code=goals[0].code, valid_from=goals[0].valid_from)
