"""Warm at publication (issue 44): a new data version's views computed before analysts open them.

A page run opened over Streamlit's own websocket (the request a browser's tab sends: the page's
path and its query string) is a real run in a real server process: it fills that process's query
cache and its kept tables and charts for the data version it reads. So:

- Served by several processes (atlas.snapshots): a publication copies the new snapshot, names it
  in `NEXT` with a one-time token, and, before `CURRENT` moves, opens in every serving process its
  views to warm: every page's default view and the views that process's analysts opened most.
  Those runs carry the token in a header (`X-Atlas-Warm`); a run whose token matches `NEXT` reads
  the next snapshot instead of the current one (atlas.cache). Then `CURRENT` moves, and the first
  analyst after a load finds the views already computed. The publication waits at most
  `ATLAS_WARM_SECONDS` (30 s) for this; past that, it publishes anyway.
- One process (`make run`): after a write that changed the data version, the process warms the
  same views of its own in a background thread.

`ATLAS_WARM=off` turns it off (the test suite's servers run so, but for the tests of warming).

Each serving process says where it listens and which views it served most in
`<snapshots>/procs/<pid>.json` (rewritten when its most opened views change); a file
whose process has gone is removed by the next publication.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HEADER = "X-Atlas-Warm"
NEXT = "NEXT"
PROCS = "procs"
TOP = 10  # a process's most opened views warmed beside every page's default
WARM_SECONDS = float(os.environ.get("ATLAS_WARM_SECONDS", "30"))
SWITCH = "ATLAS_WARM"  # "off": no warm-up (the test suite's servers, but for the tests of it)
MAX_VIEWS, MAX_QUERY = 2_000, 2_000  # the views counted per process, and the longest link counted
TIMEOUT_S = 120


@dataclass
class Opened:
    view: str
    seconds: float
    messages: int
    error: str = ""


def _request(path: str, query: str) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = path.strip("/")  # "" is the main page
    return msg.SerializeToString()


async def open_view(
    ws_url: str,
    view: str,
    path: str,
    params: dict | str,
    headers: dict | None = None,
    timeout: float = TIMEOUT_S,
    metrics: dict | None = None,
) -> Opened:
    """Open one view as a link in a new tab does (a new connection, the page's path and query
    string); the time until its script finished and everything arrived, and any exception.
    `metrics`, when given, receives the page's metrics (label: value as drawn)."""
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    query = params if isinstance(params, str) else urlencode(params, doseq=True)
    t = time.perf_counter()
    n = 0
    error = ""
    try:
        # no keepalive pings: a browser sends none, and under load the server answers a ping late
        # (its event loop waits for the GIL), which closed every view at 50 sessions
        async with websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=60,
            ping_interval=None,
            additional_headers=headers or {},
        ) as ws:
            await ws.send(_request(path, query))
            while True:
                data = await asyncio.wait_for(ws.recv(), timeout=timeout)
                n += 1
                msg = ForwardMsg()
                msg.ParseFromString(data)
                kind = msg.WhichOneof("type")
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element.WhichOneof("type")
                    if element == "exception":
                        error = error or msg.delta.new_element.exception.message[:200] or "exception"
                    elif element == "metric" and metrics is not None:
                        metrics[msg.delta.new_element.metric.label] = msg.delta.new_element.metric.body
                elif kind == "script_finished":
                    # an early finish for a rerun would be the page's own
                    # rerun (a shared filter written back to the URL): wait for the one after it
                    if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue
                    if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                        error = error or f"script finished with status {msg.script_finished}"
                    break
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    return Opened(view, time.perf_counter() - t, n, error)


# ---------------------------------------------------------------- the views a process serves most


class _Views:
    """This process's views opened as links (a session's arrival on a page), counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.written = 0.0  # when this process last wrote its entry (0: never)

    def count(self, path: str, query: str) -> None:
        if len(query) > MAX_QUERY:  # a link that long is nobody's everyday view
            return
        with self.lock:
            self.counts[(path.strip("/"), query)] += 1
            if len(self.counts) > MAX_VIEWS:  # bounded: the less opened half goes
                self.counts = Counter(dict(self.counts.most_common(MAX_VIEWS // 2)))

    def top(self, n: int = TOP) -> list[tuple[str, str, int]]:
        with self.lock:
            return [(p, q, c) for (p, q), c in self.counts.most_common(n)]


_views = _Views()


def note_view(path: str, asked: dict[str, list[str]], folder: Path | None, port: int) -> None:
    """Count a view a session arrived at (its page's path and its link), and, served by several
    processes, say in `folder` where this process listens and what it serves most."""
    before = _views.top()
    _views.count(path, urlencode(sorted(asked.items()), doseq=True))
    if folder is not None and (not _views.written or _views.top() != before):
        register(folder, port)  # the file changes only when the most opened views do


def register(folder: Path, port: int) -> None:
    """Write this process's entry (its port and most opened views) into `folder`/procs."""
    with _views.lock:
        _views.written = time.monotonic()
    procs = Path(folder) / PROCS
    with contextlib.suppress(OSError):
        procs.mkdir(parents=True, exist_ok=True)
        entry = {"pid": os.getpid(), "port": port, "views": [[p, q, c] for p, q, c in _views.top()]}
        part = procs / f"{os.getpid()}.json.part"
        part.write_text(json.dumps(entry))
        os.replace(part, procs / f"{os.getpid()}.json")


def serving(folder: Path) -> list[dict]:
    """The processes that said they serve `folder`'s snapshots and still run (a gone one's entry
    is removed)."""
    out = []
    for f in sorted((Path(folder) / PROCS).glob("*.json")):
        try:
            entry = json.loads(f.read_text())
            os.kill(int(entry["pid"]), 0)
        except ProcessLookupError:
            f.unlink(missing_ok=True)
            continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        out.append(entry)
    return out


def views_to_warm(top: list) -> list[tuple[str, str, str]]:
    """(name, path, query) of every page's default view, then the most opened ones (no repeat)."""
    from atlas.pages import PAGES

    out = [(p.title, p.url_path.strip("/"), "") for p in PAGES]
    seen = {(path, query) for _, path, query in out}
    for path, query, _count in top[:TOP]:
        if (path, query) not in seen and isinstance(path, str) and isinstance(query, str):
            seen.add((path, query))
            out.append((f"{path or 'Overview'}?{query}", path, query))
    return out


def enabled() -> bool:
    """Whether publications and writes warm views (on unless $ATLAS_WARM is "off")."""
    return os.environ.get(SWITCH, "on").strip().lower() != "off"


def run_async(make) -> object:  # noqa: ANN001 - a function returning a coroutine
    """`asyncio.run(make())`, on a thread of its own when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    box: list = []
    thread = threading.Thread(target=lambda: box.append(asyncio.run(make())), name="atlas-warm-run")
    thread.start()
    thread.join()
    return box[0] if box else None


@dataclass
class Warmed:
    """What warming cost: per process, the views opened and their errors; the whole in seconds."""

    processes: int = 0
    views: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timed_out: bool = False

    def said(self) -> str:
        if not self.processes:
            return "no serving process to warm"
        tail = f"; {len(self.errors)} failed ({self.errors[0]})" if self.errors else ""
        late = "; stopped at the time limit" if self.timed_out else ""
        return f"warmed {self.views} views in {self.processes} process(es) in {self.seconds:.1f} s{tail}{late}"


async def _warm_one(base: str, views: list, headers: dict, deadline: float, out: Warmed) -> None:
    ws_url = base + "/_stcore/stream"
    for name, path, query in views:
        left = deadline - time.monotonic()
        if left <= 0:
            out.timed_out = True
            return
        got = await open_view(ws_url, name, path, query, headers, timeout=left)
        out.views += 1
        if got.error:
            out.errors.append(f"{name}: {got.error}")


def warm(targets: list[tuple[str, list]], headers: dict | None = None, seconds: float = WARM_SECONDS) -> Warmed:
    """Open each target's views (base URL, views), the targets at once and each one's views in
    turn; stops opening new ones after `seconds`."""
    out = Warmed(processes=len(targets))
    if not targets:
        return out
    t = time.perf_counter()
    deadline = time.monotonic() + seconds

    async def main() -> None:
        await asyncio.gather(*(_warm_one(base, views, headers or {}, deadline, out) for base, views in targets))

    run_async(main)
    out.seconds = time.perf_counter() - t
    return out


def warm_processes(folder: Path, token: str, seconds: float = WARM_SECONDS) -> Warmed:
    """Warm every process serving `folder` on the next snapshot (the one `NEXT` names with `token`)."""
    targets = [(f"ws://127.0.0.1:{int(e['port'])}", views_to_warm(e.get("views") or [])) for e in serving(folder)]
    return warm(targets, {HEADER: token}, seconds)


def warm_self_later(base_url: str) -> threading.Thread:
    """One process: warm its own views of the data version now current, in the background."""
    views = views_to_warm(_views.top())

    def run() -> None:
        done = warm([(base_url.replace("http://", "ws://"), views)])
        print(f"Talent Atlas: the new data version {done.said()}.", flush=True)  # the server's log

    thread = threading.Thread(target=run, name="atlas-warm", daemon=True)
    thread.start()
    return thread
