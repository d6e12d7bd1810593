"""The read-only snapshots several server processes read (atlas.snapshots): publication is
atomic and versioned, a snapshot a process still reads is kept, one writer at a time, and a write
through the store is seen by a reader opened after it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from atlas import db, snapshots
from tests.support import ROOT

HEADER = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
ROW = "up-{i},mu-li,boson-ai,bytedance,2026-02,,joined,leiphone-2023-mu-li-declines-bytedance,rumor,\n"


@pytest.fixture
def store(seed_db_path, tmp_path) -> snapshots.Store:
    master = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, master)
    s = snapshots.Store(tmp_path / "atlas.snapshots", master)
    s.publish()
    return s


def _moves(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from moves").fetchone()[0]


def test_a_publication_is_a_read_only_copy_named_by_its_version(store):
    current = store.current()
    assert current is not None and current.name.startswith("atlas-v00000001-")
    reader = snapshots.open_current(store)
    try:
        assert _moves(reader.con) == 49
        with pytest.raises(duckdb.Error):  # read-only: nothing writes to a snapshot
            reader.con.execute("delete from moves")
    finally:
        reader.close()
    # the master is held by no one: another process may open it (a second reader of it would not)
    duckdb.connect(str(store.master)).close()


def test_a_write_publishes_the_next_version_and_a_reader_keeps_its_own(store, tmp_path):
    from atlas import upload

    old = snapshots.open_current(store)
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + ROW.format(i=1))
    with store.writing() as con, upload.stage_upload([("moves.csv", csv)]) as staged:
        assert upload.commit(con, staged, "test").ok
    assert store.current().name.startswith("atlas-v00000002-")
    new = snapshots.open_current(store)
    try:
        assert _moves(new.con) == 50
        # the old reader still reads its snapshot, unchanged, and it is not swept while read
        assert _moves(old.con) == 49
        assert old.path.exists() and store.sweep() == []
    finally:
        old.close()
    # no process reads it any more: the next sweep removes it, never the current one
    assert store.sweep() == [old.path]
    assert not old.path.exists() and store.current().exists()
    new.close()
    assert store.snapshots() == [store.current()]


def test_a_failed_write_changes_nothing_and_publishes_the_same_data(store):
    before = store.current()
    with pytest.raises(RuntimeError), store.writing() as con:
        con.execute("begin transaction")
        con.execute("delete from moves")
        raise RuntimeError("the write failed before its commit")
    reader = snapshots.open_current(store)
    try:
        assert _moves(reader.con) == 49
        assert db.data_version(reader.con) == 1
    finally:
        reader.close()
    assert store.current() != before  # published again: whatever the block committed is never lost


def test_one_writer_at_a_time_and_a_clear_refusal_after_the_wait(store):
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store.write_lock():
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    started = time.monotonic()
    with pytest.raises(db.Busy, match="write lock"), store.write_lock(wait=0.3):
        pass
    assert time.monotonic() - started >= 0.3
    release.set()
    t.join()
    with store.write_lock(wait=1):  # free again
        pass


def test_the_command_line_load_publishes_when_the_database_is_served(store, tmp_path):
    # the store beside the master (the default folder of `python -m atlas serve`) is found by the
    # command line, which takes the write lock and publishes
    served = snapshots.default_folder(store.master)
    store.folder.rename(served)
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + ROW.format(i=7))
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "load", str(csv), "--db", str(store.master)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    moved = snapshots.Store(served, store.master)
    reader = snapshots.open_current(moved)
    try:
        assert _moves(reader.con) == 50
    finally:
        reader.close()


def test_two_processes_write_the_consoles_parquet_copy_of_one_version_at_once(store):
    # every server process exports the version its console reads; two at once must both end with
    # the whole folder, and a copy another living process is still writing is left alone, while one
    # whose process is gone (a kill) is removed (issue 45)
    from atlas import console

    root = console.snapshot_root(store.master)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    foreign = root / f"v1.partial-{other.pid}"
    foreign.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    crashed = root / f"v1.partial-{dead.pid}"
    crashed.mkdir()
    script = (
        "import sys, duckdb; from pathlib import Path; from atlas import console; "
        "con = duckdb.connect(sys.argv[1], read_only=True); "
        "v, folder = console.snapshot(con, Path(sys.argv[2])); print(folder)"
    )
    snap = str(store.current())
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, snap, str(store.master)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outs[0] == outs[1] == str(root / "v1")
    assert (root / "v1" / "done").is_file()
    assert {p.name for p in (root / "v1").glob("*.parquet")} == {f"{t}.parquet" for t in console.SNAPSHOT_TABLES}
    try:
        assert foreign.exists()  # a living process's, and recent: left alone
        assert not crashed.exists()  # its process is gone: a crash's leftover
        assert list(root.glob("v1.partial-*")) == [foreign]  # neither writer left its own copy behind
    finally:
        other.kill()
        other.wait()


def test_a_sweep_beside_a_publication_never_removes_the_snapshot_being_published(store):
    current = store.current()
    # a publication under way: its file is there, CURRENT does not name it yet
    newer = store.folder / f"atlas-v00000002-{int(current.name.split('-')[2].split('.')[0]) + 1}.duckdb"
    newer.write_bytes(current.read_bytes())
    assert store.sweep() == []
    assert newer.exists() and current.exists()
