"""Uploads under stress: zips, a picked table, the size limit, one bad row among 100,000,
two writers and a reader at once, a process killed mid-commit, and the CLI's modes."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import duckdb

from atlas import cli, db, upload
from tests.conftest import ROOT
from tests.test_load import MOVES_HEADER, snapshot

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


def test_cli_load_while_another_process_holds_the_database_says_busy(scratch_db, tmp_path, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(scratch_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"  # the dashboard's process, in effect
        f = tmp_path / "moves.csv"
        f.write_text(moves_csv(2))
        assert cli.main(["load", str(f), "--db", str(scratch_db)]) == 1
        assert "The database is busy" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    con = duckdb.connect(str(scratch_db), read_only=True)
    assert con.execute("select count(*) from moves where move_id like 'bulk-%'").fetchall() == [(0,)]
    con.close()
