"""The Explore page in a real browser (issue 21): browse and facet a table, open a row, run a query
and open its link in a new browser context, save it, download the whole database and read it back;
a runaway query or bytes that are not UTF-8 in a link leave the app serving everyone."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from tests.support import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.browser


def see(page, text: str, timeout: int = 30000) -> None:
    try:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    except Exception as exc:  # what the page said instead, in the failure's report (CI keeps no screenshot)
        said = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body).innerText")
        raise AssertionError(f"{text!r} never appeared; the page said:\n{said[-3000:]}") from exc


def copied_link(page) -> str:
    return page.locator('[data-testid="stSidebar"] .atlas-copy-link textarea').input_value().strip()


def test_browse_facet_and_open_a_row(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(server.url + "/Explore?table=moves")
    wait_for_app(page, "Explore")
    see(page, "49 of 49 rows match")
    # a facet's value filters the table and lands in the link
    page.locator("button", has_text="confirmed · 8").first.click()
    see(page, "8 of 49 rows match")
    # the address bar and the copy link both hold the whole view
    page.wait_for_function("() => location.search.includes('f=certainty.eq.confirmed')", timeout=30000)
    for part in ("table=moves", "f=certainty.eq.confirmed"):
        assert part in page.url, page.url
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stSidebar] .atlas-copy-link textarea')]"
        ".some(e => e.value.includes('f=certainty.eq.confirmed'))",
        timeout=30000,
    )
    page.screenshot(path=str(ARTIFACTS / "explore_moves_confirmed_1440.png"), full_page=True)
    page.close()
    # a row page as a link of its own, in a fresh context: the row, its source and who refers to it
    other = browser.new_page(viewport={"width": 800, "height": 1400})
    other.goto(server.url + "/Explore?table=people&row=mu-li")
    wait_for_app(other, "Explore")
    see(other, "Rows that refer to it")
    see(other, "3 in moves, by person_id")
    see(other, "Loads that brought or changed it")
    assert other.locator('[data-testid="stException"]').count() == 0
    other.screenshot(path=str(ARTIFACTS / "explore_row_mu_li_800.png"), full_page=True)
    other.close()


def _csv_of_result(page) -> bytes:
    """The console's CSV, out of its zip (the CSV and its about.txt, which names the query's link)."""
    import zipfile

    button = page.locator(".st-key-dl_query_CSV button").first
    button.wait_for(timeout=30000)
    with page.expect_download(timeout=60000) as info:
        button.click()
    with zipfile.ZipFile(info.value.path()) as z:
        about = z.read("about.txt").decode("utf-8")
        assert "Link to the view:" in about and "sql=" in about
        return z.read(next(n for n in z.namelist() if n.endswith(".csv")))


def test_a_query_runs_and_its_link_reruns_it_elsewhere(fresh_server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(fresh_server.url + "/Explore?tab=SQL+console")
    wait_for_app(page, "Explore")
    box = page.get_by_role("textbox", name="Read-only SQL (DuckDB)")
    box.fill("select certainty, count(*) as n_moves from moves group by certainty order by n_moves desc, certainty")
    box.press("Control+Enter")
    see(page, "2 rows in")
    first = _csv_of_result(page)
    # with a byte-order mark, as every CSV export (Excel reads Chinese right)
    assert first.decode("utf-8-sig").splitlines() == ["certainty,n_moves", "reported,41", "confirmed,8"]
    link = copied_link(page)
    assert "sql=" in link
    page.screenshot(path=str(ARTIFACTS / "explore_console_1440.png"), full_page=True)
    # saved with a name and a note: it sits with the saved views
    wait_for_app(page, "Explore")  # the download's rerun has ended: nothing redraws the form being filled
    page.get_by_text("Save this query").click()
    wait_for_app(page, "Explore")  # the form is drawn and still: a fill during a rerun can be lost
    page.get_by_placeholder("e.g. People who moved twice within a year").fill("Moves per certainty")
    page.get_by_role("textbox", name="Your name").locator("visible=true").first.fill("Tester")
    page.get_by_role("button", name="Save query").click()
    see(page, "Saved. Short link")
    page.close()
    other = browser.new_page()
    other.goto(link)
    wait_for_app(other, "Explore")
    see(other, "2 rows in")
    assert _csv_of_result(other) == first
    other.goto(fresh_server.url + "/")
    wait_for_app(other, "Overview")
    # listed with the saved views (a cell of the table: drawn on a canvas, present in the grid's DOM)
    other.locator('[role="gridcell"]', has_text="?view=moves-per-certainty").first.wait_for(
        state="attached", timeout=30000
    )
    other.close()


def test_the_whole_database_downloads_and_reads_back(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server.url + "/Explore?tab=Download")
    wait_for_app(page, "Explore")
    button = page.locator(".st-key-explore_zip button").first
    button.wait_for(timeout=30000)
    with page.expect_download(timeout=120000) as info:
        button.click()
    assert info.value.suggested_filename.startswith("talent-atlas-v") and info.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())) as z:
        z.extractall(tmp_path)
    con = duckdb.connect()
    assert con.execute(f"select count(*) from '{tmp_path / 'moves.parquet'}'").fetchone()[0] == 49
    assert (
        con.execute(f"select name_zh from '{tmp_path / 'people.parquet'}' where person_id = 'mu-li'").fetchone()[0]
        == "李沐"
    )
    # local mode: the analyst may take the DuckDB file itself too
    button = page.locator(".st-key-explore_duckdb button").first
    with page.expect_download(timeout=120000) as info:
        button.click()
    back = duckdb.connect(info.value.path(), read_only=True)
    assert back.execute("select count(*) from funding_rounds").fetchone()[0] == 16
    back.close()
    page.close()


@pytest.fixture
def slow_limit_server(seed_db_path, tmp_path, monkeypatch):
    """A server whose console stops a query after 30 s (ATLAS_CONSOLE_SECONDS): time enough for
    another page to be drawn while one runs."""
    import shutil

    from atlas.tools.browser import Server

    db = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    monkeypatch.setenv("ATLAS_CONSOLE_SECONDS", "30")
    server = Server(db, tmp_path / "streamlit.log")
    yield server
    server.stop()


def test_a_runaway_query_or_a_bad_link_leaves_the_app_serving(slow_limit_server, browser):
    fresh_server = slow_limit_server
    # another analyst has the Overview open (the server has drawn it once)
    other = browser.new_page()
    other.goto(fresh_server.url + "/")
    wait_for_app(other, "Overview")
    runaway = browser.new_page()
    cross = "select count(*) from moves a, moves b, moves c, moves d, moves e, moves f, moves g"
    runaway.goto(fresh_server.url + "/Explore?sql=" + quote(cross), wait_until="commit")
    # the query box is drawn just before the query runs (the page waits on it for up to 10 s)
    runaway.get_by_role("textbox", name="Read-only SQL (DuckDB)").wait_for(timeout=30000)
    # while the query runs, the other analyst's page is drawn again, in full
    other.reload()
    wait_for_app(other, "Overview")
    other.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=30000)
    assert runaway.get_by_text("Stopped after").count() == 0  # the query was still running
    see(runaway, "Stopped after 30 s", timeout=90000)
    assert runaway.locator('[data-testid="stException"]').count() == 0
    # bytes that are not UTF-8 in a link: explained, nothing breaks
    other.goto(fresh_server.url + "/Explore?sql=%FF%FEselect")
    wait_for_app(other, "Explore")
    assert other.locator('[data-testid="stException"]').count() == 0
    other.close()
    runaway.close()


# every table of the catalog opens by link in AppTest (tests/test_explore.py); in Chromium three of
# them, the link read on a first request and the facet's click written back into the address bar:
# the people, the moves and the load log
@pytest.mark.parametrize("table", ["people", "moves", "uploads"])
def test_every_table_opens_by_link_with_its_rows(server, browser, table):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server.url + f"/Explore?table={table}")
    wait_for_app(page, "Explore")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text(re.compile(r"^\d[\d,]* of \d[\d,]* rows match")).first.wait_for(timeout=30000)
    page.locator('[data-testid="stDataFrame"] >> visible=true').first.wait_for(timeout=30000)
    assert f"table={table}" in page.url
    # every table has a facet: its first value filters the table, and the link says so
    pill = page.locator('[data-testid="stButtonGroup"] button', has_text=" · ").first
    pill.wait_for(timeout=30000)
    n = int(pill.inner_text().rsplit(" · ", 1)[1].replace(",", ""))
    pill.click()
    page.wait_for_function("() => location.search.includes('f=')", timeout=30000)
    page.get_by_text(re.compile(rf"^{n:,} of \d[\d,]* rows match")).first.wait_for(timeout=30000)
    assert f"table={table}" in page.url
    page.close()


def test_an_example_query_runs_lands_in_the_link_and_draws_a_readable_chart(server, browser):
    """Issue 31: picking an example crashed the page (StreamlitAPIException); the result's chart
    was a 20 px strip."""
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(server.url + "/Explore?tab=SQL+console")
    wait_for_app(page, "Explore")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Examples").click()
    page.get_by_role("option", name="Moves per certainty").click()
    see(page, "2 rows in")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_function("() => location.search.includes('sql=')", timeout=30000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=30000)
    box = chart.bounding_box()
    assert box and box["height"] >= 120, box
    page.screenshot(path=str(ARTIFACTS / "explore_console_example_1440.png"), full_page=True)
    page.close()
