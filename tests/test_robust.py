"""Uploads under stress: zips, a picked table, the size limit, one bad row among 100,000,
two writers and a reader at once, a process killed mid-commit, and the CLI's modes."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import duckdb
import pytest

from atlas import cli, db, upload
from tests.support import MOVES_HEADER, ROOT, snapshot

SRC = "leiphone-2023-mu-li-declines-bytedance"


def moves_csv(n: int, start: int = 0, bad_at: int | None = None) -> str:
    rows = []
    for i in range(start, start + n):
        date = "2024-13" if i == bad_at else "2024-05"
        rows.append(f"bulk-{i},mu-li,boson-ai,bytedance,{date},,joined,{SRC},rumor,\n")
    return MOVES_HEADER + "".join(rows)


def test_a_zip_of_csvs_is_its_files(rw):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("export/moves.csv", moves_csv(3))
        z.writestr("export/readme.txt", "not a csv")
    staged = upload.stage_upload([("batch.zip", buf.getvalue())])
    assert staged.files.keys() == {"moves"} and staged.labels["moves"] == "batch.zip/moves.csv"
    assert upload.commit(rw, staged, "Ana").ok
    assert rw.execute("select count(*) from moves where move_id like 'bulk-%'").fetchall() == [(3,)]
    broken = upload.stage_upload([("broken.zip", b"PK\x03\x04 not really")])
    assert "cannot be opened as a zip" in broken.problems[0].message


def test_the_analyst_picks_the_table_of_a_file(rw):
    text = "person_id,name\nnew-one,New One\n"
    assert upload.stage_upload([("list.csv", text.encode())]).files.keys() == {"people"}  # by its header
    # the analyst's pick wins over the header, and the checks follow the pick
    staged = upload.stage_upload([("list.csv", text.encode())], {"list.csv": "firms"})
    assert staged.files.keys() == {"firms"}
    problems = {(p.column, p.message) for p in upload.check(rw, staged).problems}
    assert ("firm_id", "required column is missing") in problems


def test_a_file_over_the_limit_is_named_with_the_limit():
    big = b"x" * (upload.MAX_FILE_BYTES + 1)
    staged = upload.stage_upload([("huge.csv", big)])
    assert [(p.file, p.message) for p in staged.problems] == [("huge.csv", upload._limit_message())]
    assert "200 MB upload limit" in upload._limit_message()


def test_one_bad_row_among_100000_rejects_the_whole_file(rw):
    before = snapshot(rw)
    staged = upload.stage_upload([("moves.csv", moves_csv(100_000, bad_at=54_321).encode())])
    result = upload.commit(rw, staged, "Ana")
    assert not result.ok
    # row 54,323 in a spreadsheet: the header is row 1 and bulk-0 row 2
    assert [(p.line, p.column) for p in result.problems] == [(54_323, "moved_on")]
    assert snapshot(rw) == before
    good = upload.stage_upload([("moves.csv", moves_csv(100_000).encode())])
    assert upload.commit(rw, good, "Ana").ok
    assert rw.execute("select count(*) from move_facts where move_id like 'bulk-%'").fetchall() == [(100_000,)]


def test_two_writers_and_a_reader_at_once(rw):
    """The app's sessions share one connection: both uploads land, whole, one after the other,
    and a reader never sees part of one (and it did read while they wrote)."""
    import time

    n = 20_000
    files = [moves_csv(n, start=0), moves_csv(n, start=n)]
    seen: list[tuple[float, int]] = []
    spans: list[tuple[float, float]] = []
    results = []
    stop = threading.Event()

    def write(text: str) -> None:
        staged = upload.stage_upload([("moves.csv", text.encode())])
        start = time.perf_counter()
        results.append(upload.commit(rw, staged, "w"))
        spans.append((start, time.perf_counter()))
        staged.close()

    def read() -> None:
        while not stop.is_set():
            cur = rw.cursor()
            count = cur.execute("select count(*) from moves where move_id like 'bulk-%'").fetchall()[0][0]
            seen.append((time.perf_counter(), count))
            cur.close()

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(f,)) for f in files]
    reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert all(r.ok for r in results), [r.problems for r in results]
    assert sorted(r.upload_id for r in results) == [2, 3]
    assert {c for _, c in seen} <= {0, n, 2 * n}, "a reader saw half an upload"
    first, last = min(s for s, _ in spans), max(e for _, e in spans)
    during = [c for t, c in seen if first < t < last]
    assert len(during) >= 3, f"the reader read {len(during)} time(s) while the uploads were committing"
    assert rw.execute("select count(*) from moves where move_id like 'bulk-%'").fetchall() == [(2 * n,)]


def _kill_load_paused_before(point: str, db_path, csv) -> None:
    """Run `atlas load` in its own process, wait until it stops at `point`, kill it (SIGKILL)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ATLAS_PAUSE_BEFORE": point}
    proc = subprocess.Popen(
        [sys.executable, "-m", "atlas", "load", str(csv), "--db", str(db_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # blocks until the load reaches the point (or exits)
        assert line.strip() == f"atlas: paused before {point}", line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    # killed, it could not remove its staged copy; the next upload of any process sweeps it
    left = list(Path(tempfile.gettempdir()).glob(f"{upload.TEMP_PREFIX}{proc.pid}-*"))
    assert len(left) == 1
    assert left[0] in upload.sweep_orphans() and not left[0].exists()


def test_killing_a_load_mid_commit_leaves_the_previous_state(scratch_db, tmp_path):
    con = duckdb.connect(str(scratch_db))
    before = snapshot(con)
    con.close()
    f = tmp_path / "moves.csv"
    f.write_text(moves_csv(500_000))
    # every row read, checked and inserted; killed just before the commit
    _kill_load_paused_before("commit", scratch_db, f)
    con = db.connect(scratch_db, build_if_missing=False)  # reopens, replays or drops the WAL
    try:
        assert snapshot(con) == before
        assert con.execute("select max(upload_id) from uploads").fetchall() == [(1,)]
        assert db.cache_version(con) == (1, 1)
    finally:
        con.close()


def test_killing_a_load_after_its_derived_tables_before_the_commit_changes_nothing(scratch_db, tmp_path):
    f = tmp_path / "moves.csv"
    f.write_text(moves_csv(1_000))
    # facts and the pages' tables written in one transaction; killed just before it commits
    _kill_load_paused_before("commit", scratch_db, f)
    con = db.connect(scratch_db, build_if_missing=False)
    try:
        assert db.cache_version(con) == (1, 1)
        assert (
            con.execute("select count(*) from moves").fetchall()
            == con.execute("select count(*) from move_facts").fetchall()
        )
        assert con.execute("select count(*) from moves where move_id like 'bulk-%'").fetchall() == [(0,)]
    finally:
        con.close()


def test_derived_tables_behind_their_facts_are_rebuilt_on_connect_and_a_kill_then_keeps_the_facts(scratch_db, tmp_path):
    from atlas import load

    c = duckdb.connect(str(scratch_db))
    f = tmp_path / "moves.csv"
    f.write_text(moves_csv(1_000))
    # as a database left by an older version (facts committed, derived tables behind)
    assert load.load_files(c, {"moves": f}, derive=False).ok
    c.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ATLAS_PAUSE_BEFORE": "derive commit"}
    code = f"from atlas import db; db.connect(__import__('pathlib').Path({str(scratch_db)!r}), build_if_missing=False)"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr.readline().strip() == "atlas: paused before derive commit"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    c = duckdb.connect(str(scratch_db))
    assert db.cache_version(c) == (2, 1)  # the load is in; the pages' tables are of version 1
    assert (
        c.execute("select count(*) from moves").fetchall()[0][0]
        == c.execute("select count(*) from move_facts").fetchall()[0][0] + 1_000
    )
    c.close()
    con = db.connect(scratch_db, build_if_missing=False)  # rebuilds them
    try:
        assert db.cache_version(con) == (2, 2)
        assert (
            con.execute("select count(*) from moves").fetchall()
            == con.execute("select count(*) from move_facts").fetchall()
        )
    finally:
        con.close()


def test_cli_upsert_dry_run_prints_the_diff_and_changes_nothing(scratch_db, tmp_path, capsys):
    f = tmp_path / "people.csv"
    f.write_text(f"person_id,name,name_zh,known_for,origin_country,source_id\nmu-li,Mu Li,李沐,MXNet,US,{SRC}\n")
    assert cli.main(["load", str(f), "--mode", "upsert", "--dry-run", "--db", str(scratch_db)]) == 0
    out = capsys.readouterr().out
    assert "0 new, 1 changed" in out and "origin_country: 'CN' -> 'US'" in out
    assert cli.main(["load", str(f), "--mode", "append", "--db", str(scratch_db)]) == 1
    assert "id already exists" in capsys.readouterr().err
    assert cli.main(["load", str(f), "--mode", "upsert", "--db", str(scratch_db)]) == 0
    con = duckdb.connect(str(scratch_db), read_only=True)
    assert con.execute("select origin_country from people where person_id = 'mu-li'").fetchall() == [("US",)]
    con.close()


# ---------------------------------------------------------------- kill -9 during a merge or an undo


def _facts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Every fact table's row count and a hash of its rows: what a crash may not lose or half-write."""
    from atlas.model import TABLES

    return {
        t.name: tuple(con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {t.name} t").fetchone())
        for t in TABLES
    }


def _kill_paused(args: list[str], point: str) -> bool:
    """Run `python -m atlas ARGS` until it pauses at `point`, then SIGKILL it; False if it never got there."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ATLAS_PAUSE_BEFORE": point}
    proc = subprocess.Popen(
        [sys.executable, "-m", "atlas", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        line = proc.stderr.readline().decode()
        reached = line.strip() == f"atlas: paused before {point}"
        if reached:
            proc.send_signal(signal.SIGKILL)
        return reached
    finally:
        proc.kill()
        proc.wait()


def _refresh_points() -> list[str]:
    from atlas.schema import derived_tables

    return [f"refresh {t}" for t in derived_tables()]


def _after_restart(path) -> tuple[dict, dict]:
    """The facts and the derived tables' disagreements with a full rebuild, after the app reopens
    the database (which finishes an interrupted undo and catches the derived tables up)."""
    from tests.support import differences

    con = db.connect(path, build_if_missing=False)
    try:
        return _facts(con), differences(con)
    finally:
        con.close()


MERGE = ["merge", "person", "mu-li", "alex-smola"]


@pytest.fixture(scope="module")
def merge_states(seed_db_path, tmp_path_factory):
    """The facts before the merge, and after it ran to the end (on a copy)."""
    folder = tmp_path_factory.mktemp("merge-states")
    path = folder / "done.duckdb"
    shutil.copy(seed_db_path, path)
    con = db.connect(path, build_if_missing=False)
    before = _facts(con)
    con.close()
    assert cli.main([*MERGE, "--db", str(path)]) == 0
    con = db.connect(path, build_if_missing=False)
    after = _facts(con)
    con.close()
    assert before != after
    return before, after


@pytest.mark.parametrize("point", [*_refresh_points(), "merge commit"])
def test_killing_a_merge_at_each_step_loses_nothing(merge_states, scratch_db, point):
    """Issue 29: the crash hooks were never reached by a merge. Killed at each step of its
    incremental refresh, the database reopens as before the merge, every derived table equal to a
    full rebuild."""
    before, after = merge_states
    reached = _kill_paused([*MERGE, "--db", str(scratch_db)], point)
    assert reached, f"the merge never reached {point!r}"
    facts, diffs = _after_restart(scratch_db)
    assert facts == before  # one transaction: all or nothing, and it was killed before its commit
    assert diffs == {}


@pytest.fixture(scope="module")
def undo_states(seed_db_path, tmp_path_factory):
    """A database with one upload to undo (new firms, people, sources and moves), its facts
    before the undo, and after it ran to the end (on a copy)."""
    folder = tmp_path_factory.mktemp("undo-states")
    base = folder / "uploaded.duckdb"
    shutil.copy(seed_db_path, base)
    files = {
        "sources": folder / "sources.csv",
        "firms": folder / "firms.csv",
        "people": folder / "people.csv",
        "moves": folder / "moves.csv",
    }
    files["sources"].write_text(
        "source_id,title,publisher,url,published_on,language,kind,title_kind\n"
        "crash-src,Crash test,Tests,https://example.com/crash,2025-01-02,en,article,headline\n",
        encoding="utf-8",
    )
    files["firms"].write_text(
        "firm_id,name,name_zh,kind,country,parent_id,founded_on,source_id\n"
        "crash-parent,Crash Parent,,big_tech,US,,,crash-src\n"
        "crash-lab,Crash Lab,,research_lab,US,crash-parent,,crash-src\n",
        encoding="utf-8",
    )
    files["people"].write_text(
        "person_id,name,name_zh,known_for,origin_country,source_id\ncrash-person,Crash Person,,,US,crash-src\n",
        encoding="utf-8",
    )
    files["moves"].write_text(
        "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note,seq\n"
        "crash-m1,crash-person,,crash-lab,2025-01,,joined,crash-src,reported,,\n"
        "crash-m2,mu-li,,crash-lab,2025-02,,joined,crash-src,rumor,,\n",
        encoding="utf-8",
    )
    from atlas import load

    con = db.connect(base, build_if_missing=False)
    assert load.load_files(con, files, mode="append", uploader="crash test").ok
    before = _facts(con)
    con.close()
    done = folder / "done.duckdb"
    shutil.copy(base, done)
    assert cli.main(["undo", "--db", str(done)]) == 0
    con = db.connect(done, build_if_missing=False)
    after = _facts(con)
    con.close()
    assert before != after
    return base, before, after


UNDO_POINTS = [
    *[f"refresh {t}" for t in ("firm_levels", "move_facts", "person_latest", "investments")],
    "undo commit",
    "undo finish people",
    "undo finish firms",
    "undo finish sources",
    "undo finish refresh",
]


@pytest.mark.parametrize("point", UNDO_POINTS)
def test_killing_an_undo_at_each_step_loses_nothing(undo_states, tmp_path, point):
    """Killed before its first commit, the undo never happened; killed after it, in the steps that
    remove the rows others refer to, the app's next start finishes it (a kill after the firms went
    left them in firm_levels: found by this test). Either way every derived
    table equals a full rebuild and no fact row is lost or half-removed."""
    base, before, after = undo_states
    path = tmp_path / "atlas.duckdb"
    shutil.copy(base, path)
    reached = _kill_paused(["undo", "--db", str(path)], point)
    assert reached, f"the undo never reached {point!r}"
    facts, diffs = _after_restart(path)
    assert facts == (after if point.startswith("undo finish") else before), point
    assert diffs == {}
