"""«Gjenstår» for a minimum in months is shown in the terms the engine counts it in (calendar
months by default): an untouched 18-month minimum (546 days) is «18 mnd.», not «17,9 mnd.»."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.utils import timezone

from lisplan.iup import status
from lisplan.progress import engine, present
from lisplan.progress.engine import MONTH_DAYS, RequirementResult, minimum_days
from tests.iup.outputs import Alis


def _result(need_days: int, done_days: int, required=18, unit="months") -> RequirementResult:
    remaining = Fraction(max(0, need_days - done_days)) / MONTH_DAYS
    return RequirementResult(
        "lis1",
        "LIS1",
        "service_time",
        unit,
        Fraction(done_days) / MONTH_DAYS,
        Fraction(required),
        None,
        remaining,
        done_days >= need_days,
        True,
        (),
    )


@pytest.mark.parametrize(
    ("done", "text"),
    [
        (0, "18 mnd."),  # was «17,9 mnd.»
        (546 - minimum_days(17), "17 mnd."),  # a whole calendar month done
        (546 - minimum_days(11) - 12, "11 mnd. 12 dager"),
        (545, "1 dag"),
        (540, "6 dager"),
        (546, "0 mnd."),
    ],
)
def test_remaining_months_are_calendar_months_and_days(done, text):
    assert minimum_days(18) == 546
    assert present.remaining(_result(546, done)) == text


def test_average_mode_uses_average_months():
    need = minimum_days(18, "average")  # 547
    assert engine.remaining_months_and_days(Fraction(need) / MONTH_DAYS, "average") == (18, 0)


def test_part_of_a_day_rounds_up_and_other_units_are_unchanged():
    r = _result(546, 0)
    part = RequirementResult(**{**r.__dict__, "remaining": (Fraction(1, 2)) / MONTH_DAYS})
    assert present.remaining(part) == "1 dag"
    shifts = RequirementResult(
        "lv",
        "Legevakter",
        "activity_count",
        "shifts",
        Fraction(25),
        Fraction(40),
        None,
        Fraction(15),
        False,
        True,
        (),
    )
    assert present.remaining(shifts) == present.quantity(Fraction(15), "shifts")


def test_alis_lis1_is_a_prerequisite_not_18_months_left(world):
    """Issue 12, item 7: «18 mnd. gjenstår» of LIS1 for a practising GP is wrong. Seed 002 lists
    «LIS1/turnus» under «Tjenestetid» with «Gjennomført (evt tidsperiode)»; domain.md § 8:
    allmennmedisin «5 years after LIS1» — an ALIS has done LIS1/turnus before the programme."""
    alis = Alis(world)
    table = status.compute(alis.trainee.pk, "alis", timezone.localdate())
    lis1 = next(r for r in table.rows if r.field_done == "lis1")
    assert (
        lis1.remaining
        == table.form_values["lis1_rest"]
        == ("Ingen: forutsetning for spesialiseringen")
    )
    assert (
        lis1.done
        == table.form_values["lis1"]
        == ("Gjennomført før spesialiseringen (ikke registrert her)")
    )
    assert "18 mnd." not in (lis1.done, lis1.remaining)


def test_registered_lis1_is_shown_and_nothing_remains():
    """An ALIS with 12 months of registered LIS1: done is what is registered, remaining none."""
    import datetime as dt

    from lisplan.progress.requirements import requirement_set_for, rule_book

    rset = requirement_set_for("ALM", "community", dt.date(2022, 1, 1))
    inp = engine.TraineeInput(
        today=dt.date(2024, 1, 1),
        specialty="ALM",
        periods=(
            engine.ServicePeriod(dt.date(2020, 1, 1), dt.date(2020, 12, 31), "lis1", 100),
            engine.ServicePeriod(dt.date(2022, 1, 1), None, "open_practice", 100),
        ),
    )
    p = engine.evaluate(inp, rset, rule_book())
    lis1 = p.requirement("lis1")
    assert lis1.satisfied and lis1.remaining == 0 and lis1.prerequisite
    values = present.form_values(p)
    assert values["lis1"] == "12 mnd."
    assert values["lis1_rest"] == "Ingen: forutsetning for spesialiseringen"
    assert not any(d.startswith("LIS1/turnus") for d in present.texts(p.drivers))


@pytest.mark.parametrize(
    ("unit", "maximum", "done", "items", "text"),
    [
        ("months", Fraction(30), Fraction(12), (), "Kan telle inntil 18 mnd. til"),
        ("courses", None, Fraction(2), (), "Kursliste ikke avklart"),
        ("items", None, Fraction(3), (), "Ingen minstekrav"),
    ],
)
def test_no_minimum_never_reads_as_nothing_left(unit, maximum, done, items, text):
    """Issue 12, item 7: «Gjenstående: –» (or «0») where nothing is known reads as "nothing
    left"; a requirement without a minimum says what it is."""
    r = RequirementResult(
        "x",
        "X",
        "activity_count",
        unit,
        done,
        None,
        maximum,
        Fraction(0),
        True,
        False,
        (),
        items=items,
    )
    assert present.remaining(r) == text
