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
# the `check` scale shows that the section runs (the test suite runs it): a sample of each file's rows,
# in its own encoding and with its own header (the whole files load in tests/test_realexports.py
# and from the Data page in tests/e2e/test_realexports_browser.py)
CHECK_ROWS = 2_000


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


def _sample(path: Path, rows: int, work: Path) -> Path:
    """The file's header and `rows` of its records spread over the whole file (every k-th), and every
    record with a byte beyond ASCII (the names that tell its encoding, so it reads as certain as the
    whole file's), byte for byte: its encoding, line ends and quoting kept (a record ends at CR, LF or
    CR LF outside quotes). A UTF-16 file is kept whole (its line ends are two bytes)."""
    data = path.read_bytes()
    out = work / "sample" / path.name
    out.parent.mkdir(parents=True, exist_ok=True)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        out.write_bytes(data)
        return out
    ends, quoted, i = [], False, 0
    while i < len(data):
        c = data[i]
        if c == 0x22:
            quoted = not quoted
        elif c in (0x0A, 0x0D) and not quoted:
            i += 1 if c == 0x0D and data[i + 1 : i + 2] == b"\n" else 0
            ends.append(i + 1)
        i += 1
    if not ends or ends[-1] < len(data):
        ends.append(len(data))  # the last record without a line end
    starts = [0, *ends[:-1]]
    step = max(1, (len(ends) - 1) // rows)
    spread = set(range(1, len(ends), step)[:rows])
    # and every record with a byte beyond ASCII: the names that tell its encoding
    other = {k for k in range(1, len(ends)) if max(data[starts[k] : ends[k]], default=0) > 0x7F}
    picked = [0, *sorted(spread | other)]
    out.write_bytes(b"".join(data[starts[k] : ends[k]] for k in picked))
    return out


def run(work: Path, rows: int | None = None) -> list[RealLoad] | None:
    """The three loads, alone and in sequence (of a sample of each file, `_sample`, when `rows` is
    given); None when ../shared/data is absent."""
    if not all((DATA / f).exists() for f in FILES):
        say(f"real exports: {DATA} is absent, not measured")
        return None
    work.mkdir(parents=True, exist_ok=True)
    files = {name: (_sample(DATA / name, rows, work) if rows else DATA / name) for name in FILES}
    seed = work / "real-seed.duckdb"
    seed.unlink(missing_ok=True)
    db.build(seed)
    out = []
    for name, extra in FILES.items():
        say(f"real exports: {name} into the seed …")
        target = work / f"real-{Path(name).stem}.duckdb"
        shutil.copy(seed, target)
        r = _load(files[name], target, extra, work)
        r.into = "the seed"
        out.append(r)
    together = work / "real-all.duckdb"
    shutil.copy(seed, together)
    for name, extra in FILES.items():
        say(f"real exports: {name} into a database holding the files before it …")
        r = _load(files[name], together, extra, work)
        r.into = "the seed and the files above"
        out.append(r)
    return out


def report(loads: list[RealLoad] | None, rows: int | None = None) -> str:
    lines = [HEAD, ""]
    if loads is None:
        return "\n".join([*lines, f"Not measured: {DATA} is absent."])
    lines += [
        "`python -m atlas load FILE --mapping suggested --create-new` (the H-1B file with `--constant currency=USD`), "
        "the names sent to review loaded back as written (new); each load in a process of its own. Targets: under "
        "10 s and 1 GB each."
        + (
            f" At this scale, {rows:,} rows of each file spread over it, and its rows with letters beyond ASCII "
            "(a check that the section runs)."
            if rows
            else ""
        ),
        "",
        "| file | into | rows loaded | names reviewed | seconds | peak MB |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for r in loads:
        rows = ", ".join(f"{t} {n:,}" for t, n in r.loaded.items())
        lines.append(f"| {r.file} | {r.into} | {rows} | {r.reviewed} | {r.seconds:.1f} | {r.peak_mb:,.0f} |")
    return "\n".join(lines)
