"""A pull's steps after the fetch, shared by the command line and the Data page: match the
entities (source ids, then names through the resolver), settle the analyst's decisions, leave out
the moves another source tells, and check or commit the rows as one upsert load (atlas.load)."""

from __future__ import annotations

import copy
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
    return Matched(mine, plans.resolve_names(con, mine.entities))


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
    return [
        {
            "kind": d.kind,
            "name": d.name,
            "entity": d.target,
            "status": d.status,
            "rule": d.rule,
            "score": d.score,
            "created": d.entity_id is None,
        }
        for d in matched.decisions
    ]


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
    `undo`. `what` names the pull in the load history's file column."""
    with tempfile.TemporaryDirectory(prefix="atlas-pull-") as tmp:
        files = plans.write(rows.rows, Path(tmp))
        return load.load_files(
            con,
            files,
            mode="upsert",
            dry_run=dry_run,
            uploader=uploader,
            uploader_email=uploader_email,
            labels={t: f"{what}: {t}" for t in files},
            progress=progress,
            name_decisions=decisions or None,
        )


def changed(result: load.LoadResult) -> dict[str, dict]:
    """The tables a check found rows to add or change in."""
    return {t: c for t, c in result.changes.items() if c.get("new") or c.get("changed")}
