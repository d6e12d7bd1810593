"""The command line: `python -m atlas build | load | merge | undo | snapshot | generate | bench | serve`."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from pathlib import Path

from atlas import csvfile, db, sql
from atlas.load import LoadError


def _build(args: argparse.Namespace) -> int:
    from atlas import snapshots

    target = Path(args.db or db.db_path())
    if args.if_missing and target.exists():
        print(f"{target} exists; not rebuilt (run without --if-missing to rebuild from the seed)")
        return 0
    try:
        path = snapshots.build(target, Path(args.seed))
    except db.Busy as exc:
        print(f"Build refused: {exc}", file=sys.stderr)
        return 1
    except LoadError as exc:
        print(f"Build failed; the previous database is untouched.\n{exc}", file=sys.stderr)
        return 1
    con = db.connect(path, build_if_missing=False)
    try:
        counts = sql.run_query(con, "table_counts")
    finally:
        con.close()
    print(f"Built {path}")
    for row in counts.itertuples():
        print(f"  {row.table_name:<16} {row.n_rows:>8,} rows")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from atlas import generate

    sizes = generate.Sizes(people=args.people, firms=args.firms, moves=args.moves, rounds=args.rounds, comp=args.comp)
    counts = generate.generate(Path(args.out), sizes, args.seed)
    for table, n in counts.items():
        print(f"  {table:<16} {n:>12,} rows")
    return 0


def _load(args: argparse.Namespace) -> int:
    from atlas import upload

    # the same path as the Data page: encodings, row shapes, table detection, checks, one transaction
    missing = [name for name in args.files if not Path(name).is_file()]
    if missing:
        print(f"Cannot read {missing[0]}: no such file", file=sys.stderr)
        return 1
    named = [(Path(name).name, Path(name)) for name in args.files]
    encodings = {Path(name).name: args.encoding for name in args.files} if args.encoding else {}
    with _writing(args) as con:
        if con is None:
            return 1
        sheets = {Path(name).name: args.sheet for name in args.files} if args.sheet else {}
        staged = _stage_mapped(con, named, encodings, args.mapping, _constants(args.constant), sheets)
        if staged is None:
            return 1
        with staged:
            for s in staged.staged:
                if s.encoding:
                    table = f" for {s.table}" if s.table else ""
                    how = f" through the mapping “{s.mapping}”" if s.mapping else ""
                    how = how or (" through the given mapping" if s.mapped else "")
                    print(f"{s.name}: read as {s.encoding}, {s.rows:,} row(s){table}{how}")
            unresolved = _decide_names(con, staged, args)
            if unresolved:
                return 1
            run = upload.check if args.dry_run else lambda c, s, m: upload.commit(c, s, _os_user(), m)
            result = run(con, staged, args.mode)
    for notice in result.notices:
        print(f"Note: {notice}")
    if not result.ok:
        print(f"Rejected; the database is unchanged. {len(result.problems)} problem(s):", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    verb = "Would load" if args.dry_run else "Loaded"
    for table, n in result.row_counts.items():
        c = result.changes.get(table)
        detail = (
            f" ({c['new']:,} new, {c['changed']:,} changed, {c['unchanged']:,} unchanged, {c['removed']:,} removed)"
            if c
            else ""
        )
        print(f"{verb} {n:,} rows into {table}{detail}")
    for d in result.diff[:200]:
        print(f"  {d[0]} row {d[1]} ({d[2]}): {d[3]}: {d[4]!r} -> {d[5]!r}")
    if not args.dry_run:
        from atlas import cli_alerts

        cli_alerts.after_load(args)  # the watchlists' e-mails of what it brought
    return 0


def _stage_mapped(con, named, encodings: dict, given: str | None, constants: dict | None = None, sheets=None):  # noqa: ANN001, ANN202
    """The files staged, those with another tool's columns read through `--mapping` (a JSON file, a
    saved mapping's name, or `suggested`: the Data page's suggestion, printed) or, without one,
    through the saved mapping made for their columns; `constants` (`--constant currency=USD`) fill
    a column the file does not have."""
    from atlas import mapping, upload

    chosen = None
    if given and given != SUGGESTED:
        try:
            chosen = mapping.load_named(con, given)
        except ValueError as exc:
            print(f"--mapping {given}: {exc}", file=sys.stderr)
            return None
    staged = upload.stage_upload(named, max_bytes=None, encodings=encodings, sheets=sheets)
    foreign = {s.name: s for s in staged.staged if s.table is None and mapping.foreign(s.header)}
    mappings = {}
    for name, s in foreign.items():
        fitting = chosen or (None if given == SUGGESTED else mapping.saved_fitting(con, s.header))
        if fitting is None and given == SUGGESTED and s.raw_path is not None:
            header, rows = mapping.read_sample(s.raw_path)
            fitting = mapping.suggest(s.header or header, rows)
        if fitting is not None:
            if constants:
                fitting = dataclasses.replace(fitting, constants={**fitting.constants, **constants})
            if given == SUGGESTED:
                print(f"{name}: the suggested mapping, {fitting.target}:")
                for line in _described(fitting):
                    print(f"  {line}")
            mappings[name] = fitting
    if not mappings:
        return staged
    staged.close()
    return upload.stage_upload(named, max_bytes=None, encodings=encodings, mappings=mappings, sheets=sheets)


SUGGESTED = "suggested"


def _described(m) -> list[str]:  # noqa: ANN001 - a mapping.Mapping
    """A mapping as lines a person reads: our column <- theirs, = a constant, their words -> ours."""
    out = [f"{ours} <- {theirs}" for ours, theirs in m.columns.items()]
    out += [f"{ours} = {value} (every row)" for ours, value in m.constants.items()]
    for ours, words in m.values.items():
        out.append(f"{ours}: " + ", ".join(f"{w} -> {v}" for w, v in list(words.items())[:10]))
    return out


def _constants(values: list[str] | None) -> dict[str, str] | None:
    """`--constant column=value` as a dict; SystemExit with the reason for a malformed one."""
    out = {}
    for text in values or []:
        column, sep, value = text.partition("=")
        if not sep or not column.strip() or not value.strip():
            raise SystemExit(f"--constant {text}: write it as column=value, e.g. --constant currency=USD")
        out[column.strip()] = value.strip()
    return out


def _open(args: argparse.Namespace):  # noqa: ANN202 - a DuckDB connection or None
    """The database read-write, or None after saying that another process holds it (a running
    dashboard, another writer): one writer at a time, and nothing changed."""
    import duckdb

    path = args.db or db.db_path()
    try:
        return db.connect(path)
    except duckdb.IOException as exc:
        if not db.is_busy(exc):
            raise
        print(db.busy_message(exc, path), file=sys.stderr)
        return None


@contextlib.contextmanager
def _writing(args: argparse.Namespace):  # noqa: ANN202 - yields a DuckDB connection or None
    """The database read-write for one write, or None after saying why not. Where the database is
    served by several processes (atlas.snapshots), the write takes the write lock and publishes
    the new snapshot every process then reads."""
    from atlas import snapshots

    path = Path(args.db or db.db_path())
    store = snapshots.store_beside(path)
    if store is None:
        con = _open(args)
        try:
            yield con
        finally:
            if con is not None:
                con.close()
        return
    stack = contextlib.ExitStack()
    try:
        # a dry run changes no data: it publishes nothing
        con = stack.enter_context(store.writing(publish=not getattr(args, "dry_run", False)))
    except db.Busy as exc:
        print(exc, file=sys.stderr)
        con = None
    with stack:
        yield con
    if con is not None and store.warmed.processes:  # the publication's warm-up (atlas.warm), and its cost
        print(f"Published for the team: {store.warmed.said()}.")


def _os_user() -> str:
    """Who runs the command line (trusted: it needs the database file)."""
    import getpass

    try:
        return f"cli ({getpass.getuser()})"
    except (KeyError, OSError):
        return "cli"


def _decide_names(con, staged, args: argparse.Namespace) -> int:  # noqa: ANN001 - a connection and an Upload
    """Resolve the names of an upload: apply --decisions and --create-new; print (and with
    --review-out write) every name still undecided. Returns how many are undecided."""
    import csv

    from atlas import export, names, resolve, upload

    plan = upload.plan_names(con, staged)
    if plan is None or not plan.decisions:
        return 0
    by_name = {(d.kind, d.name): d for d in plan.decisions}
    if args.decisions:
        with open(args.decisions, encoding="utf-8-sig", newline="") as f:
            for i, row in enumerate(csv.DictReader(f), start=2):
                d = by_name.get(
                    (str(row.get("kind", "")).strip(), names.clean(export.unneutralize(row.get("name") or "")))
                )
                match, new_id = (row.get("match") or "").strip(), (row.get("new_id") or "").strip()
                if d is None or not (match or new_id):
                    continue
                refused = resolve.choose(con, d, match=match or None, new_id=new_id or None)
                if refused:
                    print(f"{args.decisions}, row {i}: {refused}", file=sys.stderr)
                    return len(plan.decisions)
    if args.create_new:
        resolve.accept(plan.decisions, new_only=True)
    for d in plan.decisions:
        if d.status == "matched":
            print(f"{d.kind} {d.name!r} -> {d.entity_id} ({d.rule}, {d.score:.0f})")
    open_ = resolve.undecided(plan.decisions)
    if not open_:
        return 0
    print(f"{len(open_)} name(s) need a decision; nothing changed:", file=sys.stderr)
    for d in open_:
        options = "; ".join(
            f"{c.entity_id} {c.label} ({c.score:.0f}{', ' + c.detail if c.detail else ''})" for c in d.candidates
        )
        print(
            f"  {d.kind} {d.name!r}: {d.status}" + (f": {options}" if options else f" (new id {d.new_id})"),
            file=sys.stderr,
        )
    if args.review_out:
        frame = resolve.decisions_frame(open_)
        export.neutralized(frame).to_csv(args.review_out, index=False)  # names as text, never formulas
        print(
            f"Written to {args.review_out}: fill in `match` (an id) or `new_id` per row, then load again with "
            f"--decisions {args.review_out}",
            file=sys.stderr,
        )
    else:
        print(
            "Write them to a CSV with --review-out FILE, decide, and load again with --decisions FILE "
            "(or --create-new to accept every new name).",
            file=sys.stderr,
        )
    return len(open_)


def _refused(result) -> int:  # noqa: ANN001 - a LoadResult
    """Say why a write was refused (nothing changed); the exit status 1."""
    print("Refused; the database is unchanged:", file=sys.stderr)
    for p in result.problems:
        print(f"  {p}", file=sys.stderr)
    return 1


def _merge(args: argparse.Namespace) -> int:
    from atlas.load import merge

    with _writing(args) as con:
        if con is None:
            return 1
        result = merge(con, args.kind, args.keep, args.drop, _os_user())
    if not result.ok:
        return _refused(result)
    moved = ", ".join(f"{t} {n:,}" for t, n in result.row_counts.items() if n)
    print(
        f"Merged {args.kind} {args.drop} into {args.keep} as data version {result.upload_id} ({moved}); undo it on "
        "the Data page or with `python -m atlas undo`."
    )
    return 0


def _undo(args: argparse.Namespace) -> int:
    from atlas import load

    with _writing(args) as con:
        if con is None:
            return 1
        latest = load.undoable_upload(con)
        if latest is None:
            print("Nothing to undo: no upload or merge is in effect.", file=sys.stderr)
            return 1
        if args.version is not None and args.version != latest:
            print(
                f"Version {args.version} is not the latest upload in effect ({latest}); undo the later ones first.",
                file=sys.stderr,
            )
            return 1
        result = load.undo(con, latest, _os_user())
    if not result.ok:
        return _refused(result)
    restored = ", ".join(f"{t} {n:,}" for t, n in result.row_counts.items() if n)
    print(f"Undid version {latest} as data version {result.upload_id} ({restored or 'no rows'}).")
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import shutil

    import duckdb

    from atlas import console, snapshots

    path = Path(args.db or db.db_path())
    store = snapshots.store_beside(path)
    with contextlib.ExitStack() as stack:
        if store is None:
            con = _open(args)
        else:
            # a team layout: read the master between writers (the write lock), read-only
            stack.enter_context(store.write_lock())
            try:
                con = duckdb.connect(str(path), read_only=True)
            except duckdb.IOException as exc:
                if not db.is_busy(exc):
                    raise
                print(db.busy_message(exc, path), file=sys.stderr)
                con = None
        if con is None:
            return 1
        try:
            version, folder = console.snapshot(con, path)
            database = console.database_file(con, path) if args.duckdb else None
        finally:
            con.close()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for table in console.SNAPSHOT_TABLES:
        shutil.copyfile(folder / f"{table}.parquet", out / f"{table}.parquet")
    if database is not None:
        shutil.copyfile(database, out / database.name)
    print(f"Data version {version}: {len(console.SNAPSHOT_TABLES)} tables as Parquet in {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser, with help text for every command."""
    p = argparse.ArgumentParser(prog="python -m atlas", description="Talent Atlas command line.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "build",
        help="Build the database from queries/schema/ and the seed CSVs (atomic).",
        description="Build data/atlas.duckdb from queries/schema/ and data/seed/*.csv. "
        "The new file replaces the old one only when complete.",
    )
    b.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    b.add_argument("--seed", default=str(db.SEED_DIR), help="folder of seed CSVs, one per table")
    b.add_argument(
        "--if-missing", action="store_true", help="do nothing when the database exists (keeps uploaded data)"
    )
    b.set_defaults(func=_build)

    ld = sub.add_parser(
        "load",
        help="Validate CSV files and commit them in one transaction (nothing changes on any problem).",
        description="Validate CSV files (one per table, recognized by name or header) and commit them "
        "atomically. Exit 0 when committed (or a dry run finds no problem), 1 when rejected.",
    )
    ld.add_argument("files", nargs="+", help="CSV files or spreadsheets (.xlsx, .xls, .ods), one per table, or a .zip")
    ld.add_argument(
        "--mode",
        choices=["append", "upsert", "replace"],
        default="append",
        help="append: new ids only; upsert: insert or update by id; replace: each file becomes its table",
    )
    ld.add_argument("--dry-run", action="store_true", help="validate only; change nothing")
    ld.add_argument(
        "--encoding",
        choices=sorted(csvfile.codec_names()),
        default=None,
        help="read every file in this encoding instead of detecting it (for a file the detection calls uncertain)",
    )
    ld.add_argument(
        "--decisions",
        type=Path,
        default=None,
        help="a CSV of decisions for the names of the files (kind, name, match or new_id), as --review-out writes",
    )
    ld.add_argument("--create-new", action="store_true", help="accept every name no stored entry is close to as new")
    ld.add_argument(
        "--mapping",
        default=None,
        help="how a file with another tool's columns reads as ours: a mapping JSON file (the Data page's download), "
        "the name of a saved mapping, or `suggested` (the Data page's suggestion, printed); without it, a saved "
        "mapping made for the file's columns is used",
    )
    ld.add_argument(
        "--sheet", default=None, help="the sheet of a workbook (.xlsx, .xls, .ods) to read; default: its first"
    )
    ld.add_argument(
        "--constant",
        action="append",
        metavar="COLUMN=VALUE",
        help="a value for every row of a mapped file, for a column it does not have (e.g. currency=USD); repeatable",
    )
    ld.add_argument(
        "--review-out", type=Path, default=None, help="write the names that need a decision to this CSV (exit 1)"
    )
    ld.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    ld.set_defaults(func=_load)
    from atlas import cli_pull  # the public sources' pulls: their own module (this one is long)

    cli_pull.register(sub, _writing, _os_user)

    mg = sub.add_parser(
        "merge",
        help="Merge two ids that are one person or firm (undoable like an upload).",
        description="Every fact of DROP moves to KEEP, DROP's names become aliases of KEEP, DROP goes. "
        "Recorded as a data version; undone like an upload.",
    )
    mg.add_argument("kind", choices=["person", "firm"])
    mg.add_argument("keep", help="the id that stays")
    mg.add_argument("drop", help="the id merged into it")
    mg.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    mg.set_defaults(func=_merge)

    un = sub.add_parser(
        "undo",
        help="Undo the latest upload or merge in effect, exactly (recorded as a new data version).",
        description="Restore the state before the latest upload or merge still in effect, from its undo log, "
        "in one transaction. Exit 1 when there is nothing to undo or it cannot be undone exactly.",
    )
    un.add_argument("--version", type=int, default=None, help="refuse unless this is the version undone")
    un.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    un.set_defaults(func=_undo)

    sn = sub.add_parser(
        "snapshot",
        help="Write the current data version's tables as Parquet files (what the Explore page's download holds).",
        description="Copy every table of the current data version, as the Explore page's zip holds them (no "
        "e-mail address, no app records), into --out; with --duckdb also as one DuckDB file. For a version too "
        "large for the page's download.",
    )
    sn.add_argument("--out", required=True, help="folder to write the files into")
    sn.add_argument("--duckdb", action="store_true", help="also the same tables in one DuckDB file")
    sn.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    sn.set_defaults(func=_snapshot)

    g = sub.add_parser(
        "generate",
        help="Write a deterministic synthetic dataset at scale, in the upload CSV format.",
        description="Write one CSV per table into --out: power-law firm sizes, parents, career chains with "
        "boomerangs, mixed date precisions and currencies, rumors. Same seed, same files.",
    )
    g.add_argument("--out", required=True, help="output folder")
    g.add_argument("--people", type=int, default=1_000_000)
    g.add_argument("--firms", type=int, default=20_000)
    g.add_argument("--moves", type=int, default=10_000_000)
    g.add_argument("--rounds", type=int, default=1_000_000)
    g.add_argument("--comp", type=int, default=1_000_000)
    g.add_argument("--seed", type=int, default=1)
    g.set_defaults(func=_generate)

    from atlas import cli_alerts, cli_report  # the watchlists' e-mail alerts; a view's report

    cli_alerts.register(sub)
    cli_report.register(sub)
    from atlas import cli_bench  # the benchmark's options: their own module

    cli_bench.register(sub)

    sv = sub.add_parser(
        "serve",
        help="Serve the dashboard for a team: N Streamlit processes behind HAProxy, on read-only snapshots.",
        description="Start N Streamlit processes, each reading the newest read-only snapshot of the database, "
        "behind HAProxy (Debian package haproxy) with sticky sessions. Writes (uploads, undo, merges, saved "
        "views, `python -m atlas load`) take a write lock and publish the next snapshot. Ctrl+C stops them all.",
    )
    sv.add_argument("--processes", type=int, default=2, help="Streamlit processes (about one core each)")
    sv.add_argument("--port", type=int, default=8501, help="the balancer's port; the processes take the next N")
    sv.add_argument("--address", default="127.0.0.1", help="the balancer's address (default: this computer only)")
    sv.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    sv.add_argument(
        "--snapshots", type=Path, default=None, help="snapshot folder (default: beside the database, <name>.snapshots)"
    )
    sv.set_defaults(func=_serve)
    return p


def _serve(args: argparse.Namespace) -> int:
    import os

    from atlas import serve

    if args.db:
        os.environ["ATLAS_DB"] = str(args.db)
    return serve.main(args.processes, args.port, args.address, args.snapshots)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    from atlas.escape import TerminalText

    # what the commands print holds names, mapping names and cells from anyone's files: control
    # characters (an ANSI escape) are written out, never acted on by the terminal
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalText(out), TerminalText(err)
    try:
        return args.func(args)
    finally:
        sys.stdout, sys.stderr = out, err
