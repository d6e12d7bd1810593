"""`python -m atlas bench --scale check` runs every part end to end, on little data (its times are not
asserted: the benchmark measures, the tests check that it runs and reports everything)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from atlas.tools import bench
from atlas.tools.browser import chromium_available
from tests.support import ROOT


def test_the_benchmark_runs_and_reports_every_page(tmp_path):
    out = tmp_path / "RESULTS.md"
    # its own process, as an analyst runs it (and clear of the browser tests' Playwright loop)
    args = [
        sys.executable,
        "-m",
        "atlas",
        "bench",
        "--scale",
        "check",
        "--work",
        str(tmp_path / "w"),
        "--out",
        str(out),
    ]
    browser = chromium_available() or bool(os.environ.get("CI"))
    if not browser:
        args.append("--no-browser")
    env = {k: v for k, v in os.environ.items() if k != "ATLAS_DB"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert f"moves {bench.SCALES['check'].moves:,}" in text  # all generated moves went through the load
    for heading in (
        "## Targets",
        "## Loading",
        "## Page data",
        "## The pandas peer",
        "## Writes into the loaded database",
        "## Peers side by side",
        "## Many analysts at once",
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
    # sessions over the websocket: one and five at once, every view opened without an error
    for n in (1, 5):
        row = re.search(rf"^\| {n} \| (\d+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| (\d+) \|", text, re.M)
        assert row and int(row.group(1)) == len(bench.PAGES) * n and row.group(2) == "0", (n, row and row.group(0))
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
    if browser:
        assert "## In Chromium" in text and "Peak memory of the app process" in text
    # the real exports (issue 39), each loaded with the suggestion, timed, with its peak memory
    from atlas.tools import bench_real

    if bench_real.DATA.exists():
        for name in bench_real.FILES:
            rows = re.findall(rf"^\| {name} \| [^|]+ \| [^|]*\d[^|]* \| \d+ \| ([\d.]+) \| ([\d,]+) \|$", text, re.M)
            assert len(rows) == 2 and all(float(s) > 0 and int(mb.replace(",", "")) > 0 for s, mb in rows), name
    else:
        assert "Not measured:" in text  # said, not skipped silently
        # every view of every page opened in Chromium: four times and a median per page
        for _, title, _ in bench.PAGES:
            assert re.search(rf"^\| {re.escape(title)} (\| [\d.]+ ){{5}}\|$", text, re.M), title
