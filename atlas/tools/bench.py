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
import os
import platform
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import numpy as np
import pandas as pd

from atlas import generate, schema, sql
from atlas.pages import PAGES as REGISTRY
from atlas.sql import ROOT

SCALES = {"small": generate.SMALL, "large": generate.LARGE}
TARGETS = {
    "load_ratio": 0.5,  # validated load throughput / raw read_csv throughput, at least
    "warm_ms": 300,  # median warm page data, at most
    "cold_ms": 1000,  # cold page data, at most
    "peer_ratio": 10,  # pandas time / cold page data, at least
    "chart_rows": 5000,  # rows sent to one chart, at most
    "memory_gb": 4,  # peak memory of the app process, under
    "browser_s": 2,  # navigation to charts drawn, at most
}
SEED = 1  # the default of `python -m atlas generate`
LOAD_PHASES = {
    "read": "read the CSVs as text",
    "check": "every rule in SQL",
    "compare": "typed rows and change counts",
    "write": "insert and the undo log",
    "commit": "commit",
}
PERSON, FIRM = "person-12", "firm-0"  # firm-0 is the largest firm of the power law: the worst case
PERIOD = ["2015", "2020"]

# Four or five views of each page of the registry, by its title, as URL parameters (the default first).
VIEWS: dict[str, list[tuple[str, dict]]] = {
    "Overview": [
        ("default", {}),
        ("confirmed only", {"certainty": "confirmed"}),
        ("2015–2020", {"period": PERIOD}),
        ("startups, in CNY", {"kinds": ["ai_startup"], "currency": "CNY"}),
    ],
    "Talent flows": [
        ("default", {}),
        ("firm level", {"level": "firm"}),
        ("country level", {"level": "country"}),
        ("confirmed, 2015–2020", {"certainty": "confirmed", "period": PERIOD}),
        ("China, startups", {"countries": ["CN"], "kinds": ["ai_startup"]}),
    ],
    "Pay offers": [
        ("default", {}),
        ("in CNY", {"currency": "CNY"}),
        ("2020 dollars", {"constant": "2020"}),
        ("confirmed, 2015–2020", {"certainty": "confirmed", "period": PERIOD}),
    ],
    "Funding": [
        ("default", {}),
        ("in EUR", {"currency": "EUR"}),
        ("series rounds", {"round_types": ["series"]}),
        ("China, 2015–2020", {"countries": ["CN"], "period": PERIOD}),
    ],
    "People & firms": [
        ("default", {}),
        ("a person", {"person": PERSON}),
        ("the largest firm", {"firm": FIRM}),
        ("a search", {"q": "Person 12"}),
    ],
    "Data": [
        ("default", {}),
        ("confirmed only", {"certainty": "confirmed"}),
        ("2015–2020", {"period": PERIOD}),
        ("in GBP", {"currency": "GBP"}),
    ],
    "Explore": [
        ("moves", {}),
        ("moves, confirmed", {"table": "moves", "f": ["certainty.eq.confirmed"]}),
        ("moves, newest first", {"table": "moves", "sort": "-moved_on"}),
        ("a query", {"sql": "select certainty, count(*) as n_moves from moves group by certainty"}),
    ],
}
# (script, title, views) of every page of the registry (atlas.pages), in menu order
PAGES: list[tuple[str, str, list[tuple[str, dict]]]] = [(p.script, p.title, VIEWS[p.title]) for p in REGISTRY]


@dataclass
class Call:
    name: str
    params: dict
    seconds: float
    rows: int


@dataclass
class ViewResult:
    page: str
    view: str
    cold: float
    warm: float
    raw: float
    slowest: str
    max_rows: int
    max_rows_query: str
    calls: int
    chart_rows: int = 0  # the most rows one chart of the page received


@dataclass
class Results:
    scale: str
    sizes: dict
    load_seconds: float = 0.0
    raw_load_seconds: float = 0.0
    derive_seconds: float = 0.0  # the derived tables rebuilt after the load's commit
    csv_bytes: int = 0
    rows_loaded: dict = field(default_factory=dict)
    load_phases: dict = field(default_factory=dict)  # phase -> seconds (atlas.load timings)
    views: list[ViewResult] = field(default_factory=list)
    peer: dict = field(default_factory=dict)  # page title -> seconds
    browser: dict = field(default_factory=dict)  # page title -> seconds per view (in PAGES order)
    peak_rss: int | None = None
    notes: list[str] = field(default_factory=list)
    writes: list[tuple[str, float, int | None]] = field(default_factory=list)  # (what, seconds, peak bytes)
    load_rss: int | None = None  # peak memory of the full validated load's process
    peers: dict = field(default_factory=dict)  # peer name -> {page title -> seconds}
    levels: list = field(default_factory=list)  # loaddriver.Level per number of sessions
    settled: dict = field(default_factory=dict)  # page title -> seconds until the page stopped changing
    explore: dict = field(default_factory=dict)  # what -> seconds (the table browser at this scale)


def _log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------- data and loading


def ensure_data(scale: str, work: Path) -> Path:
    """The generated CSVs of `scale` under `work`, generated unless already there."""
    sizes = SCALES[scale]
    out = work / f"csv_{scale}"
    marker = out / "sizes.json"
    wanted = json.dumps({**sizes.__dict__, "seed": SEED}, sort_keys=True)
    if marker.exists() and marker.read_text() == wanted:
        _log(f"data: reusing {out}")
        return out
    t = time.perf_counter()
    generate.generate(out, sizes, SEED)
    marker.write_text(wanted)
    _log(f"data: generated {out} in {time.perf_counter() - t:.1f} s")
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


def measured(args: list[str]) -> tuple[float, int, str]:
    """Run a command in its own process: (seconds, its peak resident memory in bytes, its output)."""
    import subprocess

    t = time.perf_counter()
    # the command runs under a small wrapper that forks it and reports its peak: a child started
    # straight from this process inherits this process's peak (Linux carries the high-water mark
    # of the address space over an exec, and subprocess spawns with vfork), and this process holds
    # the peers' frames by then: every write read 8.09 GB that way
    proc = subprocess.Popen(
        [sys.executable, "-c", _PEAK_WRAPPER, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = proc.stdout.read()
    status = proc.wait()
    seconds = time.perf_counter() - t
    if status != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed:\n{out[-2000:]}")
    out, _, peak = out.rpartition("PEAK_RSS_KB ")
    return seconds, int(peak.strip()) * 1024, out


# run argv[1:] in a process of its own, forked from this small one, and print its peak memory
_PEAK_WRAPPER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "sys.stdout.flush()\n"
    "print(f'PEAK_RSS_KB {usage.ru_maxrss}', flush=True)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


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
                f"bench-append-{i},{people[i]},{firms[i]},{firms[1000 + i]},2026-{1 + i % 12:02d},,joined,,reported,\n"
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
        _log(f"  {name:<28} {seconds:.2f} s, peak {rss / 1e9:.2f} GB")
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
    _log(f"  full derived rebuild {seconds:.1f} s, peak {rss / 1e9:.2f} GB")


# ---------------------------------------------------------------- page data


def _record(calls: list[Call]) -> Callable[[], None]:
    """Time every atlas.cache.query, explore and console call into `calls`; returns the undo."""
    from atlas import cache

    original = cache.query
    original_explore = cache.explore
    original_console = cache.console_query

    def timed(name: str, **params: object) -> pd.DataFrame:
        t = time.perf_counter()
        df = original(name, **params)
        calls.append(Call(name, params, time.perf_counter() - t, len(df)))
        return df

    def timed_explore(fn: str, *args: object) -> object:
        t = time.perf_counter()
        out = original_explore(fn, *args)
        rows = len(out.rows) if hasattr(out, "rows") else len(out) if hasattr(out, "__len__") else 1
        calls.append(Call(f"explore.{fn}", {}, time.perf_counter() - t, rows))
        return out

    def timed_console(text: str) -> object:
        t = time.perf_counter()
        out = original_console(text)
        calls.append(Call("console", {"sql": text}, time.perf_counter() - t, len(out.frame)))
        return out

    cache.query, cache.explore, cache.console_query = timed, timed_explore, timed_console

    def undo() -> None:
        cache.query, cache.explore, cache.console_query = original, original_explore, original_console

    return undo


def chart_rows(at: object) -> int:
    """The most rows one chart of a finished AppTest run was sent.

    Read from the elements as they go to the browser: an Altair chart's datasets (Arrow)
    summed, an ECharts chart's nodes and links.
    """
    import pyarrow as pa

    found = [0]

    def walk(node: object) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        kind = getattr(node, "type", "")
        if kind == "vega_lite_chart":
            proto = node.proto
            blobs = [d.data.data for d in proto.datasets] + ([proto.data.data] if proto.data.data else [])
            found.append(sum(pa.ipc.open_stream(b).read_all().num_rows for b in blobs))
        elif kind == "echarts_chart":
            spec = json.loads(node.proto.spec)
            series = spec.get("series", [])
            n = sum(len(s.get("data") or s.get("nodes") or []) + len(s.get("links") or []) for s in series)
            found.append(n)

    walk(at._tree)
    return max(found)


def _run_page(script: str, params: dict) -> tuple[list[Call], list[Call], int]:
    """The page's queries with the cache cleared (cold), then with it filled (warm), and
    the most rows one of its charts received."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if script != "app.py":
        # AppTest's page switch does not carry the link the way a browser does (the shared
        # filters come back one run later), so the page runs once before it is measured
        at.switch_page(script)
        at.run()
    cold: list[Call] = []
    warm: list[Call] = []
    st.cache_data.clear()
    undo = _record(cold)
    try:
        at.run()
    finally:
        undo()
    if at.exception:
        raise RuntimeError(f"{script} {params}: {at.exception[0].value}")
    undo = _record(warm)
    try:
        at.run()
    finally:
        undo()
    return cold, warm, chart_rows(at)


def _raw_seconds(con: duckdb.DuckDBPyConnection, calls: list[Call]) -> float:
    """The same SQL with the same bound values, straight on DuckDB, fetched whole (the Explore
    page's composed queries and console run straight already: their cold time is their raw time)."""
    total = 0.0
    for c in calls:
        if c.name.startswith("explore.") or c.name == "console":
            total += c.seconds
            continue
        q = sql.query(c.name)
        cur = con.cursor()
        try:
            t = time.perf_counter()
            cur.execute(q.sql, q.bind(c.params)).fetchall()
            total += time.perf_counter() - t
        finally:
            cur.close()
    return total


def time_pages(db_path: Path, results: Results, only: tuple[str, ...] = ()) -> None:
    from atlas import cache

    os.environ["ATLAS_DB"] = str(db_path)
    for script, title, views in PAGES:
        if only and title not in only:
            continue
        for view, params in views:
            cold, warm, n_chart = _run_page(script, params)
            raw = _raw_seconds(cache.connection(), cold)
            slowest = max(cold, key=lambda c: c.seconds) if cold else None
            biggest = max(cold, key=lambda c: c.rows) if cold else None
            r = ViewResult(
                page=title,
                view=view,
                cold=sum(c.seconds for c in cold),
                warm=sum(c.seconds for c in warm),
                raw=raw,
                slowest=f"{slowest.name} {slowest.seconds * 1000:.0f} ms" if slowest else "",
                max_rows=biggest.rows if biggest else 0,
                max_rows_query=biggest.name if biggest else "",
                chart_rows=n_chart,
                calls=len(cold),
            )
            results.views.append(r)
            _log(
                f"  {title:<15} {view:<22} cold {r.cold * 1000:7.0f} ms  warm {r.warm * 1000:6.1f} ms  "
                f"raw {r.raw * 1000:7.0f} ms  ({r.calls} queries; slowest {r.slowest})"
            )


def time_explore(db_path: Path, results: Results) -> None:
    """The table browser straight on DuckDB (issue 21's targets): a table page with a filter and
    its facets, cold; the first and the next page of a sorted table, each cold."""
    from atlas import cache, explore

    os.environ["ATLAS_DB"] = str(db_path)
    con = cache.connection().cursor()  # the page-data step's own connection (one per file)
    try:
        catalog = explore.tables(con)
        moves = catalog["moves"]
        confirmed = [explore.parse_filter(moves, "certainty.eq.confirmed")]

        def timed(what: str, fn: Callable[[], object]) -> object:
            t = time.perf_counter()
            out = fn()
            results.explore[what] = time.perf_counter() - t
            _log(f"  explore {what:<48} {results.explore[what] * 1000:7.0f} ms")
            return out

        timed(
            "moves: first page, filter and facets",
            lambda: (explore.browse(con, moves, confirmed, explore.Sort()), explore.facets(con, moves, confirmed)),
        )
        newest = explore.Sort("moved_on", desc=True)
        first = timed("moves newest first: first page", lambda: explore.browse(con, moves, [], newest))
        second = timed(
            "moves newest first: next page", lambda: explore.browse(con, moves, [], newest, after=first.next_cursor)
        )
        timed(
            "moves newest first: page after that",
            lambda: explore.browse(con, moves, [], newest, after=second.next_cursor),
        )
        # the console: its copy of the data version (once per version, on its first query), then a query
        from atlas import console

        shutil.rmtree(console.snapshot_root(db_path), ignore_errors=True)
        timed("console: copy the data version to Parquet (once)", lambda: console.snapshot(cache.connection(), db_path))
        timed(
            "console: moves per certainty (10M rows)",
            lambda: console.run(cache.connection(), db_path, console.EXAMPLES["Moves per certainty"]),
        )
        people = catalog["people"]
        timed(
            "people by name: next page",
            lambda: explore.browse(
                con,
                people,
                [],
                explore.Sort("name"),
                after=explore.browse(con, people, [], explore.Sort("name")).next_cursor,
            ),
        )
    finally:
        con.close()


# ---------------------------------------------------------------- the pandas peer


def _top_parent(firms: pd.DataFrame) -> pd.Series:
    parent = firms.set_index("firm_id")["parent_id"]
    top = parent.index.to_series()
    for _ in range(10):
        up = parent.reindex(top).to_numpy()
        has = pd.notna(up)
        if not has.any():
            break
        top = top.where(~has, up)
    return top


PEER_TABLES = ("people", "firms", "moves", "compensation", "funding_rounds", "round_investors", "fx_rates", "sources")


def _time_peer(name: str, *pages: Callable[[], None]) -> dict[str, float]:
    """Seconds per page of a peer's page functions, given in the order of PEER_PAGES."""
    out = {}
    for title, fn in zip(PEER_PAGES, pages, strict=True):
        t = time.perf_counter()
        fn()
        out[title] = time.perf_counter() - t
        _log(f"  {name} {title:<15} {out[title] * 1000:.0f} ms")
    return out


PEER_PAGES = ("Overview", "Talent flows", "Pay offers", "Funding", "People & firms", "Data")


def pandas_peer(csv_dir: Path, in_memory: bool = False) -> dict[str, float]:
    """Each page's main data the way an analyst would write it in pandas, groupby. From the CSVs
    on every page (a script that reads its files), or (in_memory) from frames read once
    beforehand, as a Streamlit dashboard that caches its frames does; the reading is not timed."""
    frames: dict[str, pd.DataFrame] = {}
    if in_memory:
        for name in PEER_TABLES:
            frames[name] = pd.read_csv(csv_dir / f"{name}.csv", low_memory=False)

    def read(name: str) -> pd.DataFrame:
        if in_memory:
            return frames[name].copy(deep=False)  # columns a page adds stay its own
        return pd.read_csv(csv_dir / f"{name}.csv", low_memory=False)

    def money(df: pd.DataFrame, date_col: str, fx: pd.DataFrame) -> pd.DataFrame:
        df["year"] = pd.to_numeric(df[date_col].astype(str).str[:4], errors="coerce")
        return df.merge(fx[["currency", "year", "usd_per_unit"]], on=["currency", "year"], how="left")

    def overview() -> None:
        # the headline counts, moves per year and type, capital raised per year in dollars
        frames_ = {name: read(name) for name in ("people", "firms", "moves", "compensation", "funding_rounds")}
        for df in frames_.values():
            len(df)
        moves = frames_["moves"]
        moves.groupby([moves["moved_on"].astype(str).str[:4], "move_type"]).size()
        rounds = money(frames_["funding_rounds"], "announced_on", read("fx_rates"))
        (rounds["amount"] * rounds["usd_per_unit"]).groupby(rounds["year"]).sum()

    def flows() -> None:
        moves, firms = read("moves"), read("firms")
        top = _top_parent(firms)
        moves["src"] = moves["from_firm_id"].map(top)
        moves["dst"] = moves["to_firm_id"].map(top)
        moves.groupby(["src", "dst"], dropna=False).size().nlargest(200)
        gained = moves.groupby("dst").size()
        lost = moves.groupby("src").size()
        gained.sub(lost, fill_value=0).sort_values()
        moves["year"] = moves["moved_on"].str[:4]
        moves.groupby(["year", "move_type"]).size()

    def pay() -> None:
        # what the Pay page shows: the largest figures with names and sources, the
        # distribution per kind, and the figures by firm, year and outcome
        comp, fx = read("compensation"), read("fx_rates")
        firms, people, sources = read("firms"), read("people"), read("sources")
        comp = money(comp, "reported_on", fx)
        comp["usd"] = comp[["amount_low", "amount_high"]].mean(axis=1) * comp["usd_per_unit"]
        comp["high_usd"] = comp["amount_high"] * comp["usd_per_unit"]
        top = comp.nlargest(2000, "high_usd")
        names = ["name", "name_zh"]
        top = top.merge(sources[["source_id", "title", "publisher"]], on="source_id")
        top = top.merge(firms[["firm_id", *names]], on="firm_id")
        top.merge(people[["person_id", *names]], on="person_id", how="left")
        comp["bin"] = (np.log10(comp["usd"].where(comp["usd"] > 0)) * 4).floordiv(1)
        comp.groupby(["kind", "period", "bin"]).size()
        comp.groupby(["firm_id", "kind"])["usd"].agg(["median", "max", "size"]).reset_index().merge(
            firms[["firm_id", *names]], on="firm_id"
        )
        comp.groupby(["year", "kind"])["usd"].median()
        comp.groupby(["outcome", "kind"])["usd"].agg(["median", "size"])

    def funding() -> None:
        # what the Funding page shows: the rounds with their investors, capital raised over
        # time, the largest investors' alliances, deals with the people who moved, and the
        # comparison of five firms (rounds, investors, moves in and out, pay)
        rounds, fx, investors = read("funding_rounds"), read("fx_rates"), read("round_investors")
        firms, sources, moves, comp = read("firms"), read("sources"), read("moves"), read("compensation")
        rounds = money(rounds, "announced_on", fx)
        rounds["usd"] = rounds["amount"] * rounds["usd_per_unit"]
        top = rounds.nlargest(5000, "usd").merge(sources[["source_id", "title"]], on="source_id")
        investors[investors["round_id"].isin(top["round_id"])].merge(
            firms[["firm_id", "name"]], left_on="investor_id", right_on="firm_id"
        )
        rounds.groupby(["firm_id", "year"])["usd"].sum().groupby(level=0).cumsum()
        pairs = investors.merge(rounds[["round_id", "firm_id", "usd"]], on="round_id")
        biggest = pairs.groupby("investor_id")["usd"].sum().nlargest(15).index
        pairs[pairs["investor_id"].isin(biggest)].groupby(["investor_id", "firm_id"])["usd"].agg(["sum", "size"])
        deals = rounds[rounds["round_type"].isin(["acquisition", "acquihire"])].nlargest(500, "usd")
        leads = investors[investors["is_lead"].astype(str).str.lower() == "true"]
        deals = deals.merge(leads, on="round_id", how="left")
        deals.merge(moves, left_on=["firm_id", "investor_id"], right_on=["from_firm_id", "to_firm_id"], how="left")
        chosen = rounds.groupby("firm_id")["usd"].sum().nlargest(5).index
        rounds[rounds["firm_id"].isin(chosen)].groupby("firm_id")["usd"].agg(["sum", "size"])
        moves[moves["to_firm_id"].isin(chosen)].groupby("to_firm_id").size()
        moves[moves["from_firm_id"].isin(chosen)].groupby("from_firm_id").size()
        comp[comp["firm_id"].isin(chosen)].groupby("firm_id")["amount_high"].max()

    def profiles() -> None:
        # the default view: the pickers' most-moved people, the people list (latest firm, moves,
        # first 500 by name) and the firm list (moves in and out, first 500 by name)
        moves, people, firms = read("moves"), read("people"), read("firms")
        per_person = (
            moves.sort_values("moved_on")
            .groupby("person_id")
            .agg(n_moves=("move_id", "size"), current=("to_firm_id", "last"))
        )
        per_person.nlargest(200, "n_moves")
        people.merge(per_person, left_on="person_id", right_index=True, how="left").sort_values("name").head(500)
        counts = pd.concat([moves["to_firm_id"].value_counts(), moves["from_firm_id"].value_counts()], axis=1)
        firms.merge(counts, left_on="firm_id", right_index=True, how="left").sort_values("name").head(500)

    def data() -> None:
        if in_memory:
            # what the page shows: the row counts, the sources with how many facts cite each,
            # and the merge pickers' most-moved people
            for name in PEER_TABLES:
                len(frames[name])
            cited = pd.concat(
                [frames[t]["source_id"] for t in ("moves", "compensation", "funding_rounds")]
            ).value_counts()
            sources = frames["sources"].assign(n_facts=frames["sources"]["source_id"].map(cited).fillna(0))
            sources.sort_values("published_on", ascending=False)
            frames["moves"]["person_id"].value_counts().nlargest(200)
            return
        for f in csv_dir.glob("*.csv"):
            len(pd.read_csv(f))

    return _time_peer(
        f"pandas peer{' (in memory)' if in_memory else ''}", overview, flows, pay, funding, profiles, data
    )


def polars_peer(csv_dir: Path) -> dict[str, float]:
    """The same page data in polars, from frames read once beforehand (not timed)."""
    import polars as pl

    frames = {
        name: pl.read_csv(csv_dir / f"{name}.csv", infer_schema_length=100_000, try_parse_dates=False)
        for name in PEER_TABLES
    }
    firms = frames["firms"]
    # each firm's top-most parent, as the flow views group by
    parent = dict(zip(firms["firm_id"].to_list(), firms["parent_id"].to_list(), strict=True))

    def top_of(f: str) -> str:
        for _ in range(10):
            p = parent.get(f)
            if p is None:
                return f
            f = p
        return f

    tops = pl.DataFrame({"firm_id": firms["firm_id"], "top": [top_of(f) for f in firms["firm_id"].to_list()]})

    def money(df: pl.DataFrame, date_col: str) -> pl.DataFrame:
        fx = frames["fx_rates"].select("currency", "year", "usd_per_unit")
        return df.with_columns(
            pl.col(date_col).cast(pl.Utf8).str.slice(0, 4).cast(pl.Int64, strict=False).alias("year")
        ).join(fx, on=["currency", "year"], how="left")

    def overview() -> None:
        for name in ("people", "firms", "moves", "compensation", "funding_rounds"):
            _ = frames[name].height
        frames["moves"].group_by(pl.col("moved_on").cast(pl.Utf8).str.slice(0, 4), "move_type").len()
        money(frames["funding_rounds"], "announced_on").group_by("year").agg(
            (pl.col("amount") * pl.col("usd_per_unit")).sum()
        )

    def flows() -> None:
        moves = frames["moves"]
        m = moves.join(tops.rename({"firm_id": "from_firm_id", "top": "src"}), on="from_firm_id", how="left").join(
            tops.rename({"firm_id": "to_firm_id", "top": "dst"}), on="to_firm_id", how="left"
        )
        m.group_by("src", "dst").len().sort("len", descending=True).head(200)
        gained = m.group_by("dst").len().rename({"dst": "g", "len": "gained"})
        lost = m.group_by("src").len().rename({"src": "g", "len": "lost"})
        gained.join(lost, on="g", how="full", coalesce=True).fill_null(0).with_columns(
            (pl.col("gained") - pl.col("lost")).alias("net")
        ).sort("net")
        m.with_columns(pl.col("moved_on").cast(pl.Utf8).str.slice(0, 4).alias("year")).group_by(
            "year", "move_type"
        ).len()

    def pay() -> None:
        comp = money(frames["compensation"], "reported_on")
        comp = comp.with_columns(
            ((pl.col("amount_low") + pl.col("amount_high")) / 2 * pl.col("usd_per_unit")).alias("usd"),
            (pl.col("amount_high") * pl.col("usd_per_unit")).alias("high_usd"),
        )
        names = ["name", "name_zh"]
        top = comp.sort("high_usd", descending=True, nulls_last=True).head(2000)
        top = top.join(frames["sources"].select("source_id", "title", "publisher"), on="source_id", how="left")
        top = top.join(firms.select("firm_id", *names), on="firm_id", how="left")
        top.join(frames["people"].select("person_id", *names), on="person_id", how="left")
        comp.with_columns((pl.col("usd").filter(pl.col("usd") > 0).log10() * 4).floor().alias("bin")).group_by(
            "kind", "period", "bin"
        ).len()
        comp.group_by("firm_id", "kind").agg(
            pl.col("usd").median().alias("median"), pl.col("usd").max().alias("max"), pl.len()
        ).join(firms.select("firm_id", *names), on="firm_id", how="left")
        comp.group_by("year", "kind").agg(pl.col("usd").median())
        comp.group_by("outcome", "kind").agg(pl.col("usd").median(), pl.len())

    def funding() -> None:
        rounds = money(frames["funding_rounds"], "announced_on").with_columns(
            (pl.col("amount") * pl.col("usd_per_unit")).alias("usd")
        )
        investors, moves, comp = frames["round_investors"], frames["moves"], frames["compensation"]
        top = rounds.sort("usd", descending=True, nulls_last=True).head(5000)
        top = top.join(frames["sources"].select("source_id", "title"), on="source_id", how="left")
        investors.filter(pl.col("round_id").is_in(top["round_id"].implode())).join(
            firms.select("firm_id", "name"), left_on="investor_id", right_on="firm_id", how="left"
        )
        rounds.group_by("firm_id", "year").agg(pl.col("usd").sum()).sort("firm_id", "year").with_columns(
            pl.col("usd").cum_sum().over("firm_id")
        )
        pairs = investors.join(rounds.select("round_id", "firm_id", "usd"), on="round_id")
        biggest = pairs.group_by("investor_id").agg(pl.col("usd").sum()).sort("usd", descending=True).head(15)
        pairs.filter(pl.col("investor_id").is_in(biggest["investor_id"].implode())).group_by(
            "investor_id", "firm_id"
        ).agg(pl.col("usd").sum(), pl.len())
        deals = (
            rounds.filter(pl.col("round_type").is_in(["acquisition", "acquihire"]))
            .sort("usd", descending=True, nulls_last=True)
            .head(500)
        )
        leads = investors.filter(pl.col("is_lead").cast(pl.Utf8).str.to_lowercase() == "true")
        deals = deals.join(leads, on="round_id", how="left")
        deals.join(moves, left_on=["firm_id", "investor_id"], right_on=["from_firm_id", "to_firm_id"], how="left")
        chosen = rounds.group_by("firm_id").agg(pl.col("usd").sum()).sort("usd", descending=True).head(5)["firm_id"]
        rounds.filter(pl.col("firm_id").is_in(chosen.implode())).group_by("firm_id").agg(pl.col("usd").sum(), pl.len())
        moves.filter(pl.col("to_firm_id").is_in(chosen.implode())).group_by("to_firm_id").len()
        moves.filter(pl.col("from_firm_id").is_in(chosen.implode())).group_by("from_firm_id").len()
        comp.filter(pl.col("firm_id").is_in(chosen.implode())).group_by("firm_id").agg(pl.col("amount_high").max())

    def profiles() -> None:
        # the default view, as the pandas peer computes it
        moves = frames["moves"]
        per_person = (
            moves.sort("moved_on")
            .group_by("person_id")
            .agg(pl.len().alias("n_moves"), pl.col("to_firm_id").last().alias("current"))
        )
        per_person.top_k(200, by="n_moves")
        frames["people"].join(per_person, on="person_id", how="left").sort("name").head(500)
        into = moves.group_by("to_firm_id").len().rename({"to_firm_id": "firm_id", "len": "n_in"})
        out = moves.group_by("from_firm_id").len().rename({"from_firm_id": "firm_id", "len": "n_out"})
        frames["firms"].join(into, on="firm_id", how="left").join(out, on="firm_id", how="left").sort("name").head(500)

    def data() -> None:
        for name in PEER_TABLES:
            _ = frames[name].height
        cited = (
            pl.concat([frames[t].select("source_id") for t in ("moves", "compensation", "funding_rounds")])
            .group_by("source_id")
            .len()
        )
        frames["sources"].join(cited, on="source_id", how="left").sort("published_on", descending=True, nulls_last=True)
        frames["moves"].group_by("person_id").len().top_k(200, by="len")

    return _time_peer("polars peer (in memory)", overview, flows, pay, funding, profiles, data)


# ---------------------------------------------------------------- the browser


def time_browser(db_path: Path, work: Path, results: Results) -> None:
    """Navigation to charts drawn, per page, on a freshly started server; its peak memory."""
    from playwright.sync_api import sync_playwright

    from atlas.tools.browser import CHROMIUM, CHROMIUM_ARGS, Server, chromium_available, wait_for_app

    if not chromium_available():
        results.notes.append("Chromium not found: the browser timings were not taken.")
        return
    server = Server(db_path, work / "bench_streamlit.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            # a first visit starts the server's connection; pages are timed after it
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.url + "/Data")
            wait_for_app(page, "Data", timeout_ms=120000, settle_ms=0)
            page.close()
            for script, title, views in PAGES:
                path = "/" if script == "app.py" else "/" + Path(script).stem.split("_", 1)[1]
                results.browser[title] = []
                for view, params in views[:4]:  # four per page: the table's columns
                    # every view is a link opened in a new tab: the first request for it
                    url = server.url + path + ("?" + urlencode(params, doseq=True) if params else "")
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    t = time.perf_counter()
                    page.goto(url)
                    wait_for_app(page, title, timeout_ms=120000, settle_ms=0)
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart], "
                        "[data-testid=stEChartsChart]')].every(e => e.querySelector('canvas, svg'))",
                        timeout=120000,
                    )
                    seconds = time.perf_counter() - t
                    results.browser[title].append(seconds)
                    results.settled.setdefault(title, []).append(_settled(page))
                    if page.locator('[data-testid="stException"]').count():
                        raise RuntimeError(f"{title} ({view}) shows an exception in the browser; see {server.db_path}")
                    _log(f"  browser {title:<15} {view:<22} {seconds:.2f} s")
                    page.close()
            browser.close()
        results.peak_rss = server.peak_rss_bytes()
    finally:
        server.stop()


SETTLE_MS = 1500  # a page that has not changed for this long has stopped changing


def _settled(page) -> float:  # noqa: ANN001 - a Playwright page
    """Seconds from navigation until the page's last change: of the main block's text, its
    number of charts and drawn marks, or its stale elements; taken once nothing has changed
    for SETTLE_MS (the first chart drawn is not the end: a rerun may redraw it)."""
    return page.evaluate(
        """(settle) => new Promise(resolve => {
            const snap = () => {
                const main = document.querySelector('[data-testid="stMain"]') || document.body;
                return main.innerText.length + '|' + main.innerText.slice(0, 2000) + '|' +
                    main.querySelectorAll('canvas, svg, [data-stale="true"], [data-testid="stSkeleton"]').length;
            };
            let last = snap(), since = performance.now();
            const tick = () => {
                const now = snap();
                if (now !== last) { last = now; since = performance.now(); }
                if (performance.now() - since >= settle) resolve(since / 1000);
                else setTimeout(tick, 50);
            };
            tick();
        })""",
        SETTLE_MS,
    )


def time_sessions(db_path: Path, work: Path, results: Results, levels: tuple[int, ...] = (1, 5, 20, 50)) -> None:
    """Many analysts at once against one freshly started server (atlas.tools.loaddriver)."""
    from atlas.tools import loaddriver
    from atlas.tools.browser import Server

    # each session opens one view of every page, by URL; session k takes the pages' k-th views
    def views(k: int) -> list[tuple[str, str, dict]]:
        out = []
        for script, title, page_views in PAGES:
            path = "" if script == "app.py" else Path(script).stem.split("_", 1)[1]
            name, params = page_views[k % len(page_views)]
            out.append((f"{title}: {name}", path, params))
        return out

    server = Server(db_path, work / "sessions_streamlit.log")
    try:
        loaddriver.run_level(server.url, views(0)[-1:], 1)  # the server's first connection
        for n in levels:
            before = _cpu_seconds(server.proc.pid)
            level = loaddriver.run_level_mixed(server.url, [views(k) for k in range(n)])
            level.cpu_seconds = _cpu_seconds(server.proc.pid) - before
            level.peak_rss = server.peak_rss_bytes() or 0
            results.levels.append(level)
            _log(
                f"  {n:>3} sessions: p50 {level.percentile(50):.2f} s, p95 {level.percentile(95):.2f} s, "
                f"{len(level.errors)} errors, server CPU {level.cpu_seconds:.0f} s over {level.wall_seconds:.0f} s, "
                f"peak {level.peak_rss / 1e9:.2f} GB"
            )
    finally:
        server.stop()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- report


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def report(r: Results) -> str:
    """The results as Markdown, targets first."""
    mb = r.csv_bytes / 1e6
    load_ratio = r.raw_load_seconds / r.load_seconds if r.load_seconds else 0.0
    cold_worst = max((v.cold for v in r.views), default=0.0)
    warm_median = {
        page: statistics.median(v.warm for v in r.views if v.page == page) for page in {v.page for v in r.views}
    }
    warm_worst = max(warm_median.values(), default=0.0)
    default_cold = {v.page: v.cold for v in r.views if v.view == "default"}
    peer_ratios = {p: r.peer[p] / default_cold[p] for p in r.peer if default_cold.get(p)}
    max_rows = max((v.chart_rows for v in r.views), default=0)
    lines = [
        f"# Benchmark results: scale `{r.scale}`",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: {os.cpu_count()} cores, "
        f"{_memory_gb():.0f} GB memory, {platform.platform()}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}.",
        "",
        "Sizes: " + ", ".join(f"{k} {v:,}" for k, v in r.sizes.items()) + f" ({mb:,.0f} MB of CSV).",
        "",
        "## Targets",
        "",
        "| Target | Measured | |",
        "|---|---|---|",
        f"| Validated load ≥ {TARGETS['load_ratio']} × raw `read_csv` throughput | "
        f"{load_ratio:.2f} × ({r.load_seconds:.1f} s vs {r.raw_load_seconds:.1f} s) | "
        f"{_ok(load_ratio >= TARGETS['load_ratio'])} |",
        f"| Every page's data warm ≤ {TARGETS['warm_ms']} ms (median of its views) | worst page "
        f"{warm_worst * 1000:.1f} ms | {_ok(warm_worst * 1000 <= TARGETS['warm_ms'])} |",
        f"| Every page's data cold ≤ {TARGETS['cold_ms']} ms (any view) | worst view {cold_worst * 1000:.0f} ms | "
        f"{_ok(cold_worst * 1000 <= TARGETS['cold_ms'])} |",
        f"| Page data ≥ {TARGETS['peer_ratio']} × faster than the pandas peer | lowest "
        f"{min(peer_ratios.values(), default=0):.1f} × | "
        f"{_ok(min(peer_ratios.values(), default=0) >= TARGETS['peer_ratio'])} |",
        f"| ≤ {TARGETS['chart_rows']:,} rows to one chart | largest chart {max_rows:,} rows | "
        f"{_ok(max_rows <= TARGETS['chart_rows'])} |",
    ]
    if r.peak_rss is not None:
        gb = r.peak_rss / 1e9
        lines.append(
            f"| App peak memory < {TARGETS['memory_gb']} GB | {gb:.2f} GB | {_ok(gb < TARGETS['memory_gb'])} |"
        )
    if r.browser:
        worst = max(statistics.median(v) for v in r.browser.values())
        slowest = max(max(v) for v in r.browser.values())
        lines.append(
            f"| Charts drawn ≤ {TARGETS['browser_s']} s after navigation (Chromium, median of a page's views) | "
            f"worst page {worst:.2f} s (slowest single view {slowest:.2f} s) | "
            f"{_ok(worst <= TARGETS['browser_s'])} |"
        )
    lines += _report_issue_20(r)
    lines += [
        "",
        "## Loading",
        "",
        f"Validated load (every rule checked in SQL, written and committed in one transaction with its undo "
        f"log, checkpointed): {r.load_seconds:.1f} s, "
        f"{mb / r.load_seconds if r.load_seconds else 0:,.0f} MB/s. DuckDB `read_csv` into bare tables "
        f"(checkpointed): {r.raw_load_seconds:.1f} s, "
        f"{mb / r.raw_load_seconds if r.raw_load_seconds else 0:,.0f} MB/s.",
        "",
        f"Then the derived tables the pages read (flow codes, move facts, boomerang trips, latest moves, "
        f"investments, per-firm counts, deals' people, pay facts) are rebuilt from the committed facts in a second "
        f"transaction: {r.derive_seconds:.1f} s. Until it commits the pages show the previous version. From "
        f"the start of the load to the pages showing it: {r.load_seconds + r.derive_seconds:.1f} s "
        f"({r.raw_load_seconds / (r.load_seconds + r.derive_seconds) if r.load_seconds else 0:.2f} × raw).",
        "",
        "Rows loaded: " + ", ".join(f"{k} {v:,}" for k, v in r.rows_loaded.items()) + ".",
        "",
        "Where the validated load's time goes (seconds): "
        + ", ".join(f"{LOAD_PHASES.get(k, k)} {v:.1f}" for k, v in r.load_phases.items() if k in LOAD_PHASES)
        + "; the rest is the checkpoint.",
        "",
    ]
    lines += _report_pages(r)
    lines += [
        "",
        "## The pandas peer",
        "",
        "The same page data the naive way: read the CSVs with pandas, then groupby (default view).",
        "",
        "| Page | pandas ms | Talent Atlas cold ms | Ratio |",
        "|---|---:|---:|---:|",
    ]
    for page, seconds in r.peer.items():
        cold = default_cold.get(page, 0)
        lines.append(f"| {page} | {seconds * 1000:,.0f} | {cold * 1000:.0f} | {peer_ratios.get(page, 0):.1f} × |")
    if r.browser:
        lines += [
            "",
            "## In Chromium",
            "",
            "A freshly started `streamlit run app.py` on the benchmark database; each view of each page (the",
            "four of the page-data table) opened as a link in a new tab, timed from navigation until the",
            "script has finished and every chart has drawn. Every view is a first request (nothing cached).",
            "",
            "| Page | Default | View 2 | View 3 | View 4 | Median |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for page, seconds in r.browser.items():
            lines.append(
                f"| {page} | " + " | ".join(f"{s:.2f}" for s in seconds) + f" | {statistics.median(seconds):.2f} |"
            )
    if r.settled:
        lines += [
            "",
            "Until the page stops changing (the last change of the main block's text, charts or stale",
            f"elements, taken once nothing changed for {SETTLE_MS / 1000:.1f} s), seconds from navigation, same views:",
            "",
            "| Page | Default | View 2 | View 3 | View 4 | Median |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for page, seconds in r.settled.items():
            lines.append(
                f"| {page} | " + " | ".join(f"{s:.2f}" for s in seconds) + f" | {statistics.median(seconds):.2f} |"
            )
    if r.peak_rss is not None:
        lines += ["", f"Peak memory of the app process (VmHWM) after all pages: {r.peak_rss / 1e9:.2f} GB."]
    lines += _report_sections_20(r)
    lines += _report_explore(r)
    if r.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


TARGETS_20 = {
    "write_s": 5,  # a 1,000-move append, upsert or undo into the 10M database, to the pages showing it
    "memory_gb": 4,  # any operation's process
    "load_ratio": 0.3,  # raw read_csv / (validated load + derived tables)
    "cold_ms": 300,  # a page's data, default view
    "polars_ratio": 3,  # polars in memory / cold page data
    "warm_ms": 30,
    "p95_20_s": 2,
    "settled_s": 1.2,
}


def _report_pages(r: Results, run_line: str = "") -> list[str]:
    lines = [
        "## Page data",
        "",
        *([run_line, ""] if run_line else []),
        "Cold: the page's queries with the cache empty; warm: the same page again; raw: the same SQL and",
        "bound values straight on DuckDB (the limit). Times are the sum over the page's queries.",
        "",
        "| Page | View | Queries | Cold ms | Warm ms | Raw ms | Cold / raw | Slowest query | Largest result "
        "| Largest chart |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for v in r.views:
        ratio = v.cold / v.raw if v.raw else 0
        lines.append(
            f"| {v.page} | {v.view} | {v.calls} | {v.cold * 1000:.0f} | {v.warm * 1000:.1f} | {v.raw * 1000:.0f} | "
            f"{ratio:.2f} | {v.slowest} | {v.max_rows:,} ({v.max_rows_query}) | {v.chart_rows:,} |"
        )
    return lines


def _report_issue_20(r: Results) -> list[str]:
    """The targets of issue 20 (freshness, memory, many analysts, stronger peers)."""
    t = TARGETS_20
    rows = []
    writes = {name: (sec, rss) for name, sec, rss in r.writes}
    cli = [(n, v) for n, v in writes.items() if "Data page" not in n and "rebuild" not in n]
    if cli:
        worst_name, (worst, _) = max(cli, key=lambda kv: kv[1][0])
        page = [v[0] for n, v in writes.items() if "Data page" in n]
        rows.append(
            f"| A 1,000-move append, an upsert of 1,000 changed moves and the undo of each, command start to the "
            f"pages showing it ≤ {t['write_s']} s | slowest: {worst_name}, {worst:.2f} s"
            + (f"; through the Data page {max(page):.2f} s at most" if page else "")
            + f" | {_ok(worst <= t['write_s'] and all(x <= t['write_s'] for x in page))} |"
        )
    mems = [(n, v[1]) for n, v in writes.items() if v[1]]
    if r.load_rss:
        mems.append(("the full validated load and derive", r.load_rss))
    if r.peak_rss:
        mems.append(("the app after every page", r.peak_rss))
    if r.levels:
        mems.append((f"the app after {r.levels[-1].sessions} sessions", max(lv.peak_rss for lv in r.levels)))
    if mems:
        name, worst = max(mems, key=lambda kv: kv[1])
        rows.append(
            f"| Every operation's process under {t['memory_gb']} GB | largest: {name}, {worst / 1e9:.2f} GB | "
            f"{_ok(worst / 1e9 < t['memory_gb'])} |"
        )
    if r.load_seconds:
        ratio = r.raw_load_seconds / (r.load_seconds + r.derive_seconds)
        rows.append(
            f"| Full validated load with its derived tables ≥ {t['load_ratio']} × raw `read_csv` | {ratio:.2f} × "
            f"({r.load_seconds + r.derive_seconds:.1f} s vs {r.raw_load_seconds:.1f} s) | "
            f"{_ok(ratio >= t['load_ratio'])} |"
        )
    cold = {v.page: v.cold for v in r.views if v.view == "default"}
    if cold:
        page, worst = max(cold.items(), key=lambda kv: kv[1])
        rows.append(
            f"| Cold page data ≤ {t['cold_ms']} ms, every page (default view) | worst: {page}, {worst * 1000:.0f} ms | "
            f"{_ok(worst * 1000 <= t['cold_ms'])} |"
        )
        polars = r.peers.get("polars, in memory", {})
        ratios = {p: polars[p] / cold[p] for p in polars if cold.get(p)}
        if ratios:
            low_page, low = min(ratios.items(), key=lambda kv: kv[1])
            rows.append(
                f"| ≥ {t['polars_ratio']} × faster than polars with the data in memory, every page | lowest: "
                f"{low_page}, {low:.2f} × | {_ok(low >= t['polars_ratio'])} |"
            )
        warm = max(v.warm for v in r.views)
        rows.append(
            f"| Warm ≤ {t['warm_ms']} ms | worst view {warm * 1000:.1f} ms | {_ok(warm * 1000 <= t['warm_ms'])} |"
        )
    by_n = {lv.sessions: lv for lv in r.levels}
    if 20 in by_n:
        lv = by_n[20]
        p95 = lv.percentile(95)
        rows.append(
            f"| 20 concurrent sessions: p95 ≤ {t['p95_20_s']} s per view, no errors | p95 {p95:.2f} s, "
            f"{len(lv.errors)} errors | {_ok(p95 <= t['p95_20_s'] and not lv.errors)} |"
        )
    if 50 in by_n:
        lv = by_n[50]
        rows.append(
            f"| 50 sessions: no errors, memory under {t['memory_gb']} GB | {len(lv.errors)} errors, "
            f"{lv.peak_rss / 1e9:.2f} GB | {_ok(not lv.errors and lv.peak_rss / 1e9 < t['memory_gb'])} |"
        )
    if r.settled:
        page, worst = max(((p, statistics.median(v)) for p, v in r.settled.items()), key=lambda kv: kv[1])
        rows.append(
            f"| Chromium, median per page until it stops changing ≤ {t['settled_s']} s | "
            f"worst: {page}, {worst:.2f} s | "
            f"{_ok(worst <= t['settled_s'])} |"
        )
    if not rows:
        return []
    return [
        "",
        "### Targets of issue 20: freshness, memory, many analysts, stronger peers",
        "",
        "| Target | Measured | |",
        "|---|---|---|",
        *rows,
    ]


TARGETS_21 = {"filter_cold_s": 1.0, "filter_warm_s": 0.3, "next_page_s": 0.3}


def _report_explore(r: Results, with_views: bool = False) -> list[str]:
    """Issue 21's table-page times: the browser straight on DuckDB, and the Explore page's views
    (`with_views`: their page-data rows too, for a report of this section alone)."""
    if not r.explore:
        return []
    t = TARGETS_21
    views = [v for v in r.views if v.page == "Explore"]
    filtered = next((v for v in views if v.view == "moves, confirmed"), None)
    nxt = r.explore.get("moves newest first: next page", 0.0)
    lines = [
        "",
        "## Explore: table pages",
        "",
        "| Target | Measured | |",
        "|---|---|---|",
    ]
    if filtered:
        lines += [
            f"| A table page with a filter and its facets, cold ≤ {t['filter_cold_s']:.0f} s | "
            f"{filtered.cold * 1000:,.0f} ms (moves, certainty = confirmed: page, count, facets, names) | "
            f"{_ok(filtered.cold <= t['filter_cold_s'])} |",
            f"| The same, warm ≤ {t['filter_warm_s'] * 1000:.0f} ms | {filtered.warm * 1000:,.1f} ms | "
            f"{_ok(filtered.warm <= t['filter_warm_s'])} |",
        ]
    lines += [
        f"| The next page of a sorted table ≤ {t['next_page_s'] * 1000:.0f} ms | {nxt * 1000:,.0f} ms (moves newest "
        f"first, by key: no OFFSET) | {_ok(nxt <= t['next_page_s'])} |",
        "",
        "Straight on DuckDB (the page's composed queries, uncached):",
        "",
        "| Step | ms |",
        "|---|---:|",
    ]
    lines += [f"| {what} | {seconds * 1000:,.0f} |" for what, seconds in r.explore.items()]
    if with_views:
        lines += [
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (`--explore-only`, on the database of the last full run). The",
            "Explore page's views through the app (cold: cache empty; warm: the same view again), ms:",
            "",
            "| View | Cold | Warm | Slowest step |",
            "|---|---:|---:|---|",
        ]
        lines += [f"| {v.view} | {v.cold * 1000:,.0f} | {v.warm * 1000:,.1f} | {v.slowest} |" for v in views]
    return lines


def _report_sections_20(r: Results) -> list[str]:
    lines: list[str] = []
    if r.writes:
        lines += [
            "",
            "## Writes into the loaded database",
            "",
            "Each as `python -m atlas load|undo` in its own process, from the command's start until it returns",
            "(the facts and the derived tables they touch are committed in one transaction: the pages show the",
            "change then), with the process's peak memory; the Data page's path (stage and commit) in the",
            "benchmark's process; and a full rebuild of every derived table, as `python -m atlas build` or a",
            "replace does.",
            "",
            "| Write | Seconds | Peak memory |",
            "|---|---:|---:|",
        ]
        for name, sec, rss in r.writes:
            lines.append(f"| {name} | {sec:.2f} | {f'{rss / 1e9:.2f} GB' if rss else '(in process)'} |")
        if r.load_rss:
            lines.append(
                f"| the full validated load, then every derived table | "
                f"{r.load_seconds + r.derive_seconds:.1f} | {r.load_rss / 1e9:.2f} GB |"
            )
    if r.peers:
        lines += [
            "",
            "## Peers side by side",
            "",
            "Each page's data computed by each peer (default view); Talent Atlas cold from the page-data table.",
            "In memory: the frames read once beforehand (not timed), as a Streamlit dashboard caches them.",
            "",
            "| Page | Talent Atlas cold ms | " + " | ".join(f"{n} ms" for n in r.peers) + " | vs polars |",
            "|---|---:|" + "---:|" * len(r.peers) + "---:|",
        ]
        cold = {v.page: v.cold for v in r.views if v.view == "default"}
        for page in r.peer:
            c = cold.get(page, 0)
            polars = r.peers.get("polars, in memory", {}).get(page, 0)
            lines.append(
                f"| {page} | {c * 1000:.0f} | "
                + " | ".join(f"{peer.get(page, 0) * 1000:,.0f}" for peer in r.peers.values())
                + f" | {polars / c if c else 0:.2f} × |"
            )
    if r.levels:
        lines += [
            "",
            "## Many analysts at once",
            "",
            "Sessions speaking Streamlit's own websocket protocol to one freshly started server",
            "(`atlas.tools.loaddriver`): each opens one view of every page by URL, in turn, as a link (a new",
            "connection per view); a view is done when its script has finished and every element has arrived.",
            "The levels run one after the other on the same server (its cache warm after the first).",
            "",
            "| Sessions | Views opened | p50 s | p95 s | Slowest s | Errors | Server CPU s | Wall s | Peak memory |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for lv in r.levels:
            slowest = max(lv.times, default=float("nan"))
            lines.append(
                f"| {lv.sessions} | {len(lv.opened)} | {lv.percentile(50):.2f} | {lv.percentile(95):.2f} | "
                f"{slowest:.2f} | {len(lv.errors)} | {lv.cpu_seconds:.0f} | {lv.wall_seconds:.0f} | "
                f"{lv.peak_rss / 1e9:.2f} GB |"
            )
        errs = [e for lv in r.levels for e in lv.errors][:5]
        if errs:
            lines += ["", "First errors: " + "; ".join(f"{e.view}: {e.error}" for e in errs)]
    return lines


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return 0.0


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
    _log("Explore's page data …")
    time_pages(db_path, results, only=("Explore",))
    _log("the table browser …")
    time_explore(db_path, results)
    text = "\n".join(_report_explore(results, with_views=True)).strip()
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    from atlas.tools import bench_names

    bench_names.write_section(text, out, head="## Explore: table pages")
    print(text)
    _log(f"written to {out}")
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
    _log(f"schema brought up to date in {time.perf_counter() - t:.1f} s")
    results = Results(scale=scale, sizes=dict(SCALES[scale].__dict__))
    time_pages(db_path, results)
    run_line = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (`--pages-only`, on the database of the last full run, "
        "brought to the current schema)."
    )
    text = "\n".join(_report_pages(results, run_line)).strip()
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    from atlas.tools import bench_names

    bench_names.write_section(text, out, head="## Page data")
    _log(f"written to {out}")
    return results


def run(
    scale: str = "small", work: Path | None = None, out: Path | None = None, browser: bool = True, sessions: bool = True
) -> Results:
    """Run the whole benchmark and write the report; returns the numbers."""
    import logging

    # AppTest in a bare process logs a warning per run; the benchmark's own lines are the output
    for name in ("streamlit", "streamlit.runtime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    work = Path(work or ROOT / "bench" / "work")
    work.mkdir(parents=True, exist_ok=True)
    results = Results(scale=scale, sizes=dict(SCALES[scale].__dict__))
    csv_dir = ensure_data(scale, work)
    results.csv_bytes = sum(f.stat().st_size for f in csv_dir.glob("*.csv"))
    _log("loading …")
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
    _log(
        f"  validated load {results.load_seconds:.1f} s, raw read_csv {results.raw_load_seconds:.1f} s, "
        f"then derived tables {results.derive_seconds:.1f} s"
    )
    _log("page data …")
    time_pages(db_path, results)
    _log("the table browser …")
    time_explore(db_path, results)
    _log("peers …")
    results.peer = pandas_peer(csv_dir)
    results.peers = {
        "pandas, from the CSVs": results.peer,
        "pandas, in memory": pandas_peer(csv_dir, in_memory=True),
        "polars, in memory": polars_peer(csv_dir),
    }
    if browser:
        _log("browser …")
        from atlas import cache

        cache.connection().close()  # the server needs the database file to itself
        import streamlit as st

        st.cache_resource.clear()
        time_browser(db_path, work, results)
    if sessions:
        _log("many sessions …")
        # the small scale is a check that it all runs (and the test suite runs it): fewer analysts
        time_sessions(db_path, work, results, levels=(1, 5, 20, 50) if scale == "large" else (1, 5))
    _log("writes into the loaded database …")
    time_writes(db_path, work, results)
    text = report(results)
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    _archive(out)
    out.write_text(text, encoding="utf-8")
    print(text)
    _log(f"written to {out}")
    return results
