"""`python -m atlas bench --scale check` runs every part end to end, on little data (its times are not
asserted: the benchmark measures, the tests check that it runs and reports everything). Two processes
at once: this module runs every section but the served ones, tests/test_bench_served.py those (Chromium
and many sessions), so the suite's longest test is half as long."""

from __future__ import annotations

import re

from atlas.tools import bench
from tests.support import run_bench


def test_the_benchmark_runs_and_reports_every_page(tmp_path):
    text = run_bench(tmp_path, "--skip", "browser,sessions")
    assert f"moves {bench.SCALES['check'].moves:,}" in text  # all generated moves went through the load
    for heading in (
        "## Targets",
        "## Loading",
        "## Page data",
        "## The pandas peer",
        "## Writes into the loaded database",
        "## Peers side by side",
        "## Explore: table pages",
    ):
        assert heading in text
    # writes into the loaded database, each timed, with its process's peak memory
    for write in ("append 1,000 moves", "undo the append", "upsert 1,000 changed moves", "undo the upsert"):
        row = re.search(rf"^\| {write} \| ([\d.]+) \| ([\d.]+) GB \|$", text, re.M)
        assert row and float(row.group(1)) > 0 and float(row.group(2)) > 0, write
    assert "After the Data page's append, move_facts held 1,000 of its 1,000 moves." in text
    # the three peers side by side for every page
    for title in bench.PEER_PAGES:
        assert re.search(rf"^\| {re.escape(title)} \| \d+ \| [\d,]+ \| [\d,]+ \| [\d,]+ \| [\d.]+ × \|$", text, re.M), (
            title
        )
    # the table browser: a filtered page with its facets, and the next page of a sorted table
    for step in ("moves: first page, filter and facets", "moves newest first: next page"):
        assert re.search(rf"^\| {step} \| [\d,]+ \|$", text, re.M), step
    assert re.search(r"^\| The next page of a sorted table ≤ 300 ms \| [\d,]+ ms", text, re.M)
    # one row per page and view, each with its queries counted and timed cold, warm and raw
    for _, title, views in bench.PAGES:
        for view, _ in views:
            row = re.search(
                rf"^\| {re.escape(title)} \| {re.escape(view)} \| (\d+) \| (\d+) \| ([\d.]+) \| (\d+) \|", text, re.M
            )
            assert row, f"no row for {title} / {view}"
            assert int(row.group(1)) > 0
    # rows each chart received, read from the rendered page: the flow page draws a Sankey
    flows = re.search(r"^\| Talent flows \| default \|.*\| ([\d,]+) \|$", text, re.M)
    assert flows and int(flows.group(1).replace(",", "")) > 0
    phases = re.search(r"Where the validated load's time goes \(seconds\): (.*); the rest", text)
    assert phases and all(name in phases.group(1) for name in bench.LOAD_PHASES.values())
    peer = re.findall(r"^\| ([^|]+) \| ([\d,]+) \| (\d+) \| ([\d.]+) × \|$", text, re.M)
    assert {p[0] for p in peer} == set(bench.PEER_PAGES)
    # the real exports (issue 39), each loaded with the suggestion, timed, with its peak memory
    from atlas.tools import bench_real

    if bench_real.DATA.exists():
        for name in bench_real.FILES:
            rows = re.findall(rf"^\| {name} \| [^|]+ \| [^|]*\d[^|]* \| \d+ \| ([\d.]+) \| ([\d,]+) \|$", text, re.M)
            assert len(rows) == 2 and all(float(s) > 0 and int(mb.replace(",", "")) > 0 for s, mb in rows), name
        assert f"{bench_real.CHECK_ROWS:,} rows of each file spread over it" in text
    else:
        assert "Not measured:" in text  # said, not skipped silently
    # the served sections were left out, and nothing says they ran
    assert "## In Chromium" not in text and "## Many analysts at once" not in text
