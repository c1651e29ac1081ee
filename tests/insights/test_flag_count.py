"""The dashboard's count over the region's trainees evaluates each flag once per trainee (issue
18): the plan, IUP and supervisor subqueries behind the flags are not inlined into every
indicator that reads them. Values are the same as counting each indicator's rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lisplan.insights.indicators import (
    INDICATORS,
    Ctx,
    Scope,
    _evaluate_all,
    evaluate,
    evaluate_all,
)


def _flag_count_sql(w) -> str:
    with CaptureQueriesContext(connection) as queries:  # live, as for a date before today
        _evaluate_all(Ctx.of(Scope(region=w.nord.pk), w.at))
    # the one count over the population with the plan flags (a FILTER per indicator)
    return next(q["sql"] for q in queries.captured_queries if '"req" AND NOT "valid"' in q["sql"])


def test_the_combined_count_gives_each_indicators_own_count(w):
    for scope in (Scope(region=w.nord.pk), Scope(institution=w.a.pk), Scope()):
        combined = {
            v.code: (v.numerator, v.denominator, v.value) for v in evaluate_all(scope, w.at)
        }
        one_by_one = {
            i.code: (v.numerator, v.denominator, v.value)
            for i in INDICATORS
            for v in [evaluate(i, Ctx.of(scope, w.at))]
        }
        assert combined == one_by_one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_each_flag_is_evaluated_once_per_row(w):
    """Without the fence PostgreSQL flattened the flags' subquery and evaluated the approved-plan
    subquery in every FILTER that reads `valid` or `expired` (six times in the plan); with it,
    once for `valid` and once for `expired`."""
    sql = _flag_count_sql(w)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert plan.count("on plans_revision") <= 2
