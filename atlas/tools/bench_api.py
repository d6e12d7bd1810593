"""The benchmark's `api` section: the data at a URL (atlas.api) on a freshly started server, every
section's default view as CSV: its first request (cold), then warm requests, with the server
process's CPU per request (what a notebook's `pandas.read_csv(url)` costs the server)."""

from __future__ import annotations

import statistics
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from atlas import viewdata
from atlas.tools.bench_common import process_cpu_seconds, say

WARM_REQUESTS = 5


@dataclass
class ApiResult:
    path: str
    rows: int
    bytes: int
    cold_ms: float
    cold_cpu_ms: float
    warm_ms: float
    warm_cpu_ms: float


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=600) as r:
        return r.read()


def time_api(db_path: Path, work: Path) -> list[ApiResult]:
    from atlas.tools.browser import Server

    server = Server(db_path, work / "api_streamlit.log")
    out: list[ApiResult] = []
    try:
        _get(server.url + "/api/")  # the server's first request (its connection, the catalog)
        for d in viewdata.DATASETS:
            path = f"/api/{viewdata.page_slug(d.page)}/{d.slug}.csv"
            if d.name == "counterparts":  # a group must be picked: the first of the net chart
                net = _get(server.url + "/api/talent-flows/net-flow.csv").decode("utf-8-sig").splitlines()
                path += "?focus=" + net[1].split(",")[0] if len(net) > 1 else ""
            if d.name == "lift_outs":  # over millions of moves found only when asked, as on the page
                path += "?lifts=true"
            cpu, t = process_cpu_seconds(server.proc.pid), time.perf_counter()
            body = _get(server.url + path)
            cold_ms, cold_cpu = (time.perf_counter() - t) * 1000, (process_cpu_seconds(server.proc.pid) - cpu) * 1000
            walls, cpus = [], []
            for _ in range(WARM_REQUESTS):
                cpu, t = process_cpu_seconds(server.proc.pid), time.perf_counter()
                _get(server.url + path)
                walls.append((time.perf_counter() - t) * 1000)
                cpus.append((process_cpu_seconds(server.proc.pid) - cpu) * 1000)
            rows = max(body.count(b"\n") - 1, 0)
            out.append(
                ApiResult(path, rows, len(body), cold_ms, cold_cpu, statistics.median(walls), statistics.mean(cpus))
            )
            say(
                f"  {path:<55} cold {cold_ms:6.0f} ms, warm {statistics.median(walls):5.0f} ms, "
                f"{statistics.mean(cpus):5.0f} ms CPU"
            )
    finally:
        server.stop()
    return out


def report_lines(results: list[ApiResult], scale: str, target_ms: float = 100.0) -> list[str]:
    worst = max((r.warm_cpu_ms for r in results), default=0.0)
    lines = [
        f"## Data at a URL (issue 43): `{scale}`",
        "",
        "Each section's default view as CSV from a freshly started `streamlit run app.py` (the routes beside the "
        "app): the first request (cold: the queries run), then "
        f"{WARM_REQUESTS} more (warm: the page cache answers); server CPU is the app process's, per request "
        "(the clock ticks at 10 ms: a warm figure under 10 ms reads 0 or 10).",
        "",
        f"Warm CSV of every section's default view ≤ {target_ms:.0f} ms of server CPU: worst {worst:.0f} ms "
        f"({'met' if worst <= target_ms else 'missed'}).",
        "",
        "| Endpoint | Rows | Bytes | Cold ms | Cold CPU ms | Warm ms | Warm CPU ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| `{r.path}` | {r.rows:,} | {r.bytes:,} | {r.cold_ms:.0f} | {r.cold_cpu_ms:.0f} | {r.warm_ms:.0f} | "
        f"{r.warm_cpu_ms:.0f} |"
        for r in results
    ]
    return [*lines, ""]
