"""Real-browser fixtures: a freshly started `streamlit run app.py` and Debian's Chromium."""

from __future__ import annotations

import contextlib
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


# A test's tab starts as in a browser opened for it: no cookies, nothing the pages stored (Streamlit
# keeps the sidebar's state in localStorage), an empty sessionStorage; cleared once per origin at the
# first document of each lease of the tab, so a test's own navigations keep what its pages stored.
_FRESH_LEASE = """if (sessionStorage.getItem("atlas-test-lease") !== "%s") {
  localStorage.clear();
  sessionStorage.clear();
  sessionStorage.setItem("atlas-test-lease", "%s");
}"""
_DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # Playwright's own default


class _Tab:
    """One warm tab in a context of its own (a browser of its own: its own cookies and storage)."""

    def __init__(self, browser) -> None:  # noqa: ANN001 - Playwright's Browser
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.lent = False
        self.context.on("close", lambda _c: setattr(self, "lent", None))  # None: gone for good

    def usable(self) -> bool:
        return self.lent is False and not self.page.is_closed()

    def lend(self, viewport: dict | None, lease: int):  # noqa: ANN201 - Playwright's Page
        self.context.clear_cookies()
        tab = self.page
        tab.set_viewport_size(viewport or _DEFAULT_VIEWPORT)
        script = tab.add_init_script(_FRESH_LEASE % (lease, lease))
        listeners: list[tuple[str, object]] = []
        real_on, real_once = type(tab).on, type(tab).once

        def on(event: str, handler) -> None:  # noqa: ANN001
            listeners.append((event, handler))
            real_on(tab, event, handler)

        def once(event: str, handler) -> None:  # noqa: ANN001
            listeners.append((event, handler))
            real_once(tab, event, handler)

        def close(**_kw) -> None:
            for event, handler in listeners:
                with contextlib.suppress(Exception):  # a `once` handler has removed itself
                    tab.remove_listener(event, handler)
            del tab.on, tab.once, tab.close
            try:
                script.close()
                tab.goto("about:blank")  # the page's websocket closed with it
                self.lent = False
            except Exception:  # noqa: BLE001 - a broken tab is not lent again
                self.lent = None
                with contextlib.suppress(Exception):
                    self.context.close()

        tab.on, tab.once, tab.close = on, once, close
        self.lent = True
        return tab


class WarmBrowser:
    """Chromium, whose `new_page` lends a test one of the worker's warm tabs: its process, cache and
    compiled scripts stay warm from test to test, as in an analyst's browser that opens one link after
    another. Measured over the same page loads: a new tab in a warm context cost 2.5 CPU-seconds of
    Chromium per load, the same tab navigated 1.7, a tab in a new context 3.3; over test_browser.py,
    191 → 166 CPU-seconds. A lent tab is otherwise as a new browser's: no cookies, nothing stored, no
    listener of an earlier test; its `close()` hands it back (the page left for about:blank). A
    second tab opened while one is lent is another warm tab in a context of its own, so a separate
    browser (another analyst); a tab with options of its own and `new_context` are new browsers."""

    SPARE = 3  # warm tabs at most: a test's own, another analyst's, a third

    def __init__(self, browser) -> None:  # noqa: ANN001 - Playwright's Browser
        self._browser = browser
        self._tabs: list[_Tab] = []
        self._leases = 0

    def new_page(self, viewport: dict | None = None, **options):  # noqa: ANN201 - Playwright's Page
        self._tabs = [t for t in self._tabs if t.lent is not None]
        free = next((t for t in self._tabs if t.usable()), None)
        if options or (free is None and len(self._tabs) >= self.SPARE):
            return self._browser.new_page(**({"viewport": viewport} if viewport else {}), **options)
        if free is None:
            free = _Tab(self._browser)
            self._tabs.append(free)
        self._leases += 1
        return free.lend(viewport, self._leases)

    def give_back(self) -> None:
        """The lent tabs back, where a test ended without closing them (a failure, say)."""
        for t in self._tabs:
            if t.lent:
                t.page.close()

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


@pytest.fixture(autouse=True)
def _tab_given_back(request):  # noqa: ANN001, ANN202
    """A browser test's lent tab goes back to the worker when the test ends, closed by it or not."""
    yield
    if "browser" in request.fixturenames:
        request.getfixturevalue("browser").give_back()


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201 - pytest's hook
    """A failed browser test reports what each of its open tabs showed: the main text in the report
    (so a CI log tells what the page said) and a screenshot in tests/artifacts."""
    outcome = yield
    report = outcome.get_result()
    warm = item.funcargs.get("browser") if report.when == "call" and report.failed else None
    if not isinstance(warm, WarmBrowser):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [p for c in warm._browser.contexts for p in c.pages]
    for i, page in enumerate(pages):
        try:
            main = page.locator('[data-testid="stMain"]').first
            text = main.inner_text(timeout=3000) if main.count() else page.inner_text("body", timeout=3000)
            shot = ARTIFACTS / f"failed_{item.name[:80]}_{i}.png"
            page.screenshot(path=str(shot), full_page=True, timeout=10000)
        except Exception as e:  # noqa: BLE001 - a report of a failure must not fail itself
            text, shot = f"(could not read the tab: {e})", None
        report.sections.append((f"tab {i}: {page.url}", f"{text[-4000:]}\n(screenshot: {shot})"))
