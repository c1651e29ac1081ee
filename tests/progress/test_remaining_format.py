"""«Gjenstår» for a minimum in months is shown in the terms the engine counts it in (calendar
months by default): an untouched 18-month minimum (546 days) is «18 mnd.», not «17,9 mnd.»."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.utils import timezone

from lisplan.iup import status
from lisplan.progress import engine
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
    assert engine.fmt_remaining(_result(546, done)) == text


def test_average_mode_uses_average_months():
    need = minimum_days(18, "average")  # 547
    assert engine.remaining_months_and_days(Fraction(need) / MONTH_DAYS, "average") == (18, 0)


def test_part_of_a_day_rounds_up_and_other_units_are_unchanged():
    r = _result(546, 0)
    part = RequirementResult(**{**r.__dict__, "remaining": (Fraction(1, 2)) / MONTH_DAYS})
    assert engine.fmt_remaining(part) == "1 dag"
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
    assert engine.fmt_remaining(shifts) == engine.fmt_quantity(Fraction(15), "shifts")


def test_alis_table_and_form_show_untouched_lis1_as_18_months(world):
    alis = Alis(world)
    table = status.compute(alis.trainee.pk, "alis", timezone.localdate())
    lis1 = next(r for r in table.rows if r.field_done == "lis1")
    assert lis1.remaining == table.form_values["lis1_rest"] == "18 mnd."
