"""The benchmark's page timings (atlas.tools.bench): each page's queries cold, warm and as bare SQL
(AppTest), the table browser, Chromium until a page is drawn, and many sessions at once."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pandas as pd

from atlas import sql
from atlas.pages import BY_TITLE
from atlas.pages import PAGES as ALL_PAGES
from atlas.sql import ROOT
from atlas.tools.bench_common import PAGES, Call, Results, ViewResult, process_cpu_seconds, say, scan_components_once


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


def sent(at: object, kind: str) -> list:
    """The elements of `kind` (e.g. "vega_lite_chart") a finished AppTest run sends to the browser."""
    found: list = []

    def walk(node: object) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        if getattr(node, "type", "") == kind:
            found.append(node)

    walk(at._tree)  # noqa: SLF001 - AppTest's element tree: the page as it would be sent
    return found


def chart_rows(at: object) -> int:
    """The most rows one chart of a finished AppTest run was sent.

    Read from the elements as they go to the browser: an Altair chart's datasets (Arrow)
    summed, an ECharts chart's nodes and links.
    """
    import pyarrow as pa

    found = [0]
    for node in sent(at, "vega_lite_chart"):
        proto = node.proto
        blobs = [d.data.data for d in proto.datasets] + ([proto.data.data] if proto.data.data else [])
        found.append(sum(pa.ipc.open_stream(b).read_all().num_rows for b in blobs))
    for node in sent(at, "echarts_chart"):
        series = json.loads(node.proto.spec).get("series", [])
        found.append(sum(len(s.get("data") or s.get("nodes") or []) + len(s.get("links") or []) for s in series))
    return max(found)


def _run_page(script: str, params: dict) -> tuple[list[Call], list[Call], int]:
    """The page's queries with the cache cleared (cold), then with it filled (warm), and
    the most rows one of its charts received."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from atlas import cache

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if script != "app.py":
        at.switch_page(script)  # the page is the first run, as a link opened in a new tab
    for k, v in params.items():
        at.query_params[k] = v
    at.run()  # the first run reads the link into the session; the measured runs come after it
    cold: list[Call] = []
    warm: list[Call] = []
    st.cache_data.clear()
    cache.forget_kept()  # and the results held in this process
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
    scan_components_once()  # the harness's own cost, not the page's (it is not in the timed calls)
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
            say(
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
            say(f"  explore {what:<48} {results.explore[what] * 1000:7.0f} ms")
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
            page.goto(server.url + BY_TITLE["Data"].url_path)
            wait_for_app(page, "Data", timeout_ms=120000, settle_ms=0)
            page.close()
            for script, title, views in PAGES:
                path = next(p.url_path for p in ALL_PAGES if p.script == script)
                results.browser[title] = []
                # four per page (the table's columns); one at the check scale, which shows it runs
                for view, params in views[: 1 if results.scale == "check" else 4]:
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
                    results.settled.setdefault(title, []).append(_settled(page, settle_ms(results.scale)))
                    if page.locator('[data-testid="stException"]').count():
                        raise RuntimeError(f"{title} ({view}) shows an exception in the browser; see {server.db_path}")
                    say(f"  browser {title:<15} {view:<22} {seconds:.2f} s")
                    page.close()
            browser.close()
        results.peak_rss = server.peak_rss_bytes()
    finally:
        server.stop()


SETTLE_MS = 1500  # a page that has not changed for this long has stopped changing
# the `check` scale only shows that the section runs (the test suite runs it): a shorter wait
CHECK_SETTLE_MS = 500


def settle_ms(scale: str) -> int:
    """How long a page must stay unchanged to count as settled at `scale`."""
    return CHECK_SETTLE_MS if scale == "check" else SETTLE_MS


def _settled(page, settle: int = SETTLE_MS) -> float:  # noqa: ANN001 - a Playwright page
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
        settle,
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
            before = process_cpu_seconds(server.proc.pid)
            level = loaddriver.run_level_mixed(server.url, [views(k) for k in range(n)])
            level.cpu_seconds = process_cpu_seconds(server.proc.pid) - before
            level.peak_rss = server.peak_rss_bytes() or 0
            results.levels.append(level)
            say(
                f"  {n:>3} sessions: p50 {level.percentile(50):.2f} s, p95 {level.percentile(95):.2f} s, "
                f"{len(level.errors)} errors, server CPU {level.cpu_seconds:.0f} s over {level.wall_seconds:.0f} s, "
                f"peak {level.peak_rss / 1e9:.2f} GB"
            )
    finally:
        server.stop()
