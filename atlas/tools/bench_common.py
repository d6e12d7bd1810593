"""What the benchmark's parts share (atlas.tools.bench): the scales, targets and views of every
page, what a timed call and a view record, the results, the log and how a process is measured."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from atlas import generate
from atlas.pages import PAGES as REGISTRY
from atlas.sql import ROOT

SCALES = {"check": generate.CHECK, "small": generate.SMALL, "large": generate.LARGE}


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
        ("firm level, today's lineage", {"level": "firm", "lineage": "today"}),
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
        ("moves within 24 months of rounds", {"mt_months": "24"}),
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
    api: list = field(default_factory=list)  # atlas.tools.bench_api.ApiResult per section's default view


def say(msg: str) -> None:
    print(msg, flush=True)


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


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def as_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return 0.0


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


def scan_components_once() -> None:
    """Have Streamlit's AppTest look for installed components once per process, not at each new
    AppTest: it reads every installed package's metadata each time (profiled, py-spy --gil: 19 % of
    the CPU of the suite's AppTest modules, 12 % of the benchmark's page data). No package is
    installed while a process runs, so the first scan's answer stays true. Harness only: a served
    app scans once at its start anyway."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if getattr(scan, "atlas_once", False):
        return
    found = scan()

    def once(max_workers: int | None = None) -> list:
        return list(found)

    once.atlas_once = True  # type: ignore[attr-defined]
    manifest_scanner.scan_component_manifests = once
