"""Trainees who started before 1 March 2019 (issue 12, item 4).

Seed 000: «b) Konvertering fra gammel til ny utdanningsordning» and «Godkjent tjenestetid i
gammel ordning som kan telle med i minstetiden i ny ordning (maks 6,5 år inkl.
turnustjeneste/del 1 og godkjent av leder)».
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction as F
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lisplan.progress import engine, present
from lisplan.progress.models import ProgressStatus
from lisplan.progress.pages import old_scheme_facts
from lisplan.progress.requirements import requirement_set_for, rule_book
from lisplan.progress.summary import refresh_summaries
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def veteran(world):
    t = f.TraineeFactory(first_name="Gunnar", last_name="Gammel", user=f.UserFactory())
    f.EmploymentFactory(
        trainee=t, institution=world.unn, specialty=world.specialty, start=dt.date(2017, 9, 1)
    )
    return t


def test_old_scheme_status_instead_of_unknown(world, veteran):
    refresh_summaries([veteran.pk])
    assert veteran.progress_summary.status == ProgressStatus.OLD_SCHEME
    assert ProgressStatus.OLD_SCHEME.label == "Gammel ordning – vurderes manuelt"


def test_page_says_what_is_known(world, veteran):
    client = Client()
    client.force_login(veteran.user)
    body = client.get(reverse("progress:trainee", args=[veteran.pk])).content.decode()
    assert "Gammel ordning – vurderes manuelt" in body
    assert "startet i spesialiseringen 01.09.2017" in body
    assert "Registrert tjeneste etter turnus/del 1:" in body
    assert "78 mnd." in body and "turnustjeneste/del 1" in body
    assert timezone.localdate() > dt.date(2019, 3, 1)


# --- worked examples (docs/rules.md, eksempel 5) ---------------------------------------------

D = dt.date
TURNUS = engine.ServicePeriod(D(2015, 1, 1), D(2016, 6, 30), "lis1", 100, label="Turnus")
CREDIT = engine.Credit("old_scheme", 72, label="Godkjent tjenestetid i gammel ordning")


def _credit_line(ledger):
    return next(line for line in ledger.lines if line.kind == "credit")


def test_turnus_uses_the_78_months_before_the_old_scheme_credit():
    """Seed 000: «Godkjent tjenestetid i gammel ordning som kan telle med i minstetiden i ny
    ordning (maks 6,5 år inkl. turnustjeneste/del 1 og godkjent av leder)».

    Turnus 01.01.2015–30.06.2016 = 365 + 182 = 547 days. The 78 months are 78 × 30,4375 =
    2374,125 days; turnus takes 547 of them first, so of a credit of 72 months (2191,5 days)
    2374,125 − 547 = 1827,125 days count (60 months) and 364,375 days are over the cap."""
    employment = engine.ServicePeriod(D(2019, 3, 1), None, "specialty", 100)
    ledger = engine.compute_ledger(
        (TURNUS, employment), (), (CREDIT,), rules=rule_book(), today=D(2020, 1, 1)
    )
    line = _credit_line(ledger)
    assert ledger.days(("lis1",)) == 547
    assert line.gross_days == 72 * engine.MONTH_DAYS == F("2191.5")
    assert line.days == 78 * engine.MONTH_DAYS - 547 == F("1827.125")
    assert line.capped_days == F("364.375")
    assert present.months(line.months) == "60 mnd."
    assert "Tjenestetid fra gammel ordning, inkl. turnus/del 1" in present.line_text(line)
    # without registered turnus the whole credit counts; the turnus line itself is never cut
    alone = engine.compute_ledger(
        (employment,), (), (CREDIT,), rules=rule_book(), today=D(2020, 1, 1)
    )
    assert _credit_line(alone).days == 72 * engine.MONTH_DAYS
    turnus_line = next(x for x in ledger.lines if x.label == "Turnus")
    assert turnus_line.days == 547 and not turnus_line.capped_days


def test_old_scheme_trainee_gets_the_old_scheme_set():
    """Issue 12, item 4: trainees who started before 1 March 2019 get the old-scheme set as data.

    Neurology (no course list), started 01.09.2016 after turnus; today 31.08.2021:
    01.09.2016–31.08.2021 = 1826 days ≥ 60 months (1826): met. With turnus 547 days the total
    is 2373 days; 78 months need 2372 days (the shortest 78 calendar months), so 6,5 years
    incl. turnus are met too."""
    rset = requirement_set_for("NEV", "hospital", D(2016, 9, 1))
    assert rset is not None and rset.code == "old_scheme" and rset.assessed_manually
    inp = engine.TraineeInput(
        today=D(2021, 8, 31),
        specialty="NEV",
        periods=(TURNUS, engine.ServicePeriod(D(2016, 9, 1), None, "specialty", 100)),
    )
    p = engine.evaluate(inp, rset, rule_book())
    assert p.assessed_manually
    part23, total = p.requirement("part23_time"), p.requirement("total_time")
    assert part23.done * engine.MONTH_DAYS == 1826 and part23.satisfied
    assert engine.minimum_days(78) == 2372
    assert total.done * engine.MONTH_DAYS == 547 + 1826 and total.satisfied
    assert present.quantity(part23.done, "months") == "60 mnd."
    # the new scheme's set is not theirs
    assert requirement_set_for("NEV", "hospital", D(2019, 3, 1)).code == "hospital"


def test_facts_count_turnus_against_the_cap():
    """The page's facts: turnus registered, the credit, what counts and what is left."""
    inp = engine.TraineeInput(
        today=D(2020, 1, 1),
        specialty="ORT",
        periods=(TURNUS, engine.ServicePeriod(D(2019, 3, 1), None, "specialty", 100)),
        credits=(CREDIT,),
    )
    ctx = {
        "plan": SimpleNamespace(credit_old_scheme_months=Decimal(72)),
        "specialty_start": D(2017, 9, 1),
    }
    facts = old_scheme_facts(inp, ctx, D(2020, 1, 1))
    assert facts["turnus"] == "18 mnd."
    assert facts["credit"] == "72 mnd."
    assert facts["credit_capped"] and facts["counted"] == "60 mnd."
    assert facts["cap_left"] == "0 mnd."


def test_summary_counts_what_is_known(world, veteran):
    """The overview keeps «Gammel ordning – vurderes manuelt» but counts the known service."""
    refresh_summaries([veteran.pk])
    summary = veteran.progress_summary
    summary.refresh_from_db()
    assert summary.status == ProgressStatus.OLD_SCHEME
    assert summary.requirements_total >= 1 and summary.service_months > 0


def test_api_says_old_scheme_with_the_numbers_and_english_drivers(world, veteran):
    """The API agrees with the page: status «old_scheme», the old-scheme set's requirements,
    and the drivers in the language asked for (the one presenter)."""
    from tests.api.conftest import ApiClient

    api = ApiClient(world.users["local_coordinator"])
    body = api.get(f"/api/v1/trainees/{veteran.pk}/progress").json()
    assert body["status"] == "old_scheme" and body["requirement_set"] == "old_scheme"
    codes = {r["code"] for r in body["requirements"]}
    assert {"part23_time", "total_time", "recommended_courses"} <= codes
    english = api.client.get(
        f"/api/v1/trainees/{veteran.pk}/progress",
        headers={**api.headers, "Accept-Language": "en"},
    ).json()
    assert any(d.startswith("Remaining: ") for d in english["drivers"]), english["drivers"]
