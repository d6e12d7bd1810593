"""`python -m atlas pull SOURCE`: pull people, firms and moves from a public source into the
database, through the same checks, review and undo as `load` (atlas.pull)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def register(sub, writing, who) -> None:  # noqa: ANN001 - argparse's subparsers, atlas.cli's helpers
    """Add `pull` and its sources to the command line; `writing` opens the database for one write
    and `who` names the command line's user (atlas.cli's own, passed in: no import back)."""
    pl = sub.add_parser(
        "pull",
        help="Pull careers (OpenAlex affiliations) or rounds (SEC Form D) from a public source as one undoable load.",
        description="Fetch, match to the stored people and firms, check, and commit as one data version "
        "(undo it with `python -m atlas undo`). Nothing is written on any problem.",
    )
    sources = pl.add_subparsers(dest="source", required=True)
    oa = sources.add_parser(
        "openalex",
        help="Authors of institutions (or given authors) with their affiliations as moves",
        description="Authors whose affiliations name an institution, their institutions (with country, kind "
        "and parent) and the moves between them by the rule in README (year precision, certainty reported, "
        "each citing the author's OpenAlex record).",
    )
    oa.add_argument("--institution", action="append", default=[], help="an OpenAlex id (I123) or a name; repeatable")
    oa.add_argument("--author", action="append", default=[], help="an OpenAlex author id (A123) or ORCID; repeatable")
    oa.add_argument("--since", type=int, default=0, help="leave out affiliations that ended before this year")
    oa.add_argument("--mailto", default="", help="your e-mail address: OpenAlex's polite pool")
    oa.add_argument(
        "--base-url",
        default="",
        help="the API's address (default: $ATLAS_OPENALEX_URL or https://api.openalex.org)",
    )
    _load_options(oa)
    oa.set_defaults(func=lambda args: _openalex(args, writing, who))
    fd = sources.add_parser(
        "formd",
        help="SEC Form D filings of companies: their rounds and related persons",
        description="Each offering's latest Form D or D/A as a round (the amount sold, or offered where nothing is "
        "sold yet), the related persons as people tied to the issuer, certainty confirmed, the filing as source.",
    )
    fd.add_argument(
        "--company",
        action="append",
        default=[],
        help="a company's CIK (digits) or name (EDGAR's full-text search finds its Form D filings); repeatable",
    )
    fd.add_argument("--since", default="", help="only filings on or after this date (YYYY-MM-DD)")
    fd.add_argument("--user-agent", default="", help='who you are, as the SEC requires: "Name email@example.org"')
    fd.add_argument(
        "--base-url",
        default="",
        help="one address for all of EDGAR's hosts (default: $ATLAS_EDGAR_URL, else the SEC's own)",
    )
    _load_options(fd)
    fd.set_defaults(func=lambda args: _formd(args, writing, who))


def _openalex(args: argparse.Namespace, writing, who) -> int:  # noqa: ANN001
    from atlas.pull import run
    from atlas.pull.http import PullError

    if not args.institution and not args.author:
        print("Name at least one --institution or --author.", file=sys.stderr)
        return 1

    def progress(authors: int, pages: int, expected: int) -> None:
        _over(f"authors {authors:,} of {expected:,} · pages {pages:,}")

    try:
        fetched = run.fetch_openalex(
            args.institution,
            args.author,
            since=args.since,
            mailto=args.mailto,
            base_url=args.base_url,
            progress=progress,
        )
    except PullError as exc:
        print(f"{_newline()}Pull stopped; the database is unchanged: {exc}", file=sys.stderr)
        return 1
    print(f"{_newline()}Fetched {fetched.summary}.", file=sys.stderr)
    if fetched.plan is None:
        print("Nothing to pull: no author matches.")
        return 0
    return _load_plan(args, fetched, "pull openalex", writing, who)


def _over(text: str) -> None:
    """A progress count over the line before, on a terminal (a log gets the summary alone)."""
    if sys.stderr.isatty():
        over = getattr(sys.stderr, "over", None)
        if over is not None:
            over(text)
        else:
            print(f"\r{text}", end="", file=sys.stderr, flush=True)


def _newline() -> str:
    """What ends a progress line before the next message: a newline on a terminal, else nothing."""
    return "\n" if sys.stderr.isatty() else ""


def _load_options(parser: argparse.ArgumentParser) -> None:
    """The options every pull shares with `load`: dry run, the review of names, the database."""
    parser.add_argument("--dry-run", action="store_true", help="fetch, match and check; change nothing")
    parser.add_argument(
        "--create-new", action="store_true", help="accept every name no stored entry is close to as new"
    )
    parser.add_argument(
        "--decisions", type=Path, default=None, help="a CSV of decisions (kind, name, match or new_id), as --review-out"
    )
    parser.add_argument(
        "--review-out", type=Path, default=None, help="write the names that need a decision to this CSV"
    )
    parser.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")


def _formd(args: argparse.Namespace, writing, who) -> int:  # noqa: ANN001
    from atlas.pull import formd, run
    from atlas.pull.http import PullError

    if not [c for c in args.company if c.strip()]:
        print("Name at least one --company, by name or CIK.", file=sys.stderr)
        return 1
    if not formd.user_agent_ok(args.user_agent):
        print('The SEC requires --user-agent "Your Name you@example.org".', file=sys.stderr)
        return 1

    def progress(read: int, total: int) -> None:
        _over(f"Form D documents {read:,} of {total:,}")

    try:
        fetched = run.fetch_formd(
            args.company, since=args.since, user_agent=args.user_agent, base_url=args.base_url, progress=progress
        )
    except PullError as exc:
        print(f"{_newline()}Pull stopped; the database is unchanged: {exc}", file=sys.stderr)
        return 1
    print(f"{_newline()}Fetched {fetched.summary}.", file=sys.stderr)
    if fetched.plan is None:
        print("Nothing to pull: no Form D matches.")
        return 0
    return _load_plan(args, fetched, "pull formd", writing, who)


def _load_plan(args: argparse.Namespace, fetched, action: str, writing, who) -> int:  # noqa: ANN001 - run.Fetched
    from atlas.pull import run

    with writing(args) as con:
        if con is None:
            return 1
        matched = run.match(con, fetched.plan)
        if _decide(con, matched.decisions, args):
            return 1
        rows = run.rows_of(con, matched)
        if rows is None:
            return 1
        if rows.told:
            print(f"{rows.told:,} move(s) another source already tells were left out: that source's move stands.")
        checked = run.load_rows(con, rows, what=fetched.asked, dry_run=True)
        if checked.problems:
            return _rejected(checked.problems)
        changed = run.changed(checked)
        if not changed:
            print("Nothing changed: the database already holds this pull.")
            return 0
        for table, c in sorted(changed.items()):
            verb = "Would add" if args.dry_run else "Adding"
            print(f"{verb} {c['new']:,} and change {c['changed']:,} row(s) of {table}")
        if args.dry_run:
            return 0
        done = run.load_rows(
            con,
            rows,
            what=fetched.asked,
            dry_run=False,
            uploader=f"{who()} {action}",
            decisions=run.name_decisions(matched),
        )
    if done.problems:
        return _rejected(done.problems)
    print(
        f"Pulled as upload {done.upload_id} ({dt.date.today():%Y-%m-%d}); "
        f"undo with: python -m atlas undo {done.upload_id}"
    )
    from atlas import cli_alerts

    cli_alerts.after_load(args)  # the watchlists' e-mails of what it brought
    return 0


def _rejected(problems: list) -> int:
    print("Rejected; the database is unchanged:", file=sys.stderr)
    for p in problems[:50]:
        print(f"  {p}", file=sys.stderr)
    return 1


def _decide(con, decisions, args: argparse.Namespace) -> bool:  # noqa: ANN001
    """Apply --decisions and --create-new to the resolver's decisions; print (and write with
    --review-out) those still open. True when any is open (nothing is written)."""
    import csv

    from atlas import names, resolve

    by_name = {(d.kind, d.name): d for d in decisions}
    if args.decisions:
        with open(args.decisions, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                d = by_name.get((str(row.get("kind", "")).strip(), names.clean(row.get("name") or "")))
                match, new_id = (row.get("match") or "").strip(), (row.get("new_id") or "").strip()
                if d is not None and (match or new_id):
                    refused = resolve.choose(con, d, match=match or None, new_id=new_id or None)
                    if refused:
                        print(refused, file=sys.stderr)
                        return True
    if args.create_new:
        resolve.accept(decisions, new_only=True)
    open_ = resolve.undecided(decisions)
    if not open_:
        return False
    print(f"{len(open_)} name(s) need a decision; nothing changed:", file=sys.stderr)
    for d in open_:
        options = "; ".join(f"{c.entity_id} {c.label} ({c.score:.0f})" for c in d.candidates)
        print(
            f"  {d.kind} {d.name!r}: {d.status}" + (f": {options}" if options else f" (new id {d.new_id})"),
            file=sys.stderr,
        )
    if args.review_out:
        with open(args.review_out, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["kind", "name", "status", "candidates", "match", "new_id"])
            for d in open_:
                w.writerow([d.kind, d.name, d.status, "; ".join(c.entity_id for c in d.candidates), "", d.new_id])
        print(f"Wrote {args.review_out}: fill match or new_id and pass it as --decisions.", file=sys.stderr)
    return True
