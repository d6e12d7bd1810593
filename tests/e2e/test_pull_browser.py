"""Issue 41 in Chromium: an analyst pulls from OpenAlex and SEC Form D on the Data page (against a
local server answering in each source's documented format), sees the names and what a commit
would change, commits, and finds the pulled facts with their sources on the profiles, Talent
flows and Funding, beside the note that OpenAlex moves are where papers were written."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from atlas.tools.browser import Server
from tests.source_server import SourceServer
from tests.sources_canned import formd_source, openalex_source
from tests.support import ARTIFACTS, wait_for_app

PAPERS = "Moves from OpenAlex are the institutions a person's papers name, year by year: where papers were written"


@pytest.fixture
def pulled_server(seed_db_path, tmp_path):
    source = SourceServer()
    openalex_source(source)
    formd_source(source)
    db = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = Server(
        db, tmp_path / "streamlit.log", env={"ATLAS_OPENALEX_URL": source.url, "ATLAS_EDGAR_URL": source.url}
    )
    yield server
    server.stop()
    source.close()


def _pull(page, fill: dict[str, str]) -> None:
    for label, value in fill.items():
        page.get_by_role("textbox", name=label, exact=True).fill(value)
    page.get_by_role("button", name="Fetch and preview").click()
    page.get_by_text("No problem found. What a commit would change:").wait_for(timeout=60000)
    page.get_by_role("button", name="Commit the pull").click()
    page.get_by_text(re.compile(r"Pulled as data version \d+")).wait_for(timeout=60000)


def test_an_analyst_pulls_from_both_sources_and_reads_the_facts_on_the_pages(pulled_server, browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 1440, "height": 1400})
    page.goto(pulled_server.url + "/Data")
    wait_for_app(page, "Data")

    page.get_by_role("heading", name="Pull from public sources").wait_for()
    page.get_by_role("textbox", name="Institutions", exact=True).fill("I1")
    page.get_by_role("button", name="Fetch and preview").click()
    # the fetch's own count, the names with their decisions, then what a commit would change
    page.get_by_text("Fetched 3 author(s) and 4 institution(s)").wait_for(timeout=60000)
    page.get_by_text("7 distinct name(s): 1 matched to a stored person or firm").wait_for()
    page.get_by_text("No problem found. What a commit would change:").wait_for()
    page.get_by_text("The pull's moves: 6 row(s)").wait_for()
    page.screenshot(path=str(ARTIFACTS / "data_pull_preview.png"), full_page=True)
    page.get_by_role("button", name="Commit the pull").click()
    page.get_by_text("Pulled as data version 2").wait_for(timeout=60000)

    # the same pull again changes nothing, and says so
    page.get_by_role("button", name="Fetch and preview").click()
    page.get_by_text("Nothing changed: the database already holds this pull.").wait_for(timeout=60000)

    page.get_by_text("SEC Form D: a US startup's rounds and the people it names").click()
    _pull(page, {"Companies": "Boson AI", "Who you are, as the SEC requires": "Talent Atlas test@example.org"})
    page.get_by_text("Pulled as data version 3").wait_for()

    # the person pulled: her career from OpenAlex, cited, with what such a move is
    page.goto(pulled_server.url + "/People_and_firms?person=ada-example")
    wait_for_app(page, "People & firms")
    page.get_by_text("first named in OpenAlex, 2026-11-30: OpenAlex author record: Ada Example").wait_for()
    page.get_by_text(PAPERS).first.wait_for()

    # Talent flows: the pulled moves among the others, and the same note under the moves
    page.goto(pulled_server.url + "/Talent_flows")
    wait_for_app(page, "Talent flows")
    page.get_by_text(PAPERS).first.wait_for(timeout=30000)

    # Funding: the Form D round, its amount sold and the filing as its source
    page.goto(pulled_server.url + "/Funding")
    wait_for_app(page, "Funding")
    button = page.locator(".st-key-dl_rounds_CSV button").first
    button.wait_for(timeout=30000)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60000) as info:
        button.click()
    with zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())) as z:
        table = next(n for n in z.namelist() if n.endswith(".csv"))
        rows = list(csv.DictReader(io.StringIO(z.read(table).decode("utf-8-sig"))))
    lines = [" | ".join(map(str, r.values())) for r in rows]
    filed = [v for v in lines if "SEC Form D of Boson AI" in v]
    assert len(filed) == 2, rows[:3]  # two offerings: two rounds
    sold = next(v for v in filed if "2023-05-01" in v)
    assert re.search(r"\b12,?000,?000(\.0)?\b", sold) and "confirmed" in sold, sold
    page.close()
