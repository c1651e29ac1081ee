"""A leader links a period at a partner institution to the employer's collaboration agreement
in the periods editor: choosing the institution and the specialty fills the row's agreement
select (htmx), the choice is saved and shown in the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lisplan.plans import services as plans
from lisplan.rotations import services as rotations
from tests.e2e.conftest import screenshot
from tests.e2e.test_plans import assert_accessible, fill_row, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_leader_links_a_period_to_an_agreement(page, live_server, world):
    agreement = rotations.agreement_create(
        actor=world.users["admin"],
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        reference="NLSH-ORT-7",
        duration_months=6,
        capacity=2,
        valid_from=dt.date(2024, 1, 1),
    )
    rotations.agreement_create(  # another sender's agreement is not offered
        actor=world.users["admin"],
        sending=world.bergen,
        receiving=world.nlsh,
        specialty=world.specialty,
        reference="BERGEN-ORT",
        duration_months=3,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
    )
    revision = plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        employer=world.unn,
        specialty=world.specialty,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
    )
    base = live_server.url
    sign_in(page, base, "leader")
    page.goto(f"{base}/planer/revisjon/{revision.pk}/rediger/")

    page.get_by_role("button", name="Legg til periode").click()
    choice = page.get_by_label("Fagavtale, periode 1")
    expect(choice.locator("option:checked")).to_have_text("Velg foretak og spesialitet først")
    fill_row(page, 1, "2027-01-01", "2027-06-30", world.nlsh.name)
    option = choice.locator("option", has_text="NLSH-ORT-7")
    option.wait_for(state="attached")
    assert choice.locator("option", has_text="BERGEN-ORT").count() == 0
    choice.select_option(value=str(agreement.pk))
    choice.dispatch_event("change")
    page.get_by_text("Ingen feil funnet").wait_for()
    screenshot(page, "plan-edit-agreement")
    assert_accessible(page, "the plan editor with an agreement select")

    page.get_by_role("button", name="Lagre utkastet").click()
    page.wait_for_url(f"**/planer/revisjon/{revision.pk}/")
    assert page.get_by_text("Endringene er lagret.").is_visible()
    assert page.get_by_text(
        f"fagavtale mellom {agreement.sending} og {agreement.receiving}"
    ).first.is_visible()
    assert [p.agreement_id for p in revision.periods.all()] == [agreement.pk]

    # back in the editor the link is selected; another institution drops it from the row
    page.goto(f"{base}/planer/revisjon/{revision.pk}/rediger/")
    expect(choice.locator("option:checked")).to_contain_text("NLSH-ORT-7")
    page.get_by_label("Foretak/samarbeidsforetak, periode 1").select_option(label=world.bergen.name)
    expect(choice.locator("option:checked")).to_have_text("Ingen gyldig fagavtale")


def test_changing_the_employer_refreshes_the_agreement_selects(page, live_server, world):
    """Issue #3: the agreements offered are the employer's; choosing another employer refreshes
    every row's agreement select, as choosing a row's institution does."""
    from tests import factories as f

    f.EmploymentFactory(
        trainee=world.trainee,
        institution=world.bergen,
        specialty=world.specialty,
        start=dt.date(2023, 1, 1),
    )
    unn = rotations.agreement_create(
        actor=world.users["admin"],
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        reference="NLSH-ORT-7",
        duration_months=6,
        capacity=2,
        valid_from=dt.date(2024, 1, 1),
    )
    bergen = rotations.agreement_create(
        actor=world.users["admin"],
        sending=world.bergen,
        receiving=world.nlsh,
        specialty=world.specialty,
        reference="BERGEN-ORT",
        duration_months=6,
        capacity=1,  # fits row 1
        valid_from=dt.date(2024, 1, 1),
    )
    revision = plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        employer=world.unn,
        specialty=world.specialty,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
    )
    base = live_server.url
    sign_in(page, base, "leader")
    page.goto(f"{base}/planer/revisjon/{revision.pk}/rediger/")
    page.get_by_role("button", name="Legg til periode").click()
    page.get_by_role("button", name="Legg til periode").click()
    fill_row(page, 1, "2027-01-01", "2027-06-30", world.nlsh.name)
    fill_row(page, 2, "2027-07-01", "2027-12-31", world.bergen.name)
    first = page.get_by_label("Fagavtale, periode 1")
    second = page.get_by_label("Fagavtale, periode 2")
    first.locator("option", has_text="NLSH-ORT-7").wait_for(state="attached")
    first.select_option(value=str(unn.pk))
    first.dispatch_event("change")
    expect(second.locator("option:checked")).to_have_text("Ingen gyldig fagavtale")

    employer = page.locator("#id_employer")
    employer.select_option(label=world.bergen.name)
    # row 1 now offers Helse Bergen's agreement, and UNN's link is dropped
    first.locator("option", has_text="BERGEN-ORT").wait_for(state="attached")
    assert first.locator("option", has_text="NLSH-ORT-7").count() == 0
    expect(first.locator("option:checked")).to_have_text("Ingen fagavtale valgt")
    # row 2 is at the new employer itself
    expect(second.locator("option:checked")).to_have_text("Ikke aktuelt ved eget foretak")
    # the live check runs again: no message about the dropped link lingers
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Fagavtalen gjelder")).to_have_count(0)
    expect(page.get_by_text("Ingen feil funnet")).to_be_visible()
    screenshot(page, "plan-edit-employer-agreements")
    assert_accessible(page, "the plan editor after changing the employer")

    first.select_option(value=str(bergen.pk))
    first.dispatch_event("change")
    page.get_by_role("button", name="Lagre utkastet").click()
    page.wait_for_url(f"**/planer/revisjon/{revision.pk}/")
    revision.refresh_from_db()
    assert revision.employer == world.bergen
    assert [p.agreement_id for p in revision.periods.order_by("start")] == [bergen.pk, None]

    # back to UNN: UNN's agreement is offered again, Helse Bergen's link is dropped
    page.goto(f"{base}/planer/revisjon/{revision.pk}/rediger/")
    expect(first.locator("option:checked")).to_contain_text("BERGEN-ORT")
    employer.select_option(label=world.unn.name)
    first.locator("option", has_text="NLSH-ORT-7").wait_for(state="attached")
    expect(first.locator("option:checked")).to_have_text("Ingen fagavtale valgt")
    expect(second.locator("option:checked")).to_have_text("Ingen gyldig fagavtale")
