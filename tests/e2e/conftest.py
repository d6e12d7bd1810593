"""Real-browser fixtures: a freshly started `streamlit run app.py` and Debian's Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

from atlas.tools.browser import CHROMIUM, CHROMIUM_ARGS, HEADLESS_SHELL, Server, wait_for_app  # noqa: F401 - used by the tests
from tests.support import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    # the headless shell where installed (tools/ensure_chromium.sh), Chromium is half the suite's CPU
    if os.path.exists(HEADLESS_SHELL):
        return HEADLESS_SHELL
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI (Debian package chromium); .ci/run installs it")
        pytest.skip("no Chromium found: install Debian's chromium to run the browser tests")
    return CHROMIUM


# A new tab starts as in a browser opened for it: no cookies, nothing the pages stored (Streamlit keeps
# the sidebar's state in localStorage), its own sessionStorage; cleared once per tab, at its first
# document, so a test's own navigations keep what its pages stored.
_FRESH_TAB = """if (!sessionStorage.getItem("atlas-test-tab")) {
  localStorage.clear();
  sessionStorage.setItem("atlas-test-tab", "1");
}"""


class WarmBrowser:
    """Chromium, whose `new_page` opens a tab in one context kept for the worker: its cache stays
    warm from test to test, as an analyst's browser does (a fresh context per page parsed Streamlit's
    scripts again on every page: a third of the browser tests' CPU). A tab is otherwise fresh (no
    cookies, no stored state); a second tab opened while one is still open, a tab with options of
    its own, and `new_context` are separate browsers as before."""

    def __init__(self, browser) -> None:  # noqa: ANN001 - Playwright's Browser
        self._browser = browser
        self._context = None

    def new_page(self, viewport: dict | None = None, **options):  # noqa: ANN201 - Playwright's Page
        context = self._context
        if options or (context is not None and context.pages):
            return self._browser.new_page(**({"viewport": viewport} if viewport else {}), **options)
        if context is None:
            context = self._context = self._browser.new_context()
            context.add_init_script(_FRESH_TAB)
            context.on("close", lambda _c: setattr(self, "_context", None))
        context.clear_cookies()
        page = context.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        return page

    def __getattr__(self, name: str):  # noqa: ANN204 - the rest is Playwright's Browser
        return getattr(self._browser, name)


# The tests' Chromium composites and rasterises on its main threads, as headless Chromium does
# anyway without a GPU, with less work per frame (measured: about a sixth less of Chromium's CPU over
# the same page loads, and Chromium is most of the suite's CPU). The benchmark keeps the defaults.
TEST_ARGS = [
    "--disable-gpu-compositing",
    "--disable-threaded-animation",
    "--disable-checker-imaging",
    "--disable-partial-raster",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS + TEST_ARGS)
        yield WarmBrowser(b)
        b.close()


@pytest.fixture
def fresh_server(seed_db_path, tmp_path, request):
    """A server started for this test alone: its first page request is the test's (a test marked
    `warm` has it warm a new data version's views, as a served app does)."""
    db = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {"ATLAS_WARM": "on"} if request.node.get_closest_marker("warm") else None
    server = Server(db, tmp_path / "streamlit.log", env=env)
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
