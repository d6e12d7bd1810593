"""Many analysts at once: sessions that speak Streamlit's own websocket protocol to a real server.

A browser opens `/_stcore/stream`, sends a `BackMsg` asking to run the page of a URL (its path
and query string), and draws the `ForwardMsg`s that come back until `script_finished`. A
session here does the same without drawing: it is the server that is measured, not a browser.
Each session opens every view of the benchmark in turn, as a link (a new connection per view,
as a new tab would), and records the time from its request until the script finished and every
element had arrived, and whether the page raised an exception.

`run_level(url, views, sessions)` runs `sessions` of them at once; `python -m atlas bench`
reports p50 and p95 per level, errors, and the server's CPU and peak memory.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

TIMEOUT_S = 120


@dataclass
class Opened:
    view: str
    seconds: float
    messages: int
    error: str = ""


@dataclass
class Level:
    sessions: int
    opened: list[Opened] = field(default_factory=list)
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0  # the server's CPU time during the level
    peak_rss: int = 0  # the server's peak resident memory after the level (bytes)

    @property
    def times(self) -> list[float]:
        return sorted(o.seconds for o in self.opened if not o.error)

    @property
    def errors(self) -> list[Opened]:
        return [o for o in self.opened if o.error]

    def percentile(self, p: float) -> float:
        t = self.times
        if not t:
            return float("nan")
        if len(t) == 1:
            return t[0]
        return statistics.quantiles(t, n=100, method="inclusive")[int(p) - 1]


def _request(path: str, params: dict) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = urlencode(params, doseq=True)
    msg.rerun_script.page_name = path.strip("/")  # "" is the main page
    return msg.SerializeToString()


async def open_view(ws_url: str, view: str, path: str, params: dict) -> Opened:
    """Open one view as a link does; time until the script finished and everything arrived."""
    t = time.perf_counter()
    n = 0
    error = ""
    try:
        # no keepalive pings: a browser sends none, and under load the server answers a ping late
        # (its event loop waits for the GIL), which closed every view at 50 sessions
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60, ping_interval=None
        ) as ws:
            await ws.send(_request(path, params))
            while True:
                data = await asyncio.wait_for(ws.recv(), timeout=TIMEOUT_S)
                n += 1
                msg = ForwardMsg()
                msg.ParseFromString(data)
                kind = msg.WhichOneof("type")
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    if msg.delta.new_element.WhichOneof("type") == "exception":
                        error = error or msg.delta.new_element.exception.message[:200] or "exception"
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


async def _session(ws_url: str, views: list[tuple[str, str, dict]], offset: int, out: list[Opened]) -> None:
    # each session starts at a different view, so the sessions do not all ask for the same one
    order = views[offset % len(views) :] + views[: offset % len(views)]
    for name, path, params in order:
        out.append(await open_view(ws_url, name, path, params))


def run_level_mixed(base_url: str, per_session: list[list[tuple[str, str, dict]]]) -> Level:
    """One session per list of views, all at once, each opening its views in turn."""
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    level = Level(len(per_session))

    async def main() -> None:
        await asyncio.gather(*(_session(ws_url, v, i, level.opened) for i, v in enumerate(per_session)))

    t = time.perf_counter()
    asyncio.run(main())
    level.wall_seconds = time.perf_counter() - t
    return level


def run_level(base_url: str, views: list[tuple[str, str, dict]], sessions: int) -> Level:
    """`sessions` analysts at once, each opening every view in turn."""
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    level = Level(sessions)

    async def main() -> None:
        await asyncio.gather(*(_session(ws_url, views, i, level.opened) for i in range(sessions)))

    t = time.perf_counter()
    asyncio.run(main())
    level.wall_seconds = time.perf_counter() - t
    return level
