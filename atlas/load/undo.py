"""Undo: the latest upload in effect reversed exactly from its undo log, or refused with the reason."""

from __future__ import annotations

import json

import duckdb

from atlas.i18n import L_
from atlas.load.derived import capture, open_scope, refresh
from atlas.load.problems import LoadResult, Problem
from atlas.load.stage import row_count, table_exists
from atlas.load.values import key_join, target_columns
from atlas.load.write import (
    MODES,
    WRITE_LOCK,
    delete_firms,
    insert_firms,
    next_upload_id,
    pause_point,
    update_columns,
    use_upload,
)
from atlas.model import TABLES, TABLES_BY_NAME, Table


def undoable_upload(con: duckdb.DuckDBPyConnection) -> int | None:
    """The upload an undo would reverse: the latest one still in effect, if it can be undone."""
    # a cursor of its own: the app's sessions share `con`, and a shared connection mixes up
    # the results of concurrent calls (found by the load driver, atlas.tools.loaddriver)
    cur = con.cursor()
    try:
        return _undoable_upload(cur)
    finally:
        cur.close()


def _undoable_upload(con: duckdb.DuckDBPyConnection) -> int | None:
    rows = con.execute(
        "select upload_id, mode from uploads where mode <> 'undo' "
        "and upload_id not in (select upload_id from undone_uploads) order by upload_id desc limit 1"
    ).fetchall()
    if not rows or rows[0][1] not in (*MODES, "merge"):
        return None
    return rows[0][0]


def undo_problem(con: duckdb.DuckDBPyConnection, upload_id: int) -> str | None:
    """Why upload `upload_id` cannot be undone exactly, or None when its undo log can restore it.

    Each table an upload wrote has a complete log in undo_<table> (marked 'logged'), with the
    table's own columns. A log that is missing (removed by an older version of the app on a
    schema change) or whose columns no longer match its table (the base schema changed since)
    cannot restore the state before the upload: the undo is refused rather than reporting
    success while restoring nothing.
    """
    cur = con.cursor()  # its own cursor, as undoable_upload
    try:
        return _undo_problem(cur, upload_id)
    finally:
        cur.close()


def _undo_problem(con: duckdb.DuckDBPyConnection, upload_id: int) -> str | None:
    row = con.execute("select tables from uploads where upload_id = $u", {"u": upload_id}).fetchall()
    if not row:
        return L_("there is no data version {upload_id}").format(upload_id=upload_id)
    written = [t for t in (row[0][0] or "").split(", ") if t in TABLES_BY_NAME]
    logged_any = False
    for name in written:
        log = f"undo_{name}"
        if not table_exists(con, log):
            return L_("its undo log of {name} is missing; it cannot be undone exactly").format(name=name)
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "order by column_index",
            {"t": name},
        ).fetchall()
        logged = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "order by column_index",
            {"t": log},
        ).fetchall()[2:]
        if columns != logged:
            return L_("the columns of {name} changed since this upload; its undo log cannot restore it exactly").format(
                name=name
            )
        marks = con.execute(
            f"select count(*) filter (undo_action = 'logged'), count(*) from {log} where undo_upload_id = $u",
            {"u": upload_id},
        ).fetchall()[0]
        logged_any = logged_any or marks[0] > 0
        if marks[0] == 0 and marks[1] == 0 and _logged_since_markers(con, log):
            return L_("its undo log of {name} is missing; it cannot be undone exactly").format(name=name)
    if written and not logged_any and not _any_log_rows(con, written, upload_id):
        return L_("its undo log is missing (an older version of the app removed it); it cannot be undone exactly")
    return None


def _logged_since_markers(con: duckdb.DuckDBPyConnection, log: str) -> bool:
    """Whether this log has completeness markers at all (uploads made before markers have none)."""
    return con.execute(f"select count(*) from {log} where undo_action = 'logged'").fetchall()[0][0] > 0


def _any_log_rows(con: duckdb.DuckDBPyConnection, tables: list[str], upload_id: int) -> bool:
    return any(
        con.execute(f"select count(*) from undo_{t} where undo_upload_id = $u", {"u": upload_id}).fetchall()[0][0]
        for t in tables
        if table_exists(con, f"undo_{t}")
    )


def undo(con: duckdb.DuckDBPyConnection, upload_id: int, uploader: str = "", email: str = "") -> LoadResult:
    """Restore exactly the state before upload `upload_id` (the latest in effect), in one
    transaction recorded as a new data version."""
    with WRITE_LOCK:
        return _undo(con, upload_id, uploader, email)


# Tables nothing else refers to: their rows go in the undo's first transaction.
LEAF_TABLES = ("education", "moves", "compensation", "approaches", "round_investors", "firm_events", "headcounts")


def _inserted(t: Table) -> str:
    """The keys an upload inserted into `t` (the upload bound by use_upload): those logged,
    or every key of the table when the upload filled it from empty ('inserted_all')."""
    keys = ", ".join(t.key)
    return (
        f"select {keys} from undo_{t.name} "
        "where undo_upload_id = getvariable('atlas_upload') and undo_action = 'inserted' "
        f"union all select {keys} from {t.name} where exists (select 1 from undo_{t.name} "
        "where undo_upload_id = getvariable('atlas_upload') and undo_action = 'inserted_all')"
    )


def _delete_inserted(cur: duckdb.DuckDBPyConnection, t: Table, upload_id: int) -> int:
    log = _inserted(t)
    n = cur.execute(
        f"delete from {t.name} o where exists (select 1 from ({log}) l where {key_join(t, 'l', 'o')})"
    ).fetchall()[0][0]
    cur.execute(
        f"delete from undo_{t.name} where undo_upload_id = $u and undo_action in ('inserted', 'inserted_all')",
        {"u": upload_id},
    )
    return n


def _undo(con: duckdb.DuckDBPyConnection, upload_id: int, uploader: str, email: str = "") -> LoadResult:
    cur = con.cursor()
    result = LoadResult()
    try:
        if undoable_upload(cur) != upload_id:
            result.problems.append(
                Problem(
                    "",
                    None,
                    None,
                    None,
                    L_("version {upload_id} is not the latest upload in effect; undo the later ones first").format(
                        upload_id=upload_id
                    ),
                )
            )
            return result
        problem = undo_problem(cur, upload_id)
        if problem:
            result.problems.append(
                Problem(
                    "",
                    None,
                    None,
                    None,
                    L_("version {upload_id} cannot be undone: {problem}").format(upload_id=upload_id, problem=problem),
                )
            )
            return result
        tables = [t for t in TABLES if table_exists(cur, f"undo_{t.name}")]
        touched: list[str] = []
        use_upload(cur, upload_id)
        cur.execute("begin transaction")
        try:
            # what the undo will touch, read from the log before it goes (the rows as they are
            # now and as they come back): the derived tables are refreshed for those rows
            scope = capture(cur, upload_id, open_scope(cur))
            # 1. one transaction: the rows the upload inserted into tables nothing refers to go,
            #    the rows it changed or removed come back, the undo is recorded (a new version).
            for t in tables:
                if t.name in LEAF_TABLES:
                    n = _delete_inserted(cur, t, upload_id)
                    if n:
                        touched.append(t.name)
                        result.row_counts[t.name] = n
            for t in tables:
                before = (
                    f"select * from undo_{t.name} "
                    "where undo_upload_id = getvariable('atlas_upload') and undo_action = 'before'"
                )
                n = row_count(cur, f"({before})")
                if not n:
                    continue
                cols = target_columns(t)
                update_columns(cur, t, f"({before})")
                missing = (
                    f"select b.* from ({before}) b "
                    f"where not exists (select 1 from {t.name} o where {key_join(t, 'b', 'o')})"
                )
                if t.name == "firms":
                    insert_firms(cur, missing)
                else:
                    col_list = ", ".join(cols)
                    cur.execute(f"insert into {t.name} ({col_list}) select {col_list} from ({missing})")
                cur.execute(
                    f"delete from undo_{t.name} where undo_upload_id = $u and undo_action = 'before'", {"u": upload_id}
                )
                result.row_counts[t.name] = result.row_counts.get(t.name, 0) + n
                touched.append(t.name)
            for t in tables:
                cur.execute(
                    f"delete from undo_{t.name} where undo_upload_id = $u and undo_action = 'logged'", {"u": upload_id}
                )
            parents = [t for t in tables if t.name not in LEAF_TABLES and row_count(cur, f"({_inserted(t)})")]
            touched += [t.name for t in parents]
            new_id = next_upload_id(cur)
            cur.execute(
                "insert into uploads "
                "(upload_id, uploader, mode, file_names, sha256, row_counts, tables, uploader_email) "
                "values ($id, $who, 'undo', $files, null, $counts, $tables, nullif($email, ''))",
                {
                    "id": new_id,
                    "who": uploader or "data page",
                    "files": f"undo of version {upload_id}",
                    "counts": json.dumps(result.row_counts),
                    "tables": ", ".join(dict.fromkeys(touched)),
                    "email": email,
                },
            )
            cur.execute("insert into undone_uploads values ($u, $by)", {"u": upload_id, "by": new_id})
            result.derived = refresh(cur, scope)  # after the undo's own version is recorded: it reflects that one
            pause_point("undo commit")
            cur.execute("commit")
            result.upload_id = new_id
        except duckdb.Error as exc:
            cur.execute("rollback")
            result.problems.append(
                Problem("", None, None, None, L_("undo refused by the database: {exc}").format(exc=exc))
            )
            return result
        finish_undo(cur)
    finally:
        cur.close()
    return result


def finish_undo(con: duckdb.DuckDBPyConnection) -> None:
    """2. The rows an undone upload inserted into tables others refer to (sources, firms,
    people, rounds): one transaction per table, children first.

    DuckDB cannot delete a row whose referring rows were deleted in the same transaction,
    so these go after the first commit; every commit in between leaves no orphan. Run again
    on connect, it finishes an undo that a crash interrupted.
    """
    if not table_exists(con, "undone_uploads"):
        return
    pending = [r[0] for r in con.execute("select upload_id from undone_uploads order by upload_id desc").fetchall()]
    firms_deleted = False
    for upload_id in pending:
        use_upload(con, upload_id)
        for t in reversed(TABLES):
            if not table_exists(con, f"undo_{t.name}") or not row_count(con, f"({_inserted(t)})"):
                continue
            pause_point(f"undo finish {t.name}")
            if t.name == "firms":
                # parents after their subsidiaries, each level committed
                delete_firms(con, _inserted(t), commit_each=True)
                con.execute("delete from undo_firms where undo_upload_id = $u", {"u": upload_id})
                firms_deleted = True
                continue
            con.execute("begin transaction")
            _delete_inserted(con, t, upload_id)
            con.execute("commit")
    if firms_deleted or _firm_levels_outlive_firms(con):
        # firm_levels must not keep the firms that went (nothing else names them any more); a
        # crash after the firms' commit and before this one leaves them there until the next start
        con.execute("begin transaction")
        refresh(con, open_scope(con))
        pause_point("undo finish refresh")
        con.execute("commit")


def _firm_levels_outlive_firms(con: duckdb.DuckDBPyConnection) -> bool:
    if not table_exists(con, "firm_levels"):
        return False
    return bool(row_count(con, "(select firm_id from firm_levels anti join firms using (firm_id))"))
