"""A followed person's move reaches an inbox and a feed reader within one load, in a real browser:
the analyst turns e-mail alerts on under the Overview's watchlist, an upload on the Data page brings
a move of hers, and a real SMTP server on localhost (aiosmtpd) receives one message, once; the
list's Atom feed (feedparser) lists the change."""

from __future__ import annotations

import shutil
import time
import urllib.request

import duckdb
import feedparser
import pytest
from aiosmtpd.controller import Controller

from atlas import watch
from atlas.tools.browser import Server, _free_port
from tests.support import Inbox, wait_for_app

pytestmark = pytest.mark.browser

SOURCE = "leiphone-2023-mu-li-declines-bytedance"
HEADER = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"


@pytest.fixture(scope="module")
def mailed(seed_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("alerts")
    db = folder / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    con = duckdb.connect(str(db))
    watch.follow(con, "local", "person", "mu-li")
    list_id = str(watch.find(con, owner="local")["list_id"])
    con.close()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    port = _free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nbase_url = "http://127.0.0.1:{port}"\n')
    server = Server(db, folder / "streamlit.log", extra_args=["--secrets.files", str(secrets)], port=port)
    server.inbox, server.list_id, server.folder = inbox, list_id, folder
    yield server
    server.stop()
    controller.stop()


def _upload(page, server, path) -> None:
    page.goto(server.url + "/Data")
    wait_for_app(page, "Data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(path))
    page.wait_for_selector("text=No problem found", timeout=60000)
    page.get_by_label("Your name (recorded with the upload)").fill("Ana")
    page.get_by_role("button", name="Commit the upload").click()
    page.wait_for_selector("text=Every page now shows it", timeout=60000)


def _wait_for(inbox: Inbox, n: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline and len(inbox.messages) < n:
        time.sleep(0.2)


def test_an_upload_that_moves_a_followed_person_is_mailed_once_and_in_the_feed(mailed, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 2000})
    page.goto(mailed.url + "/")
    wait_for_app(page, "Overview")
    # alerts on, at each load, to the address given (local mode)
    page.get_by_text("Feed of this list's changes").wait_for(timeout=30000)
    choice = page.locator('[data-testid="stSelectbox"]').filter(has_text="E-mail me the changes").locator("input")
    choice.click()
    choice.press("ArrowDown")  # a click on a select in a form keeps its list closed here; the keyboard opens it
    page.get_by_role("option", name="at each load").click()
    page.get_by_role("textbox", name="To", exact=True).fill("ana@example.com")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("E-mail alerts are on: ana@example.com, at each load.").wait_for(timeout=30000)

    first = mailed.folder / "moves.csv"
    first.write_text(HEADER + f"up-mu-li,mu-li,boson-ai,nvidia,2026-03,,joined,{SOURCE},reported,\n")
    _upload(page, mailed, first)
    _wait_for(mailed.inbox, 1)
    [msg] = mailed.inbox.messages
    body = msg.get_content()
    assert msg["To"] == "ana@example.com" and "1 change(s) on your watchlist (data version 2)" in msg["Subject"]
    assert "Mu Li (李沐): Boson AI → Nvidia (英伟达) (joined), 2026-03; reported; data version 2" in body
    assert f"{mailed.url}/People_and_firms?person=mu-li" in body and f"?watch={mailed.list_id}" in body

    # a load that moves nobody followed: no second message
    other = mailed.folder / "other.csv"
    other.write_text(HEADER + f"up-other,yi-tay,,nvidia,2026-04,,joined,{SOURCE},reported,\n")
    _upload(page, mailed, other)
    _wait_for(mailed.inbox, 2, seconds=5)
    assert len(mailed.inbox.messages) == 1

    # the feed lists the change with its version
    with urllib.request.urlopen(f"{mailed.url}/api/watch/{mailed.list_id}.atom", timeout=60) as r:
        feed = feedparser.parse(r.read())
    assert [e.title for e in feed.entries] == ["Mu Li (李沐): Boson AI → Nvidia (英伟达) (joined)"]
    assert feed.entries[0].id.endswith(":move:up-mu-li:v2")
    page.close()
