"""`python -m atlas serve`: Talent Atlas for a team, N Streamlit processes behind HAProxy.

One Streamlit process uses about one core, so a team is served by several, each reading the newest
read-only snapshot of the database (atlas.snapshots) and writing through the write lock. HAProxy
(Debian's package) spreads new sessions over the processes and keeps each session on its process
(a cookie: Streamlit's websocket, uploads and downloads belong to the process that holds the
session); a process that stops answering its health check is taken out, and its sessions
reconnect to another. This command supervises: a process that dies is started again.

    python -m atlas serve --processes 2 --port 8501      # http://127.0.0.1:8501

Listens on localhost unless --address says otherwise (team mode, with sign-in, for anything wider).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from atlas import db, snapshots

ROOT = Path(__file__).resolve().parent.parent  # the project root: atlas/serve.py is one level down
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
COOKIE = "ATLAS_PROCESS"
RESTART_AFTER_SECONDS = 10  # a process that died is started again this long after


def haproxy_config(address: str, port: int, backends: list[int], stats_port: int | None = None) -> str:
    """The balancer: round robin for new sessions, a cookie for the rest of each session, health checks."""
    servers = "\n".join(f"    server p{i} 127.0.0.1:{p} check cookie p{i}" for i, p in enumerate(backends, start=1))
    stats = (
        f"\nfrontend stats\n    bind 127.0.0.1:{stats_port}\n    stats enable\n    stats uri /\n" if stats_port else ""
    )
    return f"""# written by `python -m atlas serve`; regenerated at every start
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    # a Streamlit session is one long websocket
    timeout tunnel 1h
    timeout http-request 30s
    # a request whose process went down goes to another one
    option redispatch
    retries 2

frontend atlas
    bind {address}:{port}
    default_backend streamlit

backend streamlit
    balance roundrobin
    # sticky sessions: the websocket, uploads and media of a session stay on its process
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk
    http-check send meth GET uri /_stcore/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
{stats}"""


@dataclass
class Cluster:
    """The processes of one `serve`: Streamlit on the backend ports, HAProxy in front."""

    address: str
    port: int
    processes: int
    folder: Path
    log_dir: Path
    backend_ports: list[int] = field(default_factory=list)
    apps: list[subprocess.Popen | None] = field(default_factory=list)
    balancer: subprocess.Popen | None = None
    cookie_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    down_since: dict[int, float] = field(default_factory=dict)

    def app_command(self, port: int) -> list[str]:
        return [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
        ]  # fmt: skip

    def start_app(self, i: int) -> subprocess.Popen:
        env = {
            **os.environ,
            snapshots.FOLDER_ENV: str(self.folder),
            "ATLAS_DB": str(db.db_path()),
            # one secret for all: a session's cookies (sign-in, XSRF) hold on any process
            "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret,
        }
        log = open(self.log_dir / f"streamlit-p{i + 1}.log", "a")  # noqa: SIM115 - the child keeps it
        return subprocess.Popen(
            self.app_command(self.backend_ports[i]), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def start(self) -> None:
        self.backend_ports = [self.port + 1 + i for i in range(self.processes)]
        self.apps = [self.start_app(i) for i in range(self.processes)]
        for app, port in zip(self.apps, self.backend_ports, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", app)
        config = self.log_dir / "haproxy.cfg"
        config.write_text(haproxy_config(self.address, self.port, self.backend_ports))
        log = open(self.log_dir / "haproxy.log", "a")  # noqa: SIM115 - the child keeps it
        # -db: in the foreground, supervised here
        self.balancer = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT)
        host = "127.0.0.1" if self.address in ("0.0.0.0", "::") else self.address
        wait_healthy(f"http://{host}:{self.port}", self.balancer)

    def supervise(self, stop_flag: list[bool]) -> int:
        """Start again any process that dies; return when asked to stop or when the balancer dies."""
        while not stop_flag[0]:
            if self.balancer is not None and self.balancer.poll() is not None:
                print(f"HAProxy stopped (exit {self.balancer.returncode}); see {self.log_dir}/haproxy.log")
                return 1
            now = time.monotonic()
            for i, app in enumerate(self.apps):
                if app is not None and app.poll() is not None:
                    # its sessions reconnect to the other processes first (HAProxy takes it out
                    # within 2 s); then it comes back, for new sessions
                    down = self.down_since.setdefault(i, now)
                    if now - down >= RESTART_AFTER_SECONDS:
                        print(f"process p{i + 1} (port {self.backend_ports[i]}) stopped; starting it again", flush=True)
                        # a commit it made and did not get to publish is published first, for every process
                        with contextlib.suppress(db.Busy, OSError):
                            snapshots.Store(self.folder, db.db_path()).recover(wait=30)
                        self.apps[i] = self.start_app(i)
                        del self.down_since[i]
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        for proc in [self.balancer, *self.apps]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [self.balancer, *self.apps]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_healthy(url: str, proc: subprocess.Popen | None = None, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} stopped (exit {proc.returncode}) before serving {url}; see its log")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy in {seconds:.0f} s")


def prepare(path: Path, folder: Path) -> snapshots.Store:
    """The database built (from the seed when missing) and brought to the current schema, and its
    newest state published as the snapshot every process starts on."""
    if not path.exists():
        db.build(path)
    con = db.connect(path)  # the schema, an interrupted undo or derived rebuild: finished here, once
    con.close()
    store = snapshots.Store(folder, path)
    store.publish()
    return store


def main(processes: int, port: int, address: str, folder: Path | None) -> int:
    if not Path(HAPROXY).exists():
        print("HAProxy is not installed: `apt-get install haproxy` (Debian), then run this again.", file=sys.stderr)
        return 1
    path = db.db_path()
    folder = Path(folder or snapshots.default_folder(path))
    try:
        store = prepare(path, folder)
    except db.Busy as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a DuckDB lock error reads like Busy
        if db.is_busy(exc):
            print(db.busy_message(exc, path), file=sys.stderr)
            return 1
        raise
    serving = store.hold_serving()  # a build of this master is refused while the team runs
    log_dir = folder / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(address, port, processes, store.folder, log_dir)
    stop_flag = [False]

    def _stop(*_args: object) -> None:
        stop_flag[0] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        cluster.start()
        print(
            f"Talent Atlas: http://{address}:{port} — {processes} processes "
            f"(ports {', '.join(map(str, cluster.backend_ports))}) behind HAProxy; snapshots in {folder}; "
            f"logs in {log_dir}. Ctrl+C stops.",
            flush=True,
        )
        return cluster.supervise(stop_flag)
    finally:
        cluster.stop()
        serving.close()
