"""Many analysts at once: sessions that speak Streamlit's own websocket protocol to a real server.

A browser opens `/_stcore/stream`, sends a `BackMsg` asking to run the page of a URL (its path
and query string), and draws the `ForwardMsg`s that come back until `script_finished`. A
session here does the same without drawing: it is the server that is measured, not a browser.
Each session opens every view of the benchmark in turn, as a link (a new connection per view,
as a new tab would), and records the time from its request until the script finished and every
element had arrived, and whether the page raised an exception.

`run_level(url, views, sessions)` runs `sessions` of them at once; `python -m atlas bench`
reports p50 and p95 per level, errors, and the server's CPU and peak memory.

`run_thinking(url, views, analysts, seconds)` is a team as teams work (issue 44): each analyst
opens a view, reads it for a while (5 s plus an exponential wait, at most 30 s), then opens
another, for `seconds`. `python -m atlas.tools.loaddriver` runs it in a process of its own, so
that the driver's CPU is not the server's (atlas.tools.bench_team).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field

from atlas.warm import Opened, open_view  # the one websocket client (a warm-up opens views the same way)

__all__ = ["Level", "Opened", "open_view", "run_level", "run_level_mixed", "run_thinking"]


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


# an analyst reads a view for THINK_MIN_S plus an exponential wait of mean THINK_EXTRA_S, at most THINK_MAX_S
THINK_MIN_S, THINK_EXTRA_S, THINK_MAX_S = 5.0, 8.0, 30.0


def think_seconds(
    rng: random.Random, low: float = THINK_MIN_S, extra: float = THINK_EXTRA_S, high: float = THINK_MAX_S
) -> float:
    """How long an analyst reads a view before opening the next."""
    return min(high, low + rng.expovariate(1 / extra)) if extra > 0 else low


async def _analyst(
    ws_url: str, views: list[tuple[str, str, dict]], rng: random.Random, until: float, think: tuple, out: list[Opened]
) -> None:
    # analysts arrive over one reading time, not all in the same instant
    await asyncio.sleep(rng.uniform(0, think[0] + think[1]))
    while time.perf_counter() < until:
        name, path, params = rng.choice(views)
        out.append(await open_view(ws_url, name, path, params))
        # reading past the level's end opens nothing more: the level ends on time
        await asyncio.sleep(min(think_seconds(rng, *think), max(0.0, until - time.perf_counter())))


def run_thinking(
    base_url: str,
    views: list[tuple[str, str, dict]],
    analysts: int,
    seconds: float,
    think: tuple[float, float, float] = (THINK_MIN_S, THINK_EXTRA_S, THINK_MAX_S),
    seed: int = 44,
) -> Level:
    """`analysts` at once for `seconds`, each opening a view picked at random, then reading it
    (`think`: the least, the exponential's mean and the most seconds), then the next. A view still
    open when the time is up is waited for and counted."""
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    level = Level(analysts)
    rngs = [random.Random(seed * 1_000 + i) for i in range(analysts)]

    async def main() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_analyst(ws_url, views, r, until, think, level.opened) for r in rngs))

    t = time.perf_counter()
    asyncio.run(main())
    level.wall_seconds = time.perf_counter() - t
    return level


def main(argv: list[str]) -> int:
    """`python -m atlas.tools.loaddriver URL ANALYSTS SECONDS [THINK_MIN THINK_EXTRA THINK_MAX]`, the
    views as JSON on standard input; prints the level as JSON (each view opened, and this
    process's own CPU seconds)."""
    import resource

    url, analysts, seconds = argv[0], int(argv[1]), float(argv[2])
    think = tuple(float(x) for x in argv[3:6]) if len(argv) >= 6 else (THINK_MIN_S, THINK_EXTRA_S, THINK_MAX_S)
    views = [tuple(v) for v in json.load(sys.stdin)]
    level = run_thinking(url, views, analysts, seconds, think)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "wall_seconds": level.wall_seconds,
                "driver_cpu_seconds": usage.ru_utime + usage.ru_stime,
                "opened": [[o.view, o.seconds, o.messages, o.error] for o in level.opened],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
