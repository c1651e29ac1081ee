"""The header fits one line at 1280 px for every demo role (what does not fit is under «Mer»),
the «Mer» menu and the one «Til signering» page pass axe-core."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_roles import ROLES, assert_accessible, demo, sign_in  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _header_rows(page) -> tuple[int, float]:
    """(distinct tops of the header's items, header height) — one line means one top."""
    return page.evaluate("""() => {
        const inner = document.querySelector('.lp-header__inner');
        const parts = [document.querySelector('.lp-brand'),
                       ...document.querySelectorAll('.lp-nav > ul > li:not(.lp-nav__narrow)'),
                       document.querySelector('.lp-header__tools')];
        const mids = parts.map(p => { const r = p.getBoundingClientRect();
                                      return Math.round((r.top + r.bottom) / 2 / 8); });
        return [new Set(mids).size, inner.getBoundingClientRect().height];
    }""")


def test_header_is_one_line_for_every_role_and_menus_are_accessible(browser, live_server, demo):  # noqa: F811
    base = live_server.url
    for role in ROLES:
        context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, base, role)
        rows, height = _header_rows(page)
        assert rows == 1 and height < 90, f"{role}: header in {rows} rows, {height}px high"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, role
        nav = page.get_by_role("navigation", name="Hovedmeny")
        more = nav.locator("summary")
        if more.count():
            more.click()
            assert nav.locator("details ul a").first.is_visible()
            screenshot(page, f"nav-more-{role}")
            assert_accessible(page, f"the open «Mer» menu of {role}")
            more.click()
        to_sign = nav.get_by_role("link", name="Til signering", exact=True)  # visible only
        if not to_sign.count() and more.count():
            more.click()
        if to_sign.count():
            to_sign.click()
            page.wait_for_url(f"{base}/planer/til-signering/")
            assert page.get_by_role("heading", level=1).inner_text() == "Til signering"
            screenshot(page, f"to-sign-{role}")
            assert_accessible(page, f"the to-sign page of {role}")
        context.close()
