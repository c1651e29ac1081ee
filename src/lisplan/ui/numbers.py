"""Norwegian number formats for people: `4 307`, `36,6 %`, `0,01` (a no-break space groups
thousands, a comma marks decimals). Used by the `tall` and `prosent` template filters and by
Python code that writes sentences (messages, e-mails)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language

NBSP = "\xa0"


def _separators() -> tuple[str, str]:
    lang = get_language() or "nb"
    if lang.startswith("en"):
        return ",", "."
    return NBSP, ","


def number(value, decimals: int | None = None) -> str:
    """`4307` → `4 307`; `36.56` with decimals=1 → `36,6`; None or '' → '–'."""
    if value is None or value == "":
        return "–"
    try:
        value = Decimal(str(value))
    except Exception:  # not a number: shown as it is
        return str(value)
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif value == value.to_integral_value():
        text = f"{value:,.0f}"
    else:  # up to two decimals, without trailing zeros
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    thousands, point = _separators()
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


def percent(value, decimals: int = 1) -> str:
    """A share given in per cent (36.56) → `36,6 %`."""
    if value is None or value == "":
        return "–"
    return f"{number(value, decimals)}{NBSP}%"


def date_short(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"
