"""Issue 34, watchlists: follow people and firms; the Overview shows what changed for them since the
analyst's last visit, with the data version that brought it; one list per signed-in analyst in team
mode, one list in local mode; the list's own link."""

from __future__ import annotations

import shutil

import pytest

from atlas import load, watch
from atlas.access import LOCAL, Identity
from tests.support import ROOT

MOVE = (
    "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note,seq\n"
    "t-artetxe-meta,mikel-artetxe,reka,meta,2025-02,,joined,netease-2025-meta-superintelligence-bonuses,rumor,,\n"
)


def _load_move(con, tmp_path):
    f = tmp_path / "moves.csv"
    f.write_text(MOVE, encoding="utf-8")
    done = load.load_files(con, {"moves": f}, mode="append", uploader="test")
    assert not done.problems, done.problems
    return done.upload_id


def test_the_owner_of_a_list():
    assert watch.owner_of(LOCAL) == "local"
    assert watch.owner_of(Identity("Ana", "Ana@Example.com", "editor", team=True)) == "ana@example.com"
    assert watch.owner_of(Identity("guest", "", "viewer", team=True)) is None  # a guest keeps no list


def test_follow_then_a_load_is_a_change_with_its_version_and_an_undo_takes_it_back(rw, tmp_path):
    assert watch.follow(rw, "local", "firm", "reka") is True
    assert watch.follow(rw, "local", "firm", "reka") is False  # twice changes nothing
    assert watch.follow(rw, "local", "person", "mu-li") is True
    with pytest.raises(watch.WatchError, match="No firm with id 'no-such-firm'"):
        watch.follow(rw, "local", "firm", "no-such-firm")
    with pytest.raises(watch.WatchError):
        watch.follow(rw, "local", "round", "mistral-seed-2023")
    found = watch.find(rw, owner="local")
    since = int(found["seen_version"])
    assert since == 1  # made at the build's version
    assert watch.changes(rw, found["list_id"], since).empty
    version = _load_move(rw, tmp_path)
    changed = watch.changes(rw, found["list_id"], since)
    assert len(changed) == 1
    row = changed.iloc[0]
    assert (row.version, row.fact, row.person_id) == (version, "move", "mikel-artetxe")
    assert (row.from_firm, row.on_date) == ("Reka AI", "2025-02")
    assert "网易号" in row.source
    # seen at that version: nothing new; a change to someone not followed is not listed
    watch.mark_seen(rw, found["list_id"], version)
    assert watch.changes(rw, found["list_id"], version).empty
    assert watch.unfollow(rw, "local", "firm", "reka") is True
    assert watch.changes(rw, found["list_id"], since).empty  # Artetxe is not followed, Reka no longer
    watch.follow(rw, "local", "firm", "reka")
    assert load.undo(rw, version, "test").problems == []
    assert watch.changes(rw, found["list_id"], since).empty  # undone: gone
    # a link's id is checked before it is looked up
    assert watch.find(rw, list_id="../../etc") is None
    assert watch.find(rw, list_id=found["list_id"])["seen_version"] == version


def test_in_the_app_a_follow_then_a_load_shows_on_the_overview_once(seed_db_path, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from atlas import cache

    db = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    monkeypatch.setenv("ATLAS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["firm"] = "reka"
    at.run()
    at.switch_page("pages/4_People_and_firms.py").run()
    follow = next(b for b in at.button if b.key == "follow_firm_reka")
    assert follow.label == "Follow"
    follow.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert next(b for b in at.button if b.key == "follow_firm_reka").label == "Following: stop"
    at.switch_page("app.py").run()
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Following 0 person(s) and 1 firm(s)" in texts and "Reka AI" in texts
    assert "Nothing new since your last visit (data version 1)" in texts
    list_id = watch.LIST_ID.search(texts.split("?watch=")[1]).group(0)

    # a load by someone else (through the app's own connection: one writer) brings a move out of
    # Reka: the next visit lists it with its version
    version = _load_move(cache.connection(), tmp_path)
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    changes = next(d.value for d in fresh.dataframe if "detail" in d.value.columns)
    assert changes.version.tolist() == [version]
    assert changes.detail.tolist() == ["Reka AI → Meta (Facebook)"]
    assert any("What changed since your last visit (data version 1)" in m.value for m in fresh.markdown)
    # seen now: the visit after says nothing new
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.run()
    assert any(f"Nothing new since your last visit (data version {version})" in c.value for c in again.caption)
    # the list's own link shows it to anyone, since its owner last looked
    shared = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    shared.query_params["watch"] = list_id
    shared.run()
    assert any("since its owner last looked" in c.value for c in shared.caption)
    bad = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    bad.query_params["watch"] = "nosuchlist12"
    bad.run()
    assert any("No watchlist has the id in this link" in w.value for w in bad.warning)


def test_a_guest_in_team_mode_keeps_no_list_and_a_forced_follow_is_refused(rw):
    guest = Identity("guest", "", "viewer", team=True)
    assert watch.owner_of(guest) is None
    # two analysts, two lists: one's follows are not the other's
    watch.follow(rw, "ana@example.com", "firm", "openai")
    watch.follow(rw, "bo@example.com", "person", "yi-tay")
    ana, bo = watch.find(rw, owner="ana@example.com"), watch.find(rw, owner="bo@example.com")
    assert ana["list_id"] != bo["list_id"]
    from atlas import sql

    assert sql.run_query(rw, "watch_items", {"list_id": ana["list_id"]}).entity_id.tolist() == ["openai"]
    assert sql.run_query(rw, "watch_items", {"list_id": bo["list_id"]}).label.tolist() == ["Yi Tay"]
