"""Issue 34 in Chromium: each insight's link works as the first request to a freshly started server
(money and talent's window, today's lineage), and a follow on a profile lands on the Overview's
watchlist with its own link."""

from __future__ import annotations

import pytest

from tests.support import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.browser


def main_text(page) -> str:  # noqa: ANN001
    return page.locator('[data-testid="stMain"]').inner_text()


def test_the_money_and_talent_window_is_a_link_on_a_fresh_server(fresh_server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 2000})
    page.goto(fresh_server.url + "/Funding?mt_months=24")  # the server's first request
    wait_for_app(page, "Funding")
    box = page.locator('input[aria-label="Months before and after each round"]')
    box.wait_for(timeout=30000)
    assert box.input_value() == "24"
    text = main_text(page)
    assert "Money and talent: who joined and left around each round" in text
    assert "12 dated round(s) and deal(s)" in text and "4 without a date" in text
    assert "mt_months=24" in page.url
    page.screenshot(path=str(ARTIFACTS / "money_talent_24.png"), full_page=True)
    page.close()


def test_todays_lineage_is_a_link_and_says_which(fresh_server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1600})
    page.goto(fresh_server.url + "/Talent_flows?lineage=today&level=firm")
    wait_for_app(page, "Talent flows")
    assert page.get_by_role("radio", name="on today's lineage").is_checked()
    # the one the articles state: Kuaishou's DL department became its MMU group
    page.get_by_text("Counted on today's lineage: Kuaishou DL").first.wait_for(timeout=30000)
    # back to the firms as they stood: the address drops the default
    page.get_by_text("as they stood at the time").first.click()
    page.get_by_text("Counted as the firms stood at the time of each move").first.wait_for(timeout=30000)
    page.wait_for_function("() => !location.search.includes('lineage=')", timeout=30000)
    page.close()


def test_a_follow_lands_on_the_overview_and_the_lists_link_opens_it(fresh_server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 2000})
    page.goto(fresh_server.url + "/People_and_firms?person=yi-tay")
    wait_for_app(page, "People & firms")
    page.wait_for_selector('h2:has-text("Yi Tay")', timeout=30000)
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("button", name="Following: stop").wait_for(timeout=30000)
    page.goto(fresh_server.url + "/")
    wait_for_app(page, "Overview")
    page.get_by_text("Following 1 person(s) and 0 firm(s)").first.wait_for(timeout=30000)
    own = page.get_by_role("link", name="?watch=").first
    href = own.get_attribute("href")
    assert href and "watch=" in href
    list_id = href.split("watch=")[1][:12]
    other = browser.new_page(viewport={"width": 1440, "height": 2000})
    other.goto(fresh_server.url + f"/?watch={list_id}")
    wait_for_app(other, "Overview")
    other.get_by_text("since its owner last looked").first.wait_for(timeout=30000)
    assert "Yi Tay" in main_text(other)
    other.screenshot(path=str(ARTIFACTS / "watchlist_link.png"), full_page=True)
    for p in (page, other):
        p.close()
