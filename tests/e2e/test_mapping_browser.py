"""Issue 33 in Chromium: a funding export and a people export, with their own column names, load
through the Data page's mapping step; a saved mapping reads the next file of those columns on its own."""

from __future__ import annotations

import pytest

from tests.support import ARTIFACTS, upload_for_mapping, wait_for_app

pytestmark = pytest.mark.browser

FUNDING = """Organization Name,Funding Type,Money Raised,Money Raised Currency,Announced Date,Lead Investors
Reka AI,Series A,"$60,000,000",USD,"Jun 27, 2024","Nvidia, Snowflake"
Moonshot AI,Venture - Series Unknown,1B,USD,2024-02-19,Alibaba
Quiet Harbor Robotics,Seed,€2.5M,EUR,12 March 2025,
"""
PEOPLE = """Full Name,Company,Title,Start Date
Mu Li,Boson AI,Chief Scientist,Mar 2023
Ada Quist,OpenAI,Research Scientist,2024-11-04
"""


def see(page, text: str, timeout: int = 30000) -> None:  # noqa: ANN001
    page.get_by_text(text).first.wait_for(timeout=timeout)


def selected(page, label: str) -> str:  # noqa: ANN001
    """What a selectbox shows."""
    return page.locator(f'input[aria-label="{label}"]').first.input_value()


def _through_review_and_commit(page, version: int, bulk: bool = False) -> None:  # noqa: ANN001
    see(page, "Names in the upload", timeout=60000)
    wait_for_app(page, "Data")
    if bulk:  # the new names accepted at once: nothing else waits for a decision
        page.get_by_text("Decide many at once").click()
        page.get_by_role("button", name="Accept every new name as new").click()
        wait_for_app(page, "Data")
    decide = page.get_by_role("button", name="Use these decisions")
    if decide.count():
        decide.click()
    see(page, "No problem found", timeout=60000)
    page.get_by_role("button", name="Commit the upload").click()
    see(page, f"Committed as data version {version}", timeout=90000)


def test_a_funding_export_and_a_people_export_load_through_the_mapping_step(fresh_server, browser, tmp_path):
    funding = tmp_path / "organizations-funding.csv"
    funding.write_text(FUNDING, encoding="utf-8")
    people = tmp_path / "people export.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    for width in (800, 1440):  # the suggestion at both widths; at 1440 it is then saved and used
        page = browser.new_page(viewport={"width": width, "height": 2400})
        upload_for_mapping(page, fresh_server.url, funding)
        # the suggestion: rounds by name, each of our columns filled from theirs
        assert selected(page, "Load it as").startswith("rounds by name")
        for ours, theirs in (
            ("firm *", "Organization Name"),
            ("amount", "Money Raised"),
            ("announced_on", "Announced Date"),
            ("currency *", "Money Raised Currency"),
        ):
            assert selected(page, ours) == theirs, ours
        see(page, "The first rows as they would load:")
        page.screenshot(path=str(ARTIFACTS / f"mapping_funding_{width}.png"), full_page=True)
        if width == 800:
            page.close()
    page.get_by_label("Save it as").fill("Funding export")
    page.get_by_role("button", name="Save the mapping").click()
    see(page, "Saved as “Funding export”")
    wait_for_app(page, "Data")
    see(page, "Read as rounds by name (one row per funding round) through the saved mapping “Funding export”.")
    _through_review_and_commit(page, 2)
    page.close()
    # the people export: suggested as moves by name, used, reviewed, committed
    page = browser.new_page(viewport={"width": 800, "height": 2400})
    upload_for_mapping(page, fresh_server.url, people)
    assert selected(page, "Load it as").startswith("moves by name")
    page.screenshot(path=str(ARTIFACTS / "mapping_people_800.png"), full_page=True)
    page.close()
    page = browser.new_page(viewport={"width": 1440, "height": 2400})
    upload_for_mapping(page, fresh_server.url, people)
    assert selected(page, "Load it as").startswith("moves by name")
    assert (selected(page, "person *"), selected(page, "to_firm *")) == ("Full Name", "Company")
    page.screenshot(path=str(ARTIFACTS / "mapping_people_1440.png"), full_page=True)
    page.get_by_role("button", name="Use this mapping").click()
    wait_for_app(page, "Data")
    _through_review_and_commit(page, 3, bulk=True)
    page.goto(fresh_server.url + "/People_and_firms?person=mu-li")
    wait_for_app(page, "People & firms")
    see(page, "Chief Scientist")
    page.close()
    # the same columns again, in a new session: read with the saved mapping on its own
    page = browser.new_page(viewport={"width": 800, "height": 2400})
    again = tmp_path / "funding-2.csv"
    again.write_text(FUNDING.replace("Reka AI", "Reka"), encoding="utf-8")
    upload_for_mapping(page, fresh_server.url, again)
    see(page, "through the saved mapping “Funding export”")
    page.screenshot(path=str(ARTIFACTS / "mapping_saved_800.png"), full_page=True)
    page.close()
