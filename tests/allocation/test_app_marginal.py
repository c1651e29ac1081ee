"""The run stores «one more place at X would place N» and the result page says it in words."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.urls import reverse

from lisplan.allocation import services
from lisplan.allocation.build import agreement_key
from lisplan.allocation.models import AllocationRun
from lisplan.rotations.models import CollaborationAgreement, add_months

pytestmark = pytest.mark.django_db


def _last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@pytest.fixture
def crowded(world, register, immediate_tasks) -> AllocationRun:
    """Three trainees queue for one place of six months in an agreement that ends after twelve
    months: two get a place, the third does not; one more place would place her."""
    CollaborationAgreement.objects.filter(pk=register.agreement.pk).update(
        valid_to=_last_day(add_months(register.first, 11))
    )
    run = services.start_run(
        actor=world.users["regional_coordinator"],
        region=world.unn.region,
        max_delay_months=3,
        time_limit=5,
    )
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE
    return run


def test_the_run_stores_what_one_more_place_would_do(crowded, register):
    assert crowded.metrics["unassigned"] == 1
    assert crowded.marginal["complete"] is True
    (found,) = crowded.marginal["agreements"]
    assert found["agreement"] == agreement_key(register.agreement.pk)
    assert (found["waiting"], found["extra"], found["proven"]) == (1, 1, True)
    first = dt.date.fromisoformat(found["first"] + "-01")
    last = dt.date.fromisoformat(found["last"] + "-01")
    assert register.first <= first <= last <= add_months(register.first, 11)


def test_the_page_says_it_in_words(client, world, crowded, register):
    client.force_login(world.users["planner"])
    page = client.get(
        reverse("allocation:run", args=[crowded.pk]), {"fane": "sammendrag"}
    ).content.decode()
    assert "Der én plass til gir mest" in page
    assert "Én plass til i denne fagavtalen ville gitt plass til 1 ønske til, fra " in page
    assert "1 ønske til med én plass til, fra " in page


def test_no_answer_is_shown_for_a_place_that_would_not_help(client, world, crowded, register):
    stored = dict(crowded.marginal)
    stored["agreements"] = [dict(stored["agreements"][0], extra=0, first=None, last=None)]
    AllocationRun.objects.filter(pk=crowded.pk).update(marginal=stored)
    client.force_login(world.users["planner"])
    page = client.get(
        reverse("allocation:run", args=[crowded.pk]), {"fane": "sammendrag"}
    ).content.decode()
    assert "Der én plass til gir mest" not in page
    assert "alene ville ikke gitt plass til flere" in page


def test_an_older_run_without_the_analysis_shows_no_answer(client, world, crowded):
    AllocationRun.objects.filter(pk=crowded.pk).update(marginal=None)
    client.force_login(world.users["planner"])
    page = client.get(
        reverse("allocation:run", args=[crowded.pk]), {"fane": "sammendrag"}
    ).content.decode()
    assert "Én plass til" not in page and "Der én plass til gir mest" not in page


def test_a_failing_analysis_leaves_the_run_done(world, register, immediate_tasks, monkeypatch):
    from lisplan.allocation import marginal

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(marginal, "analyse", broken)
    run = services.start_run(
        actor=world.users["regional_coordinator"],
        region=world.unn.region,
        max_delay_months=3,
        time_limit=5,
    )
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE and run.marginal is None
