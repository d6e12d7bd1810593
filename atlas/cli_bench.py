"""`python -m atlas bench`: time loading and every page against this machine's limits (atlas.tools.bench)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:  # noqa: ANN001 - argparse's subparsers
    """Add `bench` and its options to the command line."""
    from atlas.tools import bench

    be = sub.add_parser(
        "bench",
        help="Time loading and every page against the limits of this machine; write bench/RESULTS.md.",
        description="Generate (or reuse) the synthetic dataset of --scale, load it through the validated path, "
        "time each page's data cold and warm against bare DuckDB SQL and a pandas peer, time the pages in "
        "Chromium, and write the table to --out. Measures only: it never fails on a slow number.",
    )
    be.add_argument(
        "--scale",
        choices=["seed", "check", "small", "large"],
        default=None,
        help="check: 20k moves (that every part runs; the test suite's); small: 200k moves (the default); "
        "large: 10M; seed: the articles' database (--serve and --floor only; --floor's default)",
    )
    be.add_argument(
        "--serve",
        action="store_true",
        help="only the team-serving section: server CPU per view, 1/5/20/50 sessions on 1 and 2 processes "
        "behind HAProxy, a write seen by every process, Chromium until the page is stable",
    )
    be.add_argument(
        "--floor",
        action="store_true",
        help="only the floor: every page against a bare Streamlit page of its shape (server CPU per view, "
        "fresh and warm browser cache, Chromium until stable), in one run; --scale seed by default",
    )
    be.add_argument(
        "--team",
        action="store_true",
        help="only a team as teams work: analysts who read each view 5-30 s, at 25/50/100 and more until the "
        "p95 passes 2 s, on 1 and 2 processes; the driver's CPU beside the servers' (--scale seed by default)",
    )
    be.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="--team: how long each level runs (default 90)",
    )
    be.add_argument(
        "--think",
        default=None,
        help="--team: an analyst's reading time as LEAST,MEAN_EXTRA,MOST seconds (default 5,8,30)",
    )
    be.add_argument(
        "--analysts",
        default=None,
        help="--team: the levels, comma-separated (default 25,50,100, then more until the p95 passes 2 s)",
    )
    be.add_argument("--work", type=Path, default=None, help="folder for the data and databases (default: bench/work)")
    be.add_argument("--out", type=Path, default=None, help="report file (default: bench/RESULTS.md)")
    be.add_argument("--no-browser", action="store_true", help="skip the Chromium timings (as --skip browser)")
    be.add_argument(
        "--skip",
        default="",
        help="sections to leave out, comma-separated: " + ", ".join(bench.SECTIONS),
    )
    be.add_argument(
        "--only",
        default="",
        help="run only these sections after the load (comma-separated), without the real exports and names",
    )
    be.add_argument(
        "--real-only",
        action="store_true",
        help="only the real exports' section: ../shared/data's three files loaded as a user does, time and peak memory",
    )
    be.add_argument(
        "--names-only",
        action="store_true",
        help="only the resolver's section (quality on a messy corpus, speed of a 10,000-row file by name)",
    )
    be.add_argument(
        "--explore-only",
        action="store_true",
        help="only the Explore page's section, on the database an earlier full run loaded (bench_<scale>.duckdb)",
    )
    be.add_argument(
        "--pages-only",
        action="store_true",
        help="only the page data section (cold and warm queries of every page's views), on the database an "
        "earlier full run loaded, brought to the current schema",
    )
    be.set_defaults(func=_bench)


def _sections(text: str) -> frozenset[str]:
    from atlas.tools import bench

    named = frozenset(s.strip() for s in text.split(",") if s.strip())
    unknown = named - set(bench.SECTIONS)
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(sorted(unknown))}: pick from {', '.join(bench.SECTIONS)}")
    return named


def _bench(args: argparse.Namespace) -> int:
    from atlas import db
    from atlas.tools import bench, bench_names

    args.scale = args.scale or ("seed" if args.floor or args.team else "small")
    skip, only = _sections(args.skip), _sections(args.only)
    if only:
        skip |= frozenset(bench.SECTIONS) - only
    if args.explore_only:
        bench.run_explore_only(args.scale, work=args.work, out=args.out)
        return 0
    if args.pages_only:
        bench.run_pages_only(args.scale, work=args.work, out=args.out)
        return 0
    if args.floor:
        return _floor(args)
    if args.team:
        return _team(args)
    if args.serve:
        from atlas.tools import bench_serve

        work = Path(args.work or db.ROOT / "bench" / "work")
        bench_serve.run(args.scale, work, Path(args.out or db.ROOT / "bench" / "RESULTS.md"))
        return 0
    out = Path(args.out or db.ROOT / "bench" / "RESULTS.md")
    if args.real_only or not args.names_only:
        from atlas.tools import bench_real

        if not args.real_only:
            bench.run(args.scale, work=args.work, out=args.out, browser=not args.no_browser, skip=skip)
            if only:
                return 0
        rows = bench_real.CHECK_ROWS if args.scale == "check" else None
        text = bench_real.report(bench_real.run(Path(args.work or db.ROOT / "bench" / "work"), rows), rows)
        print(text)
        bench_names.write_section(text, out, head=bench_real.HEAD)
        if args.real_only:
            return 0
    sizes = bench.SCALES[args.scale]
    work = Path(args.work or db.ROOT / "bench" / "work")
    work.mkdir(parents=True, exist_ok=True)
    print(f"names: {sizes.people:,} people, {sizes.firms:,} firms …", flush=True)
    results = [bench_names.run_seed(work), bench_names.run(sizes.people, sizes.firms, work)]
    text = bench_names.report(results)
    print(text)
    bench_names.write_section(text, out)
    return 0


def _database(args: argparse.Namespace, name: str) -> tuple[Path, Path, str]:
    """(work folder, a database of its own for this run, its label): the seed built afresh, or a
    copy of the generated scale's loaded database (generated and loaded first if absent)."""
    import shutil

    from atlas import db
    from atlas.tools import bench

    work = Path(args.work or db.ROOT / "bench" / "work")
    work.mkdir(parents=True, exist_ok=True)
    scale = args.scale
    path = work / f"{name}-{scale}.duckdb"
    if scale == "seed":
        db.build(path)
        return work, path, "the seed database"
    source = work / f"bench_{scale}.duckdb"
    if not source.exists():
        bench.time_validated_load(bench.ensure_data(scale, work), source)
    shutil.copy(source, path)
    return work, path, f"`{scale}` ({bench.SCALES[scale].moves:,} moves)"


def _team(args: argparse.Namespace) -> int:
    """`bench --team`: thinking analysts on 1 and 2 processes (seed by default)."""
    from atlas import db
    from atlas.tools import bench_names, bench_team, loaddriver

    default = (loaddriver.THINK_MIN_S, loaddriver.THINK_EXTRA_S, loaddriver.THINK_MAX_S)
    try:
        think = tuple(float(x) for x in args.think.split(",")) if args.think else default
        levels = tuple(int(x) for x in args.analysts.split(",")) if args.analysts else bench_team.LEVELS
    except ValueError:
        raise SystemExit("--think takes three numbers (5,8,30) and --analysts whole numbers (25,50,100)") from None
    if len(think) != 3 or not 0 <= think[0] <= think[2] or think[1] < 0 or not levels or min(levels) < 1:
        raise SystemExit("--think takes LEAST,MEAN_EXTRA,MOST with 0 ≤ LEAST ≤ MOST; --analysts at least 1 each")
    work, path, label = _database(args, "team")
    beyond = () if args.analysts else bench_team.BEYOND  # named levels: exactly those
    results = bench_team.run(
        path, work, label, args.scale == "seed", args.seconds or bench_team.SECONDS, think, levels, beyond
    )
    text = bench_team.report(results)
    print(text)
    bench_names.write_section(text, Path(args.out or db.ROOT / "bench" / "RESULTS.md"), head=bench_team.HEAD)
    return 0


def _floor(args: argparse.Namespace) -> int:
    """`bench --floor`: on the seed (the default here) or a generated scale's database."""
    from atlas import db
    from atlas.tools import bench_floor, bench_names

    work, path, label = _database(args, "floor")
    text = bench_floor.report(bench_floor.run(path, work, label))
    print(text)
    bench_names.write_section(text, Path(args.out or db.ROOT / "bench" / "RESULTS.md"), head=bench_floor.HEAD)
    return 0
