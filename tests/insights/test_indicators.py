"""Every indicator on the hand-built world of `conftest.py` (region Helse Nord: t1–t4; t5 is in
Helse Vest and never counts there). Each docstring works the value out."""

from __future__ import annotations

import pytest

from lisplan.insights.indicators import BY_CODE, INDICATORS, Ctx, Scope, evaluate


def value(w, code, scope=None):
    return evaluate(BY_CODE[code], Ctx.of(scope or Scope(region=w.nord.pk), w.at))


def test_every_indicator_has_a_test_here():
    names = {n.removeprefix("test_") for n in globals() if n.startswith("test_")}
    assert {i.code for i in INDICATORS} <= names


def test_trainees(w):
    """t1–t4 have a current employment in Helse Nord: 4. Institution A: t1, t2, t3 = 3. The
    arena (Ortopedisk avdeling): t1, t2 = 2. The country: 5."""
    assert value(w, "trainees").value == 4
    assert value(w, "trainees", Scope(institution=w.a.pk)).value == 3
    assert value(w, "trainees", Scope(arena=w.arena.pk)).value == 2
    assert value(w, "trainees", Scope()).value == 5
    assert value(w, "trainees", Scope(region=w.nord.pk, specialty=w.med.pk)).value == 1


def test_plans_missing(w):
    """Plans required: t1, t2, t4 (permanent); t3's 3-month temp needs none → denominator 3.
    Valid on the date: only t1's (approved 30 days ago). Missing: t2 (expired), t4 (none) = 2."""
    v = value(w, "plans_missing")
    assert (v.value, v.numerator, v.denominator) == (2, 2, 3)


def test_plans_expired(w):
    """Of the missing (t2, t4) only t2 has an approved plan, approved 400 days ago, valid for
    365 days: expired. 1 of 3."""
    v = value(w, "plans_expired")
    assert (v.value, v.denominator) == (1, 3)


def test_plans_valid_share(w):
    """t1 of t1, t2, t4: 1/3 = 0.3333."""
    v = value(w, "plans_valid_share")
    assert (v.numerator, v.denominator, v.value) == (1, 3, 0.3333)


def test_iup_missing(w):
    """Signed IUPs: t1, t3, t4. Without: t2 → 1 of 4."""
    v = value(w, "iup_missing")
    assert (v.value, v.denominator) == (1, 4)


def test_iup_overdue(w):
    """Signed IUP but neither a new signature nor a panel in 6 months: t1 signed 30 days ago
    (updated); t4 signed 300 days ago but had a panel 60 days ago (updated); t3 signed 240 days
    ago, no panel → 1."""
    assert value(w, "iup_overdue").value == 1


def test_progress_on_track_share(w):
    """Summaries in Nord: t1 on track, t2 at risk, t3 behind; t4 has none (not computed).
    1/3 = 0.3333."""
    v = value(w, "progress_on_track_share")
    assert (v.numerator, v.denominator, v.value) == (1, 3, 0.3333)


def test_progress_at_risk(w):
    """t2 → 1 (of 4 trainees)."""
    v = value(w, "progress_at_risk")
    assert (v.value, v.denominator) == (1, 4)


def test_supervision_meetings_per_trainee_12m(w):
    """t1's three meetings (10, 40, 70 days ago); t2's 395 days ago is outside. 3/4 = 0.75."""
    v = value(w, "supervision_meetings_per_trainee_12m")
    assert (v.numerator, v.denominator, v.value) == (3, 4, 0.75)


def test_assessment_panels_per_trainee_12m(w):
    """t1 (100 days ago) and t4 (60 days ago): 2/4 = 0.5."""
    v = value(w, "assessment_panels_per_trainee_12m")
    assert (v.numerator, v.denominator, v.value) == (2, 4, 0.5)


def test_goals_approved_12m(w):
    """t1's ORT-001 and ORT-002 (100 days ago); ORT-003 (400 days) is outside, t2's ORT-004 is
    in progress → 2."""
    assert value(w, "goals_approved_12m").value == 2


def test_projected_completions_12m(w):
    """t1 in 180 days; t2 in 900 days (outside); t5 in 30 days but in Vest → 1. The country: 2."""
    assert value(w, "projected_completions_12m").value == 1
    assert value(w, "projected_completions_12m", Scope()).value == 2


def test_queue_length(w):
    """Forwarded or offered: t1's request to B (forwarded) → 1."""
    assert value(w, "queue_length").value == 1


def test_median_wait_months(w):
    """Started in the last 12 months: t2's, forwarded 200 days ago, started 50 days ago: 150
    days / 30.4375 = 4.93 → 4.9 months (one period)."""
    v = value(w, "median_wait_months")
    assert (v.value, v.numerator) == (4.9, 1)


def test_agreement_utilisation(w):
    """Agreements with a receiver in Nord: A→B, ORT, capacity 1, 6 months → 1 × 12 / 6 = 2
    periods. Using it: t2's (in progress) and t1's (accepted, starts in 60 days) → 2/2 = 1.0.
    The arena (receiving side: institution A, ORT) has no agreements → no value."""
    v = value(w, "agreement_utilisation")
    assert (v.numerator, v.denominator, v.value) == (2, 2, 1.0)
    assert value(w, "agreement_utilisation", Scope(arena=w.arena.pk)).value is None


def test_offers_declined_share(w):
    """Offers in the last 12 months: t4's (20 days ago, declined) and t1's (10 days ago,
    accepted) → 1/2 = 0.5."""
    v = value(w, "offers_declined_share")
    assert (v.numerator, v.denominator, v.value) == (1, 2, 0.5)


def test_data_complete_share(w):
    """Complete: valid plan where required, signed IUP updated in 6 months, active supervisor.
    t1 yes; t2 no plan; t3 IUP not updated (and no supervisor); t4 no plan → 1/4 = 0.25."""
    v = value(w, "data_complete_share")
    assert (v.numerator, v.denominator, v.value) == (1, 4, 0.25)


@pytest.mark.parametrize("code", [i.code for i in INDICATORS])
def test_definition_has_words(code):
    ind = BY_CODE[code]
    assert str(ind.name) and len(str(ind.definition)) > 30
    assert ind.unit in {"count", "share", "rate", "median"}
    assert ind.direction in {"higher", "lower", "neutral"}


def test_harvest_command(w):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("harvest", "--date", w.at.isoformat(), stdout=out)
    assert ": done" in out.getvalue()
    out = StringIO()
    call_command("harvest", "--scheduled", stdout=out)
