"""Step 5, derived: the pages' tables rebuilt after a load's commit, in a transaction of their own."""

from __future__ import annotations

import duckdb

from atlas.load.write import WRITE_LOCK, _pause_point
from atlas.schema import refresh_derived


def refresh_derived_committed(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables in a transaction of their own."""
    with WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("begin transaction")
            try:
                refresh_derived(cur)
                _pause_point("derive commit")
                cur.execute("commit")
            except duckdb.Error:
                cur.execute("rollback")
                raise
        finally:
            cur.close()
