"""Import learning-goal approvals and learning activities from a spreadsheet export (.xlsx or
CSV) — the layout is in `docs/progress-import.md`.

All or nothing: every row is checked first (with the same model rules as the pages); if any
row is bad, nothing is written and the report lists each error by line and column. A good
file sets goal statuses (one row per trainee and goal version, updated if it exists) and adds
activities (an activity identical to one already registered is skipped, so a file can be
imported again). Each trainee touched gets one audit event `progress.imported`; their cached
summaries are recomputed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.models import User
from lisplan.audit.services import record
from lisplan.catalogue.tables import TableError, _csv_rows, _xlsx_rows, normalise_header
from lisplan.catalogue.validation import RowError, cell_text, parse_date
from lisplan.organisations.models import Institution
from lisplan.progress.models import (
    ActivityKind,
    ActivityRecord,
    Assessment,
    Course,
    GoalApproval,
    GoalStatus,
    MinutesBy,
)
from lisplan.progress.services import goal_version
from lisplan.trainees.models import Trainee

ACTION = "progress.imported"

# Column in the documented layout -> accepted spellings (after `normalise_header`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "hpr": ("hpr", "hpr_nummer", "hpr_nr", "hprnummer"),
    "type": ("type", "registrering", "aktivitet"),
    "dato": ("dato", "date", "fra", "fra_dato", "godkjent_dato"),
    "til_dato": ("til_dato", "til", "end_date"),
    "læringsmål": ("læringsmål", "laeringsmal", "læringsmålkode", "mål", "kode", "goal"),
    "status": ("status",),
    "vurdering": ("vurdering", "vurderingsform", "assessment"),
    "godkjent_av": ("godkjent_av", "godkjenner", "approved_by"),
    "sted": ("sted", "virksomhet", "institusjon", "institution"),
    "kurs": ("kurs", "kurskode", "course"),
    "beskrivelse": ("beskrivelse", "tittel", "prosedyre", "title"),
    "timer": ("timer", "hours"),
    "antall": ("antall", "count"),
    "veileder": ("veileder", "supervisor"),
    "referent": ("referent", "referat_skrevet_av", "minutes_by"),
    "deltakere": ("deltakere", "participants"),
    "oppsummering": ("oppsummering", "sammendrag", "summary", "kommentar"),
}
REQUIRED = ("hpr", "type", "dato")
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}

GOAL_TYPES = {"læringsmål", "laeringsmal", "goal"}
KIND_NAMES = {
    "kurs": ActivityKind.COURSE,
    "prosedyre": ActivityKind.PROCEDURE,
    "legevakt": ActivityKind.OUT_OF_HOURS,
    "gruppeveiledning": ActivityKind.GROUP_SUPERVISION,
    "veiledningssamtale": ActivityKind.SUPERVISION_MEETING,
    "vurderingskollegium": ActivityKind.ASSESSMENT_PANEL,
    "annet": ActivityKind.OTHER,
    **{k: k for k in ActivityKind.values},
}
STATUS_NAMES = {
    "godkjent": GoalStatus.APPROVED,
    "påbegynt": GoalStatus.IN_PROGRESS,
    "ikke startet": GoalStatus.NOT_STARTED,
    **{s: s for s in GoalStatus.values},
}
ASSESSMENTS = {str(label).lower(): value for value, label in Assessment.choices} | {
    v: v for v in Assessment.values
}
MINUTES = {
    "lege": MinutesBy.TRAINEE,
    "lis": MinutesBy.TRAINEE,
    "alis": MinutesBy.TRAINEE,
    "veileder": MinutesBy.SUPERVISOR,
    **{v: v for v in MinutesBy.values},
}


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool = False
    rows: int = 0
    goals: int = 0
    activities: int = 0
    skipped: int = 0  # activities already registered
    trainees: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "goals": self.goals,
            "activities": self.activities,
            "skipped": self.skipped,
            "trainees": self.trainees,
        }

    def summary(self) -> str:
        if not self.ok:
            return _("%(n)s feil i %(file)s. Ingenting ble importert.") % {
                "n": len(self.errors),
                "file": self.file_name,
            }
        text = _(
            "%(file)s: %(rows)s rader, %(goals)s læringsmålstatuser, %(activities)s nye "
            "aktiviteter, %(skipped)s aktiviteter fantes fra før, %(trainees)s leger."
        ) % {"file": self.file_name, **self.counts()}
        if self.dry_run:
            text += " " + _("Prøvekjøring: ingenting er lagret.")
        return text


def _read(source, name: str | None):
    if isinstance(source, str | os.PathLike):
        name = name or os.path.basename(os.fspath(source))
        with open(source, "rb") as fh:
            data = fh.read()
    else:
        name = name or os.path.basename(getattr(source, "name", "") or "") or "opplastet fil"
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    lower = name.lower()
    if lower.endswith(".xlsx") or (not lower.endswith(".csv") and data[:2] == b"PK"):
        header, rows = _xlsx_rows(data)
    elif lower.endswith(".csv") or not lower.rpartition(".")[1]:
        header, rows = _csv_rows(data)
    else:
        raise TableError(_("Ukjent filtype. Bruk .xlsx eller .csv."))
    if header is None:
        raise TableError(_("Filen er tom."))
    line, cells = header
    columns: list[str | None] = []
    ignored = []
    for cell in cells:
        key = _ALIASES.get(normalise_header(cell))
        if key is None and str(cell or "").strip():
            ignored.append(str(cell).strip())
        columns.append(key if key not in columns else None)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise TableError(
            _("Mangler kolonne: %(columns)s. Første linje må være kolonnenavnene.")
            % {"columns": ", ".join(missing)},
            line,
        )
    table = [(n, {c: v[i] for i, c in enumerate(columns) if c and i < len(v)}) for n, v in rows]
    return name, table, ignored


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column, self.message = column, message


class _Lookups:
    """Reference rows read once per file."""

    def __init__(self, table, trainees=None) -> None:
        hprs = {cell_text(r.get("hpr")) for _n, r in table}
        # A spreadsheet may have turned «012345678» into the number 12345678.
        hprs |= {h.zfill(9) for h in hprs if h.isdigit()}
        pool = Trainee.objects.all() if trainees is None else trainees
        self.scoped = trainees is not None
        self.trainees = {t.hpr_number: t for t in pool.filter(hpr_number__in=hprs)}
        self.courses = {c.code: c for c in Course.objects.all()}
        self.institutions = {i.code.upper(): i for i in Institution.objects.all()}
        names = {cell_text(r.get(c)) for _n, r in table for c in ("godkjent_av", "veileder")}
        self.users = {u.username: u for u in User.objects.filter(username__in=names)}
        self.goals: dict[tuple[str, dt.date], Any] = {}

    def goal(self, code: str, on: dt.date):
        key = (code, on)
        if key not in self.goals:
            self.goals[key] = goal_version(code, on)
        return self.goals[key]


def _text(row, column: str) -> str:
    return cell_text(row.get(column))


def _date(row, column: str, required: bool = True) -> dt.date | None:
    value = row.get(column)
    if value in (None, "") or not cell_text(value):
        if required:
            raise _RowInvalid(column, _("Feltet må fylles ut."))
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise _RowInvalid(column, str(exc)) from exc


def _number(row, column: str) -> Decimal | None:
    text = _text(row, column).replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise _RowInvalid(column, _("«%(v)s» er ikke et tall.") % {"v": text}) from exc


def _user(lookups: _Lookups, row, column: str, default=None):
    name = _text(row, column)
    if not name:
        return default
    user = lookups.users.get(name)
    if user is None:
        raise _RowInvalid(column, _("Finner ingen bruker med brukernavnet «%(v)s».") % {"v": name})
    return user


def _institution(lookups: _Lookups, row):
    code = _text(row, "sted").upper()
    if not code:
        return None
    inst = lookups.institutions.get(code)
    if inst is None:
        raise _RowInvalid("sted", _("Ukjent virksomhetskode «%(v)s».") % {"v": code})
    return inst


def _model_errors(exc: ValidationError, names: dict[str, str]) -> _RowInvalid:
    field_name, messages = next(iter(exc.message_dict.items()))
    return _RowInvalid(names.get(field_name, field_name), " ".join(messages))


GOAL_FIELDS = {
    "approved_on": "dato",
    "assessment": "vurdering",
    "status": "status",
    "arena": "sted",
    "institution": "sted",
    "goal": "læringsmål",
}
ACTIVITY_FIELDS = {
    "date": "dato",
    "end_date": "til_dato",
    "course": "kurs",
    "title": "beskrivelse",
    "hours": "timer",
    "count": "antall",
    "supervisor": "veileder",
    "minutes_by": "referent",
    "participants": "deltakere",
    "summary": "oppsummering",
}


def _goal_row(row, lookups: _Lookups, trainee: Trainee, actor) -> GoalApproval:
    code = _text(row, "læringsmål").upper()
    if not code:
        raise _RowInvalid("læringsmål", _("Oppgi læringsmålkoden, f.eks. ORT-001."))
    on = _date(row, "dato")
    status = STATUS_NAMES.get(_text(row, "status").lower() or "godkjent")
    if status is None:
        raise _RowInvalid("status", _("Status må være godkjent, påbegynt eller ikke startet."))
    goal = lookups.goal(code, on)
    if goal is None:
        raise _RowInvalid(
            "læringsmål",
            _("Ingen versjon av læringsmålet %(code)s gjaldt %(on)s.")
            % {"code": code, "on": f"{on:%d.%m.%Y}"},
        )
    assessment = ""
    if _text(row, "vurdering"):
        assessment = ASSESSMENTS.get(_text(row, "vurdering").lower())
        if assessment is None:
            raise _RowInvalid(
                "vurdering",
                _("Ukjent vurderingsform. Gyldige: %(all)s.")
                % {"all": ", ".join(str(label).lower() for _v, label in Assessment.choices)},
            )
    approved = status == GoalStatus.APPROVED
    approver = _user(lookups, row, "godkjent_av", default=actor) if approved else None
    if approved and approver is None:
        raise _RowInvalid(
            "godkjent_av", _("Oppgi brukernavnet til den som godkjente, eller importer med --user.")
        )
    if approved and trainee.user_id and approver.pk == trainee.user_id:
        raise _RowInvalid("godkjent_av", _("En lege kan ikke godkjenne sine egne læringsmål."))
    if approved and on > timezone.localdate():
        raise _RowInvalid("dato", _("Godkjenningsdatoen kan ikke være fram i tid."))
    obj = GoalApproval(
        trainee=trainee,
        goal=goal,
        status=status,
        assessment=assessment or "",
        approved_on=on if approved else None,
        approved_by=approver,
        institution=_institution(lookups, row),
        comment=_text(row, "oppsummering"),
        updated_by=actor,
    )
    try:
        obj.full_clean(
            exclude=["trainee", "goal", "approved_by", "updated_by", "institution"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise _model_errors(exc, GOAL_FIELDS) from exc
    return obj


def _activity_row(row, lookups: _Lookups, trainee: Trainee, kind: str, actor):
    course = None
    if _text(row, "kurs"):
        course = lookups.courses.get(_text(row, "kurs").upper())
        if course is None:
            raise _RowInvalid("kurs", _("Ukjent kurskode «%(v)s».") % {"v": _text(row, "kurs")})
    count = _number(row, "antall")
    if count is not None and (count != count.to_integral_value() or count < 1):
        raise _RowInvalid("antall", _("Antallet må være et helt tall, minst 1."))
    goals = []
    on = _date(row, "dato")
    for code in filter(
        None, (c.strip().upper() for c in _text(row, "læringsmål").replace(";", ",").split(","))
    ):
        goal = lookups.goal(code, on)
        if goal is None:
            raise _RowInvalid("læringsmål", _("Ukjent læringsmål «%(v)s».") % {"v": code})
        goals.append(goal)
    minutes = ""
    if _text(row, "referent"):
        minutes = MINUTES.get(_text(row, "referent").lower())
        if minutes is None:
            raise _RowInvalid("referent", _("Referent må være «lege» eller «veileder»."))
    obj = ActivityRecord(
        trainee=trainee,
        kind=kind,
        date=on,
        end_date=_date(row, "til_dato", required=False),
        course=course,
        title=_text(row, "beskrivelse")[:200],
        hours=_number(row, "timer"),
        count=int(count) if count is not None else 1,
        supervisor=_user(lookups, row, "veileder"),
        minutes_by=minutes,
        participants=_text(row, "deltakere"),
        summary=_text(row, "oppsummering"),
        institution=_institution(lookups, row),
        recorded_by=actor,
    )
    try:
        obj.full_clean(
            exclude=["trainee", "course", "supervisor", "institution", "recorded_by", "goals"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise _model_errors(exc, ACTIVITY_FIELDS) from exc
    return obj, goals


def import_progress(
    source: str | os.PathLike | IO,
    *,
    actor=None,
    dry_run: bool = False,
    name: str | None = None,
    trainees=None,
) -> ImportReport:
    """Check every row, then write all of them or nothing (see the module docstring).

    `trainees`: a queryset limiting whom the file may touch (the web upload passes the
    uploader's `progress.approve` scope); a row for anyone else is an error."""
    try:
        file_name, table, ignored = _read(source, name)
    except TableError as exc:
        file_name = name or os.path.basename(
            os.fspath(source)
            if isinstance(source, str | os.PathLike)
            else getattr(source, "name", "") or ""
        )
        return ImportReport(file_name, dry_run, errors=[RowError(exc.line, "", exc.message)])
    report = ImportReport(file_name, dry_run, rows=len(table), ignored_columns=ignored)
    if not table:
        report.errors.append(RowError(0, "", _("Filen inneholder ingen rader.")))
        return report
    lookups = _Lookups(table, trainees)
    goals: dict[tuple[int, int], tuple[int, GoalApproval]] = {}
    activities = []
    for line, row in table:
        try:
            hpr = _text(row, "hpr")
            trainee = lookups.trainees.get(hpr) or (
                lookups.trainees.get(hpr.zfill(9))
                if isinstance(row.get("hpr"), int | float)
                else None
            )
            if trainee is None and hpr and lookups.scoped:
                raise _RowInvalid(
                    "hpr",
                    _(
                        "Finner ingen lege med HPR-nummer «%(v)s» blant legene du kan registrere "
                        "læringsmål og aktiviteter for."
                    )
                    % {"v": hpr},
                )
            if trainee is None:
                raise _RowInvalid(
                    "hpr",
                    _("Finner ingen lege med HPR-nummer «%(v)s».") % {"v": hpr}
                    if hpr
                    else _("Feltet må fylles ut."),
                )
            kind_name = _text(row, "type").lower()
            if kind_name in GOAL_TYPES:
                obj = _goal_row(row, lookups, trainee, actor)
                key = (trainee.pk, obj.goal.pk)
                if key in goals:
                    raise _RowInvalid(
                        "læringsmål",
                        _("Samme lege og læringsmål står også på linje %(line)s.")
                        % {"line": goals[key][0]},
                    )
                goals[key] = (line, obj)
            elif kind_name in KIND_NAMES:
                activities.append(
                    _activity_row(row, lookups, trainee, KIND_NAMES[kind_name], actor)
                )
            else:
                raise _RowInvalid(
                    "type",
                    _(
                        "Ukjent type «%(v)s». Bruk læringsmål, kurs, prosedyre, legevakt, "
                        "gruppeveiledning, veiledningssamtale, vurderingskollegium eller annet."
                    )
                    % {"v": _text(row, "type")},
                )
        except _RowInvalid as exc:
            report.errors.append(RowError(line, exc.column, exc.message))
    if report.errors:
        return report
    with transaction.atomic():
        touched = _write(goals, activities, report, actor=actor, file_name=file_name)
        if touched:  # written in bulk, without signals: a bulk job pays for its own upkeep
            from lisplan.insights.facts import refresh as refresh_insight_facts
            from lisplan.iup.deadlines import refresh as refresh_iup_deadlines

            refresh_insight_facts(touched)
            refresh_iup_deadlines(touched)  # an assessment panel held moves the IUP deadline
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and touched:
        from lisplan.progress.summary import refresh_summaries

        refresh_summaries(sorted(touched))
    return report


def _activity_key(a: ActivityRecord) -> tuple:
    return (a.trainee_id, a.kind, a.date, a.end_date, a.course_id, a.title, a.count)


def _write(goals, activities, report: ImportReport, *, actor, file_name: str) -> set[int]:
    per_trainee: dict[int, dict[str, int]] = defaultdict(lambda: {"goals": 0, "activities": 0})
    existing = {
        (g.trainee_id, g.goal_id): g
        for g in GoalApproval.objects.filter(
            trainee_id__in={k[0] for k in goals}
        ).select_for_update()
    }
    create, update = [], []
    for key, (_line, obj) in goals.items():
        old = existing.get(key)
        if old is None:
            create.append(obj)
        else:
            obj.pk = old.pk
            update.append(obj)
        per_trainee[key[0]]["goals"] += 1
    GoalApproval.objects.bulk_create(create)
    GoalApproval.objects.bulk_update(
        update,
        [
            "status",
            "assessment",
            "approved_on",
            "approved_by",
            "institution",
            "comment",
            "updated_by",
        ],
    )
    report.goals = len(create) + len(update)
    trainee_ids = {a.trainee_id for a, _g in activities}
    seen = {_activity_key(a) for a in ActivityRecord.objects.filter(trainee_id__in=trainee_ids)}
    new = []
    for obj, goal_list in activities:
        key = _activity_key(obj)
        if key in seen:
            report.skipped += 1
            continue
        seen.add(key)
        new.append((obj, goal_list))
        per_trainee[obj.trainee_id]["activities"] += 1
    ActivityRecord.objects.bulk_create([a for a, _g in new])
    links = [
        ActivityRecord.goals.through(activityrecord_id=a.pk, learninggoal_id=g.pk)
        for a, goal_list in new
        for g in goal_list
    ]
    ActivityRecord.goals.through.objects.bulk_create(links)
    report.activities = len(new)
    trainees = Trainee.objects.in_bulk(list(per_trainee))
    for tid, counts in per_trainee.items():
        record(
            actor=actor,
            action=ACTION,
            obj=trainees[tid],
            trainee_id=tid,
            changes={"file": file_name, **counts},
        )
    report.trainees = len(per_trainee)
    return set(per_trainee)
