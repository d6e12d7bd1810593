"""Merging duplicates: two ids that are one person (or firm) become one.

Every fact of the dropped id moves to the kept one, the dropped entry's names become aliases of
the kept one, and the dropped entry goes. A merge is one transaction recorded as a data version
(mode 'merge') with an undo log like an upload's, so `atlas.load.undo` reverses it exactly.
"""

from __future__ import annotations

import json
import re

import duckdb

from atlas.i18n import L_
from atlas.load.derived import refresh_for
from atlas.load.problems import LoadResult, Problem
from atlas.load.values import key_join
from atlas.load.write import WRITE_LOCK, next_upload_id, pause_point, undo_table
from atlas.model import ENTITY_KINDS, TABLES_BY_NAME

# what refers to a person or a firm: (table, column)
REFERENCES = {
    "person": (
        ("moves", "person_id"),
        ("compensation", "person_id"),
        ("education", "person_id"),
        ("approaches", "person_id"),
        ("approaches", "approached_by_id"),
    ),
    "firm": (
        ("moves", "from_firm_id"),
        ("moves", "to_firm_id"),
        ("compensation", "firm_id"),
        ("approaches", "firm_id"),
        ("funding_rounds", "firm_id"),
        ("round_investors", "investor_id"),
        ("education", "institution_id"),
        ("firms", "parent_id"),
        ("firm_events", "firm_id"),
        ("firm_events", "successor_id"),
        ("headcounts", "firm_id"),
    ),
}
ENTITY = {k: (e.table, e.id_column) for k, e in ENTITY_KINDS.items()}


def merge(con: duckdb.DuckDBPyConnection, kind: str, keep: str, drop: str, who: str, email: str = "") -> LoadResult:
    """Merge `drop` into `keep` (both ids of `kind`); the result's upload_id is the merge's version."""
    if kind not in ENTITY:
        return LoadResult([Problem("", None, None, None, L_("kind must be person or firm"))])
    with WRITE_LOCK:
        return _merge(con, kind, keep, drop, who, email)


def _merge(con: duckdb.DuckDBPyConnection, kind: str, keep: str, drop: str, who: str, email: str = "") -> LoadResult:
    table, col = ENTITY[kind]
    cur = con.cursor()
    result = LoadResult()
    try:
        found = {
            r[0]: r
            for r in cur.execute(
                f"select {col}, name, name_zh from {table} where {col} in ($a, $b)", {"a": keep, "b": drop}
            ).fetchall()
        }
        for entity_id in (keep, drop):
            if entity_id not in found:
                result.problems.append(
                    Problem(table, None, col, entity_id, L_("there is no {kind} with this id").format(kind=kind))
                )
        if keep == drop:
            result.problems.append(Problem(table, None, col, keep, L_("an entry cannot be merged into itself")))
        if result.problems:
            return result
        cur.execute("begin transaction")
        upload_id = next_upload_id(cur)
        params = {"keep": keep, "drop": drop, "id": upload_id}
        touched: dict[str, int] = {}

        def run(sql: str, values: dict | None = None) -> duckdb.DuckDBPyConnection:
            # DuckDB refuses a parameter the statement does not use: bind only those it names
            used = set(re.findall(r"\$(\w+)", sql))
            return cur.execute(sql, {k: v for k, v in (values or {}).items() if k in used})

        def log(name: str) -> str:
            undo = undo_table(cur, TABLES_BY_NAME[name])
            if name not in touched:
                run(f"insert into {undo} (undo_upload_id, undo_action) values ($id, 'logged')", {"id": upload_id})
                touched[name] = 0
            return undo

        if kind == "firm":
            # the kept firm under the dropped one: it takes the dropped firm's parent instead
            run(
                "update firms set parent_id = (select parent_id from firms where firm_id = $drop) "
                "where firm_id = $keep and parent_id = $drop",
                params,
            )
        for name, column in REFERENCES[kind]:
            t = TABLES_BY_NAME[name]
            undo = log(name)
            n = run(f"select count(*) from {name} where {column} = $drop", params).fetchall()[0][0]
            if not n:
                continue
            touched[name] += n
            run(f"insert into {undo} select $id, 'before', * from {name} where {column} = $drop", params)
            if column in t.key:
                # the key changes: the row is re-inserted under the kept id (unless it is there already)
                run(f"create or replace temp table merged_rows as select * from {name} where {column} = $drop", params)
                run(f"update merged_rows set {column} = $keep", params)
                run(f"delete from merged_rows n where exists (select 1 from {name} o where {key_join(t, 'n', 'o')})")
                keys = ", ".join(t.key)
                run(
                    f"insert into {undo} (undo_upload_id, undo_action, {keys}) select $id, 'inserted', {keys} "
                    "from merged_rows",
                    params,
                )
                run(f"delete from {name} where {column} = $drop", params)
                run(f"insert into {name} select * from merged_rows")
                run("drop table merged_rows")
            else:
                run(f"update {name} set {column} = $keep where {column} = $drop", params)
        # aliases: the dropped entry's own move over, and its names become aliases of the kept one
        undo = log("aliases")
        run(
            f"insert into {undo} select $id, 'before', * from aliases where entity_kind = $kind and entity_id = $drop",
            {**params, "kind": kind},
        )
        _kind, drop_name, drop_zh = found[drop]
        _kind, keep_name, keep_zh = found[keep]
        new_aliases = [
            (a,) for a in dict.fromkeys(x for x in (drop_name, drop_zh) if x and x not in (keep_name, keep_zh))
        ]
        run(
            "create or replace temp table merged_aliases as select entity_kind, $keep as entity_id, alias, language, "
            "'merge ' || $id as origin from aliases where entity_kind = $kind and entity_id = $drop",
            {**params, "kind": kind},
        )
        for (alias,) in new_aliases:
            run(
                "insert into merged_aliases values ($kind, $keep, $alias, null, 'merge ' || $id)",
                {**params, "kind": kind, "alias": alias},
            )
        run("delete from aliases where entity_kind = $kind and entity_id = $drop", {**params, "kind": kind})
        run(
            "delete from merged_aliases n where exists (select 1 from aliases o where o.entity_kind = n.entity_kind "
            "and o.entity_id = n.entity_id and o.alias = n.alias)"
        )
        run(
            f"insert into {undo} (undo_upload_id, undo_action, entity_kind, entity_id, alias) "
            "select $id, 'inserted', entity_kind, entity_id, alias from merged_aliases",
            params,
        )
        touched["aliases"] += run("select count(*) from merged_aliases").fetchall()[0][0]
        run("insert into aliases select * from merged_aliases")
        run("drop table merged_aliases")
        # the dropped entry goes
        undo = log(table)
        run(f"insert into {undo} select $id, 'before', * from {table} where {col} = $drop", params)
        run(f"delete from {table} where {col} = $drop", params)
        touched[table] = touched.get(table, 0) + 1
        run(
            "insert into uploads (upload_id, uploader, mode, file_names, sha256, row_counts, tables, uploader_email) "
            "values ($id, $who, 'merge', $what, null, $counts, $tables, nullif($email, ''))",
            {
                "id": upload_id,
                "who": who,
                "what": f"merge of {kind} {drop} into {keep}",
                "counts": json.dumps(touched),
                "tables": ", ".join(touched),
                "email": email,
            },
        )
        # the pages' tables in the same transaction, for the rows the merge touched
        result.derived = refresh_for(cur, upload_id)
        pause_point("merge commit")
        run("commit")
        result.upload_id = upload_id
        result.row_counts = touched
    except duckdb.Error as exc:
        run("rollback")
        result.problems.append(
            Problem("", None, None, None, L_("merge refused by the database: {exc}").format(exc=exc))
        )
    finally:
        cur.close()
    return result
