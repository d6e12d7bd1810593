"""Step 3, write: the staged text typed as it will be stored, what changes (new, changed, removed rows and
the field-by-field diff), and the writes per mode with the undo log that can reverse them.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import duckdb

from atlas.load.stage import row_count
from atlas.load.values import changed_sql, key_join, key_text, target_columns, value_sql
from atlas.model import TABLES_BY_NAME, Table

MODES = ("append", "upsert", "replace")  # the modes an analyst picks; each can be undone


def typed_rows(
    con: duckdb.DuckDBPyConnection, table: Table, upload_source: str, materialize: bool = True, mode: str = "append"
) -> None:
    """`typed_<table>`: the staged text turned into the table's types, as it would be stored.

    A row without a source gets the upload itself as its source. In upsert and replace mode, a
    column the file does not have keeps each existing row's stored value (a new row gets none).
    Not materialized (a view) when the rows go into an empty table: then they are read once, by
    the insert.
    """
    # bound as a session variable: a view cannot hold parameters
    con.execute("set variable atlas_upload_source = $s", {"s": upload_source})
    absent: set[str] = set()
    if materialize and mode in ("upsert", "replace"):
        absent = {r[0] for r in con.execute(f"select name from stage_{table.name}_absent").fetchall()}
    exprs = []
    old_targets = []
    for c in table.columns:
        for target, expr in value_sql(c):
            if target == "source_id" and table.name != "sources":
                expr = f"coalesce({expr}, getvariable('atlas_upload_source'))"
            if c.name in absent:
                old_targets.append(target)
                expr = f"o.atlas_old_{target}"
            exprs.append(f"{expr} as {target}")
    source = f"stage_{table.name}"
    if absent:
        # the stored row of the same key (keys compared as the staged text); its columns renamed,
        # so every other expression still reads the stage's columns unqualified
        keys = ", ".join(f"{k}::varchar as atlas_key_{k}" for k in table.key)
        olds = ", ".join(f"{t} as atlas_old_{t}" for t in old_targets)
        on = " and ".join(f"s.{k} = o.atlas_key_{k}" for k in table.key)
        source = f"stage_{table.name} as s left join (select {keys}, {olds} from {table.name}) as o on {on}"
    con.execute(
        f"create or replace temp {'table' if materialize else 'view'} typed_{table.name} as "
        f"select {'s.' if absent else ''}_line, {', '.join(exprs)} from {source}"
    )


def undo_table(con: duckdb.DuckDBPyConnection, table: Table) -> str:
    """`undo_<table>`: rows as they were before an upload changed them, and keys it inserted."""
    name = f"undo_{table.name}"
    con.execute(
        f"create table if not exists {name} as select 0::integer as undo_upload_id, ''::varchar as undo_action, * "
        f"from {table.name} limit 0"
    )
    return name


def summarize_changes(con: duckdb.DuckDBPyConnection, table: Table, mode: str) -> dict[str, int]:
    """How many rows of typed_<table> are new, changed or unchanged, and (replace) how many go."""
    t, n = table.name, f"typed_{table.name}"
    if row_count(con, t) == 0:
        return {"new": row_count(con, n), "changed": 0, "unchanged": 0, "removed": 0}
    row = con.execute(
        f"""select count(*) filter (where o.{table.key[0]} is null),
                   count(*) filter (where o.{table.key[0]} is not null and ({changed_sql(table, "n", "o")})),
                   count(*) filter (where o.{table.key[0]} is not null and not ({changed_sql(table, "n", "o")}))
            from {n} n left join {t} o on {key_join(table, "n", "o")}"""
    ).fetchall()[0]
    removed = 0
    if mode == "replace":
        removed = con.execute(
            f"select count(*) from {t} o where not exists (select 1 from {n} n where {key_join(table, 'n', 'o')})"
        ).fetchall()[0][0]
    return {"new": row[0], "changed": row[1], "unchanged": row[2], "removed": removed}


def field_diff(con: duckdb.DuckDBPyConnection, table: Table, limit: int = 2000) -> list[tuple]:
    """(table, row, key, column, old value, new value) for every field an upsert would change."""
    others = [t for t in target_columns(table) if t not in table.key and not t.endswith("_precision")]
    if not others:
        return []
    branches = [
        f"select n._line, {key_text(table, 'n')} as k, '{c}' as col, o.{c}::varchar as old, n.{c}::varchar as new "
        f"from typed_{table.name} n join {table.name} o on {key_join(table, 'n', 'o')} "
        f"where n.{c} is distinct from o.{c}"
        for c in others
    ]
    rows = con.execute(" union all ".join(f"({b})" for b in branches) + f" order by 1, 3 limit {limit}").fetchall()
    return [(table.name, *r) for r in rows]


def write_rows(con: duckdb.DuckDBPyConnection, table: Table, mode: str, upload_id: int) -> None:
    """Apply typed_<table> to the table, logging what undo needs into undo_<table>."""
    t, n = table.name, f"typed_{table.name}"
    undo = undo_table(con, table)
    cols = ", ".join(target_columns(table))
    keys = ", ".join(table.key)
    # a marker that this upload's log of `t` is complete: without it an undo refuses (see undo_problem)
    con.execute(f"insert into {undo} (undo_upload_id, undo_action) values ($id, 'logged')", {"id": upload_id})
    if row_count(con, t) == 0:
        # into an empty table every row is new, and undoing it empties the table again: one
        # marker row in the log instead of every key (an upload is undone only while it is the
        # latest in effect, so the table then holds its rows and no other)
        con.execute(f"insert into {undo} (undo_upload_id, undo_action) values ($id, 'inserted_all')", {"id": upload_id})
        if t == "firms":
            insert_firms(con, f"select * from {n}")
        else:
            con.execute(f"insert into {t} ({cols}) select {cols} from {n}")  # typed_ is in file order
        return
    new_rows = f"select * from {n} n where not exists (select 1 from {t} o where {key_join(table, 'n', 'o')})"
    con.execute(
        f"insert into {undo} (undo_upload_id, undo_action, {keys}) select $id, 'inserted', {keys} from ({new_rows})",
        {"id": upload_id},
    )
    if mode in ("upsert", "replace"):
        changed = (
            f"select o.* from {t} o join {n} n on {key_join(table, 'n', 'o')} where {changed_sql(table, 'n', 'o')}"
        )
        con.execute(f"insert into {undo} select $id, 'before', * from ({changed})", {"id": upload_id})
    if t == "firms":
        insert_firms(con, new_rows)
    else:
        con.execute(f"insert into {t} ({cols}) select {cols} from ({new_rows}) order by _line")
    if mode in ("upsert", "replace"):
        update_columns(con, table, n)


def update_columns(con: duckdb.DuckDBPyConnection, table: Table, source: str) -> None:
    """Set each non-key column from `source` (rows with the table's key) where it differs.

    One column at a time and only where it changes: DuckDB rewrites a row whose foreign-key
    column is set as a delete and insert, which a row other tables refer to cannot survive,
    so a column is never set to the value it already has.
    """
    targets = target_columns(table)
    for c in targets:
        if c in table.key or c.endswith("_precision"):
            continue
        # a date and its precision together: the schema checks that both are set or neither
        cols = [c, f"{c}_precision"] if f"{c}_precision" in targets else [c]
        sets = ", ".join(f"{x} = n.{x}" for x in cols)
        differ = " or ".join(f"n.{x} is distinct from o.{x}" for x in cols)
        con.execute(
            f"update {table.name} o set {sets} from {source} n where {key_join(table, 'n', 'o')} and ({differ})"
        )


def remove_missing(con: duckdb.DuckDBPyConnection, table: Table, upload_id: int) -> None:
    """Replace: rows of the table that the file no longer has go (logged for undo)."""
    t, n = table.name, f"typed_{table.name}"
    gone = f"select o.* from {t} o where not exists (select 1 from {n} n where {key_join(table, 'n', 'o')})"
    con.execute(f"insert into undo_{t} select $id, 'before', * from ({gone})", {"id": upload_id})
    if t == "firms":
        use_upload(con, upload_id)
        delete_firms(
            con,
            "select firm_id from undo_firms where undo_upload_id = getvariable('atlas_upload') "
            "and undo_action = 'before' and firm_id not in (select firm_id from typed_firms)",
        )
    else:
        con.execute(f"delete from {t} o where not exists (select 1 from {n} n where {key_join(table, 'n', 'o')})")


def insert_firms(con: duckdb.DuckDBPyConnection, rows_sql: str) -> None:
    """Insert firm rows parents first (a firm can only reference a parent already there)."""
    cols = ", ".join(target_columns(TABLES_BY_NAME["firms"]))
    con.execute(f"create or replace temp table pending_firms as {rows_sql}")
    for _ in range(60):
        moved = con.execute(
            f"insert into firms ({cols}) select {cols} from pending_firms p "
            "where p.parent_id is null or p.parent_id in (select firm_id from firms)"
        ).fetchall()[0][0]
        con.execute("delete from pending_firms where firm_id in (select firm_id from firms)")
        if not moved:
            break
    con.execute("drop table pending_firms")


def delete_firms(con: duckdb.DuckDBPyConnection, ids_sql: str, commit_each: bool = False) -> None:
    """Delete firms children first (a parent cannot go while a subsidiary points at it).

    commit_each: one transaction per level, for when DuckDB must see the subsidiaries gone
    (it refuses to delete a row whose referring rows went in the same transaction).
    """
    for _ in range(60):
        if commit_each:
            con.execute("begin transaction")
        gone = con.execute(
            f"delete from firms where firm_id in ({ids_sql}) "
            "and firm_id not in (select parent_id from firms where parent_id is not null)"
        ).fetchall()[0][0]
        if commit_each:
            con.execute("commit")
        if not gone:
            break


# One writer at a time in this process (the app's sessions share one connection); another
# process cannot open the database file while this one holds it.
WRITE_LOCK = threading.RLock()


def pause_point(name: str) -> None:
    """For the crash tests: with ATLAS_PAUSE_BEFORE=<name>, say so on stderr and wait to be killed."""
    if os.environ.get("ATLAS_PAUSE_BEFORE") == name:
        print(f"atlas: paused before {name}", file=sys.stderr, flush=True)
        time.sleep(600)


def next_upload_id(con: duckdb.DuckDBPyConnection) -> int:
    # taken inside the writing transaction (writers are serialized): versions stay 1, 2, 3…
    return con.execute("select coalesce(max(upload_id), 0) + 1 from uploads").fetchall()[0][0]


def use_upload(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """Bind the upload whose undo log the next statements read (getvariable('atlas_upload'))."""
    con.execute("set variable atlas_upload = $u", {"u": upload_id})
