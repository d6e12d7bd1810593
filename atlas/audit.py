"""The audit log's own events: a deleted view, a refused write (uploads, undos, merges and saved
views are recorded where they happen; `queries/audit_log.sql` reads them all)."""

from __future__ import annotations

import duckdb

from atlas import db


def record(con: duckdb.DuckDBPyConnection, who: str, email: str, action: str, detail: str = "") -> None:
    """Add one event, stamped with the data version it happened at."""
    cur = con.cursor()
    try:
        cur.execute(
            "insert into audit_events (who, email, action, detail, data_version) values ($who, nullif($email, ''), "
            "$action, nullif($detail, ''), $version)",
            {
                "who": who[:200],
                "email": email[:200],
                "action": action[:200],
                "detail": detail[:500],
                "version": db.data_version(cur),
            },
        )
    finally:
        cur.close()
