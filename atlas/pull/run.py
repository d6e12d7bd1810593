"""A pull's steps after the fetch, shared by the command line and the Data page: match the
entities (source ids, then names through the resolver), settle the analyst's decisions, leave out
the moves another source tells, and check or commit the rows as one upsert load (atlas.load)."""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from atlas import load, resolve
from atlas.pull import plan as plans


@dataclass
class Matched:
    """A fetched plan matched to the stored people and firms: the decisions the analyst reviews."""

    plan: plans.Plan
    decisions: list[resolve.Decision]


@dataclass
class Rows:
    """What a pull would write once every name is decided."""

    rows: dict[str, list[dict[str, str]]]
    told: int  # moves left out: another source tells them


def match(con: duckdb.DuckDBPyConnection, plan: plans.Plan) -> Matched:
    """Match a copy of `plan` (the fetched one stays as it came): source ids first, then names."""
    mine = copy.deepcopy(plan)
    plans.match_by_alias(con, mine.entities)
    return Matched(mine, plans.resolve_names(con, mine.entities, mine.rows))


def rows_of(con: duckdb.DuckDBPyConnection, matched: Matched) -> Rows | None:
    """The rows to load with every entity's id, or None while a name is undecided."""
    mine = copy.deepcopy(matched.plan)  # settling fills ids: a later decision starts anew
    if plans.settle(mine, matched.decisions):
        return None
    rows = plans.table_rows(mine)
    told = plans.drop_told_moves(con, rows)
    return Rows(rows, told)


def name_decisions(matched: Matched) -> list[dict]:
    """The decisions as the load history records them (atlas.load's name_decisions)."""
    return load.history_records(matched.decisions)


def load_rows(
    con: duckdb.DuckDBPyConnection,
    rows: Rows,
    *,
    what: str,
    dry_run: bool,
    uploader: str = "",
    uploader_email: str = "",
    decisions: list[dict] | None = None,
    progress: Callable[[str, load.LoadResult], None] | None = None,
) -> load.LoadResult:
    """Check (dry_run) or commit the rows as one upsert: one data version, undone exactly by
    `undo`. `what` (Fetched.asked) names the pull in the load history's file column."""
    with tempfile.TemporaryDirectory(prefix="atlas-pull-") as tmp:
        files = plans.write(rows.rows, Path(tmp))
        return load.load_files(
            con,
            files,
            mode="upsert",
            dry_run=dry_run,
            uploader=uploader,
            uploader_email=uploader_email,
            labels=dict.fromkeys(files, what),
            progress=progress,
            name_decisions=decisions or None,
        )


def changed(result: load.LoadResult) -> dict[str, dict]:
    """The tables a check found rows to add or change in."""
    return {t: c for t, c in result.changes.items() if c.get("new") or c.get("changed")}


@dataclass
class Fetched:
    """What a fetch brought: the plan to match, and a sentence of what it read."""

    plan: plans.Plan | None  # None: nothing matches
    summary: str
    counts: dict[str, int]  # what the summary counts, for a sentence in another language
    asked: str  # what was asked for, as the load history's file column says it


def openalex_url() -> str:
    """OpenAlex's address: $ATLAS_OPENALEX_URL, else the public API."""
    from atlas.pull import openalex

    return os.environ.get("ATLAS_OPENALEX_URL") or openalex.API


def edgar_url() -> str:
    """One address for EDGAR's hosts ($ATLAS_EDGAR_URL), or '' for the SEC's own."""
    return os.environ.get("ATLAS_EDGAR_URL", "")


def fetch_openalex(
    institutions: list[str],
    authors: list[str],
    *,
    since: int = 0,
    mailto: str = "",
    base_url: str = "",
    progress: Callable[[int, int, int], None] | None = None,
) -> Fetched:
    """Fetch from OpenAlex (atlas.pull.openalex); raises PullError with why it stopped."""
    from atlas.pull import openalex
    from atlas.pull.http import Client

    agent = f"TalentAtlas/1 (mailto:{mailto})" if mailto else "TalentAtlas/1"
    params = {"mailto": mailto} if mailto else {}
    with Client(base_url or openalex_url(), user_agent=agent, per_second=openalex.PER_SECOND, params=params) as c:
        found, known = openalex.fetch(c, institutions, authors, progress)
        requests = c.requests
    summary = f"{len(found):,} author(s) and {len(known):,} institution(s) in {requests:,} request(s)"
    counts = {"authors": len(found), "institutions": len(known), "requests": requests}
    asked = "OpenAlex: " + ", ".join([*institutions, *authors])[:300]
    return Fetched(openalex.plan_of(found, known, since) if found else None, summary, counts, asked)


def fetch_formd(
    companies: list[str],
    *,
    since: str = "",
    user_agent: str,
    base_url: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Fetched:
    """Fetch Form D filings (atlas.pull.formd); raises PullError with why it stopped."""
    from atlas.pull import formd

    with formd.clients(base_url or edgar_url(), user_agent) as (search, data, docs):
        ciks = [formd.find_company(search, c) for c in companies if c.strip()]
        offerings = formd.fetch(data, ciks, since, archives=docs, progress=progress)
        requests = search.requests + data.requests + docs.requests
    summary = f"{len(offerings):,} offering(s) of {len(ciks):,} company(ies) in {requests:,} request(s)"
    counts = {"offerings": len(offerings), "companies": len(ciks), "requests": requests}
    asked = "SEC Form D: " + ", ".join(c.strip() for c in companies if c.strip())[:300]
    return Fetched(formd.plan_of(offerings) if offerings else None, summary, counts, asked)
