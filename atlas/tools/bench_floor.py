"""`python -m atlas bench --floor`: every page against a bare Streamlit page of its shape (issue 44).

What Streamlit itself costs is the floor a page cannot go under. For each page, its default view's
shape is counted from the page as it is drawn (AppTest, on the same database): its widgets, metrics,
tables and their rows, charts and the points they are sent, its lines of text. A bare Streamlit page
draws that shape from fixed data (atlas/tools/floor_app.py); both are served, in the same run, by
`streamlit run` with the app's own configuration, and measured the same way:

1. server CPU per warm view: the load driver opens the view over Streamlit's websocket (as a tab
   does), once to warm it, then `VIEWS` times; the process's CPU (/proc) read around each;
2. server CPU per view from Chromium, with a fresh browser cache (a new context: the static files
   too) and with a warm one (the same context again);
3. Chromium's time from navigation until the main text stays the same for `SETTLE_S`, warm cache.

Each figure is reported with its ratio to the floor; issue 44 asks every page within 1.5x (warm)
and 1.2x (fresh cache). It measures; it asserts nothing.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from atlas.tools import loaddriver
from atlas.tools.bench_common import PAGES, process_cpu_seconds, say, scan_components_once
from atlas.tools.browser import CHROMIUM, CHROMIUM_ARGS, Server, chromium_available

FLOOR_SCRIPT = "atlas/tools/floor_app.py"
VIEWS = 40  # warm views per page over the websocket
LOADS = 4  # Chromium loads per page and cache state (the median is reported)
SETTLE_S = 1.0
HEAD = "## The floor (issue 44)"

WIDGETS = ("selectbox", "multiselect", "slider", "select_slider", "text_input", "text_area", "number_input")
WIDGETS += ("checkbox", "toggle", "radio", "date_input", "button", "color_picker", "button_group")
LINKS = ("page_link", "link_button")
TEXT = ("markdown", "caption", "header", "subheader", "title", "text", "info", "warning", "success", "error")


@dataclass
class Shape:
    widgets: int = 0
    downloads: int = 0
    links: int = 0
    metrics: int = 0
    tables: int = 0
    rows: int = 0
    charts: int = 0
    points: int = 0
    texts: int = 0

    def params(self) -> dict[str, int]:
        return {
            "w": self.widgets,
            "d": self.downloads,
            "l": self.links,
            "m": self.metrics,
            "t": self.tables,
            "r": self.rows,
            "c": self.charts,
            "p": self.points,
            "k": self.texts,
        }

    def words(self) -> str:
        return (
            f"{self.widgets} widgets, {self.downloads} downloads, {self.links} links, {self.metrics} metrics, "
            f"{self.tables} tables ({self.rows:,} rows), {self.charts} charts ({self.points:,} points), "
            f"{self.texts} texts"
        )


@dataclass
class Measure:
    warm_cpu_ms: float = 0.0  # over the websocket, mean
    fresh_cache_cpu_ms: float = 0.0  # server CPU for a Chromium load in a new context, median
    warm_cache_cpu_ms: float = 0.0  # the same, the context's second and later loads
    drawn_s: float = 0.0  # Chromium until stable, warm cache, median


@dataclass
class FloorResults:
    db_label: str
    shapes: dict[str, Shape] = field(default_factory=dict)
    page: dict[str, Measure] = field(default_factory=dict)
    floor: dict[str, Measure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def shape_of(at: object) -> Shape:  # noqa: ANN401 - an AppTest after its run
    """What a finished AppTest run drew, counted as the floor page draws it."""
    import json

    import pyarrow as pa

    kinds: Counter[str] = Counter()
    shape = Shape()

    def walk(node: object) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        kind = getattr(node, "type", "")
        kinds[kind] += 1
        if kind == "vega_lite_chart":
            proto = node.proto
            blobs = [d.data.data for d in proto.datasets] + ([proto.data.data] if proto.data.data else [])
            shape.points += sum(pa.ipc.open_stream(b).read_all().num_rows for b in blobs)
        elif kind == "echarts_chart":
            series = json.loads(node.proto.spec).get("series", [])
            shape.points += sum(len(s.get("data") or s.get("nodes") or []) + len(s.get("links") or []) for s in series)
        elif kind == "dataframe":
            shape.rows += len(node.value)

    walk(at._tree)  # noqa: SLF001 - AppTest's element tree: the page as it would be sent
    shape.widgets = sum(kinds[k] for k in WIDGETS)
    shape.downloads = kinds["download_button"]
    shape.links = sum(kinds[k] for k in LINKS)
    shape.metrics = kinds["metric"]
    shape.tables = kinds["dataframe"]
    shape.charts = kinds["vega_lite_chart"] + kinds["echarts_chart"]
    shape.texts = sum(kinds[k] for k in TEXT)
    return shape


def shapes(db_path: Path) -> dict[str, Shape]:
    """Each page's default view, drawn by AppTest on a copy of `db_path` (this process keeps its
    connection, and the file's lock, open after), counted."""
    import logging
    import os
    import shutil

    from streamlit.testing.v1 import AppTest

    for name in ("streamlit", "streamlit.runtime"):  # AppTest in a bare process warns on every run
        logging.getLogger(name).setLevel(logging.ERROR)
    scan_components_once()

    from atlas.sql import ROOT

    copy = db_path.with_name(db_path.stem + "-shapes.duckdb")
    shutil.copy(db_path, copy)
    os.environ["ATLAS_DB"] = str(copy)
    out = {}
    for script, title, _views in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        if script != "app.py":
            at.switch_page(script).run()
        out[title] = shape_of(at)
        say(f"  shape {title:<15} {out[title].words()}")
    return out


def _path(script: str) -> str:
    return "" if script == "app.py" else Path(script).stem.split("_", 1)[1]


def _warm_cpu_ms(server: Server, path: str, params: dict) -> float:
    loaddriver.run_level(server.url, [("warm-up", path, params)], 1)
    spent = []
    for _ in range(VIEWS):
        before = process_cpu_seconds(server.proc.pid)
        level = loaddriver.run_level(server.url, [("view", path, params)], 1)
        time.sleep(0.02)  # the session's closing counted with it
        if level.errors:
            raise RuntimeError(f"/{path}: {level.errors[0].error}")
        spent.append((process_cpu_seconds(server.proc.pid) - before) * 1000)
    return statistics.mean(spent)  # the clock ticks at 10 ms: a mean of many reads finer than one


_SETTLED = """(settle) => new Promise(resolve => {
    const snap = () => { const m = document.querySelector('[data-testid="stMain"]'); return m ? m.innerText : ''; };
    let last = snap(), since = performance.now();
    const tick = () => {
        const now = snap();
        if (now !== last || !now || document.querySelector('[data-testid="stStatusWidget"]')) {
            last = now; since = performance.now();
        }
        if (performance.now() - since >= settle) resolve(since / 1000);
        else setTimeout(tick, 50);
    };
    tick();
})"""


def _chromium(browser, server: Server, url: str) -> tuple[float, float, float]:  # noqa: ANN001
    """(server CPU ms with a fresh cache, with a warm cache, Chromium seconds until stable, warm)."""
    fresh, warm, drawn = [], [], []
    for _ in range(LOADS):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        for spent in (fresh, warm):
            page = context.new_page()
            before = process_cpu_seconds(server.proc.pid)
            page.goto(url)
            seconds = page.evaluate(_SETTLED, SETTLE_S * 1000)
            spent.append((process_cpu_seconds(server.proc.pid) - before) * 1000)
            if spent is warm:
                drawn.append(seconds)
            page.close()
        context.close()
    return statistics.median(fresh), statistics.median(warm), statistics.median(drawn)


def run(db_path: Path, work: Path, label: str) -> FloorResults:
    """Measure every page and its floor on `db_path`, in one run."""
    results = FloorResults(label)
    results.shapes = shapes(db_path)
    app = Server(db_path, work / "floor_app_streamlit.log")
    floor = Server(db_path, work / "floor_streamlit.log", script=FLOOR_SCRIPT)
    try:
        for script, title, _views in PAGES:
            shape = results.shapes[title]
            results.page[title] = Measure(_warm_cpu_ms(app, _path(script), {}))
            results.floor[title] = Measure(_warm_cpu_ms(floor, "", shape.params()))
        if chromium_available():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                for script, title, _views in PAGES:
                    for server, measure, url in (
                        (app, results.page[title], app.url + "/" + _path(script)),
                        (floor, results.floor[title], floor.url + "/?" + urlencode(results.shapes[title].params())),
                    ):
                        got = _chromium(browser, server, url)
                        measure.fresh_cache_cpu_ms, measure.warm_cache_cpu_ms, measure.drawn_s = got
                    p, f = results.page[title], results.floor[title]
                    say(
                        f"  floor {title:<15} warm CPU {p.warm_cpu_ms:.0f}/{f.warm_cpu_ms:.0f} ms, fresh cache "
                        f"{p.fresh_cache_cpu_ms:.0f}/{f.fresh_cache_cpu_ms:.0f} ms, "
                        f"drawn {p.drawn_s:.2f}/{f.drawn_s:.2f} s"
                    )
                browser.close()
        else:
            results.notes.append("Chromium is not installed here: the browser columns were not measured.")
    finally:
        app.stop()
        floor.stop()
    return results


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "—"


def report(r: FloorResults) -> str:
    import os

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"{HEAD}: every page against a bare Streamlit page of its shape, {r.db_label}",
        "",
        f"Run {when}, `python -m atlas bench --floor`, on {os.cpu_count()} cores. The floor page "
        "(atlas/tools/floor_app.py) draws each page's default view's shape from fixed data, served by "
        "`streamlit run` with the app's configuration, measured in the same run as the page. Server CPU per "
        f"view is the mean of {VIEWS} warm views over the websocket, and the median of {LOADS} Chromium loads with a "
        f"fresh and a warm browser cache; Chromium is the time until the main text stays the same for "
        f"{SETTLE_S:.1f} s (warm cache). The process clock ticks at 10 ms.",
        "",
        "| Page | Shape | Warm CPU ms (page / floor) | × | Fresh cache CPU ms | × | Warm cache CPU ms | × "
        "| Drawn s, warm cache | × |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for title, shape in r.shapes.items():
        p, f = r.page[title], r.floor[title]
        lines.append(
            f"| {title} | {shape.words()} | {p.warm_cpu_ms:.0f} / {f.warm_cpu_ms:.0f} | "
            f"{_ratio(p.warm_cpu_ms, f.warm_cpu_ms)} | {p.fresh_cache_cpu_ms:.0f} / {f.fresh_cache_cpu_ms:.0f} | "
            f"{_ratio(p.fresh_cache_cpu_ms, f.fresh_cache_cpu_ms)} | {p.warm_cache_cpu_ms:.0f} / "
            f"{f.warm_cache_cpu_ms:.0f} | {_ratio(p.warm_cache_cpu_ms, f.warm_cache_cpu_ms)} | "
            f"{p.drawn_s:.2f} / {f.drawn_s:.2f} | {_ratio(p.drawn_s, f.drawn_s)} |"
        )
    lines += ["", *r.notes]
    return "\n".join(lines).rstrip() + "\n"
