"""The DuckDB database: where it lives, how it is built, and how named queries run.

Every SQL statement the app runs is a file in `queries/`; `run_query` finds it by name
and binds parameters, so no value is ever formatted into SQL.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from atlas.load import LoadError, finish_undo, load_files, record_derived_version, refresh_derived_committed
from atlas.model import TABLES

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
SEED_DIR = ROOT / "data" / "seed"
DEFAULT_DB = ROOT / "data" / "atlas.duckdb"

_build_lock = threading.Lock()


def db_path() -> Path:
    """The database file the app uses: $ATLAS_DB, else data/atlas.duckdb."""
    return Path(os.environ.get("ATLAS_DB", DEFAULT_DB))


@cache
def query_sql(name: str) -> str:
    """The text of `queries/<name>.sql`; names are checked so no path can escape the folder."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query called {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


# Statements that write: run by the loader, not by pages.
WRITE_QUERIES = {"schema", "refresh_move_facts", "save_view", "delete_view"}


def query_names() -> list[str]:
    """Every read query in `queries/` (schema.sql and the loader's writes excluded)."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql") if p.stem not in WRITE_QUERIES)


def query_params(name: str) -> set[str]:
    """The `$name` parameters a query uses."""
    sql = re.sub(r"--[^\n]*", "", query_sql(name))
    return set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pd.DataFrame:
    """Run the named query with bound parameters on its own cursor; return the whole result."""
    params = params or {}
    wanted = query_params(name)
    missing = wanted - set(params)
    if missing:
        raise KeyError(f"query {name!r} needs parameters {sorted(missing)}")
    cur = con.cursor()  # one cursor per call: DuckDB refuses concurrent calls on one connection
    try:
        return cur.execute(query_sql(name), {k: v for k, v in params.items() if k in wanted}).df()
    finally:
        cur.close()


# Tables computed from the facts by every load; safe to drop and rebuild at any time.
DERIVED_TABLES = (
    "person_latest",
    "boomerang_trips",
    "firm_move_counts",
    "deal_people",
    "move_facts",
    "firm_levels",
    "investments",
    "pay_firm_counts",
    "pay_facts",
)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table, view and macro of the model (idempotent).

    When schema.sql has changed since this database last ran it, the derived tables are
    dropped first and rebuilt from the facts, so an older database file follows the
    current schema instead of failing on a view that needs a new derived column.
    """
    sql = query_sql("schema")
    digest = hashlib.sha256(sql.encode()).hexdigest()
    con.execute("create table if not exists atlas_meta (key varchar primary key, value varchar not null)")
    stored = con.execute("select value from atlas_meta where key = 'schema_sha256'").fetchall()
    if stored and stored[0][0] == digest:
        return
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    for table in DERIVED_TABLES:
        # firm_levels was a view before it became a derived table
        con.execute(f"drop {'view' if table in views else 'table'} if exists {table} cascade")
    # undo logs copy the tables' columns: a changed table makes older logs unusable
    for (name,) in con.execute(
        "select table_name from duckdb_tables() where table_name like 'undo\\_%' escape '\\'"
    ).fetchall():
        con.execute(f'drop table "{name}"')
    con.execute(sql)  # the derived tables are created from the facts as they are now
    con.execute("insert or replace into atlas_meta values ('schema_sha256', $digest)", {"digest": digest})
    record_derived_version(con)


def seed_files(seed_dir: Path = SEED_DIR) -> dict[str, Path]:
    """The seed CSVs, one per table, keyed by table name."""
    return {t.name: seed_dir / f"{t.name}.csv" for t in TABLES if (seed_dir / f"{t.name}.csv").exists()}


def build(path: Path | None = None, seed_dir: Path = SEED_DIR) -> Path:
    """Build the database from schema.sql and the seed CSVs, atomically.

    The new database is written beside the old one and moved into place only when
    complete, so a failing build leaves the previous database untouched.
    """
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    with _build_lock:
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            stale.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            create_schema(con)
            result = load_files(con, seed_files(seed_dir), mode="build", uploader="seed build")
            if result.ok:
                con.execute("checkpoint")
        finally:
            con.close()
        if not result.ok:
            for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
                stale.unlink(missing_ok=True)
            raise LoadError(result.problems)
        os.replace(tmp, path)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return path


def connect(path: Path | None = None, *, build_if_missing: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, building it from the seed first if it does not exist."""
    path = Path(path or db_path())
    if not path.exists() and build_if_missing:
        build(path)
    con = duckdb.connect(str(path))
    # schema.sql is re-runnable: an older database gets the current views and macros.
    create_schema(con)
    # an undo that a crash interrupted after its first commit is finished here
    finish_undo(con)
    # and the derived tables of a load that a crash interrupted after its commit are rebuilt
    version, derived = cache_version(con)
    if version != derived:
        refresh_derived_committed(con)
    return con


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The number of the latest committed load; it changes whenever the data does."""
    return cache_version(con)[0]


def cache_version(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(data version, the version the derived tables reflect): what cached results are keyed on.

    They differ only while a load's derived tables are being rebuilt after its commit.
    """
    cur = con.cursor()  # run before every cached query: fetched as a tuple, not a DataFrame
    try:
        data, derived = cur.execute(query_sql("data_version")).fetchall()[0]
    finally:
        cur.close()
    return int(data), int(derived)
