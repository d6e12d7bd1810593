"""The benchmark's report (atlas.tools.bench): the results as bench/RESULTS.md's tables, each
against its target."""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime

import duckdb
import pandas as pd

from atlas.tools import browser
from atlas.tools.bench_common import LOAD_PHASES, TARGETS, Results, as_gb
from atlas.tools.bench_pages import settle_ms


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _views_header(by_page: dict) -> str:
    n = max((len(v) for v in by_page.values()), default=4)
    return "| Page | Default | " + "".join(f"View {i} | " for i in range(2, n + 1)) + "Median |"


def _views_rule(by_page: dict) -> str:
    n = max((len(v) for v in by_page.values()), default=4)
    return "|---|" + "---:|" * (n + 1)


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
        f"{as_gb():.0f} GB memory, {platform.platform()}, Python {platform.python_version()}, "
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
    lines += report_pages(r)
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
            "first four of the page-data table, one at the check scale) opened as a link in a new tab, timed from "
            "navigation until the",
            "script has finished and every chart has drawn. Every view is a first request (nothing cached).",
            *([f"The browser: `{browser.CHROMIUM}` (ATLAS_CHROMIUM)."] if os.environ.get("ATLAS_CHROMIUM") else []),
            "",
            _views_header(r.browser),
            _views_rule(r.browser),
        ]
        for page, seconds in r.browser.items():
            lines.append(
                f"| {page} | " + " | ".join(f"{s:.2f}" for s in seconds) + f" | {statistics.median(seconds):.2f} |"
            )
    if r.settled:
        lines += [
            "",
            "Until the page stops changing (the last change of the main block's text, charts or stale",
            f"elements, taken once nothing changed for {settle_ms(r.scale) / 1000:.1f} s), seconds from navigation, "
            "same views:",
            "",
            _views_header(r.settled),
            _views_rule(r.settled),
        ]
        for page, seconds in r.settled.items():
            lines.append(
                f"| {page} | " + " | ".join(f"{s:.2f}" for s in seconds) + f" | {statistics.median(seconds):.2f} |"
            )
    if r.peak_rss is not None:
        lines += ["", f"Peak memory of the app process (VmHWM) after all pages: {r.peak_rss / 1e9:.2f} GB."]
    lines += _report_sections_20(r)
    lines += report_explore(r)
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


def report_pages(r: Results, run_line: str = "") -> list[str]:
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


def report_explore(r: Results, with_views: bool = False) -> list[str]:
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
