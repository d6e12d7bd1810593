"""The DuckDB database file: where it lives, how it is built from the seed, and how it is opened.

Queries are run by `atlas.sql` (the layer below), the schema is created by `atlas.schema`,
and data is written only by `atlas.load`; this module puts them together for a database file.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import duckdb

from atlas.load import LoadError, finish_undo, load_files, refresh_derived_committed
from atlas.model import TABLES
from atlas.schema import create_schema
from atlas.sql import ROOT, query_sql

SEED_DIR = ROOT / "data" / "seed"
DEFAULT_DB = ROOT / "data" / "atlas.duckdb"

_build_lock = threading.Lock()

# DuckDB takes 80 % of the machine's memory by default: a rebuild of the derived tables at 10M
# moves grew past 20 GB. Every connection the app, the loader and the benchmark open is held to
# this instead, and spills to a temporary folder beside the database file rather than growing.
MEMORY_LIMIT = os.environ.get("ATLAS_MEMORY_LIMIT", "2.5GB")


def configure(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyConnection:
    """Hold a connection to MEMORY_LIMIT, spilling to `<database>.tmp`."""
    con.execute("set memory_limit = $m", {"m": MEMORY_LIMIT})
    con.execute("set temp_directory = $t", {"t": str(Path(path).with_name(Path(path).name + ".tmp"))})
    return con


def db_path() -> Path:
    """The database file the app uses: $ATLAS_DB, else data/atlas.duckdb."""
    return Path(os.environ.get("ATLAS_DB", DEFAULT_DB))


def seed_files(seed_dir: Path = SEED_DIR) -> dict[str, Path]:
    """The seed CSVs, one per table, keyed by table name."""
    return {t.name: seed_dir / f"{t.name}.csv" for t in TABLES if (seed_dir / f"{t.name}.csv").exists()}


class Busy(RuntimeError):
    """The database is held by another process (a running dashboard, another writer): nothing was changed."""


def busy_message(exc: Exception, path: Path) -> str:
    """What to tell someone whose write found the database held by another process."""
    detail = str(exc)
    holder = re.search(r"PID (\d+)", detail)
    who = f"process {holder.group(1)}" if holder else "another process"
    return (
        f"The database {path} is in use by {who} (a running dashboard, or another load, undo, merge or build); "
        "nothing was changed. Stop that process, or make the change on the Data page of the running dashboard, "
        "then try again."
    )


def is_busy(exc: Exception) -> bool:
    """Whether a DuckDB error says that another process holds the file's lock."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _hold(path: Path) -> duckdb.DuckDBPyConnection | None:
    """Open the existing database at `path` to hold DuckDB's lock on it (Busy when another process
    holds it); None when there is no file, or one DuckDB cannot open (a build replaces it)."""
    if not path.exists():
        return None
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as exc:
        if is_busy(exc):
            raise Busy(busy_message(exc, path)) from None
        return None


def build(path: Path | None = None, seed_dir: Path = SEED_DIR) -> Path:
    """Build the database from the schema (atlas.schema) and the seed CSVs, atomically.

    The new database is written beside the old one and moved into place only when
    complete, so a failing build leaves the previous database untouched. The old file is held
    open (DuckDB's lock) until it is replaced: a build never replaces a database another process
    has open (it raises Busy), and no other process opens the old file meanwhile.
    """
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    with _build_lock:
        held = _hold(path)
        try:
            _build_beside(path, tmp, seed_dir)
        finally:
            if held is not None:
                held.close()
    return path


def _build_beside(path: Path, tmp: Path, seed_dir: Path) -> None:
    other = _hold(tmp)  # another build writing its copy: Busy, rather than deleting it under that build
    if other is not None:
        other.close()
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = configure(duckdb.connect(str(tmp)), tmp)
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
    path.with_name(path.name + ".wal").unlink(missing_ok=True)  # the old file's log, not the new one's


def connect(path: Path | None = None, *, build_if_missing: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, building it from the seed first if it does not exist."""
    path = Path(path or db_path())
    if not path.exists() and build_if_missing:
        build(path)
    con = configure(duckdb.connect(str(path)), path)
    # the schema is re-runnable: an older database gets the current macros and derived tables
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


def cache_version_here(cur: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """cache_version read on this very cursor (inside its transaction, if it has one)."""
    data, derived = cur.execute(query_sql("data_version")).fetchall()[0]
    return int(data), int(derived)


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
