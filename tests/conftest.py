"""Shared fixtures: a seed database built once per session, and clean Streamlit caches."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from atlas import db, schema
from atlas.tools.bench_common import scan_components_once
from tests.support import leftover_uploads

ROOT = Path(__file__).resolve().parent.parent

# The whole run (and the servers it starts, which inherit the environment) keeps its temporary
# files in a folder of its own, so the end of the run can check that no upload left a copy.
RUN_TMP = Path(tempfile.mkdtemp(prefix="atlas-tests-"))
os.environ["TMPDIR"] = str(RUN_TMP)
# The servers of the suite do not warm a new data version's views after each write (seven page runs
# per upload, in the background, for no test's benefit); the tests of warming turn it on
# (tests/test_warm.py, and the browser tests marked `warm`).
os.environ["ATLAS_WARM"] = "off"
tempfile.tempdir = None
# Each new AppTest read every installed package's metadata, looking for components: a fifth of the
# CPU of the AppTest modules (profiled). Once per worker instead.
scan_components_once()


def pytest_sessionfinish(session, exitstatus):
    gc.collect()  # sessions that ended drop their uploads: their finalizers remove the copies
    left = leftover_uploads()
    if left:
        print(f"\n{len(left)} temporary upload folder(s) left behind: {[str(p) for p in left[:5]]}")
        session.exitstatus = 1
    else:
        print(f"\nNo temporary upload folder left behind under {RUN_TMP}.")
        if exitstatus == 0:
            shutil.rmtree(RUN_TMP, ignore_errors=True)


# The longest modules first (measured: the benchmark's two halves, each ~2 min alone, then the browser
# modules by their total time): in a parallel run they start at once and the other workers take
# the short modules around them.
FIRST = (
    "tests/test_bench.py",
    "tests/test_bench_served.py",
    "tests/e2e/test_browser.py",
    "tests/e2e/test_hostile_browser.py",
    "tests/e2e/test_realexports_browser.py",
    "tests/e2e/test_holes45_browser.py",
    "tests/e2e/test_serve_browser.py",
    "tests/e2e/test_holes_browser.py",
    "tests/e2e/test_signin_browser.py",
    "tests/e2e/test_explore_browser.py",
    "tests/e2e/test_i18n_browser.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {path: i for i, path in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(FIRST)))  # stable: order kept within


@pytest.fixture(scope="session")
def seed_db_path(tmp_path_factory) -> Path:
    """A database built from the committed seed CSVs (read it; copy it before writing)."""
    return db.build(tmp_path_factory.mktemp("seed") / "atlas.duckdb")


@pytest.fixture(scope="session")
def stored(seed_db_path):
    """Every text stored in the seed database, as one pattern: data, set aside by the checks that a
    page in Chinese shows no English UI word (tests/visible_text.py)."""
    from tests.visible_text import data_pattern, stored_texts

    con = duckdb.connect(str(seed_db_path), read_only=True)
    try:
        return data_pattern(stored_texts(con))
    finally:
        con.close()


@pytest.fixture
def con(seed_db_path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the seed database."""
    c = duckdb.connect(str(seed_db_path), read_only=True)
    yield c
    c.close()


@pytest.fixture
def scratch_db(seed_db_path, tmp_path) -> Path:
    """A private writable copy of the seed database."""
    path = tmp_path / "scratch.duckdb"
    shutil.copy(seed_db_path, path)
    return path


@pytest.fixture
def rw(scratch_db) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a private copy of the seed database."""
    c = duckdb.connect(str(scratch_db))
    yield c
    c.close()


@pytest.fixture
def empty_con() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the schema and no rows."""
    c = duckdb.connect()
    schema.create_schema(c)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # st.cache_data and st.cache_resource outlive an AppTest run inside one pytest process, and so
    # do the frames the app keeps formatted per query result
    from atlas import cache

    st.cache_data.clear()
    st.cache_resource.clear()
    cache.forget_kept()
    yield


@pytest.fixture
def app(seed_db_path, monkeypatch):
    """The app on the seed database, in Streamlit's AppTest, after its first run (the Overview)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    # AppTest resolves paths against the calling file: build them from the project root.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at
