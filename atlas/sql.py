"""The bottom layer: named SQL queries, their declared parameters, and running them bound.

Every SQL statement the app runs is a file in `queries/`, found by name. Its header says what
one row is and declares its parameters, one `$name (TYPE[, default VALUE][, what it means])`
each; `run_query` binds exactly what the query declares: a value the caller gives, else the
declared default, else it fails naming the query and the parameter. No value is ever
formatted into SQL. Nothing in the package is below this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from atlas.model import FEW_MOVES
from atlas.pages import LINEAGES

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"

# Statements that write: run by the loader or the saved views, not by pages.
WRITE_QUERIES = {
    "save_view",
    "delete_view",
    "save_mapping",
    "watch_create",
    "watch_follow",
    "watch_unfollow",
    "watch_seen",
}

_NAME = re.compile(r"[a-z0-9_]+")
# the domain's constants a query may read by name, each defined once in Python (atlas.model), and
# the defaults of a page's parameters a query reads (atlas.pages declares them)
CONSTANTS = {"few_moves": FEW_MOVES}
PAGE_DEFAULTS = {"lineage": LINEAGES[0]}
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_DEFAULT = re.compile(r"\$([a-z_][a-z0-9_]*) \(([A-Z]+(?:\[\])?), default ('[^']*'|\[\]|-?\d+|true|false)")


class QueryError(KeyError):
    """A query that does not exist, or a parameter it needs that nobody gave."""


@dataclass(frozen=True)
class Query:
    """One named query: its SQL, the parameters its header declares and their defaults."""

    name: str
    sql: str
    params: tuple[str, ...]
    defaults: dict

    def bind(self, given: dict) -> dict:
        """The values to bind: exactly the declared parameters, given or defaulted."""
        missing = [p for p in self.params if p not in given and p not in self.defaults]
        if missing:
            raise QueryError(f"query {self.name!r} needs parameter(s) {missing} (no default in its header)")
        return {p: given[p] if p in given else self.defaults[p] for p in self.params}


def header(sql: str) -> str:
    """The comment lines a query file starts with."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return "\n".join(lines)


@cache
def query(name: str) -> Query:
    """The query `queries/<name>.sql`; names are checked so no path can escape the folder."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query called {name!r} in {QUERIES_DIR}")
    sql = path.read_text(encoding="utf-8")
    head = header(sql)
    params = tuple(dict.fromkeys(_PARAM.findall(head)))
    defaults = {m[1]: json.loads(m[3].replace("'", '"')) for m in _DEFAULT.finditer(head)}
    # a domain constant a query reads (declared `$few_moves (INTEGER, constant)`): its one value, from Python
    fixed = CONSTANTS | PAGE_DEFAULTS
    defaults |= {p: fixed[p] for p in params if p in fixed and p not in defaults}
    return Query(name, sql, params, defaults)


def query_sql(name: str) -> str:
    """The text of `queries/<name>.sql`."""
    return query(name).sql


def used_params(name: str) -> set[str]:
    """The `$name` parameters a query's SQL (its comments aside) uses."""
    body = re.sub(r"--[^\n]*", "", query(name).sql)
    return set(_PARAM.findall(body))


def query_names() -> list[str]:
    """Every read query in `queries/` (the writes of saved views excluded)."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql") if p.stem not in WRITE_QUERIES)


def run_query_here(cur: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pd.DataFrame:
    """Run the named query on this very cursor (inside its transaction, if it has one)."""
    q = query(name)
    return cur.execute(q.sql, q.bind(params or {})).df()


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pd.DataFrame:
    """Run the named query with its declared parameters bound, on its own cursor; the whole result."""
    q = query(name)
    values = q.bind(params or {})
    cur = con.cursor()  # one cursor per call: DuckDB refuses concurrent calls on one connection
    try:
        return cur.execute(q.sql, values).df()
    finally:
        cur.close()
