"""The app's shared connection and per-parameter query cache (the only data module that
imports Streamlit)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from atlas import db, sql


@st.cache_resource(show_spinner="Building the Talent Atlas database from the seed CSVs…")
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return db.connect(Path(path))


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection to the database, built from the seed on first use."""
    return _connection(str(db.db_path()))


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_query(path: str, name: str, params: dict, version: tuple[int, int]) -> pd.DataFrame:
    # `path` and `version` (the data's and the derived tables') are part of the cache key: a
    # new upload or another database file never serves stale rows.
    return sql.run_query(_connection(path), name, params)


def query(name: str, **params: object) -> pd.DataFrame:
    """Run a named query through the cache, keyed by its parameters and the data version."""
    con = connection()
    # keyed on exactly what the query binds: a parameter it does not declare changes no key
    bound = sql.query(name).bind(params)
    return _cached_query(str(db.db_path()), name, bound, db.cache_version(con))


def query_fresh(name: str, **params: object) -> pd.DataFrame:
    """Run a named query without the cache: for small tables the app itself writes (saved views)."""
    return sql.run_query(connection(), name, params)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_search(path: str, text: str, version: tuple[int, int]) -> str:
    from atlas import resolve

    cur = _connection(path).cursor()
    try:
        return resolve.search_text(cur, text)
    finally:
        cur.close()


def search_text(text: str) -> str:
    """What a search box looks for: the stored name of the person or firm the text names by
    any spelling ("Li Mu", "賈揚清", an alias), else the text itself (see resolve.search_text)."""
    text = (text or "").strip()
    if not text:
        return ""
    return _cached_search(str(db.db_path()), text, db.cache_version(connection()))
