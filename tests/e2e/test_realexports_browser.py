"""Issue 39 in Chromium: the real exports of ../shared/data load from the Data page as they come: the
suggested mapping (with its currency from `raised_amount_usd`), the names to review decided, the
commit; the H-1B file with the one thing it never says, its currency, typed once. Skipped, saying
so, where ../shared/data is absent (never copied into the repository)."""

from __future__ import annotations

import duckdb
import pytest

from tests.support import ARTIFACTS, ROOT, upload_for_mapping, wait_for_app

pytestmark = pytest.mark.browser

DATA = ROOT.parent / "shared" / "data"
needs_data = pytest.mark.skipif(
    not (DATA / "real_rounds.csv").exists(), reason=f"{DATA} is absent: the real exports are not beside the clone"
)


def see(page, text: str, timeout: int = 90000) -> None:  # noqa: ANN001
    page.get_by_text(text).first.wait_for(timeout=timeout)


def selected(page, label: str) -> str:  # noqa: ANN001
    return page.locator(f'input[aria-label="{label}"]').first.input_value()


def constant(page, column: str):  # noqa: ANN001, ANN201 - a Playwright locator
    """The mapping step's "the same for every row" field of one of our columns."""
    return page.locator(f'[class*="st-key-map_const_"][class*="_{column}"] input').first


def _commit(page, version: int) -> None:  # noqa: ANN001
    page.get_by_role("button", name="Use this mapping").click()
    see(page, "First rows of")  # the file as it would load, read in its encoding through the mapping
    see(page, "Names in the upload")
    wait_for_app(page, "Data", timeout_ms=120000)
    decide = page.get_by_role("button", name="Use these decisions")
    if decide.count():
        decide.click()
    see(page, "No problem found", timeout=120000)
    page.get_by_role("button", name="Commit the upload").click()
    see(page, f"Committed as data version {version}", timeout=120000)


@needs_data
def test_the_real_exports_load_from_the_data_page_as_they_come(fresh_server, browser):
    rounds = DATA / "real_rounds.csv"
    for width in (1440, 800):
        page = browser.new_page(viewport={"width": width, "height": 2200})
        upload_for_mapping(page, fresh_server.url, rounds)
        assert selected(page, "Load it as").startswith("rounds by name")
        for ours, theirs in (
            ("firm *", "company_name"),
            ("round_type *", "funding_round_type"),
            ("amount", "raised_amount_usd"),
            ("announced_on", "funded_at"),
        ):
            assert selected(page, ours) == theirs, ours
        assert constant(page, "currency").input_value() == "USD"  # from the column's name, raised_amount_usd
        see(page, "A word of round_type that is none of ours reads as “other”")
        # README's mapping section shows these (docs/mapping_crunchbase_*.png, copied from a run)
        page.screenshot(path=str(ARTIFACTS / f"mapping_crunchbase_{width}.png"), full_page=False)
        if width == 800:
            page.close()
    page = browser.new_page(viewport={"width": 1440, "height": 2200})
    upload_for_mapping(page, fresh_server.url, rounds)
    _commit(page, 2)
    page.close()
    # the H-1B file: its currency typed once, everything else as suggested
    page = browser.new_page(viewport={"width": 1440, "height": 2200})
    upload_for_mapping(page, fresh_server.url, DATA / "real_pay.csv")
    assert selected(page, "Load it as").startswith("pay by name")
    assert constant(page, "kind").input_value() == "base_salary"  # a base salary: the amount's own name
    assert constant(page, "period").input_value() == "per_year"
    currency = constant(page, "currency")
    currency.fill("USD")
    currency.press("Enter")
    wait_for_app(page, "Data")
    _commit(page, 3)
    page.close()
    fresh_server.stop()  # the database to read, which the server holds
    con = duckdb.connect(str(fresh_server.db_path), read_only=True)
    try:
        assert con.execute("select count(*) from funding_rounds where round_id like 'r-%'").fetchone()[0] == 31_616
        assert con.execute("select count(*) from firms where name in ('MiaSolé', 'Jack and Jake’s')").fetchone()[0] == 2
        assert con.execute(
            "select count(*), min(period), max(period) from compensation where comp_id like 'p-%'"
        ).fetchone() == (4_872, "per_year", "per_year")
    finally:
        con.close()
