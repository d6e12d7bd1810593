"""The benchmark's served sections, `python -m atlas bench --scale check --only browser,sessions`:
every view of every page opened in Chromium on a freshly started server, and many analysts' sessions
over the websocket at once (times not asserted: the benchmark measures). Runs beside
tests/test_bench.py, which runs the other sections."""

from __future__ import annotations

import os
import re

import pytest

from atlas.tools import bench
from atlas.tools.browser import chromium_available
from tests.support import run_bench


def test_the_benchmark_serves_every_view_in_chromium_and_to_many_sessions(tmp_path):
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI (Debian package chromium); .ci/run installs it")
        pytest.skip("no Chromium found: the served sections need it")
    text = run_bench(tmp_path, "--only", "browser,sessions")
    assert f"moves {bench.SCALES['check'].moves:,}" in text  # the same load ran first
    assert "## In Chromium" in text and "Peak memory of the app process" in text
    # every page opened in Chromium: its default view at the check scale (four at the others), and
    # the median, until drawn and until settled
    for _, title, _ in bench.PAGES:
        rows = re.findall(rf"^\| {re.escape(title)} \| ([\d.]+) \| ([\d.]+) \|$", text, re.M)
        assert len(rows) == 2 and all(float(s) > 0 and s == median for s, median in rows), (title, rows)
    assert re.search(r"^\| Charts drawn ≤ [\d.]+ s after navigation", text, re.M)
    # sessions over the websocket: one and five at once, every view opened without an error
    assert "## Many analysts at once" in text
    for n in (1, 5):
        row = re.search(rf"^\| {n} \| (\d+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| (\d+) \|", text, re.M)
        assert row and int(row.group(1)) == len(bench.PAGES) * n and row.group(2) == "0", (n, row and row.group(0))
    # the other sections were left to tests/test_bench.py
    assert not re.search(r"^\| append 1,000 moves \|", text, re.M)  # the writes
    assert not re.search(r"^\| moves: first page, filter and facets \|", text, re.M)  # the table browser
