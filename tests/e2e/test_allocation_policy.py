"""The region's allocation policy in the browser: the planner changes the queue weight, the run
form starts from the region's values, and both pages pass axe-core."""

from __future__ import annotations

import pytest

from lisplan.allocation.models import AllocationPolicy
from tests.e2e.conftest import axe_violations, describe, screenshot
from tests.e2e.test_allocation import demo, sign_in  # noqa: F401 (fixture)


@pytest.mark.usefixtures("demo")
def test_planner_changes_the_policy(page, live_server):
    base = live_server.url
    sign_in(page, base, "planner")
    page.goto(f"{base}/fordeling/")
    page.get_by_role("link", name="Innstillinger for fordeling (køvekt)").click()
    page.get_by_role("heading", name="Innstillinger for fordeling").wait_for()
    found = axe_violations(page)
    assert not found, f"axe-core on the policy list:\n{describe(found)}"
    page.get_by_role("link", name="Endre innstillingene for").click()
    page.get_by_label("Køvekt (0–1)").fill("2")
    page.get_by_role("button", name="Lagre innstillingene").click()
    page.get_by_text("Køvekten kan ikke være over 1.").first.wait_for()
    found = axe_violations(page)
    assert not found, f"axe-core on the policy form with errors:\n{describe(found)}"
    screenshot(page, "allocation-policy-errors")
    page.get_by_label("Køvekt (0–1)").fill("0,2")
    page.get_by_label("Standard tidsgrense, i sekunder").fill("45")
    page.get_by_role("button", name="Lagre innstillingene").click()
    page.get_by_text("er lagret. Nye kjøringer for regionen bruker dem.").wait_for()
    policy = AllocationPolicy.objects.get()
    assert (policy.queue_weight, policy.time_limit, policy.version) == (0.2, 45, 1)
    page.goto(f"{base}/fordeling/ny/?scope=region:{policy.region_id}")
    assert page.get_by_label("Tidsgrense, i sekunder").input_value() == "45"
    assert page.get_by_text("køvekt 0,2").first.is_visible()
