"""Table 4 (hospital) and section 4 (ALIS) of the IUP: status done/remaining, computed from the
progress ledger by the progress engine (`progress.evaluation`), never re-implemented here.

`status_table(revision, today)` is what pages, the PDF and the API show: live while the
revision is open, the snapshot frozen at signing once it is signed. `StatusTable.as_json()` is
that snapshot (and the API's representation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from fractions import Fraction

from django.utils.translation import gettext as _

from lisplan.progress import engine, present
from lisplan.progress.evaluation import evaluate_one

# The ALIS form's status rows, in the form's order: (done field, remaining field, label).
ALIS_ROWS = (
    ("service", "lis1", "lis1_rest", "LIS1/turnus"),
    (
        "service",
        "usel_praks",
        "usel_praks_rest",
        "Åpen uselektert praksis (min. 2 år, inntil 4,5 år)",
    ),
    (
        "service",
        "annen_alm_tjeneste",
        "annen_alm_tjeneste_rest",
        "Annen allmennmedisinsk tjeneste inntil 2,5 år",
    ),
    ("service", "inst_tjeneste", "inst_tjeneste_rest", "Institusjonstjeneste (min. 6 mnd.)"),
    (
        "service",
        "tilpass_tjeneste",
        "tilpass_tjeneste_rest",
        "Individuell tilpasning etter Spesialistforskriftens §§ 31 og 32",
    ),
    ("activity", "gr_a", "gr_a_rest", "Grunnkurs A"),
    ("activity", "gr_b", "gr_b_rest", "Grunnkurs B"),
    ("activity", "gr_c", "gr_c_rest", "Grunnkurs C"),
    ("activity", "gr_d", "gr_d_rest", "Grunnkurs D"),
    ("activity", "emnekurs", "emnekurs_rest", "6 ulike emnekurs"),
    ("activity", "akutt_kurs", "akutt_kurs_rest", "Kurs i akuttmedisin"),
    ("activity", "sak_kurs", "sak_kurs_rest", "Sakkyndighetskurs"),
    ("activity", "fkm_kurs", "fkm_kurs_rest", "Kurs innen felles kompetansemål (FKM)"),
    (
        "activity",
        "g_veil",
        "g_veil_rest",
        "Gruppeveiledning 2 år (min. 1 år under tjeneste i åpen uselektert allmennpraksis)",
    ),
    ("activity", "lv_40", "lv_40_rest", "40 legevakter (minimum)"),
    ("activity", "prak_pros", "prak_pros_rest", "Praktiske prosedyrer"),
    ("activity", "andre_akt", "andre_akt_rest", "Andre læringsaktiviteter"),
)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    done: str = ""
    remaining: str = ""
    details_done: tuple[str, ...] = ()
    details_remaining: tuple[str, ...] = ()
    comment_field: str = ""  # the revision's typed comment for this row, if any
    group: str = ""  # "service" | "activity" (ALIS)
    field_done: str = ""  # ALIS form field names
    field_remaining: str = ""


_ROW_FIELDS = tuple(f.name for f in fields(Row))


@dataclass
class StatusTable:
    kind: str
    computed_on: dt.date
    rows: list[Row] = field(default_factory=list)
    form_values: dict[str, str] = field(default_factory=dict)
    overall: str = "unknown"  # the engine's overall status
    requirement_set: str = ""
    frozen: bool = False

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "computed_on": self.computed_on.isoformat(),
            # as `dataclasses.asdict` (the values are text and tuples of text), without its
            # deep copies: the national demo freezes thousands of these
            "rows": [{name: getattr(r, name) for name in _ROW_FIELDS} for r in self.rows],
            "form_values": self.form_values,
            "overall": self.overall,
            "requirement_set": self.requirement_set,
        }

    @classmethod
    def from_json(cls, data: dict) -> StatusTable:
        rows = [
            Row(
                **{
                    **r,
                    "details_done": tuple(r.get("details_done", ())),
                    "details_remaining": tuple(r.get("details_remaining", ())),
                }
            )
            for r in data.get("rows", [])
        ]
        return cls(
            kind=data.get("kind", ""),
            computed_on=dt.date.fromisoformat(data["computed_on"]),
            rows=rows,
            form_values=dict(data.get("form_values", {})),
            overall=data.get("overall", "unknown"),
            requirement_set=data.get("requirement_set", ""),
            frozen=True,
        )

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


def _req(result, code: str):
    if result is None:
        return None
    return next((r for r in result.requirements if r.code == code), None)


def _q(value, unit: str) -> str:
    return present.quantity(value, unit)


def _months(days: Fraction) -> str:
    return present.months(engine.days_to_months(days))


def _period(line) -> str:
    if line.start and line.end:
        return f"{line.start:%d.%m.%Y}–{line.end:%d.%m.%Y}"
    return ""


def _arenas(result, categories: tuple[str, ...]) -> tuple[str, ...]:
    """Service done per place (the ledger's lines), with duration: «place: 14,2 mnd. (dates)»."""
    if result is None:
        return ()
    per: dict[str, list] = {}
    for line in result.ledger.lines:
        if line.kind == "service" and line.category in categories and line.days > 0:
            per.setdefault(line.label, []).append(line)
    out = []
    for label, lines in per.items():
        days = sum((ln.days for ln in lines), Fraction(0))
        spans = ", ".join(p for p in (_period(ln) for ln in lines) if p)
        out.append(f"{label}: {_months(days)}" + (f" ({spans})" if spans else ""))
    return tuple(out)


def _planned(inp, categories: tuple[str, ...], today: dt.date) -> tuple[str, ...]:
    """Planned periods of the approved implementation plan still ahead, with duration."""
    if inp is None:
        return ()
    out = []
    for p in inp.periods:
        if p.planned and p.category in categories and p.end and p.end >= today:
            start = max(p.start, today)
            days = (p.end - start).days + 1
            out.append(f"{p.label}: {_months(Fraction(days))} ({start:%d.%m.%Y}–{p.end:%d.%m.%Y})")
    return tuple(out)


def _done_remaining(req) -> tuple[str, str]:
    if req is None:
        return "–", "–"
    return present.done(req), present.remaining(req)


def _courses(req) -> Row:
    """Nationally recommended courses (table 4): with the specialty's course list, the courses
    done and those remaining by name; without one, the courses registered and, as remaining,
    that the list is not settled — never «–», which reads as nothing left (issue 12, item 7)."""
    label = _("Nasjonalt anbefalte kurs")
    if req is None:
        return Row("courses", label, comment_field="courses_comment")
    if req.items:
        return Row(
            "courses",
            label,
            done=_q(req.done, req.unit),
            remaining=_q(req.remaining, req.unit),
            details_done=tuple(
                f"{i.label} {i.on:%d.%m.%Y}" if i.on else i.label for i in req.items if i.done
            ),
            details_remaining=tuple(i.label for i in req.items if not i.done),
            comment_field="courses_comment",
        )
    return Row(
        "courses",
        label,
        done=_q(req.done, req.unit),
        remaining=present.remaining(req),
        details_done=tuple(present.texts(req.evidence)),
        details_remaining=(_("Kurslisten for spesialiteten er ikke lagt inn ennå."),),
        comment_field="courses_comment",
    )


def hospital_table(inp, ctx, result, today: dt.date) -> StatusTable:
    table = StatusTable(
        kind="hospital",
        computed_on=today,
        overall=result.overall_status if result else "unknown",
        requirement_set=result.requirement_set if result else "",
    )
    lis1 = result.ledger.days(("lis1",)) if result else Fraction(0)
    table.rows.append(Row("degree", _("Grunnutdanning"), comment_field="degree"))
    # LIS1/turnus comes before parts 2 and 3: what is registered, and nothing remaining.
    table.rows.append(
        Row(
            "lis1",
            _("Turnustjeneste/LIS1-tjeneste"),
            done=_months(lis1)
            if lis1
            else _("Gjennomført før spesialiseringen (ikke registrert her)")
            if result
            else "",
            remaining=_("Ingen: forutsetning for spesialiseringen") if result else "",
            details_done=_arenas(result, ("lis1",)),
            comment_field="lis1_comment",
        )
    )
    done, remaining = _done_remaining(_req(result, "part23_time"))
    table.rows.append(
        Row(
            "specialty_time",
            _("Tjeneste i spesialiteten (tid)"),
            done,
            remaining,
            comment_field="specialty_time_comment",
        )
    )
    table.rows.append(
        Row(
            "arenas",
            _("Tjeneste i spesialiteten (læringsarena)"),
            details_done=_arenas(result, ("specialty",)),
            details_remaining=_planned(inp, ("specialty",), today),
            comment_field="arenas_remaining",
        )
    )
    other = result.ledger.days(("other_specialty", "old_scheme")) if result else Fraction(0)
    table.rows.append(
        Row(
            "other_specialties",
            _("Tjeneste i andre spesialiteter (rotasjon og tidligere tjeneste)"),
            done=_months(other) if other else "",
            details_done=_arenas(result, ("other_specialty",)),
            details_remaining=_planned(inp, ("other_specialty",), today),
            comment_field="other_specialties_comment",
        )
    )
    table.rows.append(_courses(_req(result, "recommended_courses")))
    table.rows.append(Row("other_courses", _("Andre kurs"), comment_field="other_courses"))
    done, remaining = _done_remaining(_req(result, "kunnskap_forbedring"))
    table.rows.append(
        Row(
            "fkm_project",
            _("Prosjektoppgave «Kunnskap og forbedring» (FKM)"),
            done,
            remaining,
            comment_field="fkm_project_comment",
        )
    )
    for code, label in (
        ("goals_specialty", _("Læringsmål i spesialiteten")),
        ("goals_fkm", _("Felles kompetansemål (FKM)")),
    ):
        done, remaining = _done_remaining(_req(result, code))
        table.rows.append(Row(code, label, done, remaining))
    return table


def alis_table(inp, ctx, result, today: dt.date) -> StatusTable:
    values = present.form_values(result) if result else {}
    table = StatusTable(
        kind="alis",
        computed_on=today,
        form_values=values,
        overall=result.overall_status if result else "unknown",
        requirement_set=result.requirement_set if result else "",
    )
    evidence = {}
    if result is not None:
        for r in result.requirements:
            if r.form_fields:
                evidence[r.form_fields[0]] = tuple(present.texts(r.evidence))
    for group, done_field, rest_field, label in ALIS_ROWS:
        table.rows.append(
            Row(
                done_field,
                _(label),
                values.get(done_field, ""),
                values.get(rest_field, ""),
                details_done=evidence.get(done_field, ()),
                group=group,
                field_done=done_field,
                field_remaining=rest_field,
            )
        )
    return table


def compute(trainee_id: int, kind: str, today: dt.date) -> StatusTable:
    inp, ctx, result = evaluate_one(trainee_id, today)
    if kind == "alis":
        return alis_table(inp, ctx, result, today)
    return hospital_table(inp, ctx, result, today)


def status_table(revision, today: dt.date, *, live: bool = False) -> StatusTable:
    """The revision's status table: the frozen snapshot of a signed revision, else (or with
    `live=True`) computed now from the ledger."""
    if not live and revision.status_snapshot:
        return StatusTable.from_json(revision.status_snapshot)
    return compute(revision.plan.trainee_id, revision.plan.kind, today)
