"""Two weekly journeys in a real browser, from the start page (issue #17), with axe-core (no
violation of any impact) on the pages they act on:

* the planner runs an allocation for the region, follows it to the end, reads the summary and
  why wishes got no place — with what one more place would do — and the receiving
  institution's coordinator (who makes offers: `register.offer`) sends offers from the run;
* the regional coordinator finds a queue with the filters, sees its conflict between trusts,
  and resolves it by giving the agreement into that queue another place (`agreement.change`).
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from lisplan.allocation.models import AllocationRun
from lisplan.rotations import queries as rotation_queries
from lisplan.rotations.models import CollaborationAgreement, RotationRequest, Status
from tests.e2e.conftest import describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


@pytest.fixture
def demo(transactional_db):
    call_command("demo", trainees=40, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def demo_with_offers(transactional_db):
    # 100 trainees: the smallest demo whose region run proposes starts for forwarded wishes
    call_command("demo", trainees=100, stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def sign_out(page) -> None:
    page.context.clear_cookies()


def violations(page) -> list[dict]:
    origin = "/".join(page.url.split("/")[:3])
    page.add_script_tag(url=origin + "/static/vendor/axe.min.js")  # allowed by the CSP
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                        'wcag22aa', 'best-practice']}})""")
    return [v for v in result["violations"] if v["impact"] in ALL_IMPACTS]


def assert_axe(page, where: str) -> None:
    found = violations(page)
    assert not found, f"{where}:\n{describe(found)}"


def test_planner_runs_reviews_and_offers_are_sent(page, live_server, demo_with_offers):
    base = live_server.url
    sign_in(page, base, "planner")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Fordeling").click()
    page.wait_for_url(f"{base}/fordeling/")
    page.get_by_role("link", name="Start ny kjøring").click()
    page.get_by_label("Hvem planen gjelder").select_option(label="Helse Nord RHF")
    page.get_by_label("Største forsinkelse, i måneder").fill("3")
    page.get_by_label("Tidsgrense, i sekunder").fill("5")
    assert_axe(page, "the run form")
    page.get_by_role("button", name="Start kjøringen").click()
    page.wait_for_url(re.compile(r"/fordeling/\d+/$"))
    run = AllocationRun.objects.filter(demo=False).get()
    assert run.created_by.username == "planner" and run.region is not None

    # The worker takes the task; the page polls and reloads by itself when the run is done.
    with open("/dev/null", "w") as quiet:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=quiet)
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE, run.error
    page.get_by_role("heading", name="Foreslått oppstart per lege").wait_for()
    tabs = page.get_by_role("navigation", name="Deler av resultatet")
    assert tabs.get_by_role("link").first.get_attribute("aria-current") == "page"  # offers first
    summary = page.locator("#result-lead").inner_text()
    assert f"{run.metrics['assigned']} av {run.metrics['requests']} ønsker" in summary.replace(
        "\u00a0", " "
    )

    # Why some got no place, and what one more place would do — in words.
    page.get_by_role("link", name="Hvorfor noen ikke fikk plass").click()
    section = page.locator("section[aria-labelledby=unplaced-heading]")
    text = section.inner_text()
    assert run.metrics["unassigned"] > 0, "the demo region has more wishes than places"
    assert "Dette ville endret det:" in text
    # What one more place would do is worked out in the run (none in a small demo whose
    # wishes without a place all lack an allowed start; then nothing is claimed).
    assert run.marginal is not None and run.marginal["complete"]
    if run.marginal["agreements"]:
        assert "Én plass til i denne fagavtalen" in text
    else:
        assert "Én plass til" not in text
    if any(a["extra"] for a in run.marginal["agreements"]):
        assert page.get_by_role("heading", name="Der én plass til gir mest").is_visible()
    assert "Δ" not in page.locator("main").inner_text().split("Om beregningen")[0]
    screenshot(page, "journey-planner-run")
    assert_axe(page, "the run page (planner)")
    # The planner reads; offers are made by the receiving institution's coordinator.
    assert page.get_by_role("button", name="Gi tilbud til alle valgte").count() == 0
    run_url = page.url.split("#")[0].split("?")[0]

    # The receiving coordinator opens the same run and offers the proposals she may offer.
    sign_out(page)
    sign_in(page, base, "local_coordinator")
    page.goto(run_url)
    page.get_by_label("Vis").select_option(label="Kan tilbys nå")
    page.get_by_role("button", name="Søk").click()
    page.wait_for_url(re.compile(r"show=offerable"))
    boxes = page.locator("main input[type=checkbox][name=proposal]")
    n = min(2, boxes.count())
    assert n >= 1, "the coordinator has proposals to offer"
    chosen = [int(boxes.nth(i).get_attribute("value")) for i in range(n)]
    requests = list(run.proposals.filter(pk__in=chosen).values_list("request_id", flat=True))
    for i in range(n):
        boxes.nth(i).check()
    assert_axe(page, "the run page, offerable proposals (local coordinator)")
    page.get_by_role("button", name="Gi tilbud til alle valgte").click()
    page.wait_for_load_state()
    assert page.get_by_text(re.compile("^Tilbud gitt til")).first.is_visible()
    statuses = set(RotationRequest.objects.filter(pk__in=requests).values_list("status", flat=True))
    assert statuses == {Status.OFFERED}
    assert run.proposals.filter(pk__in=chosen, offered_at__isnull=False).count() == n


def _make_conflict():
    """Data for the journey (the small demo has no conflict): a forwarded wish, and a second
    wish moved into the same queue from another trust with the same start, and one place in
    the agreements into that queue."""
    import datetime as dt

    from lisplan.organisations.models import Institution

    first = (
        RotationRequest.objects.filter(status=Status.FORWARDED, forwarded_on__isnull=False)
        .select_related("receiving")
        .order_by("pk")
        .first()
    )
    assert first is not None, "the demo has a forwarded wish"
    second = RotationRequest.objects.exclude(trainee=first.trainee).order_by("pk").first()
    other = (
        Institution.objects.exclude(pk__in={first.sending_id, first.receiving_id})
        .filter(region_id=first.receiving.region_id)
        .order_by("pk")
        .first()
    )
    start = dt.date(dt.date.today().year + 1, 1, 1)
    RotationRequest.objects.filter(pk=first.pk).update(desired_start=start)
    RotationRequest.objects.filter(pk=second.pk).update(
        receiving=first.receiving,
        specialty=first.specialty,
        sending=other,
        agreement=None,
        arena=None,
        status=Status.FORWARDED,
        forwarded_on=first.forwarded_on,
        desired_start=start,
    )
    CollaborationAgreement.objects.filter(
        receiving=first.receiving, specialty=first.specialty
    ).update(capacity=1)


def _conflicted_queue(user):
    """A queue the regional coordinator sees with a conflict between trusts."""
    for queue, conflict in rotation_queries.all_conflicts(user):
        return queue, conflict
    return None, None


def test_regional_coordinator_finds_a_queue_and_resolves_a_conflict(page, live_server, demo):
    from lisplan.accounts.models import User

    _make_conflict()
    coordinator = User.objects.get(username="regional_coordinator")
    queue, conflict = _conflicted_queue(coordinator)
    assert queue is not None, "the region has a conflict between trusts"
    base = live_server.url
    sign_in(page, base, "regional_coordinator")

    # Find the queue from the start page, then narrow it with the filters.
    page.locator("main").get_by_role("link", name="Køer til fordeling").first.click()
    page.wait_for_url(f"{base}/rotasjon/koer/")
    filters = page.get_by_role("search", name="Velg køer")
    filters.get_by_label("Foretak (mottaker eller avgiver)").select_option(
        value=str(queue.receiving.pk)
    )
    filters.get_by_label("Spesialitet").select_option(value=str(queue.specialty.pk))
    filters.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r"specialty="))
    sections = page.locator("main section[aria-labelledby^=queue-]")
    assert sections.count() == 1
    heading = sections.first.get_by_role("heading").first.inner_text()
    assert str(queue.receiving) in heading and str(queue.specialty) in heading
    assert sections.first.locator(".ds-alert").count() >= 1  # the conflict, on the queue
    assert_axe(page, "one queue, filtered")

    # The conflicts page lists it; the agreement into the queue gets the places it lacks.
    page.get_by_role("navigation", name="Spesialiseringsperioder").get_by_role(
        "link", name="Samtidskonflikter"
    ).click()
    page.wait_for_url(re.compile(r"/rotasjon/konflikter/"))
    listed = page.locator("main").inner_text()
    assert str(queue.receiving) in listed
    assert_axe(page, "the conflicts page")
    agreement = (
        CollaborationAgreement.objects.filter(receiving=queue.receiving, specialty=queue.specialty)
        .order_by("pk")
        .first()
    )
    assert agreement is not None
    more = len(conflict.requests) - conflict.places  # places lacking in that semester
    page.goto(f"{base}/rotasjon/fagavtaler/{agreement.pk}/")
    page.locator("main").get_by_role("link", name="Endre").first.click()
    page.wait_for_url(re.compile(r"/endre/$"))
    assert_axe(page, "the agreement form")
    capacity = page.get_by_label(re.compile("^Kapasitet"))
    capacity.fill(str(agreement.capacity + more))
    page.get_by_role("button", name=re.compile("^Lagre")).click()
    page.wait_for_url(re.compile(rf"/rotasjon/fagavtaler/{agreement.pk}/$"))
    agreement.refresh_from_db()
    assert agreement.capacity == 1 + more
    screenshot(page, "journey-regional-agreement")

    # The conflict is resolved: gone from the conflicts page for that queue.
    page.goto(
        f"{base}/rotasjon/konflikter/?institution={queue.receiving.pk}"
        f"&specialty={queue.specialty.pk}"
    )
    assert page.get_by_text("Ingen samtidskonflikter.").is_visible()
    assert not [
        c
        for q, c in rotation_queries.all_conflicts(coordinator)
        if (q.receiving.pk, q.specialty.pk) == (queue.receiving.pk, queue.specialty.pk)
    ]
