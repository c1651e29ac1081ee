"""Load the § 31 service rules and the requirement sets from `progress/data/*.yaml`.

Django-free (PyYAML only), so the engine and its tests run without a database. Every file is
validated as a whole: `RequirementDataError` lists every problem with its place in the file.

    rules = rule_book()                                  # service_rules.yaml
    rset = requirement_set_for("ALM", "community", on)   # requirements.yaml
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lisplan.progress.engine import (
    MONTH_MINIMUM_MODES,
    Cap,
    CourseRef,
    LeaveRule,
    Requirement,
    RequirementSet,
    RuleBook,
    ServiceRules,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
KINDS = ("service_time", "goals", "activity_count", "activity_period")
BASES = ("source", "conservative")
COURSES = Path(__file__).resolve().parent / "catalogue" / "courses.yaml"
UNITS = ("months", "goals", "courses", "shifts", "items")


@dataclass(frozen=True)
class Problem:
    where: str  # e.g. "sets[1].requirements[3].minimum"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class RequirementDataError(ValueError):
    def __init__(self, problems: list[Problem], filename: str = ""):
        self.problems = problems
        self.filename = filename
        super().__init__(f"{filename}: " + "; ".join(str(p) for p in problems))


class _Reader:
    """Collects problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def keys(self, where: str, data: Any, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(data, dict):
            self.fail(where, "må være en tabell (mapping)")
            return False
        for key in sorted(set(data) - allowed):
            self.fail(f"{where}.{key}", "ukjent nøkkel")
        for key in sorted(required - set(data)):
            self.fail(f"{where}.{key}", "mangler")
        return True

    def date(self, where: str, value: Any, optional: bool = False) -> dt.date | None:
        if value is None and optional:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(where, "må være en dato (ÅÅÅÅ-MM-DD)")
        return None

    def number(self, where: str, value: Any, optional: bool = True) -> Fraction | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(where, "må være et tall")
            return None
        try:
            result = Fraction(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            self.fail(where, "må være et tall")
            return None
        if result < 0:
            self.fail(where, "kan ikke være negativt")
        return result

    def strings(self, where: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(where, "må være en liste med tekster")
            return ()
        return tuple(value)

    def sourced(self, where: str, data: dict) -> tuple[str, bool]:
        source, verified = data.get("source"), data.get("verified")
        if not isinstance(source, str) or not source.strip():
            self.fail(f"{where}.source", "kilde mangler")
            source = ""
        if not isinstance(verified, bool):
            self.fail(f"{where}.verified", "må være true eller false")
            verified = False
        return source, verified

    def basis(self, where: str, data: dict) -> str:
        value = data.get("basis", "source")
        if value not in BASES:
            self.fail(f"{where}.basis", f"må være en av {', '.join(BASES)}")
            return "source"
        return value

    def validity(self, where: str, data: dict) -> tuple[dt.date | None, dt.date | None]:
        start = self.date(f"{where}.valid_from", data.get("valid_from"))
        end = self.date(f"{where}.valid_to", data.get("valid_to"), optional=True)
        if start and end and end < start:
            self.fail(f"{where}.valid_to", "kan ikke være før valid_from")
        return start, end


def _overlaps(a: tuple[dt.date, dt.date | None], b: tuple[dt.date, dt.date | None]) -> bool:
    far = dt.date.max
    return a[0] <= (b[1] or far) and b[0] <= (a[1] or far)


# --- service rules --------------------------------------------------------------------------


def parse_rule_book(data: Any, filename: str = "service_rules.yaml") -> RuleBook:
    r = _Reader()
    versions: list[ServiceRules] = []
    if (
        not r.keys("", data, {"versions", "month_minimum"}, {"versions"})
        or not isinstance(data.get("versions"), list)
        or not data["versions"]
    ):
        r.fail("versions", "må være en ikke-tom liste")
        raise RequirementDataError(r.problems, filename)
    mode = "calendar"
    mm = data.get("month_minimum")
    if mm is not None and r.keys(
        "month_minimum", mm, {"mode", "source", "verified", "basis", "note"}, {"mode"}
    ):
        if mm.get("mode") not in MONTH_MINIMUM_MODES:
            r.fail("month_minimum.mode", f"må være en av {', '.join(MONTH_MINIMUM_MODES)}")
        else:
            mode = mm["mode"]
        r.sourced("month_minimum", mm)
        r.basis("month_minimum", mm)
    for i, v in enumerate(data["versions"]):
        w = f"versions[{i}]"
        if not r.keys(
            w,
            v,
            {
                "valid_from",
                "valid_to",
                "max_percent_per_day",
                "source",
                "verified",
                "note",
                "leave",
                "caps",
                "basis",
            },
            {"valid_from", "source", "verified", "leave"},
        ):
            continue
        start, end = r.validity(w, v)
        source, verified = r.sourced(w, v)
        limit = v.get("max_percent_per_day", 100)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            r.fail(f"{w}.max_percent_per_day", "må være et heltall ≥ 1")
            limit = 100
        leave: list[LeaveRule] = []
        for j, lv in enumerate(v.get("leave") or []):
            lw = f"{w}.leave[{j}]"
            if not r.keys(
                lw,
                lv,
                {"kind", "counts", "label", "categories", "source", "verified", "note", "basis"},
                {"kind", "counts", "label"},
            ):
                continue
            if not isinstance(lv.get("counts"), bool):
                r.fail(f"{lw}.counts", "må være true eller false")
            if any(x.kind == lv.get("kind") for x in leave):
                r.fail(f"{lw}.kind", f"«{lv.get('kind')}» finnes allerede")
            src, ver = r.sourced(lw, lv)
            leave.append(
                LeaveRule(
                    str(lv.get("kind")),
                    bool(lv.get("counts")),
                    str(lv.get("label")),
                    r.strings(f"{lw}.categories", lv.get("categories")),
                    src,
                    ver,
                    r.basis(lw, lv),
                )
            )
        caps: list[Cap] = []
        for j, c in enumerate(v.get("caps") or []):
            cw = f"{w}.caps[{j}]"
            if not r.keys(
                cw,
                c,
                {
                    "code",
                    "label",
                    "months",
                    "categories",
                    "source",
                    "verified",
                    "note",
                    "periods_first",
                },
                {"code", "label", "months", "categories"},
            ):
                continue
            src, ver = r.sourced(cw, c)
            periods_first = c.get("periods_first", False)
            if not isinstance(periods_first, bool):
                r.fail(f"{cw}.periods_first", "må være true eller false")
                periods_first = False
            months = r.number(f"{cw}.months", c.get("months"), optional=False)
            cats = r.strings(f"{cw}.categories", c.get("categories"))
            if not cats:
                r.fail(f"{cw}.categories", "må ha minst én kategori")
            caps.append(
                Cap(
                    str(c.get("code")),
                    str(c.get("label")),
                    cats,
                    months or Fraction(0),
                    src,
                    ver,
                    periods_first,
                )
            )
        if start:
            versions.append(
                ServiceRules(
                    start, end, tuple(leave), tuple(caps), limit, source, verified, r.basis(w, v)
                )
            )
    for a in range(len(versions)):
        for b in range(a + 1, len(versions)):
            va, vb = versions[a], versions[b]
            if _overlaps((va.valid_from, va.valid_to), (vb.valid_from, vb.valid_to)):
                r.fail(f"versions[{b}]", "gyldighetsperioden overlapper en annen versjon")
    if r.problems:
        raise RequirementDataError(r.problems, filename)
    return RuleBook(tuple(sorted(versions, key=lambda v: v.valid_from)), mode)


# --- requirement sets -----------------------------------------------------------------------

REQ_KEYS = {
    "code",
    "kind",
    "label",
    "unit",
    "minimum",
    "maximum",
    "categories",
    "scopes",
    "activity_kind",
    "activity_codes",
    "distinct",
    "min_hours",
    "mandatory",
    "form_fields",
    "source",
    "verified",
    "note",
    "basis",
    "courses",
    "prerequisite",
}


def _requirement(r: _Reader, w: str, q: Any) -> Requirement | None:
    if not r.keys(w, q, REQ_KEYS, {"code", "kind", "label", "unit", "source", "verified"}):
        return None
    kind, unit = q.get("kind"), q.get("unit")
    if kind not in KINDS:
        r.fail(f"{w}.kind", f"må være en av {', '.join(KINDS)}")
    if unit not in UNITS:
        r.fail(f"{w}.unit", f"må være en av {', '.join(UNITS)}")
    minimum = r.number(f"{w}.minimum", q.get("minimum"))
    maximum = r.number(f"{w}.maximum", q.get("maximum"))
    if minimum is not None and maximum is not None and maximum < minimum:
        r.fail(f"{w}.maximum", "kan ikke være mindre enn minimum")
    categories = r.strings(f"{w}.categories", q.get("categories"))
    scopes = r.strings(f"{w}.scopes", q.get("scopes"))
    if kind == "service_time" and not categories:
        r.fail(f"{w}.categories", "et tjenestetidskrav må ha minst én kategori")
    if kind == "goals" and not scopes:
        r.fail(f"{w}.scopes", "et læringsmålkrav må ha minst ett scope")
    if kind in ("activity_count", "activity_period") and not q.get("activity_kind"):
        r.fail(f"{w}.activity_kind", "mangler")
    form_fields = r.strings(f"{w}.form_fields", q.get("form_fields"))
    if len(form_fields) > 2:
        r.fail(f"{w}.form_fields", "høyst to felt: [gjennomført, gjenstår]")
    for flag in ("distinct", "mandatory", "prerequisite"):
        if flag in q and not isinstance(q[flag], bool):
            r.fail(f"{w}.{flag}", "må være true eller false")
    source, verified = r.sourced(w, q)
    courses = _course_refs(r, f"{w}.courses", q.get("courses"))
    if courses and kind != "activity_count":
        r.fail(f"{w}.courses", "bare et activity_count-krav kan ha en kursliste")
    prerequisite = bool(q.get("prerequisite", False))
    if prerequisite and (kind != "service_time" or q.get("mandatory", True)):
        r.fail(
            f"{w}.prerequisite",
            "bare et tjenestetidskrav med mandatory: false kan være forutsetning",
        )
    return Requirement(
        code=str(q.get("code")),
        kind=kind,
        label=str(q.get("label")),
        unit=str(unit),
        minimum=minimum,
        maximum=maximum,
        categories=categories,
        scopes=scopes,
        activity_kind=str(q.get("activity_kind") or ""),
        activity_codes=r.strings(f"{w}.activity_codes", q.get("activity_codes")),
        distinct=bool(q.get("distinct", False)),
        min_hours=r.number(f"{w}.min_hours", q.get("min_hours")),
        mandatory=bool(q.get("mandatory", True)),
        form_fields=form_fields,
        source=source,
        verified=verified,
        note=str(q.get("note") or ""),
        basis=r.basis(w, q),
        courses=courses,
        prerequisite=prerequisite,
    )


def _course_refs(r: _Reader, where: str, value: Any) -> tuple[CourseRef, ...]:
    """Course codes of the catalogue (`progress/catalogue/courses.yaml`) → CourseRef."""
    codes = r.strings(where, value)
    if not codes:
        return ()
    names = course_names()
    out = []
    for k, code in enumerate(codes):
        if code not in names:
            r.fail(f"{where}[{k}]", f"«{code}» finnes ikke i kurskatalogen")
            continue
        out.append(CourseRef(code, names[code]))
    return tuple(out)


@cache
def course_names(path: Path = COURSES) -> dict[str, str]:
    """Catalogue course code -> name, from the course catalogue data file."""
    data = _yaml(path) or {}
    return {c["code"]: c["name"] for c in data.get("courses", []) if isinstance(c, dict)}


def parse_requirement_sets(
    data: Any, filename: str = "requirements.yaml"
) -> tuple[RequirementSet, ...]:
    r = _Reader()
    if not r.keys("", data, {"sets"}, {"sets"}) or not isinstance(data.get("sets"), list):
        r.fail("sets", "må være en liste")
        raise RequirementDataError(r.problems, filename)
    sets: list[RequirementSet] = []
    for i, s in enumerate(data["sets"]):
        w = f"sets[{i}]"
        if not r.keys(
            w,
            s,
            {
                "code",
                "label",
                "applies_to",
                "valid_from",
                "valid_to",
                "source",
                "verified",
                "requirements",
                "other_form_fields",
                "note",
                "assessed_manually",
            },
            {"code", "label", "applies_to", "valid_from", "source", "verified", "requirements"},
        ):
            continue
        start, end = r.validity(w, s)
        source, verified = r.sourced(w, s)
        manual = s.get("assessed_manually", False)
        if not isinstance(manual, bool):
            r.fail(f"{w}.assessed_manually", "må være true eller false")
            manual = False
        applies = s.get("applies_to")
        specialties: tuple[str, ...] = ()
        kinds: tuple[str, ...] = ()
        if r.keys(f"{w}.applies_to", applies, {"specialties", "kinds"}, set()):
            specialties = r.strings(f"{w}.applies_to.specialties", applies.get("specialties"))
            kinds = r.strings(f"{w}.applies_to.kinds", applies.get("kinds"))
            if not specialties and not kinds:
                r.fail(f"{w}.applies_to", "må nevne specialties eller kinds")
        reqs: list[Requirement] = []
        form: dict[str, str] = {}
        for j, q in enumerate(s.get("requirements") or []):
            qw = f"{w}.requirements[{j}]"
            req = _requirement(r, qw, q)
            if req is None:
                continue
            if any(x.code == req.code for x in reqs):
                r.fail(f"{qw}.code", f"«{req.code}» finnes allerede i settet")
            for field_name, part in zip(req.form_fields, ("done", "remaining"), strict=False):
                if field_name in form:
                    r.fail(f"{qw}.form_fields", f"feltet «{field_name}» er brukt før")
                form[field_name] = f"{req.code}.{part}"
            reqs.append(req)
        if not reqs:
            r.fail(f"{w}.requirements", "må ha minst ett krav")
        other = s.get("other_form_fields") or {}
        if not isinstance(other, dict):
            r.fail(f"{w}.other_form_fields", "må være en tabell")
            other = {}
        for field_name in sorted(set(other) & set(form)):
            r.fail(f"{w}.other_form_fields.{field_name}", "er også et kravfelt")
        if start:
            sets.append(
                RequirementSet(
                    code=str(s.get("code")),
                    label=str(s.get("label")),
                    valid_from=start,
                    valid_to=end,
                    requirements=tuple(reqs),
                    specialties=specialties,
                    kinds=kinds,
                    form_fields=form,
                    other_form_fields={str(k): str(v) for k, v in other.items()},
                    source=source,
                    verified=verified,
                    assessed_manually=manual,
                )
            )
    for a in range(len(sets)):
        for b in range(a + 1, len(sets)):
            sa, sb = sets[a], sets[b]
            shared = set(sa.specialties) & set(sb.specialties) or set(sa.kinds) & set(sb.kinds)
            if shared and _overlaps((sa.valid_from, sa.valid_to), (sb.valid_from, sb.valid_to)):
                r.fail(
                    f"sets[{b}]", f"overlapper «{sa.code}» i tid for {', '.join(sorted(shared))}"
                )
        if sum(x.code == sets[a].code and x.valid_from == sets[a].valid_from for x in sets) > 1:
            r.fail(f"sets[{a}].code", "samme kode og valid_from finnes før")
    if r.problems:
        raise RequirementDataError(r.problems, filename)
    return tuple(sets)


def _yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def rule_book(path: Path = DATA_DIR / "service_rules.yaml") -> RuleBook:
    """The shipped § 31 rules (cached; the files are part of the release)."""
    return parse_rule_book(_yaml(path), path.name)


@cache
def requirement_sets(path: Path = DATA_DIR / "requirements.yaml") -> tuple[RequirementSet, ...]:
    return parse_requirement_sets(_yaml(path), path.name)


def pick_requirement_set(
    sets: tuple[RequirementSet, ...], specialty: str, kind: str, on: dt.date
) -> RequirementSet | None:
    """The set valid `on` for `specialty`: an explicit one first, else the default for its
    `kind` (catalogue `Specialty.kind`). `None` if no set applies (e.g. SAM today).

    Which date to pass is the caller's choice; lisplan passes the day the trainee started the
    specialty (parts 2/3), so a later change of the requirements does not move the goalposts
    for trainees already under way — see docs/rules.md.
    """
    valid = [s for s in sets if s.valid_on(on)]
    for s in valid:
        if specialty in s.specialties:
            return s
    for s in valid:
        if kind in s.kinds:
            return s
    return None


# --- recommended courses per specialty --------------------------------------------------------


@dataclass(frozen=True)
class CourseList:
    courses: tuple[CourseRef, ...]
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class CourseLists:
    """`recommended_courses.yaml`: the requirement it refines, a list per specialty, and the
    default (count only, with a note) for specialties without one."""

    requirement: str
    default: CourseList
    specialties: dict[str, CourseList]


def parse_course_lists(data: Any, filename: str = "recommended_courses.yaml") -> CourseLists:
    r = _Reader()
    if not r.keys(
        "",
        data,
        {"requirement", "default", "specialties"},
        {"requirement", "default", "specialties"},
    ):
        raise RequirementDataError(r.problems, filename)
    default = data.get("default")
    note, source, verified = "", "", False
    if r.keys("default", default, {"note", "source", "verified"}, {"note", "source", "verified"}):
        source, verified = r.sourced("default", default)
        note = str(default.get("note") or "")
    lists: dict[str, CourseList] = {}
    specialties = data.get("specialties")
    if not isinstance(specialties, dict):
        r.fail("specialties", "må være en tabell med spesialitetskoder")
        specialties = {}
    for code, entry in specialties.items():
        w = f"specialties.{code}"
        if not r.keys(
            w, entry, {"courses", "source", "verified", "note"}, {"courses", "source", "verified"}
        ):
            continue
        src, ver = r.sourced(w, entry)
        courses = _course_refs(r, f"{w}.courses", entry.get("courses"))
        if not courses:
            r.fail(f"{w}.courses", "må ha minst ett kurs")
        lists[str(code)] = CourseList(courses, src, ver, str(entry.get("note") or ""))
    if r.problems:
        raise RequirementDataError(r.problems, filename)
    return CourseLists(str(data["requirement"]), CourseList((), source, verified, note), lists)


@cache
def course_lists(path: Path = DATA_DIR / "recommended_courses.yaml") -> CourseLists:
    return parse_course_lists(_yaml(path), path.name)


def with_course_list(rset: RequirementSet, specialty: str, lists: CourseLists) -> RequirementSet:
    """The set with its recommended-courses requirement refined for `specialty`: the
    specialty's course list (each course done/remaining), or the count with the default note."""
    entry = lists.specialties.get(specialty)
    reqs = []
    for req in rset.requirements:
        if req.code == lists.requirement and req.kind == "activity_count":
            if entry is not None:
                req = replace(
                    req,
                    courses=entry.courses,
                    source=entry.source,
                    verified=entry.verified,
                    note=entry.note,
                    minimum=None,
                )
            else:
                req = replace(req, verified=lists.default.verified, note=lists.default.note)
        reqs.append(req)
    return replace(rset, requirements=tuple(reqs))


_refined: dict[tuple[str, dt.date, str], RequirementSet] = {}


def requirement_set_for(specialty: str, kind: str, on: dt.date) -> RequirementSet | None:
    """The set valid `on` for the specialty (see `pick_requirement_set`), with the
    specialty's recommended courses (`recommended_courses.yaml`). Cached per set and
    specialty: thousands of trainees share a handful of sets."""
    rset = pick_requirement_set(requirement_sets(), specialty, kind, on)
    if rset is None:
        return None
    key = (rset.code, rset.valid_from, specialty)
    got = _refined.get(key)
    if got is None:
        got = _refined[key] = with_course_list(rset, specialty, course_lists())
    return got
