"""The app's own records that are not data: personal tokens (atlas.tokens) and e-mail alerts
(atlas.alerts), in a small SQLite file beside the database (`<database>.records.sqlite`, or
$ATLAS_RECORDS).

Not in DuckDB: several server processes and the command line write them at once (SQLite takes
concurrent writers; the DuckDB file is read-only in served processes and held by one writer), and
a data load, an undo or a rebuild never touches them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def path_for(db_path: Path) -> Path:
    """The records file of the database at `db_path` ($ATLAS_RECORDS wins)."""
    configured = os.environ.get("ATLAS_RECORDS")
    return Path(configured) if configured else db_path.with_name(db_path.name + ".records.sqlite")


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """A connection in autocommit mode (each statement its own transaction; `begin` for more),
    with `schema` (create-if-missing statements) applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.execute("pragma journal_mode=wal")
    con.executescript(schema)
    return con
