"""Real-browser fixtures: a freshly started `streamlit run app.py` and Debian's Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

from atlas.tools.browser import CHROMIUM, CHROMIUM_ARGS, Server, wait_for_app  # noqa: F401 - used by the tests
from tests.support import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI (Debian package chromium); .ci/run installs it")
        pytest.skip("no Chromium found: install Debian's chromium to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def fresh_server(seed_db_path, tmp_path):
    """A server started for this test alone: its first page request is the test's."""
    db = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = Server(db, tmp_path / "streamlit.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(seed_db_path, tmp_path_factory):
    """A server shared by the tests of one module."""
    d = tmp_path_factory.mktemp("server")
    db = d / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    s = Server(db, d / "streamlit.log")
    yield s
    s.stop()
