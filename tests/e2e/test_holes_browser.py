"""Issue 29 in a real browser: a link that asks the console for a huge value, and crafted Explore
links, never take the server down nor show a traceback."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import quote

import pytest

from tests.support import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.browser


def see(page, text: str, timeout: int = 30000) -> None:
    page.get_by_text(text).first.wait_for(timeout=timeout)


class Sampler:
    """The server's memory (its own process and the console's workers) every 50 ms, until stopped."""

    def __init__(self, server):
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.tree_rss_bytes())
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


STOPPED = re.compile(r"needed more than the console's|the console's time limit")


def test_a_huge_value_asked_for_by_link_is_stopped_while_another_page_draws_in_full(fresh_server, browser):
    """`select list(range(100000000))` as a link took the app's process to 7.3 GB for about 100 s."""
    other = browser.new_page()
    other.goto(fresh_server.url + "/")
    wait_for_app(other, "Overview")
    sampler = Sampler(fresh_server)
    attack = browser.new_page()
    attack.goto(fresh_server.url + "/Explore?sql=" + quote("select list(range(100000000))"), wait_until="commit")
    # meanwhile another analyst's page is drawn again, in full
    other.reload()
    wait_for_app(other, "Overview")
    other.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=30000)
    # stopped at its memory limit, or (on a machine busy enough that it grows slowly) at its time limit
    attack.get_by_text(STOPPED).first.wait_for(timeout=60000)
    assert attack.locator('[data-testid="stException"]').count() == 0
    attack.screenshot(path=str(ARTIFACTS / "explore_console_huge_value_1440.png"), full_page=True)
    # the same link again (another analyst, or a reload): the refusal is remembered, nothing runs
    again = browser.new_page()
    again.goto(fresh_server.url + "/Explore?sql=" + quote("select list(range(100000000))"))
    wait_for_app(again, "Explore")
    again.get_by_text(STOPPED).first.wait_for(timeout=30000)
    # and the console still answers
    again.goto(fresh_server.url + "/Explore?sql=" + quote("select count(*) as n from moves"))
    wait_for_app(again, "Explore")
    see(again, "1 row in")
    peak = sampler.stop()
    assert peak < 2 * 2**30, f"the server and its workers reached {peak / 2**20:,.0f} MB"
    print(f"peak memory of the server and its workers: {peak / 2**20:,.0f} MB")
    for p in (other, attack, again):
        p.close()


CRAFTED = [
    "after=" + quote('[{"a":1}]'),
    "table=people&sort=person_id&after=" + quote('[{"a":1},[1]]'),
    "f=seq.gte.1e40",
    "f=seq.gte.1e40&f=certainty.eq.rumor",
    "table=uploads&row=abc",
    "table=uploads&row=1e40",
    "table=fx_rates&row=USD~abc",
    "table=moves&sort=moved_on&before=" + quote('["2024-13-99",["x"]]'),
    "table=uploads&f=upload_id.gte.99999999999999999999",
    "sql=" + quote("select * from pg_settings"),
    "sql=" + quote("select * from duckdb_views"),
    "sql=" + quote("select repeat('x', 10000) from range(1000)"),
]


def test_crafted_explore_links_are_explained_never_a_traceback(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    for query in CRAFTED:
        page.goto(server.url + "/Explore?" + query)
        wait_for_app(page, "Explore")
        assert page.locator('[data-testid="stException"]').count() == 0, query
        notices = page.locator('[data-testid="stAlert"]')
        notices.first.wait_for(timeout=30000)
        text = " ".join(notices.all_inner_texts())
        assert "Traceback" not in text and "/" + "tmp" not in text, (query, text)
    page.screenshot(path=str(ARTIFACTS / "explore_crafted_link_1440.png"), full_page=True)
    page.close()


def test_the_console_csv_keeps_formula_cells_as_text(server, browser):
    """Issue 29: the console's CSV kept `=`, `+`, `-` and `@` cells as formulas a spreadsheet runs."""

    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    sql = "select '=HYPERLINK(\"http://x\")' as a, '+1' as b, '-2' as c, '@SUM(1)' as d, 'plain' as e, -3 as n"
    page.goto(server.url + "/Explore?sql=" + quote(sql))
    wait_for_app(page, "Explore")
    see(page, "1 row in")
    import zipfile

    button = page.locator(".st-key-dl_query_CSV button").first
    with page.expect_download(timeout=60000) as info:
        button.click()
    with zipfile.ZipFile(info.value.path()) as z:
        lines = z.read(next(n for n in z.namelist() if n.endswith(".csv"))).decode("utf-8-sig").splitlines()
    assert lines == ["a,b,c,d,e,n", '"\'=HYPERLINK(""http://x"")",\'+1,\'-2,\'@SUM(1),plain,-3']
    page.close()
