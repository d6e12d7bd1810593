"""Warm at publication (issue 44, atlas.warm): before `CURRENT` moves, every serving process opens
its views on the next snapshot (every page's default and the views its analysts opened most), so
the first analyst after a load finds them computed. Only a run with the publication's one-time
token reads the next snapshot; every other run reads the current one until it moves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from atlas import load, pages, snapshots, warm
from atlas.tools.browser import Server
from tests.support import ROOT

HEADER = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
ROW = "warm-{i},mu-li,boson-ai,bytedance,2024-0{m},,joined,leiphone-2023-mu-li-declines-bytedance,confirmed,\n"


@pytest.fixture
def served(seed_db_path, tmp_path):
    """One `streamlit run` serving a store's snapshots (as `python -m atlas serve` starts each)."""
    master = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, master)
    store = snapshots.Store(tmp_path / "atlas.snapshots", master)
    store.publish()
    env = {snapshots.FOLDER_ENV: str(store.folder), warm.SWITCH: "on"}  # the suite's servers run with it off
    server = Server(master, tmp_path / "streamlit.log", env=env)
    yield store, server
    server.stop()


def moves_shown(server: Server, token: str = "") -> str:
    """The Overview's Moves metric as a new tab draws it (with a warm-up's token, if given)."""
    shown: dict[str, str] = {}
    got = warm.run_async(
        lambda: warm.open_view(
            server.url.replace("http://", "ws://") + "/_stcore/stream",
            "Overview",
            "",
            "",
            {warm.HEADER: token} if token else None,
            metrics=shown,
        )
    )
    assert not got.error, got.error
    return next(v for k, v in shown.items() if k.startswith("Moves"))


def test_a_publication_warms_each_serving_process_on_the_next_snapshot_before_it_is_current(
    served, tmp_path, monkeypatch
):
    store, server = served
    monkeypatch.setenv(warm.SWITCH, "on")  # this process publishes
    before = moves_shown(server)
    # an analyst opens a filtered view twice: the process counts it among the views it serves most
    ws = server.url.replace("http://", "ws://") + "/_stcore/stream"
    for _ in range(2):
        got = warm.run_async(
            lambda: warm.open_view(ws, "flows", "Talent_flows", {"level": "firm", "certainty": "confirmed"})
        )
        assert not got.error, got.error
    entry = json.loads(next((store.folder / warm.PROCS).glob("*.json")).read_text())
    assert entry["port"] == server.port
    assert ["Talent_flows", "certainty=confirmed&level=firm", 2] in entry["views"]
    assert ["", "", 1] in entry["views"]  # the Overview, opened once above

    # while the warm-up runs, the next snapshot is read only by runs that show its token
    seen: dict[str, str] = {}
    warm_processes = warm.warm_processes

    def watched(folder, token, seconds=warm.WARM_SECONDS):  # noqa: ANN001, ANN202
        out = warm_processes(folder, token, seconds)
        assert store.current().name < (store.folder / warm.NEXT).read_text().split()[0]  # not yet current
        seen["token"], seen["without"] = moves_shown(server, token), moves_shown(server)
        seen["wrong"] = moves_shown(server, token[:-2] + "xx")
        return out

    monkeypatch.setattr(warm, "warm_processes", watched)
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + "".join(ROW.format(i=i, m=1 + i) for i in range(3)))
    with store.writing() as con:
        assert load.load_files(con, {"moves": csv}, mode="append", uploader="test").ok
    # every page's default view and the process's two most opened views, each without an error
    assert store.warmed.processes == 1 and not store.warmed.errors, store.warmed.said()
    assert store.warmed.views == len(pages.PAGES) + 1, store.warmed.said()  # the Overview's default counted once
    assert seen["token"] != before and seen["without"] == before and seen["wrong"] == before, (before, seen)
    assert moves_shown(server) == seen["token"]  # published: every run reads it now
    assert not (store.folder / warm.NEXT).exists()  # the token is spent


def test_the_command_line_says_what_the_warm_up_cost_and_a_gone_process_is_forgotten(served, tmp_path):
    store, server = served
    # a process that said it serves these snapshots and has gone since
    gone = store.folder / warm.PROCS
    gone.mkdir(parents=True, exist_ok=True)
    (gone / "999999999.json").write_text(json.dumps({"pid": 999999999, "port": 1, "views": []}))
    ws = server.url.replace("http://", "ws://") + "/_stcore/stream"
    warm.run_async(lambda: warm.open_view(ws, "Data", "Data", {}))
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + ROW.format(i=1, m=1))
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "load", str(csv), "--db", str(store.master)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ATLAS_DB": str(store.master), snapshots.FOLDER_ENV: str(store.folder), warm.SWITCH: "on"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in done.stdout.splitlines() if line.startswith("Published for the team:")]
    assert len(said) == 1 and f"warmed {len(pages.PAGES)} views in 1 process(es) in " in said[0], done.stdout
    assert "failed" not in said[0]
    assert not (gone / "999999999.json").exists()  # the gone process is no longer warmed


def test_a_warm_up_that_fails_never_holds_back_the_publication(seed_db_path, tmp_path, monkeypatch):
    """A commit is published even when its warm-up breaks; the failure is said, the token spent."""
    master = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, master)
    store = snapshots.Store(tmp_path / "atlas.snapshots", master)
    store.publish()
    procs = store.folder / warm.PROCS
    procs.mkdir()
    # a process that says it serves these snapshots (this one: it runs)
    (procs / f"{os.getpid()}.json").write_text(json.dumps({"pid": os.getpid(), "port": 1, "views": []}))
    monkeypatch.setenv(warm.SWITCH, "on")

    def broken(folder, token, seconds=warm.WARM_SECONDS):  # noqa: ANN001, ANN202
        raise RuntimeError("the event loop is gone")

    monkeypatch.setattr(warm, "warm_processes", broken)
    before = store.current()
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + ROW.format(i=1, m=1))
    with store.writing() as con:
        assert load.load_files(con, {"moves": csv}, mode="append", uploader="test").ok
    assert store.current() != before and snapshots.version_of(store.current()) > snapshots.version_of(before)
    assert store.warmed.errors == ["the warm-up stopped: the event loop is gone"], store.warmed.said()
    assert "1 failed" in store.warmed.said()
    assert not (store.folder / warm.NEXT).exists()
