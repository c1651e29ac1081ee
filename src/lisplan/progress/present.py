"""The progress engine's results in words: the one presenter (decision 0001).

The engine (`progress.engine`, no Django) says *what* it found as `Reason`s — a code and its
parameters — and amounts as numbers. This module turns them into sentences in the active
language (bokmål source strings, English in `locale/en`), for the progress page, the IUP
pages and PDFs, the ALIS form and the API. Nothing else formats the engine's results.

    present.text(reason)          one sentence
    present.texts(reasons)        a list of them
    present.line_text(line)       how a ledger line is counted («Slik er det regnet»)
    present.quantity(value, unit) «17 mnd. 11 dager», «25 vakter»
    present.remaining(result)     what is left of a requirement
    present.form_values(progress) the ALIS form's status fields
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lisplan.progress import engine
from lisplan.progress.engine import (
    ActivityKind,
    CapRef,
    Category,
    Days,
    LedgerLine,
    Months,
    MonthsLeft,
    Percent,
    Progress,
    Quantity,
    Reason,
    RequirementResult,
    Why,
)

# --- numbers, dates and units -------------------------------------------------------------


def number(value: int | Fraction | Decimal, places: int = 1) -> str:
    """At most `places` decimals, comma as decimal mark, rounded half up: 26,3; 60; 0,6."""
    f = Fraction(value) if not isinstance(value, Decimal) else Fraction(str(value))
    q = Decimal(10) ** -places
    d = (Decimal(f.numerator) / Decimal(f.denominator)).quantize(q, rounding="ROUND_HALF_UP")
    text = f"{d:f}".replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def date(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "–"


def percent(value: int | Fraction | Decimal) -> str:
    return f"{number(value, 2)} %"


def days(value: int | Fraction) -> str:
    """An amount of days, exact to two decimals: «1 dag», «184 dager», «18,6 dager»."""
    if Fraction(value) == 1:
        return _("1 dag")
    return _("%(n)s dager") % {"n": number(value, 2)}


def months_days(months: int, days_: int) -> str:
    """«17 mnd. 11 dager», «18 mnd.», «1 dag», «0 mnd.»."""
    if not days_:
        return _("%(m)s mnd.") % {"m": months}
    day_text = ngettext("%(d)s dag", "%(d)s dager", days_) % {"d": days_}
    if not months:
        return day_text
    return _("%(m)s mnd. %(days)s") % {"m": months, "days": day_text}


def months(value: int | Fraction | Decimal) -> str:
    """Months as whole months and days, counted the way a minimum is met
    (`engine.months_and_days`; the part of a day a part-time position leaves is dropped)."""
    f = Fraction(value) if not isinstance(value, Decimal) else Fraction(str(value))
    return months_days(*engine.months_and_days(math.floor(f * engine.MONTH_DAYS)))


def months_left(value: Fraction, mode: str = "calendar") -> str:
    return months_days(*engine.remaining_months_and_days(value, mode))


UNITS = {
    "days": gettext_lazy("dager"),
    "goals": gettext_lazy("mål"),
    "courses": gettext_lazy("kurs"),
    "shifts": gettext_lazy("vakter"),
    "items": gettext_lazy("stk."),
}


def quantity(value: int | Fraction | Decimal, unit: str) -> str:
    """A quantity for people: months in months and days (one unit on every page and form,
    «17 mnd. 11 dager», never «17,4 mnd.»), other units as a number and the unit."""
    if unit == "months":
        return months(value)
    return f"{number(value)} {UNITS.get(unit, unit)}"


def remaining(r: RequirementResult, mode: str = "calendar") -> str:
    """«Gjenstår» for a requirement, for people and the ALIS form: a minimum in months as whole
    months and days counted the way the engine counts it; every other unit as `quantity`.
    A prerequisite (LIS1 before ALIS) has nothing left."""
    if r.prerequisite:
        return _("Ingen: forutsetning for spesialiseringen")
    if r.required is None:
        # No minimum: never «0», which reads as done (issue 12, item 7).
        if r.maximum is not None:
            return _("Kan telle inntil %(left)s til") % {
                "left": quantity(max(Fraction(0), r.maximum - r.done), r.unit)
            }
        if r.unit == "courses" and not r.items:
            return _("Kursliste ikke avklart")
        return _("Ingen minstekrav")
    if r.unit != "months":
        return quantity(r.remaining, r.unit)
    return months_left(r.remaining, mode)


def done(r: RequirementResult) -> str:
    """«Gjort» for a requirement. A prerequisite with nothing registered was done before the
    programme (LIS1/turnus before ALIS), which is what the form asks."""
    if r.prerequisite and not r.done:
        return _("Gjennomført før spesialiseringen (ikke registrert her)")
    return quantity(r.done, r.unit)


CATEGORIES = {
    "specialty": gettext_lazy("tjeneste i spesialiteten"),
    "other_specialty": gettext_lazy("tjeneste i annen spesialitet"),
    "lis1": gettext_lazy("LIS1/turnus"),
    "old_scheme": gettext_lazy("godkjent tjenestetid fra gammel ordning"),
    "open_practice": gettext_lazy("åpen uselektert allmennpraksis"),
    "other_gp": gettext_lazy("annen allmennmedisinsk tjeneste"),
    "institution": gettext_lazy("institusjonstjeneste"),
    "community_medicine": gettext_lazy("samfunnsmedisinsk arbeid"),
    "clinical": gettext_lazy("klinisk tjeneste"),
}

ACTIVITY_KINDS = {
    "course": gettext_lazy("Kurs"),
    "out_of_hours": gettext_lazy("Legevakter"),
    "group_supervision": gettext_lazy("Gruppeveiledning"),
    "procedures": gettext_lazy("Praktiske prosedyrer"),
    "project": gettext_lazy("Prosjektoppgave"),
    "other": gettext_lazy("Annen læringsaktivitet"),
}


def category(code: str) -> str:
    return str(CATEGORIES.get(code, _("annen tjeneste")))


def line_label(line: LedgerLine) -> str:
    """A ledger line's name: its own label, or for a credit without one, what it credits."""
    if line.label:
        return line.label
    if line.kind == "credit":
        return _("Godkjent: %(what)s") % {"what": category(line.category)}
    return category(line.category)


# --- reasons --------------------------------------------------------------------------------

# One sentence per code. Parameters are formatted by type (`_value`) before they are put in.
SENTENCES = {
    # ledger lines (behind «Slik er det regnet»)
    Why.CREDIT: gettext_lazy("godkjent tid %(months)s, det vil si %(days)s i full stilling"),
    Why.SERVICE: gettext_lazy(
        "%(start)s–%(end)s: %(calendar_days)s kalenderdager i %(percent)s stilling gir %(days)s"
    ),
    Why.SERVICE_SCALED: gettext_lazy(
        "%(start)s–%(end)s: %(calendar_days)s kalenderdager i %(percent)s stilling, skalert "
        "ned fordi samlet stilling var over 100 %%, gir %(days)s"
    ),
    Why.PLACEMENT: gettext_lazy(
        "%(start)s–%(end)s: %(calendar_days)s kalenderdager med stillingsprosenten fra "
        "ansettelsen gir %(days)s"
    ),
    Why.DISPLACED: gettext_lazy("%(calendar_days)s dager er ført på en spesialiseringsperiode"),
    Why.LEAVE_TAKEN: gettext_lazy("permisjon som ikke teller, tar %(days)s"),
    Why.CAPPED: gettext_lazy("%(days)s teller ikke fordi taket %(caps)s er nådd"),
    Why.NO_EMPLOYMENT: gettext_lazy("ingen ansettelse i perioden, teller ikke"),
    Why.COUNTS: gettext_lazy("teller %(days)s"),
    Why.LEAVE: gettext_lazy("%(start)s–%(end)s: %(calendar_days)s dager med %(percent)s fravær"),
    Why.LEAVE_NO_RULE: gettext_lazy(
        "ingen regel sier at denne typen fravær teller, så det tar %(days)s tjeneste"
    ),
    Why.LEAVE_COUNTS: gettext_lazy("teller som tjeneste (Spesialistforskriften § 31)"),
    Why.LEAVE_NOT_COUNTED: gettext_lazy(
        "teller ikke som tjeneste (Spesialistforskriften § 31) og tar %(days)s tjeneste"
    ),
    # requirements
    Why.SERVICE_LINE: gettext_lazy("%(label)s %(start)s–%(end)s: %(months)s"),
    Why.MINIMUM: gettext_lazy(
        "Kravet er %(months)s måneder. Det er oppfylt med %(days)s dager i full stilling, så "
        "mange dager som de korteste %(months)s sammenhengende kalendermånedene har."
    ),
    Why.COUNTED: gettext_lazy(
        "Tjenesten som teller til nå tilsvarer %(days)s i full stilling (deltid teller "
        "forholdsmessig)."
    ),
    Why.GOALS_APPROVED: gettext_lazy("Godkjent %(approved)s av %(total)s læringsmål"),
    Why.GOALS_MISSING: gettext_lazy("Ikke godkjent: %(codes)s"),
    Why.GOALS_NONE: gettext_lazy("Ingen læringsmål er registrert for dette kravet"),
    Why.COURSE_DONE: gettext_lazy("Gjennomført: %(course)s %(on)s"),
    Why.COURSE_REMAINING: gettext_lazy("Gjenstår: %(course)s"),
    Why.ACTIVITY: gettext_lazy("%(title)s %(on)s"),
    Why.TOO_SHORT: gettext_lazy("Teller ikke (under %(hours)s timer): %(title)s %(on)s"),
    Why.PERIOD: gettext_lazy("%(start)s–%(end)s"),
    Why.PERIOD_DURING: gettext_lazy("Under %(categories)s: %(start)s–%(end)s"),
    # what decides the date and the status
    Why.ALL_MET: gettext_lazy("Alle obligatoriske krav er oppfylt."),
    Why.TIME_REMAINING: gettext_lazy("%(label)s: gjenstår %(remaining)s av %(required)s mnd."),
    Why.NOT_REACHABLE: gettext_lazy(
        "Kjent framtidig tjeneste (løpende ansettelser og planens perioder, minus planlagt "
        "permisjon) dekker ikke gjenstående minstetid: ingen sluttdato kan beregnes."
    ),
    Why.PROJECTED: gettext_lazy("Beregnet fullført tjenestetid %(on)s."),
    Why.PLANNED_LEAVE: gettext_lazy(
        "Planlagt fravær «%(label)s» %(start)s–%(end)s tar %(days)s tjeneste og flytter "
        "datoen tilsvarende."
    ),
    Why.PART_TIME: gettext_lazy("Deltid %(percent)s i «%(label)s» forlenger løpet forholdsmessig."),
    Why.OVER_CAP: gettext_lazy("«%(label)s»: %(months)s over taket teller ikke."),
    Why.TARGET: gettext_lazy("Planlagt ferdig etter gjennomføringsplanen: %(on)s."),
    Why.REMAINING: gettext_lazy("Gjenstår: %(label)s (%(remaining)s)."),
    Why.NOT_MET: gettext_lazy("Ikke oppfylt: %(label)s."),
}


def _value(value: engine.Param) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return date(value)
    if isinstance(value, Days):
        return days(value.value)
    if isinstance(value, Months):
        return months(value.value)
    if isinstance(value, MonthsLeft):
        return months_left(value.value)
    if isinstance(value, Percent):
        return percent(value.value)
    if isinstance(value, Quantity):
        return quantity(value.value, value.unit)
    if isinstance(value, Category):
        return category(value.code)
    if isinstance(value, ActivityKind):
        return str(ACTIVITY_KINDS.get(value.code, _("Læringsaktivitet")))
    if isinstance(value, tuple):
        parts = []
        for item in value:
            if isinstance(item, CapRef):
                parts.append(f"«{item.label}» ({months(item.months)})")
            else:
                parts.append(_value(item))
        return " / ".join(parts) if value and isinstance(value[0], CapRef) else ", ".join(parts)
    if isinstance(value, Fraction):
        return number(value)
    return str(value)


def text(reason: Reason) -> str:
    """One reason as a sentence in the active language."""
    params = reason.as_dict()
    values = {name: _value(v) for name, v in params.items()}
    sentence = str(SENTENCES[reason.code]) % values
    # Optional parts: a date that is not there, a count of one, goals beyond the first 20.
    if reason.code in (Why.COURSE_DONE, Why.ACTIVITY, Why.TOO_SHORT) and not params.get("on"):
        sentence = sentence.rstrip()
    if reason.code is Why.ACTIVITY and params.get("count", 1) != 1:
        sentence += f" ({params['count']})"
    if reason.code is Why.SERVICE_LINE:
        if not params.get("start"):
            sentence = _("%(label)s: %(months)s") % values
        if params.get("over_cap"):
            sentence += " " + _("(%(months)s over taket)") % {"months": values["over_cap"]}
    if reason.code is Why.GOALS_MISSING and params.get("more"):
        sentence = _("Ikke godkjent: %(codes)s og %(more)s til") % values
    return sentence


def texts(reasons: Iterable[Reason]) -> list[str]:
    return [text(r) for r in reasons]


def line_text(line: LedgerLine) -> str:
    """How one ledger line is counted, in words («Slik er det regnet»)."""
    return "; ".join(texts(line.reason)) + "."


# --- the ALIS form ----------------------------------------------------------------------------


def form_values(progress: Progress) -> dict[str, str]:
    """ALIS form field -> text, e.g. {"usel_praks": "26 mnd. 9 dager", "usel_praks_rest": …}."""
    values: dict[str, str] = {}
    for r in progress.requirements:
        if len(r.form_fields) >= 1:
            values[r.form_fields[0]] = done(r)
        if len(r.form_fields) >= 2:
            values[r.form_fields[1]] = remaining(r)
    return values


# --- a reason kept in the database (the overview's stored «avgjørende» driver) --------------


def _encode(value: engine.Param) -> object:
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Fraction):
        return {"fraction": str(value)}
    for kind, cls in _TYPED.items():
        if isinstance(value, cls):
            if isinstance(value, Quantity):
                return {kind: str(value.value), "unit": value.unit}
            if isinstance(value, Category | ActivityKind):
                return {kind: value.code}
            return {kind: str(value.value)}
    if isinstance(value, tuple):
        if value and isinstance(value[0], CapRef):
            return {"caps": [[c.label, str(c.months)] for c in value if isinstance(c, CapRef)]}
        return {"categories": [c.code for c in value if isinstance(c, Category)]}
    raise TypeError(f"cannot store {value!r}")


_TYPED: dict[str, type] = {
    "days": Days,
    "months": Months,
    "months_left": MonthsLeft,
    "percent": Percent,
    "quantity": Quantity,
    "category": Category,
    "activity": ActivityKind,
}


def _decode(value: object) -> engine.Param:
    if value is None or isinstance(value, str | int):
        return value
    if not isinstance(value, dict):
        raise ValueError(value)
    if "date" in value:
        return dt.date.fromisoformat(value["date"])
    if "fraction" in value:
        return Fraction(value["fraction"])
    if "caps" in value:
        return tuple(CapRef(label, Fraction(m)) for label, m in value["caps"])
    if "categories" in value:
        return tuple(Category(c) for c in value["categories"])
    if "quantity" in value:
        return Quantity(Fraction(value["quantity"]), value["unit"])
    if "category" in value:
        return Category(value["category"])
    if "activity" in value:
        return ActivityKind(value["activity"])
    for kind in ("days", "months", "months_left", "percent"):
        if kind in value:
            return _TYPED[kind](Fraction(value[kind]))  # type: ignore[no-any-return]
    raise ValueError(value)


def to_json(reason: Reason) -> dict:
    """A reason as JSON, to be said later in the reader's language (`from_json`)."""
    return {"code": reason.code.value, "params": {k: _encode(v) for k, v in reason.params}}


def from_json(data: dict | None) -> Reason | None:
    """The reason stored by `to_json`, or None if there is none (or its code is gone)."""
    if not data:
        return None
    try:
        code = Why(data["code"])
        params = tuple((k, _decode(v)) for k, v in data.get("params", {}).items())
    except (KeyError, ValueError, TypeError):
        return None
    return Reason(code, params)
