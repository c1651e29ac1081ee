"""A journey per role in a real browser: the pages each role reaches fit a phone (390 px) and
pass axe-core with no violation of any impact; the trainee finds what is missing and records an
activity on a phone; the supervisor signs an education plan (IUP) and goes on to the next; the
leader signs and goes on to the next plan; the local coordinator
approves three plans in a row; the planner reads why wishes got no place."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.core.management import call_command
from django.utils import timezone

from lisplan.accounts.access import scope_filter
from lisplan.accounts.models import User
from lisplan.iup import queries as iup_queries
from lisplan.plans import pages as plan_pages
from lisplan.plans import services as plan_services
from lisplan.plans import worklist
from lisplan.plans.models import Revision
from lisplan.progress.models import ActivityRecord
from tests.e2e.conftest import describe, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ROLES = [
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
]
PAGES_PER_ROLE = 12
SKIP = re.compile(
    r"(/logg-ut|/admin/|/api/|/pdf|\.pdf|/last-ned|\.ics|/kalender|/eksport|"
    r"/i18n/|\.csv|\.xlsx|\.json|/fil/)"
)
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


@pytest.fixture
def demo(transactional_db):
    call_command("demo", trainees=40, stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def violations(page) -> list[dict]:
    origin = "/".join(page.url.split("/")[:3])
    page.add_script_tag(url=origin + "/static/vendor/axe.min.js")  # allowed by the CSP
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                        'wcag22aa', 'best-practice']}})""")
    return [v for v in result["violations"] if v["impact"] in ALL_IMPACTS]


def _pattern(path: str) -> str:
    return re.sub(r"=[^&]*", "", re.sub(r"/\d+", "/N", path))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_fits_a_phone_and_passes_axe(browser, live_server, demo, role):
    base = live_server.url
    context = browser.new_context(locale="nb-NO", viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, role)
    queue, seen, problems, visited = deque(["/"]), set(), [], 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        if _pattern(path) in seen or SKIP.search(path):
            continue
        seen.add(_pattern(path))
        response = page.goto(base + path)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide")
        found = violations(page)
        if found:
            problems.append(f"{path}:\n{describe(found)}")
        links = page.eval_on_selector_all(
            "main a[href^='/'], header a[href^='/']",
            "as => as.map(a => a.getAttribute('href').split('#')[0])",
        )
        queue.extend(h for h in links if h and _pattern(h) not in seen)
    context.close()
    assert visited >= 3
    assert not problems, f"{role} at 390 px:\n" + "\n".join(problems)


def test_trainee_on_a_phone_sees_what_is_missing_and_records_an_activity(
    browser, live_server, demo
):
    base = live_server.url
    context = browser.new_context(locale="nb-NO", viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, "trainee")
    overview = page.get_by_role("heading", name="Min oversikt")
    assert overview.is_visible()
    for part in (
        "Min gjennomføringsplan",
        "Min progresjon",
        "Mine spesialiseringsperioder",
        "Min veiledning",
    ):
        assert page.get_by_role("heading", name=part).is_visible(), part
    # the menu folds behind «Meny» and holds the trainee's own pages
    page.get_by_role("button", name="Meny").click()
    assert (
        page.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Mine ønsker om spesialiseringsperioder")
        .is_visible()
    )
    page.get_by_role("button", name="Meny").click()
    screenshot(page, "journey-trainee-home-390")

    page.get_by_role("link", name="Se hva som gjenstår og registrer aktiviteter").click()
    page.get_by_role("link", name="Registrer prosedyre").click()
    before = ActivityRecord.objects.count()
    page.locator("input[name=title]").fill("Lumbalpunksjon")
    date = page.locator("input[name=date]")
    today = timezone.localdate()
    date.fill(
        today.isoformat() if date.get_attribute("type") == "date" else today.strftime("%d.%m.%Y")
    )
    page.locator("input[name=count]").fill("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name=re.compile("^(Lagre|Registrer)")).first.click()
    page.wait_for_load_state()
    assert ActivityRecord.objects.count() == before + 1
    assert page.get_by_text("Lumbalpunksjon").first.is_visible()
    context.close()


def test_supervisor_signs_an_education_plan_and_goes_to_the_next(page, live_server, demo):
    """The supervisor's weekly task (issue #17): from the start page to the education plans
    waiting for their signature, sign one with «Signer og gå til neste» and land on the next
    one, or, with none left, back on «Til signering» told so."""
    supervisor = User.objects.get(username="supervisor")
    queue = list(iup_queries.awaiting_my_signature(supervisor).values_list("pk", flat=True)[:2])
    assert queue, "the demo gives the supervisor an education plan to sign"
    base = live_server.url
    sign_in(page, base, "supervisor")
    page.get_by_role("link", name=re.compile("Utdanningsplaner til signering")).first.click()
    page.locator(f'a[href="/utdanningsplaner/revisjon/{queue[0]}/"]').first.click()
    page.wait_for_url(f"{base}/utdanningsplaner/revisjon/{queue[0]}/")
    page.get_by_role("button", name="Signer og gå til neste").click()
    page.wait_for_load_state()
    assert page.get_by_text("Du har signert utdanningsplanen.").is_visible()
    assert queue[0] not in iup_queries.awaiting_my_signature(supervisor).values_list(
        "pk", flat=True
    )
    if len(queue) == 2:
        assert page.url == f"{base}/utdanningsplaner/revisjon/{queue[1]}/"
        assert page.get_by_role("button", name="Signer og gå til neste").is_visible()
    else:
        assert "/planer/til-signering/" in page.url
        assert page.get_by_text("Det er ingen flere planer i køen din.").is_visible()


def test_leader_signs_and_goes_to_the_next(page, live_server, demo):
    leader = User.objects.get(username="leader")
    for draft in scope_filter(leader, "plan.sign", Revision.objects.filter(status="draft")):
        if plan_pages.awaiting_my_signature(leader).count() >= 2:
            break
        try:  # a second plan in the leader's queue: send a complete draft for signing
            plan_services.revision_submit(actor=leader, revision=draft)
        except (plan_services.PlanInvalid, plan_services.StateError):
            continue
    queue = list(plan_pages.awaiting_my_signature(leader).values_list("pk", flat=True)[:2])
    assert queue, "the demo gives the leader a plan to sign"
    base = live_server.url
    sign_in(page, base, "leader")
    page.goto(f"{base}/planer/revisjon/{queue[0]}/")
    # the action comes after the document; a link at the top leads there
    assert page.get_by_role("link", name="Les planen, og signer den nederst på siden").count()
    page.get_by_role("button", name="Signer og gå til neste").click()
    page.wait_for_load_state()
    assert page.get_by_text("Du har signert planen.").is_visible()
    assert queue[0] not in plan_pages.awaiting_my_signature(leader).values_list("pk", flat=True)
    if len(queue) == 2:  # on to the next plan in the queue
        assert re.search(r"/planer/revisjon/\d+/$", page.url)
        assert page.url != f"{base}/planer/revisjon/{queue[0]}/"
        assert page.get_by_role("button", name="Signer og gå til neste").is_visible()
    else:  # the queue is empty: back on «Til signering», told so
        assert "/planer/til-signering/" in page.url
        assert page.get_by_text("Det er ingen flere planer i køen din.").is_visible()


def test_local_coordinator_approves_three_plans_in_a_row(page, live_server, demo):
    coordinator = User.objects.get(username="local_coordinator")
    waiting = worklist.awaiting(coordinator, timezone.localdate())
    before = waiting.count()
    assert before >= 3, "the demo gives the coordinator at least three plans to approve"
    base = live_server.url
    sign_in(page, base, "local_coordinator")
    page.goto(f"{base}/planer/revisjon/{waiting.first().pk}/")
    for _ in range(3):
        page.get_by_role("button", name="Godkjenn og gå til neste").click()
        page.wait_for_load_state()
        assert page.get_by_text("Planen er godkjent.").first.is_visible()
    assert worklist.awaiting(coordinator, timezone.localdate()).count() == before - 3


def test_planner_reads_why_wishes_got_no_place(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "planner")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Fordeling").click()
    page.locator("main table a[href*='/fordeling/']").first.click()
    page.get_by_role("link", name="Hvorfor noen ikke fikk plass").click()
    section = page.locator("section[aria-labelledby=unplaced-heading]")
    assert section.is_visible()
    text = section.inner_text()
    assert "Dette ville endret det:" in text or "Alle ønskene du ser" in text
    assert "Δ" not in page.locator("main").inner_text().split("Om beregningen")[0]
    found = violations(page)
    assert not found, describe(found)
