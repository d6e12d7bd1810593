"""The command line: `python -m atlas build` (load, generate and bench come later)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlas import db
from atlas.load import LoadError


def _build(args: argparse.Namespace) -> int:
    target = args.db or db.db_path()
    if args.if_missing and target.exists():
        print(f"{target} exists; not rebuilt (run without --if-missing to rebuild from the seed)")
        return 0
    try:
        path = db.build(args.db, Path(args.seed))
    except LoadError as exc:
        print(f"Build failed; the previous database is untouched.\n{exc}", file=sys.stderr)
        return 1
    con = db.connect(path, build_if_missing=False)
    try:
        counts = db.run_query(con, "table_counts")
    finally:
        con.close()
    print(f"Built {path}")
    for row in counts.itertuples():
        print(f"  {row.table_name:<16} {row.n_rows:>8,} rows")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser, with help text for every command."""
    p = argparse.ArgumentParser(prog="python -m atlas", description="Talent Atlas command line.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "build",
        help="Build the database from queries/schema.sql and the seed CSVs (atomic).",
        description="Build data/atlas.duckdb from queries/schema.sql and data/seed/*.csv. "
        "The new file replaces the old one only when complete.",
    )
    b.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    b.add_argument("--seed", default=str(db.SEED_DIR), help="folder of seed CSVs, one per table")
    b.add_argument(
        "--if-missing", action="store_true", help="do nothing when the database exists (keeps uploaded data)"
    )
    b.set_defaults(func=_build)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    return args.func(args)
