"""Team mode in a real browser against a real OpenID Connect provider on localhost: a viewer, an
editor and an admin sign in through the provider's form and each can do what the role allows and
nothing more; every record names the signed-in identity."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.oidc import add_user, sign_in, start_team
from tests.support import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def team(seed_db_path, tmp_path_factory):
    server, provider = start_team(seed_db_path, tmp_path_factory.mktemp("team"))
    yield server
    server.stop()
    provider.stop()


def data_page(page, server):
    page.goto(server.url + "/Data")
    wait_for_app(page, "Data")


def test_a_guest_reads_but_cannot_upload(team, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 2000})
    page.goto(team.url + "/Data")
    wait_for_app(page, "Data")
    page.get_by_text("Reading as a guest").first.wait_for()
    page.get_by_text("Uploads, merges and undo need the editor role").first.wait_for()
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    page.close()


def test_a_viewer_reads_and_saves_views_but_changes_no_data(team, browser):
    page = sign_in(browser, team, "rea@partner.org")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")
    assert "Signed in as Rea Viewer <rea@partner.org> · viewer" in sidebar
    data_page(page, team)
    page.get_by_text("Uploads, merges and undo need the editor role").first.wait_for()
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    assert page.get_by_text("Audit log").count() == 0
    # a view of their own, recorded under the signed-in identity (no name to type)
    page.get_by_text("Save this view").click()
    assert page.locator('input[aria-label="Your name"]').count() == 0
    page.locator('input[aria-label="Name"]').fill("Rea's data view")
    page.get_by_role("button", name="Save view").click()
    page.get_by_text("Saved. Short link").wait_for(timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "signin_viewer_data.png"), full_page=True)
    # and exports
    page.goto(team.url + "/Talent_flows")
    wait_for_app(page, "Talent flows")
    button = page.locator(".st-key-dl_moves_CSV button").first
    button.wait_for(timeout=30000)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60000) as info:
        button.click()
    assert info.value.suggested_filename.endswith(".zip")
    page.close()


def test_an_editor_uploads_and_undoes_their_own_upload(team, browser, tmp_path):
    page = sign_in(browser, team, "bo@example.com")
    data_page(page, team)
    path = tmp_path / "people.csv"
    path.write_text("person_id,name\nbo-test-person,Bo Test Person\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("No problem found").wait_for(timeout=30000)
    assert page.get_by_text("Replace: each file becomes its whole table").count() == 0  # an admin's mode
    page.get_by_text("Recorded as uploaded by Bo Editor").wait_for()
    page.get_by_role("button", name="Commit the upload").click()
    page.get_by_text("Committed as data version").first.wait_for(timeout=30000)
    data_page(page, team)
    page.get_by_text("Undo the latest upload").click()
    page.get_by_text("Yes, undo data version").click()
    page.get_by_role("button", name="Undo", exact=True).click()
    page.get_by_text("undone (recorded as version").wait_for(timeout=30000)
    # a second upload, left for the admin to undo
    data_page(page, team)
    path.write_text("person_id,name\nbo-second-person,Bo Second Person\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("No problem found").wait_for(timeout=30000)
    page.get_by_role("button", name="Commit the upload").click()
    page.get_by_text("Committed as data version").first.wait_for(timeout=30000)
    page.close()


def test_an_admin_may_replace_and_reads_the_audit_log_naming_everyone(team, browser, tmp_path):
    page = sign_in(browser, team, "ana@example.com")
    data_page(page, team)
    path = tmp_path / "people.csv"
    path.write_text("person_id,name\nana-test-person,Ana Test Person\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("Replace: each file becomes its whole table").wait_for(timeout=30000)  # an admin's mode
    page.get_by_text("Audit log").click()
    # in the log's grid: the names, and (for admins only) their addresses
    for who in ("Bo Editor", "bo@example.com", "Rea Viewer", "rea@partner.org"):
        page.get_by_text(who).first.wait_for(state="attached", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "signin_admin_audit.png"), full_page=True)
    # the admin undoes the editor's upload...
    data_page(page, team)
    page.get_by_text("Undo the latest upload").click()
    page.get_by_text("Yes, undo data version").click()
    page.get_by_role("button", name="Undo", exact=True).click()
    page.get_by_text("undone (recorded as version").wait_for(timeout=30000)
    # ...and deletes the viewer's saved view
    page.goto(team.url + "/")
    wait_for_app(page, "Overview")
    expect(page.get_by_text("Rea's data view").first).to_be_attached(timeout=30000)  # the viewer's view is there
    page.get_by_text("Delete a saved view").click()
    picker = page.locator('input[aria-label="Saved view to delete"]')
    picker.wait_for(timeout=30000)
    picker.click()
    page.keyboard.type("rea-s-data-view", delay=20)
    page.keyboard.press("Enter")
    page.get_by_text("for everyone").click()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("Rea's data view")).to_have_count(0, timeout=30000)
    page.close()


def test_a_tampered_identity_cookie_signs_nobody_in(team, browser):
    page = sign_in(browser, team, "bo@example.com")
    context = page.context
    cookies = context.cookies()
    user = [c for c in cookies if c["name"] == "_streamlit_user"]
    assert user, [c["name"] for c in cookies]
    forged = {**user[0], "value": user[0]["value"][:-6] + "AAAAAA"}
    context.clear_cookies()
    context.add_cookies([forged])
    data_page(page, team)
    page.get_by_text("Reading as a guest").first.wait_for(timeout=30000)
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    page.close()


def test_an_unverified_address_signs_in_as_a_guest_not_as_its_owner(team, browser):
    """Issue 29: a token with Ana's address and email_verified=false got Ana's admin role. The
    provider here signs Mallory in with Ana's address, unverified."""
    add_user(team.provider_url, "mallory", {"email": "ana@example.com", "email_verified": False, "name": "Mallory"})
    page = sign_in(browser, team, "mallory", signed_in="has not verified the address")
    # the address is shown as text (a word joiner keeps it from turning into a link)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")
    assert "has not verified the address ana@example.com" in sidebar
    assert page.get_by_text("Signed in as").count() == 0
    data_page(page, team)
    page.get_by_text("Uploads, merges and undo need the editor role").first.wait_for()
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    assert page.get_by_text("Audit log").count() == 0
    page.screenshot(path=str(ARTIFACTS / "signin_unverified_data.png"), full_page=True)
    page.close()


def test_a_claim_of_the_wrong_type_refuses_the_sign_in(team, browser):
    """Issue 45: a verified `email` sent as a JSON list signed in as the text "['ana@example.com']"."""
    add_user(team.provider_url, "listy", {"email": ["ana@example.com"], "email_verified": True, "name": "Listy"})
    page = sign_in(browser, team, "listy", signed_in="Sign-in refused")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "`email`" in text or "email" in text
    assert page.get_by_text("Signed in as").count() == 0 and "['ana@example.com']" not in text
    # refused whole: no page is drawn under it (the page stops at the refusal), nothing can be written
    page.goto(team.url + "/Data")
    page.get_by_text("Sign-in refused").first.wait_for(timeout=60000)
    assert page.locator('h1:has-text("Data")').count() == 0
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "signin_malformed_claim.png"), full_page=True)
    page.close()


def _follow(page, server, firm_id: str, name: str) -> None:
    page.goto(server.url + f"/People_and_firms?firm={firm_id}")
    wait_for_app(page, "People & firms")
    page.wait_for_selector(f'h2:has-text("{name}")', timeout=30000)
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("button", name="Following: stop").wait_for(timeout=30000)


def test_each_signed_in_analyst_keeps_a_watchlist_of_their_own_and_a_guest_none(team, browser):
    bo = sign_in(browser, team, "bo@example.com")
    _follow(bo, team, "reka", "Reka AI")
    rea = sign_in(browser, team, "rea@partner.org")
    _follow(rea, team, "mistral-ai", "Mistral AI")
    for page, mine, theirs in ((bo, "Reka AI", "Mistral AI"), (rea, "Mistral AI", "Reka AI")):
        page.goto(team.url + "/")
        wait_for_app(page, "Overview")
        page.get_by_text("Following 0 person(s) and 1 firm(s)").first.wait_for(timeout=30000)
        listed = page.get_by_text("Following 0 person(s) and 1 firm(s)").first.inner_text()
        assert mine in listed and theirs not in listed
        page.get_by_text("Nothing new since your last visit").first.wait_for()
    bo.screenshot(path=str(ARTIFACTS / "watchlist_team_bo.png"), full_page=True)
    # a guest reads everything but keeps no list, and the profile offers no button
    guest = browser.new_page(viewport={"width": 1440, "height": 2000})
    guest.goto(team.url + "/")
    wait_for_app(guest, "Overview")
    guest.get_by_text("Sign in to keep a watchlist").first.wait_for()
    guest.goto(team.url + "/People_and_firms?firm=reka")
    wait_for_app(guest, "People & firms")
    guest.get_by_text("Sign in to follow people and firms").first.wait_for()
    assert guest.get_by_role("button", name="Follow").count() == 0
    for page in (bo, rea):
        page.close()
    guest.close()
