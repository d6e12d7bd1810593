"""Step 5, derived: the pages' tables kept up to date with the facts, in the writer's own transaction.

A write (append, upsert, undo, merge) touches a few rows; the derived tables are refreshed for
those rows and what depends on them, not rebuilt:

1. `capture` reads the write's undo log (the keys it inserted and the rows as they were before it)
   with the rows as they are, into temporary scope tables: the people, rounds and pay figures
   touched, the sources whose names changed, and whether exchange rates changed. An undo captures
   before it writes (its log goes as it restores), a load and a merge after.
2. `refresh` gives codes to new entries (codes.sql), recomputes `firm_levels` whole (a few thousand
   firms) and adds every firm whose row changed to the scope (with the people, rounds and pay
   figures that name it), then, per derived table, deletes the rows of the scope and inserts them
   again from the table's source view, computed for the scope only: the scope macros of codes.sql
   are redefined as temporary macros on this cursor (see `derived/*.sql`, "Refreshed: ...").

A replace, a schema change and `python -m atlas build` rebuild every derived table
(`atlas.schema.refresh_derived`); so does a write whose log says it filled a table from empty.
The property test (tests/test_derive.py) checks after random sequences of writes that every
derived table equals a full rebuild, both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from atlas.load.stage import row_count
from atlas.load.write import WRITE_LOCK, pause_point
from atlas.model import TABLES
from atlas.schema import assign_codes, derived_tables, record_derived_version, refresh_derived

# The temporary scope tables and the macro each one backs (codes.sql).
SCOPES = {
    "scope_people": ("person_id varchar", "in_scope_person", "person_id"),
    "scope_rounds": ("round_id varchar", "in_scope_round", "round_id"),
    "scope_comps": ("comp_id varchar", "in_scope_comp", "comp_id"),
    "scope_sources": ("source_id varchar", None, "source_id"),
    "scope_people_n": ("person_n integer", "in_scope_person_n", "person_n"),
}
# What each derived table is refreshed by: its key column and the scope table holding its keys
# (None: recomputed whole).
REFRESH = {
    "firm_levels": None,
    "move_facts": ("person_n", "scope_people_n"),
    "boomerang_trips": ("person_id", "scope_people"),  # a few rows per person: by id
    "firm_move_counts": "delta",
    "deal_people": ("round_id", "scope_rounds"),
    "person_latest": ("person_n", "scope_people_n"),
    "pay_facts": ("comp_id", "scope_comps"),
    "pay_firm_counts": None,
    "investments": ("round_id", "scope_rounds"),
    "flow_cells": "cells",
}
# Which scope a fact table's touched rows go to, by which of its columns.
TOUCHES = {
    "people": (("scope_people", "person_id"),),
    "moves": (("scope_people", "person_id"),),
    "education": (("scope_people", "person_id"),),
    "compensation": (("scope_comps", "comp_id"),),
    "funding_rounds": (("scope_rounds", "round_id"),),
    "round_investors": (("scope_rounds", "round_id"),),
    "sources": (("scope_sources", "source_id"),),
}
# Tables no derived table reads: a write to them needs no refresh.
UNREAD = {"cpi", "aliases", "firm_events", "headcounts", "approaches"}  # lineage and headcounts are read at query time


@dataclass
class Scope:
    """What a write touched, held in temporary tables of one cursor."""

    full: bool = False  # rebuild every derived table instead
    fx: bool = False  # exchange rates changed: every pay figure
    reasons: list[str] = field(default_factory=list)


def open_scope(cur: duckdb.DuckDBPyConnection) -> Scope:
    """Empty scope tables on this cursor."""
    for name, (columns, _, _) in SCOPES.items():
        cur.execute(f"create or replace temp table {name} ({columns})")
    return Scope()


def capture(cur: duckdb.DuckDBPyConnection, upload_id: int, scope: Scope) -> Scope:
    """Add to `scope` every row version `upload_id` wrote: the keys its undo log says it inserted
    and the rows as they were before it (from the log), with the same keys' rows as they are now."""
    for t in TABLES:
        log = f"undo_{t.name}"
        if not _in_main(cur, log):
            continue
        marks = dict(
            cur.execute(
                f"select undo_action, count(*) from {log} where undo_upload_id = $u group by all", {"u": upload_id}
            ).fetchall()
        )
        if not (marks.get("inserted") or marks.get("before") or marks.get("inserted_all")):
            continue
        if t.name in UNREAD:
            continue
        if marks.get("inserted_all"):
            scope.full = True
            scope.reasons.append(f"{t.name} was filled from empty")
            continue
        if t.name == "fx_rates":
            scope.fx = True
            continue
        if t.name == "firms":
            continue  # firm_levels is recomputed whole and compared (refresh)
        keys = ", ".join(t.key)
        on = " and ".join(f"l.{k} = o.{k}" for k in t.key)
        for scope_table, column in TOUCHES[t.name]:
            cur.execute(
                f"insert into {scope_table} "
                f"select {column} from {log} where undo_upload_id = $u and undo_action = 'before' "
                f"union select o.{column} from {t.name} as o semi join ("
                f"select {keys} from {log} where undo_upload_id = $u and undo_action in ('inserted', 'before')"
                f") as l on {on}",
                {"u": upload_id},
            )
    return scope


def refresh(cur: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, int]:
    """Bring every derived table up to date for `scope`, inside the caller's transaction; return
    the rows refreshed per table. Records the data version they now reflect."""
    if scope.full:
        refresh_derived(cur)
        return {}
    counts: dict[str, int] = {}
    for name, (_, macro, column) in SCOPES.items():
        cur.execute(f"create or replace temp table {name} as select distinct * from {name} where {column} is not null")
        if macro:
            cur.execute(f"create or replace temp macro {macro}(x) as x in (select {column} from {name})")
    try:
        assign_codes(cur, scoped=True)  # new people and figures are in the scope: the log has them
        # firm_levels whole; every firm whose row changed (or came, or went) joins the scope
        pause_point("refresh firm_levels")
        cur.execute("create or replace temp table levels_before as select * from firm_levels")
        cur.execute("create or replace temp table levels_after as select * from firm_levels_source")
        cur.execute(
            "create or replace temp table changed_firms as "
            "select firm_id, firm_n from (select * from levels_before except all select * from levels_after) "
            "union select firm_id, firm_n from (select * from levels_after except all select * from levels_before)"
        )
        if row_count(cur, "changed_firms"):
            cur.execute("delete from firm_levels")
            cur.execute("insert into firm_levels select * from levels_after")
            counts["firm_levels"] = row_count(cur, "levels_after")
            _widen_for_firms(cur)
        # sources renamed: the pay figures that cite them (move_facts carries no source name);
        # people renamed: their pay figures
        cur.execute(
            "insert into scope_comps select comp_id from compensation "
            "where source_id in (select source_id from scope_sources) "
            "union select comp_id from compensation where person_id in (select person_id from scope_people)"
        )
        if scope.fx:
            cur.execute("insert into scope_comps select comp_id from compensation")
        cur.execute("create or replace temp table scope_comps as select distinct comp_id from scope_comps")
        # the people by their codes (move_facts and person_latest carry them: an integer to filter on)
        cur.execute(
            "insert into scope_people_n select pc.person_n from person_codes as pc "
            "semi join scope_people as s on s.person_id = pc.person_id"
        )
        # move_facts by person; the firm pairs of their old and new moves, for the per-firm
        # counts and the deals between them
        moved = (
            f"select from_n, to_n, certainty_level, {{sign}} as sign, {CELL_COLUMNS} from move_facts "
            "where person_n in (select person_n from scope_people_n)"
        )
        pause_point("refresh move_facts")
        cur.execute(f"create or replace temp table moved_pairs as {moved.format(sign=-1)}")
        counts["move_facts"] = _replace_rows(cur, "move_facts", "person_n", "scope_people_n")
        cur.execute(f"insert into moved_pairs {moved.format(sign=1)}")
        # the deals whose target lost or gained a move to their buyer
        cur.execute(
            "insert into scope_rounds select r.round_id from funding_rounds as r "
            "join round_investors as ri on ri.round_id = r.round_id "
            "join firm_levels as t on t.firm_id = r.firm_id "
            "join firm_levels as b on b.firm_id = ri.investor_id "
            "semi join moved_pairs as p on p.from_n = t.firm_n and p.to_n = b.firm_n "
            "where r.round_type in ('acquisition', 'acquihire', 'hire')"
        )
        cur.execute("create or replace temp table scope_rounds as select distinct round_id from scope_rounds")
        for table in derived_tables():
            if table in ("firm_levels", "move_facts"):
                continue
            pause_point(f"refresh {table}")
            rule = REFRESH[table]
            if rule == "delta":
                counts[table] = _count_deltas(cur)
            elif rule == "cells":
                counts[table] = _cell_deltas(cur)
            elif rule is None:
                cur.execute(f"delete from {table}")
                cur.execute(f"insert into {table} select * from {table}_source")
                counts[table] = row_count(cur, table)
            else:
                counts[table] = _replace_rows(cur, table, *rule)
        record_derived_version(cur)
    finally:
        for _, macro, _ in SCOPES.values():
            if macro:
                cur.execute(f"drop macro if exists temp.{macro}")
    return counts


def _count_deltas(cur: duckdb.DuckDBPyConnection) -> int:
    """firm_move_counts: each firm's counts plus the moves of the scope as they are now, minus
    them as they were (moved_pairs), instead of counting millions of moves again. A firm whose
    name, parent, kind or country changed keeps its code, and so its counts."""
    cur.execute(
        "create or replace temp table count_deltas as "
        "select firm_n, certainty_level, sum(n_in)::bigint as n_in, sum(n_out)::bigint as n_out from ("
        "select to_n as firm_n, certainty_level, sign as n_in, 0 as n_out from moved_pairs where to_n is not null "
        "union all select from_n, from_level, 0, sign from moved_pairs where from_n is not null"
        ") group by all having sum(n_in) <> 0 or sum(n_out) <> 0"
    )
    cur.execute(
        "create or replace temp table counts_after as "
        "select d.firm_n, d.certainty_level, coalesce(c.n_in, 0) + d.n_in as n_in, "
        "coalesce(c.n_out, 0) + d.n_out as n_out "
        "from count_deltas as d left join firm_move_counts as c "
        "on c.firm_n = d.firm_n and c.certainty_level is not distinct from d.certainty_level"
    )
    cur.execute(
        "delete from firm_move_counts as c using count_deltas as d "
        "where c.firm_n = d.firm_n and c.certainty_level is not distinct from d.certainty_level"
    )
    return cur.execute(
        "insert into firm_move_counts select * from counts_after where n_in <> 0 or n_out <> 0"
    ).fetchall()[0][0]


# flow_cells' key: the columns it counts moves by (derived/10_flow_cells.sql), in its order
CELL_COLUMNS = (
    "from_kind_n, to_kind_n, from_country_n, to_country_n, from_kind, to_kind, from_country, to_country, "
    "year, certainty_level, from_level"
)


def _cell_deltas(cur: duckdb.DuckDBPyConnection) -> int:
    """flow_cells: each cell's count plus the scope's moves as they are now, minus them as they
    were (moved_pairs carries both ends' kind and country as they were, so a firm whose kind or
    country changed moves its people's moves from one cell to another)."""
    keys = [c.strip() for c in CELL_COLUMNS.split(",")]
    same = " and ".join(f"c.{k} is not distinct from d.{k}" for k in keys)
    cur.execute(
        f"create or replace temp table cell_deltas as select {CELL_COLUMNS}, sum(sign)::bigint as n_moves "
        "from moved_pairs group by all having sum(sign) <> 0"
    )
    cur.execute(
        "create or replace temp table cells_after as select "
        + ", ".join(f"d.{k}" for k in keys)
        + ", coalesce(c.n_moves, 0) + d.n_moves as n_moves "
        f"from cell_deltas as d left join flow_cells as c on {same}"
    )
    cur.execute(f"delete from flow_cells as c using cell_deltas as d where {same}")
    return cur.execute("insert into flow_cells select * from cells_after where n_moves <> 0").fetchall()[0][0]


def _widen_for_firms(cur: duckdb.DuckDBPyConnection) -> None:
    """A firm whose name, parent, kind or country changed: every row that shows it."""
    changed = "(select firm_id from changed_firms)"
    cur.execute(
        f"insert into scope_people select person_id from moves where from_firm_id in {changed} "
        f"union select person_id from moves where to_firm_id in {changed} "
        # a parent's change reaches its subsidiaries' moves through root labels: those firms
        # changed too, so they are in changed_firms already
        f"union select person_id from education where institution_id in {changed}"
    )
    cur.execute(f"insert into scope_comps select comp_id from compensation where firm_id in {changed}")
    cur.execute(
        f"insert into scope_rounds select round_id from funding_rounds where firm_id in {changed} "
        f"union select round_id from round_investors where investor_id in {changed}"
    )
    cur.execute("create or replace temp table scope_people as select distinct person_id from scope_people")


def _replace_rows(cur: duckdb.DuckDBPyConnection, table: str, column: str, scope_table: str) -> int:
    """Delete the rows of `table` in scope and insert them again from its (scoped) source view."""
    cur.execute(f"delete from {table} where {column} in (select {column} from {scope_table})")
    return cur.execute(f"insert into {table} select * from {table}_source").fetchall()[0][0]


def refresh_for(cur: duckdb.DuckDBPyConnection, upload_id: int, *, full: bool = False) -> dict[str, int]:
    """Refresh the derived tables for what version `upload_id` wrote (already written, on this
    cursor, inside its transaction); `full` rebuilds them instead."""
    scope = open_scope(cur)
    if full:
        scope.full = True
    else:
        capture(cur, upload_id, scope)
    return refresh(cur, scope)


def refresh_derived_committed(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every derived table in a transaction of its own (a database whose derived tables
    lag its facts: made by an older version, or a crash between two commits of one)."""
    with WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("begin transaction")
            try:
                refresh_derived(cur)
                pause_point("derive commit")
                cur.execute("commit")
            except duckdb.Error:
                cur.execute("rollback")
                raise
        finally:
            cur.close()


def _in_main(cur: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        cur.execute(
            "select count(*) from duckdb_tables() where table_name = $t and schema_name = 'main'", {"t": table}
        ).fetchall()[0][0]
    )
