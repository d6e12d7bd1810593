"""Being told of a followed person's move within one load: the watchlist's Atom feed (parsed by
feedparser, served by the data API's route) and e-mail over a real SMTP server on localhost
(aiosmtpd), sent once per change, at each load or as a daily digest; the command line's load sends
its own."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import feedparser
import pytest
from aiosmtpd.controller import Controller

from atlas import alerts, load, watch
from atlas.tools.browser import _free_port
from tests.support import ROOT, Inbox

SOURCE = "leiphone-2023-mu-li-declines-bytedance"
HEADER = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.smtp = alerts.Smtp(host="127.0.0.1", port=controller.port, base_url="http://atlas.test")
    yield handler
    controller.stop()


def _move(con, tmp_path, move_id: str, person: str, to_firm: str, when: str) -> int:
    f = tmp_path / f"{move_id}.csv"
    f.write_text(HEADER + f"{move_id},{person},,{to_firm},{when},,joined,{SOURCE},reported,\n", encoding="utf-8")
    done = load.load_files(con, {"moves": f}, mode="append", uploader="test")
    assert not done.problems, done.problems
    return done.upload_id


def test_an_email_tells_a_followed_persons_move_once(rw, scratch_db, tmp_path, inbox):
    watch.follow(rw, "local", "person", "mu-li")
    list_id = str(watch.find(rw, owner="local")["list_id"])
    alerts.subscribe(scratch_db, list_id, "ana@example.com", "load", since_version=1)
    assert alerts.send_due(rw, scratch_db, inbox.smtp) == []  # nothing came in yet
    version = _move(rw, tmp_path, "t-mu-li-nvidia", "mu-li", "nvidia", "2026-05")
    assert alerts.send_due(rw, scratch_db, inbox.smtp) == [("ana@example.com", 1)]
    [msg] = inbox.messages
    assert msg["To"] == "ana@example.com"
    assert f"1 change(s) on your watchlist (data version {version})" in msg["Subject"]
    body = msg.get_content()
    assert "Mu Li" in body and "Nvidia" in body and "2026-05" in body and "reported" in body
    assert "Mu Li (李沐): ? → Nvidia (英伟达) (joined), 2026-05; reported; data version" in body
    assert "Source: AI科技评论 (雷峰网), 2023-03: “独家丨一位 AI 科学家,拒绝了张一鸣开出的千万年薪”" in body
    assert "http://atlas.test/People_and_firms?person=mu-li" in body
    assert f"http://atlas.test/?watch={list_id}" in body
    # the next call, and a load that changes nobody followed: nothing sent again
    assert alerts.send_due(rw, scratch_db, inbox.smtp) == []
    _move(rw, tmp_path, "t-other", "yi-tay", "nvidia", "2026-06")
    assert alerts.send_due(rw, scratch_db, inbox.smtp) == []
    assert len(inbox.messages) == 1
    # another move of hers: only that one is told
    _move(rw, tmp_path, "t-mu-li-meta", "mu-li", "meta", "2026-07")
    assert alerts.send_due(rw, scratch_db, inbox.smtp) == [("ana@example.com", 1)]
    assert "Meta" in inbox.messages[-1].get_content() and "Nvidia" not in inbox.messages[-1].get_content()


def test_a_daily_digest_goes_out_once_a_day(rw, scratch_db, tmp_path, inbox):
    watch.follow(rw, "local", "person", "mu-li")
    list_id = str(watch.find(rw, owner="local")["list_id"])
    alerts.subscribe(scratch_db, list_id, "bo@example.com", "daily", since_version=1)
    now = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)
    _move(rw, tmp_path, "t-1", "mu-li", "nvidia", "2026-05")
    _move(rw, tmp_path, "t-2", "mu-li", "meta", "2026-06")
    assert alerts.send_due(rw, scratch_db, inbox.smtp, now=now) == [("bo@example.com", 2)]
    assert "Daily digest: 2 change(s)" in inbox.messages[0]["Subject"]
    _move(rw, tmp_path, "t-3", "mu-li", "google", "2026-07")
    assert alerts.send_due(rw, scratch_db, inbox.smtp, now=now + dt.timedelta(hours=2)) == []  # not a day yet
    assert alerts.send_due(rw, scratch_db, inbox.smtp, now=now + dt.timedelta(hours=24)) == [("bo@example.com", 1)]
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("bad", ["", "ana", "ana@example", "a b@example.com", "x" * 200 + "@example.com"])
def test_an_alert_needs_one_address(scratch_db, bad):
    with pytest.raises(alerts.AlertError):
        alerts.subscribe(scratch_db, "abcdefghijkm", bad, "load", 1)


def test_the_command_lines_load_sends_its_own_alerts(rw, scratch_db, tmp_path, inbox):
    watch.follow(rw, "local", "firm", "nvidia")
    list_id = str(watch.find(rw, owner="local")["list_id"])
    rw.close()
    alerts.subscribe(scratch_db, list_id, "ana@example.com", "load", since_version=1)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {inbox.smtp.port}\nbase_url = "http://atlas.test"\n')
    f = tmp_path / "moves.csv"
    f.write_text(HEADER + f"t-cli,yi-tay,,nvidia,2026-08,,joined,{SOURCE},reported,\n", encoding="utf-8")
    env = {**os.environ, "ATLAS_SECRETS": str(secrets)}
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "load", str(f), "--db", str(scratch_db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [msg] = inbox.messages
    assert "Yi Tay" in msg.get_content() and "Nvidia" in msg.get_content()
    # `alerts send` (the daily cron job) finds nothing more to tell
    again = subprocess.run(
        [sys.executable, "-m", "atlas", "alerts", "send", "--db", str(scratch_db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and "Nothing due." in again.stdout
    assert len(inbox.messages) == 1


def test_the_watchlists_feed_lists_a_change_after_a_load(scratch_db, tmp_path, monkeypatch):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from atlas import api, cache

    monkeypatch.setenv("ATLAS_DB", str(scratch_db))
    con = cache.connection()
    watch.follow(con, "local", "person", "mu-li")
    list_id = str(watch.find(con, owner="local")["list_id"])
    client = TestClient(Starlette(routes=api.routes()))
    feed = feedparser.parse(client.get(f"/api/watch/{list_id}.atom").text)
    assert feed.feed.title.startswith("Talent Atlas watchlist: 1 person(s)") and feed.entries == []
    version = _move(con, tmp_path, "t-feed", "mu-li", "nvidia", "2026-05")
    answer = client.get(f"/api/watch/{list_id}.atom")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.text)
    assert not feed.bozo
    [entry] = feed.entries
    assert entry.title == "Mu Li (李沐): ? → Nvidia (英伟达) (joined)"
    assert entry.id == f"tag:talent-atlas,{list_id}:move:t-feed:v{version}"
    assert entry.link.endswith("/People_and_firms?person=mu-li")
    assert f"data version {version}" in entry.summary and "reported" in entry.summary
    assert client.get("/api/watch/nosuchlist00.atom").status_code == 404
    cache.connection().close()


def test_a_team_channel_gets_the_changes_through_apprise(rw, scratch_db, tmp_path):
    """A channel of [notify.channels] (apprise: here its json:// poster, to a real HTTP server on
    localhost standing in for Slack or Teams) gets each load's changes once."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    posted: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):  # noqa: ANN002 - quiet
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        secrets = {
            "notify": {
                "base_url": "http://atlas.test",
                "channels": {"AI talent": f"json://127.0.0.1:{server.server_port}/hook"},
            }
        }
        channels = alerts.channels_of(secrets)
        assert channels == {"AI talent": f"json://127.0.0.1:{server.server_port}/hook"}
        watch.follow(rw, "local", "person", "mu-li")
        list_id = str(watch.find(rw, owner="local")["list_id"])
        alerts.subscribe(scratch_db, list_id, alerts.CHANNEL + "AI talent", "load", since_version=1)
        _move(rw, tmp_path, "t-chan", "mu-li", "nvidia", "2026-05")
        base = alerts.base_url_of(secrets)
        assert alerts.send_due(rw, scratch_db, None, channels=channels, base_url=base) == [("channel:AI talent", 1)]
        [post] = posted
        assert "1 change(s) on your watchlist" in post["title"]
        assert "Mu Li (李沐): ? → Nvidia (英伟达) (joined)" in post["message"]
        assert "http://atlas.test/People_and_firms?person=mu-li" in post["message"]
        assert alerts.send_due(rw, scratch_db, None, channels=channels, base_url=base) == []
        assert len(posted) == 1
    finally:
        server.shutdown()
