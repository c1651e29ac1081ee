"""Parsing and validating catalogue facts: specialties, FKM topic areas, learning goals.

Pure: takes plain data (YAML documents, table rows) and returns dataclasses and errors; no
database. The loader (`loader.py`) and the importer (`importer.py`) do the writes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

SPECIALTY_CODE = re.compile(r"^[A-ZÆØÅ]{3}$")
GOAL_CODE = re.compile(r"^[A-ZÆØÅ]{3}-\d{3}$")
KINDS = ("hospital", "community")
PARTS = ("lis1", "part2", "part3", "common")
PART_ALIASES = {
    "1": "lis1",
    "del 1": "lis1",
    "del1": "lis1",
    "lis1": "lis1",
    "lis 1": "lis1",
    "2": "part2",
    "del 2": "part2",
    "del2": "part2",
    "part2": "part2",
    "3": "part3",
    "del 3": "part3",
    "del3": "part3",
    "part3": "part3",
    "fkm": "common",
    "felles": "common",
    "felles kompetansemål": "common",
    "common": "common",
}
TRUE_WORDS = {"1", "ja", "j", "true", "sann", "x", "yes"}
FALSE_WORDS = {"", "0", "nei", "n", "false", "usann", "no"}


class CatalogueDataError(Exception):
    """A data file in `catalogue/data/` is inconsistent; `errors` says where."""

    def __init__(self, errors: list[RowError], file: str = "") -> None:
        self.errors = errors
        self.file = file
        lines = "\n".join(str(e) for e in errors[:20])
        super().__init__(f"{file}: {len(errors)} feil\n{lines}")


@dataclass(frozen=True)
class RowError:
    line: int  # 0 = the file as a whole
    field: str
    message: str

    def __str__(self) -> str:
        where = _("linje %(line)s") % {"line": self.line} if self.line else _("filen")
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class SpecialtyRow:
    code: str
    name: str
    name_en: str
    part2_group: str
    kind: str
    source: str
    verified: bool


@dataclass(frozen=True)
class TopicRow:
    code: str
    name: str
    source: str
    verified: bool


@dataclass(frozen=True)
class Conventions:
    """How goal codes are built (data/goal_codes.yaml)."""

    lis1_prefixes: frozenset[str]
    part2_hosts: dict[str, str]  # group (FIM/FKI) -> host specialty code
    common_prefix: str


@dataclass(frozen=True)
class GoalRow:
    line: int
    code: str
    specialty: str  # specialty code ("" for LIS1 and FKM)
    part: str
    topic: str  # topic-area code ("" unless FKM)
    text: str
    valid_from: dt.date
    valid_to: dt.date | None
    demo: bool = False
    source: str = ""

    @property
    def key(self) -> tuple[str, dt.date]:
        return (self.code, self.valid_from)


@dataclass
class GoalContext:
    """What goal rows are checked against: the known specialties and topic areas."""

    specialties: dict[str, str]  # code -> part2 group ("" if none)
    topics: dict[str, str]  # code -> name
    conventions: Conventions
    specialty_names: dict[str, str] = field(default_factory=dict)  # lower-case name -> code

    @classmethod
    def build(cls, specialties, topics, conventions: Conventions) -> GoalContext:
        """From SpecialtyRow/TopicRow or model instances (anything with the same attributes)."""
        return cls(
            specialties={s.code: s.part2_group or "" for s in specialties},
            specialty_names={s.name.casefold(): s.code for s in specialties},
            topics={t.code: t.name for t in topics},
            conventions=conventions,
        )

    def specialty_code(self, value: str) -> str | None:
        value = value.strip()
        if value.upper() in self.specialties or value.upper() in self.conventions.part2_hosts:
            return value.upper()
        return self.specialty_names.get(value.casefold())

    def topic_code(self, value: str) -> str | None:
        value = value.strip()
        for code, name in self.topics.items():
            if value.casefold() in (code.casefold(), name.casefold()):
                return code
        return None


# --- small cell parsers -----------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_date(value: Any) -> dt.date:
    """A date from a cell: a date/datetime (Excel), `dd.mm.åååå` or `ÅÅÅÅ-MM-DD`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("«%(value)s» er ikke en gyldig dato. Bruk dd.mm.åååå eller ÅÅÅÅ-MM-DD.") % {"value": text}
    )


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("«%(value)s» er verken ja eller nei.") % {"value": text})


# --- data files: specialties, topic areas, code conventions -----------------------------------


def parse_specialties(doc: dict) -> list[SpecialtyRow]:
    items = (doc or {}).get("specialties") or []
    rows: list[SpecialtyRow] = []
    errors: list[RowError] = []
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    for n, item in enumerate(items, start=1):
        code = cell_text(item.get("code"))
        name = cell_text(item.get("name"))
        group = cell_text(item.get("part2_group"))
        kind = cell_text(item.get("kind"))
        if not SPECIALTY_CODE.match(code):
            errors.append(RowError(n, "code", _("Koden er tre store bokstaver.")))
        if code in seen_codes:
            errors.append(RowError(n, "code", _("Koden %(code)s er brukt før.") % {"code": code}))
        if not name or name.casefold() in seen_names or len(name) > 100:
            errors.append(
                RowError(n, "name", _("Navnet mangler, er brukt før eller er for langt."))
            )
        if group not in ("", "FIM", "FKI"):
            errors.append(RowError(n, "part2_group", _("Del 2-gruppen er FIM, FKI eller tom.")))
        if kind not in KINDS:
            errors.append(RowError(n, "kind", _("Typen er hospital eller community.")))
        if not cell_text(item.get("source")):
            errors.append(RowError(n, "source", _("Kilden mangler.")))
        if not isinstance(item.get("verified"), bool):
            errors.append(RowError(n, "verified", _("«verified» er true eller false.")))
        seen_codes.add(code)
        seen_names.add(name.casefold())
        rows.append(
            SpecialtyRow(
                code=code,
                name=name,
                name_en=cell_text(item.get("name_en")),
                part2_group=group,
                kind=kind,
                source=cell_text(item.get("source")),
                verified=item.get("verified") is True,
            )
        )
    if errors:
        raise CatalogueDataError(errors, "specialties.yaml")
    return rows


def parse_topic_areas(doc: dict) -> list[TopicRow]:
    items = (doc or {}).get("topic_areas") or []
    errors: list[RowError] = []
    rows: list[TopicRow] = []
    for n, item in enumerate(items, start=1):
        code, name = cell_text(item.get("code")), cell_text(item.get("name"))
        if not code or not name or code in {r.code for r in rows} or len(code) > 20:
            errors.append(
                RowError(
                    n, "code", _("Kode og navn må være fylt ut, og koden unik og høyst 20 tegn.")
                )
            )
        if not cell_text(item.get("source")):
            errors.append(RowError(n, "source", _("Kilden mangler.")))
        rows.append(
            TopicRow(code, name, cell_text(item.get("source")), item.get("verified") is True)
        )
    if errors:
        raise CatalogueDataError(errors, "fkm_topic_areas.yaml")
    return rows


def parse_conventions(doc: dict) -> Conventions:
    doc = doc or {}
    return Conventions(
        lis1_prefixes=frozenset((doc.get("lis1_prefixes") or {}).keys()),
        part2_hosts={
            g: cell_text(v.get("host")) for g, v in (doc.get("part2_groups") or {}).items()
        },
        common_prefix=cell_text(doc.get("common_prefix")),
    )


# --- learning-goal rows -----------------------------------------------------------------------


def validate_goal_rows(
    rows: list[tuple[int, dict[str, Any]]],
    ctx: GoalContext,
    *,
    with_demo: bool = False,
) -> tuple[list[GoalRow], list[RowError]]:
    """Check every row; return the good rows and all errors (one per field and line).

    `with_demo` reads the `demo` and `kilde` columns (the shipped sample); the importer leaves
    them out: imported goals are never demo and their source is the file.
    """
    goals: list[GoalRow] = []
    errors: list[RowError] = []
    for line, raw in rows:
        goal, row_errors = _validate_goal(line, raw, ctx, with_demo=with_demo)
        errors += row_errors
        if goal is not None:
            goals.append(goal)
    errors += check_versions(goals)
    errors.sort(key=lambda e: e.line)
    return goals, errors


def _validate_goal(line, raw, ctx: GoalContext, *, with_demo: bool):
    errors: list[RowError] = []

    def err(field_name: str, message: str) -> None:
        errors.append(RowError(line, field_name, message))

    conv = ctx.conventions
    code = cell_text(raw.get("kode")).upper()
    spec_value = cell_text(raw.get("spesialitet"))
    part_value = cell_text(raw.get("del")).casefold()
    topic_value = cell_text(raw.get("tema"))
    text = cell_text(raw.get("tekst"))

    if not code:
        err("kode", _("Koden mangler."))
    elif not GOAL_CODE.match(code):
        err(
            "kode",
            _("«%(code)s» har feil format. Koden skal ha formen ABC-123, for eksempel AMM-067.")
            % {"code": code},
        )
    prefix = code[:3]

    spec = ctx.specialty_code(spec_value) if spec_value else None
    if spec_value and spec is None:
        err(
            "spesialitet",
            _("Spesialiteten «%(value)s» finnes ikke i katalogen.") % {"value": spec_value},
        )

    # The part: given, or inferred from the code, the topic and the specialty.
    if part_value:
        part = PART_ALIASES.get(part_value)
        if part is None:
            err(
                "del",
                _("«%(value)s» er ikke en del. Bruk 1, 2, 3 eller FKM.") % {"value": part_value},
            )
    elif prefix in conv.lis1_prefixes:
        part = "lis1"
    elif topic_value or (conv.common_prefix and prefix == conv.common_prefix):
        part = "common"
    elif spec in conv.part2_hosts or prefix in conv.part2_hosts:
        part = "part2"
    else:
        part = "part3"

    specialty = ""
    if part in ("lis1", "common"):
        if spec_value:
            err("spesialitet", _("LIS1-mål og felles kompetansemål skal ikke ha spesialitet."))
        if part == "lis1" and code and prefix not in conv.lis1_prefixes:
            err(
                "kode",
                _("LIS1-mål har kode som begynner med %(prefixes)s.")
                % {"prefixes": ", ".join(sorted(conv.lis1_prefixes))},
            )
    elif part in ("part2", "part3"):
        if not spec_value:
            err("spesialitet", _("Spesialitet må fylles ut for mål i del 2 og del 3."))
        elif spec is not None:
            group = spec if spec in conv.part2_hosts else ctx.specialties.get(spec, "")
            if part == "part2":
                if not group:
                    err(
                        "spesialitet",
                        _("Spesialiteten %(code)s har ingen felles del 2.") % {"code": spec},
                    )
                else:
                    # Part-2 goals are shared by the group and stored under its host specialty.
                    specialty = conv.part2_hosts.get(group, "")
                    if specialty not in ctx.specialties:
                        err(
                            "spesialitet",
                            _(
                                "Vertsspesialiteten %(host)s for %(group)s finnes ikke i katalogen. "
                                "Kjør «lisplan load_catalogue» først."
                            )
                            % {"host": specialty or "?", "group": group},
                        )
                    allowed = {group} | {c for c, g in ctx.specialties.items() if g == group}
                    if code and prefix not in allowed:
                        err(
                            "kode",
                            _("Kodeprefikset %(prefix)s passer ikke med del 2-gruppen %(group)s.")
                            % {"prefix": prefix, "group": group},
                        )
            else:
                if spec in conv.part2_hosts:
                    err(
                        "spesialitet",
                        _("%(group)s er en del 2-gruppe; mål i del 3 hører til én spesialitet.")
                        % {"group": spec},
                    )
                else:
                    specialty = spec
                    if code and prefix != spec:
                        err(
                            "kode",
                            _("Kodeprefikset %(prefix)s passer ikke med spesialiteten %(code)s.")
                            % {"prefix": prefix, "code": spec},
                        )

    topic = ""
    if part == "common":
        if not topic_value:
            err("tema", _("Felles kompetansemål (FKM) må ha et tema."))
        else:
            topic = ctx.topic_code(topic_value) or ""
            if not topic:
                err(
                    "tema",
                    _("Temaet «%(value)s» er ikke et av FKM-temaene.") % {"value": topic_value},
                )
    elif topic_value and part is not None:
        err("tema", _("Tema brukes bare for felles kompetansemål (FKM)."))

    if not text:
        err("tekst", _("Teksten mangler."))

    valid_from = valid_to = None
    if cell_text(raw.get("gyldig_fra")) == "" and not isinstance(raw.get("gyldig_fra"), dt.date):
        err("gyldig_fra", _("«Gyldig fra» mangler."))
    else:
        try:
            valid_from = parse_date(raw.get("gyldig_fra"))
        except ValueError as exc:
            err("gyldig_fra", str(exc))
    if raw.get("gyldig_til") not in (None, "") and cell_text(raw.get("gyldig_til")):
        try:
            valid_to = parse_date(raw.get("gyldig_til"))
        except ValueError as exc:
            err("gyldig_til", str(exc))
    if valid_from and valid_to and valid_to < valid_from:
        err("gyldig_til", _("«Gyldig til» kan ikke være før «gyldig fra»."))

    demo = False
    if with_demo:
        try:
            demo = parse_bool(raw.get("demo"))
        except ValueError as exc:
            err("demo", str(exc))

    if errors:
        return None, errors
    return GoalRow(
        line=line,
        code=code,
        specialty=specialty,
        part=part,
        topic=topic,
        text=text,
        valid_from=valid_from,
        valid_to=valid_to,
        demo=demo,
        source=cell_text(raw.get("kilde")) if with_demo else "",
    ), []


def check_versions(goals: list[GoalRow]) -> list[RowError]:
    """Within one file: no code twice with the same start, no overlapping periods."""
    errors: list[RowError] = []
    by_code: dict[str, list[GoalRow]] = {}
    for g in goals:
        by_code.setdefault(g.code, []).append(g)
    for versions in by_code.values():
        versions.sort(key=lambda g: (g.valid_from, g.line))
        for prev, cur in zip(versions, versions[1:], strict=False):
            later = max(prev, cur, key=lambda g: g.line)
            earlier = prev if later is cur else cur
            if prev.valid_from == cur.valid_from:
                errors.append(
                    RowError(
                        later.line,
                        "kode",
                        _("%(code)s med gyldig fra %(date)s står også på linje %(line)s.")
                        % {
                            "code": cur.code,
                            "date": f"{cur.valid_from:%d.%m.%Y}",
                            "line": earlier.line,
                        },
                    )
                )
            elif prev.valid_to is None or prev.valid_to >= cur.valid_from:
                errors.append(
                    RowError(
                        later.line,
                        "gyldig_fra",
                        _("Gyldighetsperioden for %(code)s overlapper perioden på linje %(line)s.")
                        % {"code": cur.code, "line": earlier.line},
                    )
                )
    return errors


def periods_overlap(a_from, a_to, b_from, b_to) -> bool:
    return (a_to is None or a_to >= b_from) and (b_to is None or b_to >= a_from)
