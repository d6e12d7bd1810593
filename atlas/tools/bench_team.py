"""`python -m atlas bench --team`: a team as teams work (issue 44).

Analysts who think: each opens a view (one of every page's benchmark views, picked at random, as
a link in a new tab), reads it for 5 s plus an exponential wait of mean 8 s (at most 30 s), then
opens the next (atlas.tools.loaddriver.run_thinking). At 25, 50 and 100 analysts on one
`streamlit run` process and on two behind HAProxy (`python -m atlas serve`), each level for a
fixed time; then more analysts, level by level, until the p95 of a view passes 2 s (or a view
fails): the largest team each serves.

The driver runs in a process of its own and its CPU is reported beside the servers', so the
servers' share of the machine is known. It measures; it asserts nothing. The section is written
into bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from atlas.tools import loaddriver
from atlas.tools.bench_common import say
from atlas.tools.bench_serve import rss, tree_cpu, two_processes, views_by_page
from atlas.tools.browser import Server

HEAD = "## A team as teams work (issue 44)"
LEVELS = (25, 50, 100)
BEYOND = (150, 200, 300, 400, 600, 800)  # tried in turn until the p95 passes LIMIT_S
LIMIT_S = 2.0
SECONDS = 90.0  # each level's length


@dataclass
class TeamLevel:
    processes: int
    analysts: int
    level: loaddriver.Level
    server_cpu: float = 0.0  # the servers' CPU seconds over the level
    driver_cpu: float = 0.0  # the driver process's own
    peak_rss: int = 0

    @property
    def p95(self) -> float:
        return self.level.percentile(95)

    @property
    def ok(self) -> bool:
        return not self.level.errors and self.p95 < LIMIT_S


@dataclass
class TeamResults:
    label: str
    seconds: float
    think: tuple[float, float, float]
    levels: list[TeamLevel] = field(default_factory=list)

    def largest(self, processes: int) -> int | None:
        """The most analysts `processes` served with the p95 under LIMIT_S and no error."""
        ok = [lv.analysts for lv in self.levels if lv.processes == processes and lv.ok]
        return max(ok) if ok else None


def drive(url: str, views: list, analysts: int, seconds: float, think: tuple) -> tuple[loaddriver.Level, float]:
    """The thinking driver in its own process: its level and its own CPU seconds."""
    done = subprocess.run(
        [sys.executable, "-m", "atlas.tools.loaddriver", url, str(analysts), str(seconds), *map(str, think)],
        input=json.dumps(views),
        capture_output=True,
        text=True,
        timeout=seconds + 900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load driver failed: {done.stderr[-2000:]}")
    got = json.loads(done.stdout.strip().splitlines()[-1])
    level = loaddriver.Level(analysts, wall_seconds=got["wall_seconds"])
    level.opened = [loaddriver.Opened(v, s, n, e) for v, s, n, e in got["opened"]]
    return level, got["driver_cpu_seconds"]


def measure(
    url: str, pids: list[int], views: list, processes: int, results: TeamResults, levels: tuple, beyond: tuple
) -> None:
    """The fixed levels, then the larger ones until a level misses (p95 over LIMIT_S or an error)."""
    for n in (*levels, *beyond):
        if n in beyond and results.levels and not results.levels[-1].ok:
            break
        before = tree_cpu(pids)
        level, driver_cpu = drive(url, views, n, results.seconds, results.think)
        got = TeamLevel(processes, n, level, tree_cpu(pids) - before, driver_cpu, max(rss(p) for p in pids))
        results.levels.append(got)
        say(
            f"  {processes} process(es), {n:>4} thinking analysts: {len(level.opened)} views, "
            f"p50 {level.percentile(50):.2f} s, p95 {got.p95:.2f} s, {len(level.errors)} errors, "
            f"servers' CPU {got.server_cpu:.0f} s, driver's {driver_cpu:.0f} s over {level.wall_seconds:.0f} s"
        )


def run(
    db_path: Path,
    work: Path,
    label: str,
    seed: bool,
    seconds: float = SECONDS,
    think: tuple[float, float, float] = (loaddriver.THINK_MIN_S, loaddriver.THINK_EXTRA_S, loaddriver.THINK_MAX_S),
    levels: tuple[int, ...] = LEVELS,
    beyond: tuple[int, ...] = BEYOND,
) -> TeamResults:
    """Every level on one process, then on two behind the balancer, on `db_path` (left unchanged)."""
    results = TeamResults(label, seconds, think)
    views = [v for page in views_by_page(seed) for v in page]
    server = Server(db_path, work / "team_streamlit.log")
    try:
        loaddriver.run_level(server.url, [views[-1]], 1)  # the server's first connection
        measure(server.url, [server.proc.pid], views, 1, results, levels, beyond)
    finally:
        server.stop()
    _store, cluster = two_processes(db_path, work / "team.snapshots")
    try:
        cluster.start()
        url = f"http://127.0.0.1:{cluster.port}"
        loaddriver.run_level(url, [views[-1]], 2)  # each process's first connection
        measure(url, [p.pid for p in cluster.apps], views, 2, results, levels, beyond)
    finally:
        cluster.stop()
    return results


def report(r: TeamResults) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    low, extra, high = r.think
    lines = [
        HEAD,
        "",
        f"Run {when} on {os.cpu_count()} cores, {r.label}: `python -m atlas bench --team`. Each analyst opens one "
        f"of every page's benchmark views, picked at random, as a link in a new tab, then reads it for "
        f"{low:g} s plus an exponential wait of mean {extra:g} s (at most {high:g} s), then opens the next; "
        f"each level runs {r.seconds:g} s (the analysts arrive over the first reading time). A view's time: from "
        "its request until the script finished and every element arrived. The driver runs in a process of its "
        "own: its CPU is not the servers'.",
        "",
        "| Processes | Analysts | Views | p50 s | p95 s | Errors | Servers' CPU s | Servers' CPU share | "
        "Driver's CPU s | Largest process GB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lv in r.levels:
        wall = lv.level.wall_seconds or 1
        share = lv.server_cpu / (wall * (os.cpu_count() or 1))
        lines.append(
            f"| {lv.processes} | {lv.analysts} | {len(lv.level.opened)} | {lv.level.percentile(50):.2f} | "
            f"{lv.p95:.2f} | {len(lv.level.errors)} | {lv.server_cpu:.1f} | {share:.0%} | {lv.driver_cpu:.1f} | "
            f"{lv.peak_rss / 1e9:.2f} |"
        )
    lines.append("")
    for processes in (1, 2):
        tried = [lv for lv in r.levels if lv.processes == processes]
        if not tried:
            continue
        most = r.largest(processes)
        first_miss = next((lv for lv in tried if not lv.ok), None)
        said = (
            f"the largest team served with a p95 under {LIMIT_S:g} s: **{most} analysts**"
            if most
            else f"no level had a p95 under {LIMIT_S:g} s"
        )
        if first_miss is not None:
            why = f"{len(first_miss.level.errors)} errors" if first_miss.level.errors else f"p95 {first_miss.p95:.2f} s"
            said += f" ({first_miss.analysts} missed: {why})"
        else:
            said += f" (the most tried; {tried[-1].analysts} did not reach the limit)"
        lines.append(f"- {processes} process{'es' if processes > 1 else ''}: {said}.")
    fifty = next((lv for lv in r.levels if lv.processes == 2 and lv.analysts == 50), None)
    if fifty is not None:
        met = fifty.p95 < 1.5 and not fifty.level.errors
        lines.append(
            f"- 50 thinking analysts on 2 processes: p95 {fifty.p95:.2f} s, {len(fifty.level.errors)} errors "
            f"(target: under 1.5 s, no error): {'met' if met else '**missed**'}."
        )
    errors = [o for lv in r.levels for o in lv.level.errors][:3]
    lines += [f"- an error: {o.view}: {o.error}" for o in errors]
    return "\n".join(lines) + "\n"
