"""The real exports of ../shared/data (Crunchbase's rounds, an H-1B salary file, CSrankings' moves)
loaded as a user loads them: `python -m atlas load FILE --mapping suggested --create-new`, the names
sent to review written out and loaded back as written (new), each file in a process of its own for
its time and peak memory; first each into the seed alone, then all three into one database that
already holds the others. Written as a section of bench/RESULTS.md."""

from __future__ import annotations

import contextlib
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from atlas import db
from atlas.tools.bench_common import ROOT, measured, say

DATA = ROOT.parent / "shared" / "data"
FILES = {  # file -> what the user gives beyond the suggestion
    "real_rounds.csv": [],
    "real_pay.csv": ["--constant", "currency=USD"],  # the file never names its currency
    "real_moves.csv": [],
}
HEAD = "## Real exports"


@dataclass
class RealLoad:
    file: str
    into: str  # "the seed" or "the seed and the files before it"
    seconds: float = 0.0
    peak_mb: float = 0.0
    reviewed: int = 0
    loaded: dict[str, int] = field(default_factory=dict)


def _load(path: Path, target: Path, extra: list[str], work: Path) -> RealLoad:
    review = work / f"{path.stem}-review.csv"
    review.unlink(missing_ok=True)
    base = [sys.executable, "-m", "atlas", "load", str(path), "--db", str(target), "--mapping", "suggested"]
    base += ["--create-new", *extra]
    result = RealLoad(path.name, "")
    with contextlib.suppress(RuntimeError):  # exit 1: names to review, written out
        measured([*base, "--dry-run", "--review-out", str(review)])
    if review.exists():
        result.reviewed = max(0, len(review.read_text(encoding="utf-8").splitlines()) - 1)
        base += ["--decisions", str(review)]
    result.seconds, peak, out = measured(base)
    result.peak_mb = peak / 2**20
    for line in out.splitlines():
        if line.startswith("Loaded "):
            words = line.split()
            result.loaded[words[4]] = int(words[1].replace(",", ""))
    return result


def run(work: Path) -> list[RealLoad] | None:
    """The three loads, alone and in sequence; None when ../shared/data is absent."""
    if not all((DATA / f).exists() for f in FILES):
        say(f"real exports: {DATA} is absent, not measured")
        return None
    work.mkdir(parents=True, exist_ok=True)
    seed = work / "real-seed.duckdb"
    seed.unlink(missing_ok=True)
    db.build(seed)
    out = []
    for name, extra in FILES.items():
        say(f"real exports: {name} into the seed …")
        target = work / f"real-{Path(name).stem}.duckdb"
        shutil.copy(seed, target)
        r = _load(DATA / name, target, extra, work)
        r.into = "the seed"
        out.append(r)
    together = work / "real-all.duckdb"
    shutil.copy(seed, together)
    for name, extra in FILES.items():
        say(f"real exports: {name} into a database holding the files before it …")
        r = _load(DATA / name, together, extra, work)
        r.into = "the seed and the files above"
        out.append(r)
    return out


def report(loads: list[RealLoad] | None) -> str:
    lines = [HEAD, ""]
    if loads is None:
        return "\n".join([*lines, f"Not measured: {DATA} is absent."])
    lines += [
        "`python -m atlas load FILE --mapping suggested --create-new` (the H-1B file with `--constant currency=USD`), "
        "the names sent to review loaded back as written (new); each load in a process of its own. Targets: under "
        "10 s and 1 GB each.",
        "",
        "| file | into | rows loaded | names reviewed | seconds | peak MB |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for r in loads:
        rows = ", ".join(f"{t} {n:,}" for t, n in r.loaded.items())
        lines.append(f"| {r.file} | {r.into} | {rows} | {r.reviewed} | {r.seconds:.1f} | {r.peak_mb:,.0f} |")
    return "\n".join(lines)
