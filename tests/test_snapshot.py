"""One snapshot per page run: a load committed while a page runs is not half-seen by it."""

from __future__ import annotations

import pytest
import streamlit as st

from atlas import cache, load
from tests.support import MOVES_HEADER, write

SESSION = "a-session"


@pytest.fixture
def app_on_scratch(scratch_db, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(scratch_db))
    monkeypatch.setattr(cache, "_session_key", lambda: SESSION)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield cache.connection()
    cache.release_snapshot()
    cache.connection().close()
    st.cache_resource.clear()
    st.cache_data.clear()


FILTERS = {"start_year": 2026, "end_year": 2026, "include_undated": False, "min_certainty": "rumor", "limit": 100}


def _moves() -> int:
    """Rows of the moves table (a fact table read directly)."""
    return int(cache.query("table_counts").set_index("table_name").loc["moves", "n_rows"])


def test_a_run_reads_one_version_while_a_load_commits_beside_it(app_on_scratch, tmp_path):
    con = app_on_scratch
    cache.pin_snapshot()
    before = cache.version()
    n_before = _moves()
    # another session commits a load in the middle of this run
    f = write(tmp_path, "moves.csv", MOVES_HEADER + "snap-1,mu-li,,openai,2026-03,,joined,,reported,\n")
    assert load.load_files(con, {"moves": f}, uploader="other").ok
    # the rest of this run still reads the version it started with, facts and derived tables alike
    assert cache.version() == before
    assert cache.query("moves_filtered", **FILTERS).empty  # move_facts, a derived table
    assert _moves() == n_before
    cache.release_snapshot()
    # the next run shows the load, whole
    cache.pin_snapshot()
    assert cache.version() == (before[0] + 1, before[1] + 1)
    assert _moves() == n_before + 1
    assert list(cache.query("moves_filtered", **FILTERS)["move_id"]) == ["snap-1"]
