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
import statistics
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

# Four views of each page of the registry, by its title, as URL parameters (the default first).
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
    con = duckdb.connect(str(db_path))
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


# ---------------------------------------------------------------- page data


def _record(calls: list[Call]) -> Callable[[], None]:
    """Time every atlas.cache.query call into `calls`; returns the undo."""
    from atlas import cache

    original = cache.query

    def timed(name: str, **params: object) -> pd.DataFrame:
        t = time.perf_counter()
        df = original(name, **params)
        calls.append(Call(name, params, time.perf_counter() - t, len(df)))
        return df

    cache.query = timed

    def undo() -> None:
        cache.query = original

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
        at.switch_page(script)
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
    """The same SQL with the same bound values, straight on DuckDB, fetched whole."""
    total = 0.0
    for c in calls:
        q = sql.query(c.name)
        cur = con.cursor()
        try:
            t = time.perf_counter()
            cur.execute(q.sql, q.bind(c.params)).fetchall()
            total += time.perf_counter() - t
        finally:
            cur.close()
    return total


def time_pages(db_path: Path, results: Results) -> None:
    from atlas import cache

    os.environ["ATLAS_DB"] = str(db_path)
    for script, title, views in PAGES:
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


def pandas_peer(csv_dir: Path) -> dict[str, float]:
    """Each page's main data the way an analyst would write it: CSV into pandas, groupby."""

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(csv_dir / f"{name}.csv", low_memory=False)

    def overview() -> None:
        for name in ("people", "firms", "moves", "compensation", "funding_rounds"):
            len(read(name))

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

    def money(df: pd.DataFrame, date_col: str, fx: pd.DataFrame) -> pd.DataFrame:
        df["year"] = pd.to_numeric(df[date_col].astype(str).str[:4], errors="coerce")
        return df.merge(fx[["currency", "year", "usd_per_unit"]], on=["currency", "year"], how="left")

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
        moves, people = read("moves"), read("people")
        moves[moves["person_id"] == PERSON].merge(people, on="person_id")
        firm = moves[(moves["to_firm_id"] == FIRM) | (moves["from_firm_id"] == FIRM)].copy()
        firm["year"] = firm["moved_on"].str[:4]
        firm.groupby(["year", firm["to_firm_id"] == FIRM]).size()

    def data() -> None:
        for f in csv_dir.glob("*.csv"):
            len(pd.read_csv(f))

    peers = {
        "Overview": overview,
        "Talent flows": flows,
        "Pay offers": pay,
        "Funding": funding,
        "People & firms": profiles,
        "Data": data,
    }
    out = {}
    for title, fn in peers.items():
        t = time.perf_counter()
        fn()
        out[title] = time.perf_counter() - t
        _log(f"  pandas peer {title:<15} {out[title] * 1000:.0f} ms")
    return out


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
                for view, params in views:
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
                    if page.locator('[data-testid="stException"]').count():
                        raise RuntimeError(f"{title} ({view}) shows an exception in the browser; see {server.db_path}")
                    _log(f"  browser {title:<15} {view:<22} {seconds:.2f} s")
                    page.close()
            browser.close()
        results.peak_rss = server.peak_rss_bytes()
    finally:
        server.stop()


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
        "## Page data",
        "",
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
    if r.peak_rss is not None:
        lines += ["", f"Peak memory of the app process (VmHWM) after all pages: {r.peak_rss / 1e9:.2f} GB."]
    if r.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return 0.0


def run(scale: str = "small", work: Path | None = None, out: Path | None = None, browser: bool = True) -> Results:
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
    results.load_seconds, results.rows_loaded, results.load_phases, results.derive_seconds = time_validated_load(
        csv_dir, db_path
    )
    _log(
        f"  validated load {results.load_seconds:.1f} s, raw read_csv {results.raw_load_seconds:.1f} s, "
        f"then derived tables {results.derive_seconds:.1f} s"
    )
    _log("page data …")
    time_pages(db_path, results)
    _log("pandas peer …")
    results.peer = pandas_peer(csv_dir)
    if browser:
        _log("browser …")
        from atlas import cache

        cache.connection().close()  # the server needs the database file to itself
        import streamlit as st

        st.cache_resource.clear()
        time_browser(db_path, work, results)
    text = report(results)
    out = Path(out or ROOT / "bench" / "RESULTS.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    _log(f"written to {out}")
    return results
