"""The engine says what it found as reasons (a code and its parameters); one presenter turns
them into sentences in the active language (issue 12, item 7: «The progress engine builds
Norwegian sentences with f-strings that cannot be translated (against decision 0001): return
structured reasons and translate them in one presenter»)."""

from __future__ import annotations

import ast
import datetime as dt
from fractions import Fraction
from pathlib import Path

from django.utils import translation

from lisplan.progress import engine, present
from lisplan.progress.engine import Days, Months, Reason, Why, _r

ENGINE = Path(engine.__file__)


def test_engine_builds_no_sentences():
    """The only f-strings left in the engine are error messages for programmers."""
    tree = ast.parse(ENGINE.read_text(encoding="utf-8"))
    in_raise = {id(n) for r in ast.walk(tree) if isinstance(r, ast.Raise) for n in ast.walk(r)}
    sentences = [
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) and id(n) not in in_raise
    ]
    assert not sentences, f"f-strings in progress/engine.py on lines {sentences}"


def test_every_reason_has_one_sentence():
    assert set(present.SENTENCES) == set(Why)


def test_reasons_read_in_bokmaal_and_english():
    leave = _r(
        Why.PLANNED_LEAVE,
        label="Foreldrepermisjon",
        start=dt.date(2024, 2, 1),
        end=dt.date(2024, 4, 30),
        days=Days(Fraction(90)),
    )
    assert present.text(leave) == (
        "Planlagt fravær «Foreldrepermisjon» 01.02.2024–30.04.2024 tar 90 dager tjeneste og "
        "flytter datoen tilsvarende."
    )
    over = _r(Why.OVER_CAP, label="Rotasjon", months=Months(Fraction(366) / engine.MONTH_DAYS))
    assert present.text(over) == "«Rotasjon»: 12 mnd. over taket teller ikke."
    with translation.override("en"):
        assert present.text(leave).startswith("Planned absence «Foreldrepermisjon» 01.02.2024")
        assert "90 days" in present.text(leave)
        assert present.text(over) == "«Rotasjon»: 12 mo. over the cap do not count."


def test_activity_without_title_is_named_not_coded():
    """No raw codes such as «out_of_hours» in evidence (issue 12, item 7)."""
    shifts = Reason(
        Why.ACTIVITY,
        (
            ("title", engine.ActivityKind("out_of_hours")),
            ("on", dt.date(2023, 6, 1)),
            ("count", 25),
        ),
    )
    assert present.text(shifts) == "Legevakter 01.06.2023 (25)"


def test_stored_reason_reads_again_in_any_language():
    """The overview's driver is stored as a reason, so it is said in the reader's language."""
    reasons = [
        _r(
            Why.TIME_REMAINING,
            label="Tjenestetid i del 2 og 3",
            remaining=engine.MonthsLeft(Fraction(546) / engine.MONTH_DAYS),
            required=Fraction(60),
        ),
        _r(Why.PROJECTED, on=dt.date(2026, 9, 2)),
        _r(Why.REMAINING, label="Legevakter", remaining=engine.Quantity(Fraction(15), "shifts")),
        _r(Why.PERIOD_DURING, categories=(engine.Category("open_practice"),), start=None, end=None),
        _r(Why.CAPPED, days=Days(Fraction(5, 2)), caps=(engine.CapRef("Tak", Fraction(39)),)),
        _r(Why.PART_TIME, percent=engine.Percent(Fraction(60)), label=engine.Category("lis1")),
        _r(Why.ACTIVITY, title=engine.ActivityKind("course"), on=None, count=1),
        _r(Why.OVER_CAP, label="Rotasjon", months=Months(Fraction(12))),
    ]
    for reason in reasons:
        again = present.from_json(present.to_json(reason))
        assert again == reason
    assert present.text(reasons[0]) == "Tjenestetid i del 2 og 3: gjenstår 18 mnd. av 60 mnd."
    with translation.override("en"):
        assert present.text(present.from_json(present.to_json(reasons[0]))) == (
            "Tjenestetid i del 2 og 3: 18 mo. of 60 mo. remaining."
        )
    assert present.from_json({"code": "gone"}) is None and present.from_json(None) is None
