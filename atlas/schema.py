"""The database's schema, in three kinds of files under `queries/schema/`, each versioned apart.

- `base.sql`: the tables that hold data (the facts, uploads, saved views). Re-run when it
  changes (`create ... if not exists`: a stored table is never dropped).
- `macros.sql`, `derived/N_name.sql` (one file per derived table: what one row is and what
  it is for) and `filters.sql`: logic that holds no data of its own. When any of them
  changes, the derived tables are dropped and rebuilt from the facts.

Neither kind ever touches the undo logs (`undo_<table>`): an undo restores exactly, or
refuses with a reason (see atlas.load.undo). Derived tables are rebuilt by `refresh_derived`
after every load, in the order of their file names.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import duckdb

from atlas.sql import QUERIES_DIR

SCHEMA_DIR = QUERIES_DIR / "schema"


@cache
def derived_files() -> tuple[tuple[str, Path], ...]:
    """(table, file) of every derived table, in build order (the number before the name)."""
    files = sorted(SCHEMA_DIR.glob("derived/*.sql"), key=lambda p: int(p.stem.split("_", 1)[0]))
    return tuple((p.stem.split("_", 1)[1], p) for p in files)


def derived_tables() -> tuple[str, ...]:
    """The tables computed from the facts by every load; safe to drop and rebuild at any time."""
    return tuple(name for name, _ in derived_files())


def base_sql() -> str:
    return (SCHEMA_DIR / "base.sql").read_text(encoding="utf-8")


def logic_sql() -> list[str]:
    """The scripts that hold no data, in the order they must run."""
    parts = [SCHEMA_DIR / "macros.sql", *(p for _, p in derived_files()), SCHEMA_DIR / "filters.sql"]
    return [p.read_text(encoding="utf-8") for p in parts]


def _digest(*texts: str) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode())
    return h.hexdigest()


def versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What this database last ran: {'schema_base_sha256': ..., 'schema_logic_sha256': ...}."""
    con.execute("create table if not exists atlas_meta (key varchar primary key, value varchar not null)")
    return dict(con.execute("select key, value from atlas_meta where key like 'schema_%'").fetchall())


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or update the schema (idempotent): each kind re-runs only when its files changed.

    `force` re-runs both even when nothing changed (tests: the scripts must be re-runnable).
    """
    _create(con, force=False)


def rerun_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Run every schema script again, changed or not (they are re-runnable by design)."""
    _create(con, force=True)


def _create(con: duckdb.DuckDBPyConnection, force: bool) -> None:
    stored = versions(con)
    base = base_sql()
    logic = logic_sql()
    base_digest, logic_digest = _digest(base), _digest(*logic)
    if force or stored.get("schema_base_sha256") != base_digest:
        con.execute(base)
        _record(con, "schema_base_sha256", base_digest)
    if force or stored.get("schema_logic_sha256") != logic_digest:
        views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        for table in derived_tables():
            # firm_levels was a view before it became a derived table
            con.execute(f"drop {'view' if table in views else 'table'} if exists {table} cascade")
        for script in logic:
            con.execute(script)  # the derived tables are created from the facts as they are now
        _record(con, "schema_logic_sha256", logic_digest)
        record_derived_version(con)


def _record(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into atlas_meta values ($k, $v)", {"k": key, "v": value})


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every derived table from the facts, inside the caller's transaction, and record
    the data version they now reflect."""
    for table in derived_tables():
        con.execute(f"create or replace table {table} as select * from {table}_source")
    record_derived_version(con)


def record_derived_version(con: duckdb.DuckDBPyConnection) -> None:
    """Note that the derived tables now reflect the latest committed load (atlas_meta)."""
    con.execute(
        "insert or replace into atlas_meta select 'derived_version', coalesce(max(upload_id), 0)::varchar from uploads"
    )
