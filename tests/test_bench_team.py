"""`python -m atlas bench --team` (issue 44): thinking analysts on one process and on two behind
HAProxy, the driver in a process of its own with its CPU reported (times not asserted: the
benchmark measures; here with short levels and short reading times, on the seed)."""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import sys

from atlas.tools import loaddriver
from tests.support import ROOT


def test_an_analyst_reads_a_view_for_five_to_thirty_seconds():
    rng = random.Random(7)
    waits = [loaddriver.think_seconds(rng) for _ in range(20_000)]
    assert min(waits) >= 5.0 and max(waits) == 30.0  # the cap is reached, never passed
    # 5 s plus an exponential of mean 8 s, capped at 30: a mean a little under 13 s
    assert 12.0 < statistics.mean(waits) < 13.0, statistics.mean(waits)
    assert statistics.median(waits) < statistics.mean(waits)  # skewed as an exponential is


def test_the_team_section_serves_thinking_analysts_on_one_and_two_processes(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n## Loading\n\nkept\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "bench", "--team", "--seconds", "4", "--think", "0.2,0.3,1",
         "--analysts", "3", "--work", str(tmp_path / "w"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "## Loading\n\nkept" in text  # the rest of the report stays
    section = text[text.index("## A team as teams work (issue 44)") :]
    assert "the seed database" in section and "0.2 s plus an exponential wait of mean 0.3 s (at most 1 s)" in section
    row = (
        r"^\| (\d) \| (\d+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \| ([\d.]+) \| (\d+)% \| ([\d.]+) \| ([\d.]+) \|$"
    )
    rows = re.findall(row, section, re.M)
    assert [(r[0], r[1]) for r in rows] == [("1", "3"), ("2", "3")], rows
    for processes, analysts, views, p50, p95, errors, server_cpu, _share, driver_cpu, gb in rows:
        # every analyst arrived within the first reading time and opened a view at least; none failed
        assert int(views) >= int(analysts) and errors == "0", (processes, analysts, views, errors)
        assert 0 < float(p50) <= float(p95)
        # the servers' CPU and the driver's, each measured in its own process; the servers' memory
        assert float(server_cpu) > 0 and float(driver_cpu) > 0 and float(gb) > 0
    # each process count says its largest team (the levels named are exactly those tried)
    for said in ("- 1 process: ", "- 2 processes: "):
        line = next(line for line in section.splitlines() if line.startswith(said))
        assert re.search(r"\*\*3 analysts\*\*|no level had a p95 under 2 s", line), line
