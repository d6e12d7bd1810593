"""`python -m atlas bench --serve`: what a team costs the server (issue 30).

On one database (the seed's, or a generated scale), in this order:

1. server CPU per view, every page: a freshly started `streamlit run app.py` (the served
   configuration of .streamlit/config.toml), each page's views opened once (cold: nothing
   cached) and again (warm), the process's own CPU time (/proc) read around each view; the
   same with the development configuration (file watcher on, a full collection after each run)
   for comparison;
2. memory over 500 warm views (resident set after 100 and after 500);
3. many analysts: the load driver (atlas.tools.loaddriver) at 1/5/20/50 sessions against one
   process, and against two behind HAProxy (`python -m atlas serve`);
4. a 1,000-move append by the command line while two processes serve: from the command's
   start until each process has served a page of the new version;
5. Chromium, a fresh context per page, through the balancer: from navigation until the main
   text has not changed for 2.5 s (median of 3).

It measures; it asserts nothing. The section is written into bench/RESULTS.md.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from atlas import db, snapshots
from atlas.tools import loaddriver
from atlas.tools.bench_common import PAGES, process_cpu_seconds, say
from atlas.tools.browser import Server

DEV_ARGS = ["--server.fileWatcherType", "auto", "--runner.postScriptGC", "true"]
LEVELS = (1, 5, 20, 50)
SEED_VIEWS = {  # the seed's own people and firms, where the scales' views name generated ones
    "a person": {"person": "mu-li"},
    "the largest firm": {"firm": "google"},
    "a search": {"q": "Mu Li"},
}


@dataclass
class ServeResults:
    scale: str
    moves: int = 0
    cpu: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # config -> page -> warm/cold ms
    memory: list[tuple[int, int]] = field(default_factory=list)  # (views, resident bytes)
    levels: dict[int, list[loaddriver.Level]] = field(default_factory=dict)  # processes -> levels
    write_seconds: float = 0.0
    seen_seconds: list[float] = field(default_factory=list)
    warmed: str = ""  # what the publication's warm-up said (atlas.warm)
    after_load: dict[str, list[float]] = field(default_factory=dict)  # page -> [first view ms, warm ms], worst process
    browser: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def views_by_page(seed: bool) -> list[list[tuple[str, str, dict]]]:
    """Per page, its views as (name, path, params) for the load driver."""
    out = []
    for script, title, views in PAGES:
        path = "" if script == "app.py" else Path(script).stem.split("_", 1)[1]
        page = []
        for name, params in views:
            if seed and name in SEED_VIEWS:
                params = SEED_VIEWS[name]
            page.append((f"{title}: {name}", path, params))
        out.append(page)
    return out


def tree_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += process_cpu_seconds(pid)
        except OSError:
            continue
    return total


def cpu_per_view(db_path: Path, work: Path, seed: bool, args: list[str]) -> dict[str, list[float]]:
    """page -> [cold ms, warm ms] (median over the page's views), on a fresh server."""
    server = Server(db_path, work / "cpu_streamlit.log", extra_args=args)
    out: dict[str, list[float]] = {}
    try:
        pages = views_by_page(seed)
        # the first connection of the server, on a view outside the measure: the Data page's
        # default view, whose data the other pages do not share
        loaddriver.run_level(server.url, [("warm-up", "Data", {"certainty": "reported"})], 1)
        for page in pages:
            title = page[0][0].split(":")[0]
            cold, warm = [], []
            for run in (cold, warm):
                for view in page:
                    before = process_cpu_seconds(server.proc.pid)
                    level = loaddriver.run_level(server.url, [view], 1)
                    time.sleep(0.05)  # the run's tail (closing the session) counted with it
                    if level.errors:
                        raise RuntimeError(f"{view[0]}: {level.errors[0].error}")
                    run.append((process_cpu_seconds(server.proc.pid) - before) * 1000)
            out[title] = [statistics.median(cold), statistics.median(warm)]
            say(f"  CPU per view {title:<15} cold {out[title][0]:6.0f} ms, warm {out[title][1]:6.0f} ms")
    finally:
        server.stop()
    return out


def memory_over_views(db_path: Path, work: Path, seed: bool, n: int = 500) -> list[tuple[int, int]]:
    server = Server(db_path, work / "memory_streamlit.log")
    marks = []
    try:
        views = [v for page in views_by_page(seed) for v in page]
        done = 0
        while done < n:
            batch = views[: min(len(views), n - done)]
            loaddriver.run_level(server.url, batch, 1)
            done += len(batch)
            if done >= 100 and not marks or done >= n:
                marks.append((done, rss(server.proc.pid)))
    finally:
        server.stop()
    return marks


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _levels(url: str, pids: list[int], seed: bool) -> list[loaddriver.Level]:
    pages = views_by_page(seed)
    out = []
    loaddriver.run_level(url, [pages[-1][0]], 2)  # first connections
    for n in LEVELS:
        per_session = [[page[k % len(page)] for page in pages] for k in range(n)]
        before = tree_cpu(pids)
        level = loaddriver.run_level_mixed(url, per_session)
        level.cpu_seconds = tree_cpu(pids) - before
        level.peak_rss = max(rss(p) for p in pids)
        out.append(level)
        say(
            f"  {len(pids)} process(es), {n:>3} sessions: p50 {level.percentile(50):.2f} s, "
            f"p95 {level.percentile(95):.2f} s, {len(level.errors)} errors, "
            f"{len(level.opened) / level.wall_seconds * 60:.0f} views/min, "
            f"largest process {level.peak_rss / 1e9:.2f} GB"
        )
    return out


def _moves_csv(path: Path, n: int, seed: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
    person, a, b, source = (
        ("mu-li", "boson-ai", "bytedance", "leiphone-2023-mu-li-declines-bytedance")
        if seed
        else ("person-12", "firm-0", "firm-1", "src-0")
    )
    stamp = time.time_ns()
    rows = [f"bench-{stamp}-{i},{person},{a},{b},2026-0{1 + i % 9},,joined,{source},rumor,\n" for i in range(n)]
    path.write_text(header + "".join(rows))
    return path


def two_processes(db_path: Path, folder: Path):  # noqa: ANN201 - (atlas.snapshots.Store, atlas.serve.Cluster)
    """`db_path` published afresh into `folder` and a cluster of two processes behind HAProxy on
    it, not started yet (as `python -m atlas serve --processes 2` does)."""
    from atlas import serve
    from atlas.tools.browser import free_port_run

    shutil.rmtree(folder, ignore_errors=True)
    os.environ["ATLAS_DB"] = str(db_path)
    store = serve.prepare(db_path, folder)
    log_dir = folder / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    return store, serve.Cluster("127.0.0.1", free_port_run(3), 2, store.folder, log_dir)


def team(db_path: Path, work: Path, seed: bool, results: ServeResults) -> None:
    """Levels over two processes behind HAProxy, a command-line write seen by both, Chromium."""
    store, cluster = two_processes(db_path, work / "serve.snapshots")
    try:
        cluster.start()
        url = f"http://127.0.0.1:{cluster.port}"
        results.levels[2] = _levels(url, [p.pid for p in cluster.apps], seed)
        # a 1,000-move append by the command line, while both serve
        csv = _moves_csv(work / "append" / "moves.csv", 1000, seed)
        before = store.current()
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "atlas", "load", str(csv), "--db", str(db_path)],
            capture_output=True,
            text=True,
            env={**os.environ, snapshots.FOLDER_ENV: str(store.folder)},
        )
        results.write_seconds = time.perf_counter() - t
        if done.returncode != 0 or store.current() == before:
            results.notes.append(f"the 1,000-move append failed: {done.stderr[-300:]}")
        else:
            said = [line for line in done.stdout.splitlines() if line.startswith("Published for the team:")]
            results.warmed = said[0].split(": ", 1)[1].rstrip(".") if said else "no warm-up"
            # each process's next run shows the new version (a view outside the defaults measured next)
            for port in cluster.backend_ports:
                loaddriver.run_level(f"http://127.0.0.1:{port}", [("Data", "Data", {"certainty": "reported"})], 1)
                results.seen_seconds.append(time.perf_counter() - t)
            results.after_load = first_views_after_load(cluster)
        say(f"  1,000-move append: command {results.write_seconds:.2f} s, on every process {results.seen_seconds}")
        results.browser = chromium_settled(url)
    finally:
        cluster.stop()


def first_views_after_load(cluster) -> dict[str, list[float]]:  # noqa: ANN001 - atlas.serve.Cluster
    """Per page, its default view's server CPU on each process right after a load (the first
    analyst's) and again (warm), in ms; the process where the first cost most against the warm."""
    out: dict[str, list[float]] = {}
    for page in views_by_page(False):
        title, path = page[0][0].split(":")[0], page[0][1]
        worst = None
        for app, port in zip(cluster.apps, cluster.backend_ports, strict=True):
            costs = []
            for _ in range(2):
                before = process_cpu_seconds(app.pid)
                level = loaddriver.run_level(f"http://127.0.0.1:{port}", [(title, path, {})], 1)
                time.sleep(0.05)  # the run's tail (closing the session) counted with it
                costs.append((process_cpu_seconds(app.pid) - before) * 1000)
                if level.errors:
                    raise RuntimeError(f"{title}: {level.errors[0].error}")
            if worst is None or costs[0] / max(costs[1], 1e-9) > worst[0] / max(worst[1], 1e-9):
                worst = costs
        out[title] = worst
        say(f"  after the load, {title:<15} first view {worst[0]:6.0f} ms, warm {worst[1]:6.0f} ms")
    return out


def chromium_settled(url: str, settle_ms: int = 2500, repeats: int = 3) -> dict[str, list[float]]:
    """page -> seconds from navigation until the main text stopped changing (fresh context each)."""
    from playwright.sync_api import sync_playwright

    from atlas.tools.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available

    if not chromium_available():
        return {}
    out: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for script, title, _ in PAGES:
            path = "/" if script == "app.py" else "/" + Path(script).stem.split("_", 1)[1]
            for _run in range(repeats + 1):  # the first visit of a page warms its process's cache
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                page.goto(url + path)
                seconds = page.evaluate(
                    """(settle) => new Promise(resolve => {
                        const snap = () => {
                            const main = document.querySelector('[data-testid="stMain"]');
                            return main ? main.innerText : '';
                        };
                        let last = snap(), since = performance.now();
                        const tick = () => {
                            const now = snap();
                            if (now !== last || !now) { last = now; since = performance.now(); }
                            if (performance.now() - since >= settle) resolve(since / 1000);
                            else setTimeout(tick, 50);
                        };
                        tick();
                    })""",
                    settle_ms,
                )
                out.setdefault(title, []).append(seconds)
                context.close()
            out[title] = out[title][1:]
            say(f"  Chromium {title:<15} {statistics.median(out[title]):.2f} s (median of {repeats})")
        browser.close()
    return out


def run(scale: str, work: Path, out: Path) -> ServeResults:
    from atlas.tools import bench

    work.mkdir(parents=True, exist_ok=True)
    results = ServeResults(scale)
    seed = scale == "seed"
    db_path = work / f"serve-{scale}.duckdb"
    if seed:
        db.build(db_path)
    else:
        source = work / f"bench_{scale}.duckdb"
        if not source.exists():
            csv_dir = bench.ensure_data(scale, work)
            bench.time_validated_load(csv_dir, source)
        shutil.copy(source, db_path)
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    results.moves = con.execute("select count(*) from moves").fetchone()[0]
    con.close()
    say(f"Serving bench on {db_path} ({results.moves:,} moves)")
    # the section is written after every part: a long run that is stopped keeps what it measured
    results.cpu["served"] = cpu_per_view(db_path, work, seed, [])
    write_section(report(results), out, quiet=True)
    if scale != "large":  # the configurations compared where it is quick; at 10M the served one only
        results.cpu["development"] = cpu_per_view(db_path, work, seed, DEV_ARGS)
    results.memory = memory_over_views(db_path, work, seed)
    write_section(report(results), out, quiet=True)
    server = Server(db_path, work / "levels_streamlit.log")
    try:
        results.levels[1] = _levels(server.url, [server.proc.pid], seed)
    finally:
        server.stop()
    write_section(report(results), out, quiet=True)
    team(db_path, work, seed, results)
    write_section(report(results), out)
    return results


def report(r: ServeResults) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Serving a team (issue 30): `{r.scale}`, {r.moves:,} moves",
        "",
        f"Run {when}, `python -m atlas bench --serve --scale {r.scale}`, on {os.cpu_count()} cores.",
        "",
        "### Server CPU per view (median of the page's views; ms)",
        "",
        "| Page | cold, served | warm, served | cold, development | warm, development |",
        "|---|---|---|---|---|",
    ]
    served, dev = r.cpu.get("served", {}), r.cpu.get("development", {})
    for title in served:
        s, d = served[title], dev.get(title)
        dev_cells = f"{d[0]:.0f} | {d[1]:.0f}" if d else "— | —"
        lines.append(f"| {title} | {s[0]:.0f} | {s[1]:.0f} | {dev_cells} |")
    if r.memory:
        marks = ", ".join(f"{v} views: {b / 1e6:.0f} MB" for v, b in r.memory)
        lines += ["", f"Resident memory of one process over warm views (served configuration): {marks}."]
    lines += [
        "",
        "### Many analysts (every session opens one view of each page, as links)",
        "",
        "| Processes | Sessions | p50 s | p95 s | errors | views/min | server CPU s | largest process GB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, levels in sorted(r.levels.items()):
        for lv in levels:
            rate = len(lv.opened) / lv.wall_seconds * 60 if lv.wall_seconds else 0
            lines.append(
                f"| {n} | {lv.sessions} | {lv.percentile(50):.2f} | {lv.percentile(95):.2f} | {len(lv.errors)} | "
                f"{rate:.0f} | {lv.cpu_seconds:.0f} | {lv.peak_rss / 1e9:.2f} |"
            )
    one, two = r.levels.get(1), r.levels.get(2)
    if one and two:
        rate = [len(lv.opened) / lv.wall_seconds for lv in (one[-1], two[-1])]
        lines += ["", f"At {one[-1].sessions} sessions two processes serve {rate[1] / rate[0]:.2f} × the views of one."]
    if r.write_seconds:
        seen = max(r.seen_seconds) if r.seen_seconds else float("nan")
        lines += [
            "",
            f"A 1,000-move append by the command line while two processes serve: the command (write lock, "
            f"load, derived tables, snapshot published) {r.write_seconds:.2f} s; every process had served a page "
            f"of the new version {seen:.2f} s after the command started. Before it was published, the "
            f"publication {r.warmed} (every page's default view and each process's most opened views, "
            "computed on the new version: atlas.warm).",
        ]
    if r.after_load:
        lines += [
            "",
            "Server CPU of each page's default view right after that load (the first analyst's view) and again "
            "(warm), ms, on the process where the first cost most against the warm one (target: the first ≤ 1.5 × "
            "the warm):",
            "",
            "| Page | first view after the load | warm | ratio | |",
            "|---|---:|---:|---:|---|",
        ]
        rows = [
            *r.after_load.items(),
            ("**every page**", [sum(v[0] for v in r.after_load.values()), sum(v[1] for v in r.after_load.values())]),
        ]
        for title, (first, again) in rows:
            ratio = first / max(again, 1e-9)
            lines.append(
                f"| {title} | {first:.0f} | {again:.0f} | {ratio:.2f} × | {'met' if ratio <= 1.5 else '**missed**'} |"
            )
        lines += ["", "(CPU is read from /proc in 10 ms ticks: a ratio of two views of 30-60 ms moves by a fifth.)"]
    if r.browser:
        lines += [
            "",
            "### Chromium through the balancer, a fresh context per page, until the main text is stable for 2.5 s",
            "",
            "| Page | median s | runs |",
            "|---|---|---|",
        ]
        for title, times in r.browser.items():
            lines.append(f"| {title} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} |")
    lines += [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


MARK = "<!-- serve:{scale} -->"


def write_section(text: str, out: Path, quiet: bool = False) -> None:
    """Put the section in RESULTS.md between its markers (replacing an earlier run at that scale)."""
    scale = text.split("`")[1]
    start, end = MARK.format(scale=scale), MARK.format(scale=scale + ":end")
    old = out.read_text() if out.exists() else ""
    block = f"{start}\n{text}{end}\n"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end) + 1 :]
    else:
        new = old.rstrip("\n") + "\n\n" + block
    out.write_text(new)
    if not quiet:
        print(text)
