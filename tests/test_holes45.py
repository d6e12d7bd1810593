"""Issue 45, the holes an adversarial test found in the team layout and the console: each case
here failed before the fix. The browser half (the console's links and the server's memory, a
mapping's name on the page, a sign-in claim of the wrong type) is in tests/e2e/test_holes45_browser.py."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tracemalloc

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from atlas import cli, console, db, export, mapping, sandbox, snapshots, urlvalues, watch
from atlas.access import CLAIM_TYPES, malformed_claim
from tests.support import ROOT

HEADER = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
ROW = "up-{i},mu-li,boson-ai,bytedance,2026-02,,joined,leiphone-2023-mu-li-declines-bytedance,rumor,\n"

# the issue's console links: small as Arrow, gigabytes once converted to Python objects
NULL_STRUCTS = (
    "select i, list_transform(range(1000000), lambda x: {'a': NULL}) as x from range(10*2048) t(i) where i % 2048 = 0"
)
NULL_LIST = "select list_resize([NULL], 100000000) as x"


@pytest.fixture
def app_con(scratch_db):
    con = db.connect(scratch_db)
    yield con, scratch_db
    con.close()


# ---------------------------------------------------------------- the console's results


@pytest.mark.parametrize("text", [NULL_STRUCTS, NULL_LIST])
def test_a_result_small_as_arrow_but_huge_as_objects_is_refused_before_the_app_holds_it(app_con, text):
    con, path = app_con
    console.run(con, path, "select 1")  # the snapshot and a worker exist: what follows is the query alone
    tracemalloc.start()
    try:
        with pytest.raises(console.Stopped) as stopped:
            console.run(con, path, text)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # refused in the worker (by its size as the page would hold it, or at the worker's memory limit)
    assert "counted as the page holds it" in str(stopped.value) or "of memory" in str(stopped.value)
    assert peak < 64 * 2**20, f"the app allocated {peak / 2**20:.0f} MB for a refused result"


def test_the_held_size_bounds_what_pandas_really_holds(app_con):
    """The estimate the cap and the cache count is an upper bound of the converted frame, and not
    a wild one (within 4x) for nested values, text and numbers."""
    cases = {
        "structs": "select i, [{'a': i, 'b': 'x' || i} for _ in range(50)] as s from range(200) t(i)",
        "nulls": "select [NULL for _ in range(2000)] as n from range(100)",
        "text": "select i, repeat('ab', 40) as t from range(1000) t(i)",
        "lists of numbers": "select i, range(100) as r from range(300) t(i)",
    }
    c = duckdb.connect()
    for name, sql in cases.items():
        table = c.sql(sql).to_arrow_table()
        tracemalloc.start()
        frame = table.to_pandas()
        held, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        estimate = sandbox.table_held_bytes(table)
        assert estimate >= held, (name, estimate, held)
        assert estimate <= 4 * max(held, table.nbytes) + 64 * 1024, (name, estimate, held)
        del frame


def test_the_result_cache_counts_what_a_result_holds(app_con):
    con, path = app_con
    sql = "select i, [{'a': NULL} for _ in range(200)] as x from range(50) t(i)"
    before = console._results.size
    result = console.cached_run(con, path, sql, db.cache_version(con))
    counted = console._results.size - before
    # pandas' own count sees 50 pointers; the cache counts 10,000 dicts
    assert result.held > 10_000 * 200
    assert counted >= result.held > int(result.frame.memory_usage(deep=True).sum()) * 10


UNSHOWABLE = {
    "select union_value(t := 1) as u": "1",
    "select '5877642-06-25'::date as d": "5877642-06-25",
    "select '-infinity'::date as d": "-infinity",
    "select 'infinity'::timestamp as d": "infinity",
    "select interval 1 day as i": "1 day",
    "select {} as s": "{}",
    "select [interval 2 day] as l": "[2 days]",
    "select {'a': union_value(n := 2)} as s": "{'a': 2}",
}


@pytest.mark.parametrize("sql", UNSHOWABLE)
def test_values_the_app_cannot_show_or_write_come_as_the_databases_text(app_con, sql):
    con, path = app_con
    result = console.run(con, path, sql)
    assert result.frame.iloc[0, 0] == UNSHOWABLE[sql]
    assert result.as_text == (result.frame.columns[0],)
    # and every way out of the page works: the table's Arrow, the CSV and the Parquet download
    pa.Table.from_pandas(result.frame)
    assert UNSHOWABLE[sql] in export.to_csv(result.frame, translate_header=False).decode("utf-8-sig")
    out = io.BytesIO()
    result.frame.to_parquet(out, index=False)
    assert pd.read_parquet(io.BytesIO(out.getvalue())).iloc[0, 0] == UNSHOWABLE[sql]


def test_ordinary_values_keep_their_types_and_repeated_names_their_places(app_con):
    con, path = app_con
    result = console.run(con, path, "select date '2024-03-01' as d, 2 as n, interval 3 day as n, [1, 2] as l")
    assert result.as_text == ("n_1",)  # DuckDB names a repeated column apart
    assert list(result.frame.columns) == ["d", "n", "n_1", "l"]
    assert str(result.frame.iloc[0, 0])[:10] == "2024-03-01" and result.frame.iloc[0, 1] == 2
    assert result.frame.iloc[0, 2] == "3 days" and list(result.frame.iloc[0, 3]) == [1, 2]


def test_no_function_shows_a_views_definition_or_the_servers_paths(app_con):
    con, path = app_con
    issue = "select i, pg_get_viewdef(i) as d from range(20000,30000) t(i) where d is not null limit 20"
    with pytest.raises(console.Refused, match="pg_get_viewdef"):
        console.run(con, path, issue)
    # the sweep: every macro of DuckDB's own list whose body reads its catalog or settings is refused
    rows = (
        duckdb.connect()
        .execute(
            "select distinct function_name, function_type, macro_definition from duckdb_functions() "
            "where function_type in ('macro', 'table_macro')"
        )
        .fetchall()
    )
    reads_catalog = [name for name, _t, body in rows if console._CATALOG_WORDS.search(body or "")]
    assert {"pg_get_viewdef", "pg_get_constraintdef"} <= set(reads_catalog)
    for name, kind, _body in rows:
        if name not in reads_catalog and name not in console.catalog_macros():
            continue
        text = f"select * from {name}()" if kind == "table_macro" else f"select {name}(1) as x"
        with pytest.raises(console.Refused):
            console.check(text)
    # and what is allowed shows no path: a view's SQL is nowhere in a result
    version, folder = console.snapshot(con, path)
    frame = console.run(con, path, "select * from people limit 5").frame
    assert str(folder.resolve()) not in frame.to_csv()


# ---------------------------------------------------------------- crafted links


def test_a_link_value_is_bounded_in_depth_and_must_be_text():
    assert urlvalues.json_value('[null, ["mu-li"]]') == [None, ["mu-li"]]
    for bad in ("[" * 1000 + "]" * 1000, '["\\ud800", ["mu-li"]]', '{"a": "\\udc00"}', "[1]" * 5000, 5):
        with pytest.raises(ValueError):
            urlvalues.json_value(bad)
    assert urlvalues.json_value('["[[[[[[", ["]]]]"]]') == ["[[[[[[", ["]]]]"]]  # brackets in a text are text


def _explore(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/6_Explore.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    "params",
    [
        {"after": DEEP},
        {"table": "people", "sort": "-name", "after": DEEP},
        {"before": DEEP},
        {"table": "people", "sort": "name", "after": '["\\ud800",["mu-li"]]'},
        {"table": "people", "after": '["\\ud800",["mu-li"]]'},
    ],
)
def test_a_crafted_page_position_is_explained_never_a_traceback(seed_db_path, monkeypatch, params):
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = _explore(params)
    assert not at.exception, [e.message for e in at.exception]
    notice = " ".join(w.value for w in at.warning)
    assert "is not one this page wrote" in notice


def test_a_valid_watch_link_is_not_reported_as_ignored(scratch_db, monkeypatch):
    con = db.connect(scratch_db)
    try:
        list_id = watch.ensure_list(con, "local")
        watch.follow(con, "local", "firm", "reka")
    finally:
        con.close()
    monkeypatch.setenv("ATLAS_DB", str(scratch_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["watch"] = list_id
    at.run()
    assert not at.exception
    assert not [w.value for w in at.warning if "watch" in w.value], [w.value for w in at.warning]
    assert any("Following 0 person(s) and 1 firm(s)" in m.value for m in at.markdown)


# ---------------------------------------------------------------- mappings and sign-in claims


def test_a_malformed_mapping_file_is_explained(tmp_path, capsys):
    good = json.loads(mapping.Mapping("rounds by name", {"firm": "Org"}, "x", ["Org"]).to_json())
    cases = {
        "header.json": {**good, "header": 5},
        "name.json": {**good, "name": ["a"]},
        "column.json": {**good, "columns": {"firm": 3}},
    }
    for file, data in cases.items():
        (tmp_path / file).write_text(json.dumps(data))
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    for file in [*cases, "deep.json"]:
        with pytest.raises(ValueError) as why:
            mapping.load_named(None, str(tmp_path / file))
        assert "mapping" in str(why.value), file
    csv = tmp_path / "org.csv"
    csv.write_text("Org,Amount\nReka,1\n")
    assert cli.main(["load", str(csv), "--db", str(tmp_path / "x.duckdb"), "--mapping", str(tmp_path / "deep.json")])
    assert "nested too deep" in capsys.readouterr().err


def test_a_mapping_name_reaches_the_terminal_as_text(scratch_db, tmp_path):
    con = db.connect(scratch_db)
    header = ["Organization Name", "Funding Type", "Money Raised", "Currency", "Announced Date"]
    name = "\x1b[31mRED\x1b]0;owned\x07 [click me](https://evil.example/x)"
    try:
        m = mapping.Mapping(
            "rounds by name",
            {"firm": "Organization Name", "round_type": "Funding Type", "amount": "Money Raised"}
            | {"announced_on": "Announced Date", "currency": "Currency"},
            "",
            header,
        )
        mapping.save(con, m, name, "test")
    finally:
        con.close()
    csv = tmp_path / "funding.csv"
    csv.write_text(",".join(header) + "\nReka AI,Series A,$60M,USD,2024-06-27\n")
    out = subprocess.run(
        [sys.executable, "-m", "atlas", "load", str(csv), "--db", str(scratch_db), "--dry-run", "--create-new"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = out.stdout + out.stderr
    assert "through the mapping" in said, said
    assert "\x1b" not in said and "\x07" not in said
    assert "\\x1b[31mRED" in said


def test_a_sign_in_claim_of_the_wrong_type_is_refused():
    assert malformed_claim({"email": ["ana@example.com"], "email_verified": True}) == "email"
    assert malformed_claim({"email": "ana@example.com", "email_verified": {"x": 1}}) == "email_verified"
    assert malformed_claim({"email": "ana@example.com", "name": 5}) == "name"
    assert malformed_claim({"email": "ana@example.com", "email_verified": True, "iss": "http://x", "name": "A"}) == ""
    assert malformed_claim({}) == "" and set(CLAIM_TYPES) == {"email", "email_verified", "iss", "name"}


# ---------------------------------------------------------------- writers in a team layout


@pytest.fixture
def store(seed_db_path, tmp_path) -> snapshots.Store:
    master = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, master)
    s = snapshots.Store(snapshots.default_folder(master), master)
    s.publish()
    return s


def _commit_one(store: snapshots.Store, tmp_path, i: int) -> None:
    from atlas import upload

    csv = tmp_path / f"moves-{i}.csv"
    csv.write_text(HEADER + ROW.format(i=i))
    with store.writing() as con, upload.stage_upload([("moves.csv", csv)]) as staged:
        assert upload.commit(con, staged, "test").ok


def _master_version(store: snapshots.Store) -> int:
    con = duckdb.connect(str(store.master), read_only=True)
    try:
        return db.data_version(con)
    finally:
        con.close()


def test_a_build_is_refused_while_a_team_serves_the_master(store, tmp_path, capsys):
    _commit_one(store, tmp_path, 1)
    _commit_one(store, tmp_path, 2)
    reader = snapshots.open_current(store)  # a team process reading version 3
    try:
        assert cli.main(["build", "--db", str(store.master)]) == 1
        assert "served by a team" in capsys.readouterr().err
        assert _master_version(store) == 3 and snapshots.version_of(store.current()) == 3
    finally:
        reader.close()
    serving = store.hold_serving()  # `atlas serve` running, before any page was read
    try:
        assert cli.main(["build", "--db", str(store.master)]) == 1
        assert _master_version(store) == 3
    finally:
        serving.close()
    # no one serves: the build goes ahead, and what it built is what a team started later reads
    assert cli.main(["build", "--db", str(store.master)]) == 0
    assert _master_version(store) == 1 and snapshots.version_of(store.current()) == 1


def test_a_dry_run_publishes_nothing_and_a_snapshot_reads_between_writers(store, tmp_path, capsys):
    current = store.current()
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + ROW.format(i=9))
    reader = snapshots.open_current(store)
    try:
        assert cli.main(["load", str(csv), "--db", str(store.master), "--dry-run"]) == 0
        assert "Would load 1 rows into moves" in capsys.readouterr().out
        assert store.current() == current and _master_version(store) == 1
        assert cli.main(["snapshot", "--db", str(store.master), "--out", str(tmp_path / "out")]) == 0
        assert (tmp_path / "out" / "moves.parquet").is_file() and store.current() == current
    finally:
        reader.close()


def test_a_commit_whose_publication_was_killed_is_published_when_a_process_starts(store, tmp_path):
    csv = tmp_path / "moves.csv"
    csv.write_text(HEADER + ROW.format(i=5))
    # a process commits, then is killed (SIGKILL) in its publication, after the copy, before CURRENT
    script = (
        "import os, signal, sys; from pathlib import Path; from atlas import snapshots, upload\n"
        "snapshots.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "store = snapshots.Store(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "with store.writing() as con, upload.stage_upload([('moves.csv', Path(sys.argv[3]))]) as staged:\n"
        "    assert upload.commit(con, staged, 'test').ok\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(store.folder), str(store.master), str(csv)], cwd=ROOT, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    assert _master_version(store) == 2 and snapshots.version_of(store.current()) == 1
    assert list(store.folder.glob("*.part"))  # the cut publication's copy
    # a server process starts and reads: it publishes the master first, and the leftover goes
    from atlas import cache

    served = cache._Served()
    try:
        reader = served.current(store)
        assert snapshots.version_of(reader.path) == 2
        assert reader.con.execute("select count(*) from moves where move_id = 'up-5'").fetchone()[0] == 1
    finally:
        for r in [served.reader, *served.retired]:
            if r is not None:
                r.close()
    assert not list(store.folder.glob("*.part"))
    assert store.recover() is None  # nothing more to publish


def test_a_killed_apps_spill_folder_goes_at_the_next_start(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # an app process running a console query (its worker's spill folder exists), killed with -9
    script = (
        "import sys, time; from pathlib import Path; from atlas import sandbox\n"
        "pool = sandbox.Pool()\n"
        "worker = sandbox._Worker(pool.memory_bytes)\n"
        "print(worker.spill, flush=True); time.sleep(120)\n"
    )
    app = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp)}, stdout=subprocess.PIPE
    )
    spill = app.stdout.readline().decode().strip()
    assert os.path.isdir(spill) and os.path.dirname(spill) == str(tmp)
    living = sandbox.remove_orphan_spills(tmp)
    assert living == [] and os.path.isdir(spill)  # its process runs: kept
    app.kill()
    app.wait()
    app.stdout.close()
    old_style = tmp / "atlas-console-spill-abc123"  # named by no process (an older version's)
    old_style.mkdir()
    assert sorted(map(str, sandbox.remove_orphan_spills(tmp))) == sorted([spill, str(old_style)])
    assert not os.path.exists(spill)


def test_a_link_value_that_is_not_text_is_never_handed_to_a_page(seed_db_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/1_Talent_flows.py")
    at.query_params["level"] = "kind\x00"
    at.run()
    assert not at.exception
    notice = " ".join(w.value for w in at.warning)
    assert "level = “kind\ufffd” is not a valid value here" in notice
