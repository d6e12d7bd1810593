"""Real-browser fixtures: a freshly started `streamlit run app.py` and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Streamlit server on a free localhost port, serving its own copy of the seed database."""

    def __init__(self, db_path: Path, log: Path):
        self.db_path = db_path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "ATLAS_DB": str(db_path)}
        self._log = open(log, "w")  # noqa: SIM115 - closed in stop(), outlives this method
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                # the health endpoint is not a page: the first page request stays the test's own
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log}")

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


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


def wait_for_app(page, title: str) -> None:
    """Wait until the page's title is drawn and the script has finished running."""
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=60000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(800)
