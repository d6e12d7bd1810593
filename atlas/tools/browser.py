"""A Streamlit server on a free port and Debian's Chromium: shared by the browser tests and
the benchmark. Nothing is downloaded: Chromium is the system package."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Debian's Chromium; ATLAS_CHROMIUM names another build of it (the test suite runs the benchmark's
# check on the headless shell below, as its browser tests)
CHROMIUM = os.environ.get("ATLAS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Debian's package chromium-headless-shell: the same Blink and V8, without the desktop browser's own
# interface that headless `chromium` still runs (as Playwright's own headless runs): measured over
# the same 21 page loads, 30% less of Chromium's CPU. The browser tests run it where it is installed.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_run(n: int) -> int:
    """A free port with the n-1 after it free too (a balancer's, then one per process)."""
    for _ in range(200):
        base = _free_port()
        if base + n >= 65000:
            continue
        held = []
        try:
            for p in range(base, base + n):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
        return base
    raise RuntimeError("no free run of ports")


class Server:
    """`streamlit run app.py` (or another `script`: the benchmark's floor page) on a free localhost
    port, serving the database at `db_path`."""

    def __init__(
        self,
        db_path: Path,
        log: Path,
        extra_args: list[str] | None = None,
        port: int | None = None,
        env: dict[str, str] | None = None,
        script: str = "app.py",
    ):
        self.db_path = db_path
        self.log_path = Path(log)
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **(env or {}), "ATLAS_DB": str(db_path)}
        self._log = open(log, "w")  # noqa: SIM115 - closed in stop(), outlives this method
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                *(extra_args or []),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                # the health endpoint is not a page: the first page request stays the caller's
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log}")

    def peak_rss_bytes(self) -> int | None:
        """The server process's peak resident memory so far (Linux VmHWM), or None."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def process_tree(self) -> list[int]:
        """The server's process id and those of its descendants (the console's workers)."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                with contextlib.suppress(OSError):
                    todo += [int(c) for c in (task / "children").read_text().split()]
        return found

    def tree_rss_bytes(self) -> int:
        """The resident memory of the server and its workers together, now."""
        total = 0
        for pid in self.process_tree():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def stop(self) -> None:
        if self.proc.poll() is not None:
            self._log.close()
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()  # gone, and its lock on the database file with it
        self._log.close()


def wait_for_app(page, title: str, timeout_ms: int = 60000, settle_ms: int = 800) -> None:
    """Wait until the page's title is drawn, the script has finished and the main text has stopped changing.

    The status widget may never appear on a fast run, so its absence alone proves nothing: the page is
    taken as drawn once its main text (and the number of stale elements, zero) stays the same for
    ``settle_ms``.
    """
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=timeout_ms)
    page.evaluate("window.__atlasSnap = null")
    page.wait_for_function(
        """([settle]) => {
            if (document.querySelector('[data-testid="stStatusWidget"]')) { window.__atlasSnap = null; return false; }
            if (document.querySelector('[data-stale="true"]')) { window.__atlasSnap = null; return false; }
            if (settle <= 0) return true;
            const main = document.querySelector('[data-testid="stMain"]') || document.body;
            const text = main.innerText;
            const now = Date.now();
            const snap = window.__atlasSnap;
            if (!snap || snap.text !== text) { window.__atlasSnap = {text: text, since: now}; return false; }
            return now - snap.since >= settle;
        }""",
        arg=[settle_ms and max(settle_ms, 300)],
        timeout=timeout_ms,
        polling=150,
    )
