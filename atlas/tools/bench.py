"""`python -m atlas bench`: how fast Talent Atlas is on this machine, against the limits.

One run, in this order:

1. generate the synthetic dataset of the chosen scale (reused when already there);
2. loading: the full validated load (`atlas.load.load_files`, the path of the Data page and
   `python -m atlas load`) against DuckDB's own `read_csv` of the same files into bare tables;
3. every page, for its default view and three typical filter changes: the page script runs
   (Streamlit's AppTest, in this process) with the view's URL parameters, and every
   `atlas.cache.query` it makes is timed, with the cache empty (cold) and again (warm); each
   recorded query is then re-run as bare SQL on DuckDB (the limit), and the same page data is
   computed the naive way, CSV into pandas then groupby (the peer);
4. in Chromium, against a freshly started `streamlit run app.py` on the benchmark database:
   the time from navigation until every chart of the page is drawn, and the server's peak memory.

It prints the table and writes it to bench/RESULTS.md. It measures; it asserts nothing.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from atlas import generate, schema
from atlas.sql import ROOT
from atlas.tools.bench_common import LOAD_PHASES, PAGES, SCALES, SEED, TARGETS, VIEWS, Results, measured, say  # noqa: F401
from atlas.tools.bench_pages import time_browser, time_explore, time_pages, time_sessions  # noqa: F401
from atlas.tools.bench_peers import PEER_PAGES, pandas_peer, polars_peer  # noqa: F401
from atlas.tools.bench_report import report, report_explore, report_pages  # noqa: F401


def ensure_data(scale: str, work: Path) -> Path:
    """The generated CSVs of `scale` under `work`, generated unless already there."""
    sizes = SCALES[scale]
    out = work / f"csv_{scale}"
    marker = out / "sizes.json"
    wanted = json.dumps({**sizes.__dict__, "seed": SEED}, sort_keys=True)
    if marker.exists() and marker.read_text() == wanted:
        say(f"data: reusing {out}")
        return out
    t = time.perf_counter()
    generate.generate(out, sizes, SEED)
    marker.write_text(wanted)
    say(f"data: generated {out} in {time.perf_counter() - t:.1f} s")
    return out


def time_raw_load(csv_dir: Path, work: Path) -> float:
    """DuckDB's own read_csv of every file into bare tables: the limit of this machine."""
    path = work / "raw.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        t = time.perf_counter()
        for f in sorted(csv_dir.glob("*.csv")):
            con.execute(f'create table "{f.stem}" as select * from read_csv($p)', {"p": str(f)})
        con.execute("checkpoint")
        return time.perf_counter() - t
    finally:
        con.close()
        path.unlink(missing_ok=True)


def time_validated_load(csv_dir: Path, db_path: Path) -> tuple[float, dict, dict, float]:
    """The full validated load into a new database with the schema, as one upload, checkpointed
    (as the raw load is); then, timed apart, the derived tables the pages read rebuilt from it.
    Returns (load seconds, rows per table, seconds per load phase, derive seconds)."""
    from atlas import db, load

    for p in (db_path, db_path.with_name(db_path.name + ".wal")):
        p.unlink(missing_ok=True)
    con = db.configure(duckdb.connect(str(db_path)), db_path)
    try:
        schema.create_schema(con)
        # US CPI is reference data the generator does not write: the seed's, before the clock starts
        load.load_files(con, {"cpi": db.seed_files()["cpi"]}, mode="build", uploader="bench")
        files = {t.name: csv_dir / f"{t.name}.csv" for t in load.TABLES if (csv_dir / f"{t.name}.csv").exists()}
        t = time.perf_counter()
        result = load.load_files(con, files, mode="append", uploader="bench", derive=False)
        con.execute("checkpoint")
        seconds = time.perf_counter() - t
        if not result.ok:
            raise RuntimeError(f"the generated data was rejected: {[str(p) for p in result.problems[:5]]}")
        t = time.perf_counter()
        load.refresh_derived_committed(con)
        con.execute("checkpoint")
        return seconds, result.row_counts, result.timings, time.perf_counter() - t
    finally:
        con.close()


def time_writes(db_path: Path, work: Path, results: Results) -> None:
    """Writes into the loaded benchmark database, each as `python -m atlas` in its own process
    (timed from the command's start until it returns: the pages show the change then, facts and
    derived tables being committed together), with its peak memory; then the Data page's path
    (stage and commit in this process) and a full rebuild of the derived tables."""

    from atlas import db, load, upload

    py = [sys.executable, "-m", "atlas"]
    con = None
    for _ in range(60):  # a server stopped just before may still hold the file for a moment
        try:
            con = db.configure(duckdb.connect(str(db_path)), db_path)
            break
        except duckdb.IOException:
            time.sleep(1)
    if con is None:
        con = db.configure(duckdb.connect(str(db_path)), db_path)  # raises, naming the holder
    try:
        header = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note"
        people = [
            r[0] for r in con.execute("select person_id from people using sample 1000 rows (reservoir, 1)").fetchall()
        ]
        firms = [
            r[0] for r in con.execute("select firm_id from firms using sample 2000 rows (reservoir, 2)").fetchall()
        ]
        append = work / "append_1000_moves.csv"
        append.write_text(
            header
            + "\n"
            + "".join(
                # from one sampled firm to another (a scale with fewer firms than 2,000 reuses them)
                f"bench-append-{i},{people[i % len(people)]},{firms[i % len(firms)]},"
                f"{firms[(i + len(firms) // 2) % len(firms)]},2026-{1 + i % 12:02d},,joined,,reported,\n"
                for i in range(1000)
            )
        )
        changed = work / "upsert_1000_moves.csv"
        con.execute(
            "copy (select move_id, person_id, from_firm_id, to_firm_id, "
            "fmt_date(moved_on, moved_on_precision) as moved_on, "
            "role, move_type, source_id, 'confirmed' as certainty, 'changed by the benchmark' as note "
            "from moves using sample 1000 rows (reservoir, 3)) to '" + str(changed).replace("'", "''") + "' (header)"
        )
    finally:
        con.close()
    steps = [
        ("append 1,000 moves", [*py, "load", str(append), "--db", str(db_path)]),
        ("undo the append", [*py, "undo", "--db", str(db_path)]),
        ("upsert 1,000 changed moves", [*py, "load", str(changed), "--mode", "upsert", "--db", str(db_path)]),
        ("undo the upsert", [*py, "undo", "--db", str(db_path)]),
    ]
    for name, args in steps:
        seconds, rss, _ = measured(args)
        results.writes.append((name, seconds, rss))
        say(f"  {name:<28} {seconds:.2f} s, peak {rss / 1e9:.2f} GB")
    # the Data page's path, in this process: stage (encodings, shapes, names) then commit
    con = db.connect(db_path, build_if_missing=False)
    try:
        t = time.perf_counter()
        with upload.stage_upload([(append.name, append)], max_bytes=None) as staged:
            done = upload.commit(con, staged, "bench", "append")
        seconds = time.perf_counter() - t
        if not done.ok:
            raise RuntimeError(f"the Data page's append was rejected: {done.problems[:3]}")
        shown = con.execute("select count(*) from move_facts where move_id like 'bench-append-%'").fetchall()[0][0]
        results.writes.append(("append 1,000 moves (Data page)", seconds, None))
        results.notes.append(f"After the Data page's append, move_facts held {shown:,} of its 1,000 moves.")
        t = time.perf_counter()
        undone = load.undo(con, done.upload_id, "bench")
        results.writes.append(("undo it (Data page)", time.perf_counter() - t, None))
        if not undone.ok:
            raise RuntimeError(f"the undo was refused: {undone.problems[:3]}")
    finally:
        con.close()
    code = (
        "import pathlib, duckdb; from atlas import db, load; "
        f"p = pathlib.Path({str(db_path)!r}); c = db.configure(duckdb.connect(str(p)), p); "
        "load.refresh_derived_committed(c); c.close()"
    )
    seconds, rss, _ = measured([sys.executable, "-c", code])
    results.writes.append(("rebuild every derived table", seconds, rss))
    say(f"  full derived rebuild {seconds:.1f} s, peak {rss / 1e9:.2f} GB")


def _archive(out: Path) -> None:
    """Keep the previous report (with whatever was written into it by hand: reasons, before and
    after) as `history/RESULTS-<its run's date>.md` beside it before it is replaced."""
    if not out.is_file():
        return
    previous = out.read_text(encoding="utf-8")
    found = re.search(r"^Run (\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})", previous, re.M)
    stamp = "-".join(found.groups()) if found else datetime.now(UTC).strftime("%Y-%m-%d-%H-%M")
    history = out.parent / "history"
    history.mkdir(exist_ok=True)
    (history / f"{out.stem}-{stamp}.md").write_text(previous, encoding="utf-8")


def run_explore_only(scale: str = "small", work: Path | None = None, out: Path | None = None) -> Results:
    """The Explore page's section alone, on the database an earlier full run loaded: its views'
    page data and the table browser straight on DuckDB; the section replaces its earlier self in
    the report (the rest stays)."""
    import logging

    for name in ("streamlit", "streamlit.runtime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    work = Path(work or ROOT / "bench" / "work")
    db_path = work / f"bench_{scale}.duckdb"
    if not db_path.is_file():
        raise SystemExit(f"{db_path} does not exist: run `python -m atlas bench --scale {scale}` first")
    results = Results(scale=scale, sizes=dict(SCALES[scale].__dict__))
    say("Explore's page data …")
    time_pages(db_path, results, only=("Explore",))
    say("the table browser …")
    time_explore(db_path, results)
    text = "\n".join(report_explore(results, with_views=True)).strip()
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    from atlas.tools import bench_names

    bench_names.write_section(text, out, head="## Explore: table pages")
    print(text)
    say(f"written to {out}")
    return results


def run_pages_only(scale: str = "small", work: Path | None = None, out: Path | None = None) -> Results:
    """The page data section alone, on the database an earlier full run loaded, brought to the
    current schema first (new derived tables are built); the section replaces its earlier self."""
    import logging

    from atlas import db

    for name in ("streamlit", "streamlit.runtime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    db_path = Path(work or ROOT / "bench" / "work") / f"bench_{scale}.duckdb"
    if not db_path.is_file():
        raise SystemExit(f"{db_path} does not exist: run `python -m atlas bench --scale {scale}` first")
    t = time.perf_counter()
    db.connect(db_path).close()
    say(f"schema brought up to date in {time.perf_counter() - t:.1f} s")
    results = Results(scale=scale, sizes=dict(SCALES[scale].__dict__))
    time_pages(db_path, results)
    run_line = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (`--pages-only`, on the database of the last full run, "
        "brought to the current schema)."
    )
    text = "\n".join(report_pages(results, run_line)).strip()
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    from atlas.tools import bench_names

    bench_names.write_section(text, out, head="## Page data")
    say(f"written to {out}")
    return results


SECTIONS = ("pages", "explore", "peers", "browser", "sessions", "api", "writes")  # after the load, in this order


def run(
    scale: str = "small",
    work: Path | None = None,
    out: Path | None = None,
    browser: bool = True,
    sessions: bool = True,
    skip: frozenset[str] = frozenset(),
) -> Results:
    """Run the benchmark (every section after the load but those in `skip`: SECTIONS) and write
    the report; returns the numbers. The test suite runs the sections in two processes at once."""
    skip = frozenset(skip) | ({"browser"} if not browser else set()) | ({"sessions"} if not sessions else set())
    import logging

    # AppTest in a bare process logs a warning per run; the benchmark's own lines are the output
    for name in ("streamlit", "streamlit.runtime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    work = Path(work or ROOT / "bench" / "work")
    work.mkdir(parents=True, exist_ok=True)
    results = Results(scale=scale, sizes=dict(SCALES[scale].__dict__))
    csv_dir = ensure_data(scale, work)
    results.csv_bytes = sum(f.stat().st_size for f in csv_dir.glob("*.csv"))
    say("loading …")
    results.raw_load_seconds = time_raw_load(csv_dir, work)
    db_path = work / f"bench_{scale}.duckdb"

    # in a process of its own, for its peak memory
    code = (
        "import json, pathlib; from atlas.tools import bench; "
        f"r = bench.time_validated_load(pathlib.Path({str(csv_dir)!r}), pathlib.Path({str(db_path)!r})); "
        "print('RESULT ' + json.dumps(r))"
    )
    _, results.load_rss, printed = measured([sys.executable, "-c", code])
    loaded = json.loads(printed.rsplit("RESULT ", 1)[1])
    results.load_seconds, results.rows_loaded, results.load_phases, results.derive_seconds = loaded
    say(
        f"  validated load {results.load_seconds:.1f} s, raw read_csv {results.raw_load_seconds:.1f} s, "
        f"then derived tables {results.derive_seconds:.1f} s"
    )
    if "pages" not in skip:
        say("page data …")
        time_pages(db_path, results)
    if "explore" not in skip:
        say("the table browser …")
        time_explore(db_path, results)
    if "peers" not in skip:
        say("peers …")
        results.peer = pandas_peer(csv_dir)
        results.peers = {
            "pandas, from the CSVs": results.peer,
            "pandas, in memory": pandas_peer(csv_dir, in_memory=True),
            "polars, in memory": polars_peer(csv_dir),
        }
    # the server and the writes' processes need the database file to themselves
    from atlas import cache

    cache.connection().close()
    import streamlit as st

    st.cache_resource.clear()
    if "browser" not in skip:
        say("browser …")
        time_browser(db_path, work, results)
    if "sessions" not in skip:
        say("many sessions …")
        # the small scale is a check that it all runs (and the test suite runs it): fewer analysts
        time_sessions(db_path, work, results, levels=(1, 5, 20, 50) if scale == "large" else (1, 5))
    if "api" not in skip:
        from atlas.tools import bench_api

        say("the data at a URL …")
        results.api = bench_api.time_api(db_path, work)
    if "writes" not in skip:
        say("writes into the loaded database …")
        time_writes(db_path, work, results)
    text = report(results)
    if results.api:
        from atlas.tools import bench_api

        text += "\n" + "\n".join(bench_api.report_lines(results.api, scale))
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    _archive(out)
    out.write_text(text, encoding="utf-8")
    print(text)
    say(f"written to {out}")
    return results
