"""Immutable, versioned read-only copies of the database, for several server processes at once.

DuckDB lets many processes open one file only read-only, and only while no process holds it
read-write. So when Talent Atlas is served by several processes (`python -m atlas serve`), none
of them holds the database: each reads the newest *snapshot*, a closed copy of it, read-only, and
a write (an upload, an undo, a merge, a saved view, the command line's load) goes to the master
file one at a time:

1. take the write lock (`write.lock` in the snapshot folder; any process, one at a time);
2. open the master read-write, write, checkpoint, close;
3. copy it to a new snapshot file and publish it: `CURRENT` names it, replaced atomically;
4. remove the snapshots no process reads any more.

A reader holds a shared lock on `<snapshot>.readers` while its connection is open; the sweep of
step 4 removes a snapshot only when it can take that lock exclusively, and never the current one.
Every process sees the new version at its next page run (`Readers.connection` checks `CURRENT`).

The single-process default (`make run`) does not use any of this: it holds the master itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from atlas import db, warm

FOLDER_ENV = "ATLAS_SNAPSHOTS"
CURRENT = "CURRENT"
LOCK = "write.lock"
SERVING = "serving.lock"  # held (shared) by `python -m atlas serve` for as long as it runs
SUFFIX = ".duckdb"
WRITE_WAIT_SECONDS = float(os.environ.get("ATLAS_WRITE_WAIT", "120"))


def served() -> Store | None:
    """The snapshot store this process serves from ($ATLAS_SNAPSHOTS), or None: the single-process mode."""
    folder = os.environ.get(FOLDER_ENV)
    return Store(Path(folder), db.db_path()) if folder else None


def store_beside(master: Path) -> Store | None:
    """The store already published for `master` (its command-line writes must publish too), or None."""
    served_now = served()
    if served_now is not None and served_now.master.resolve() == Path(master).resolve():
        return served_now
    folder = default_folder(master)
    return Store(folder, Path(master)) if (folder / CURRENT).exists() else None


def build(master: Path, seed_dir: Path = db.SEED_DIR) -> Path:
    """`db.build` in every layout. Where a team's snapshots stand beside the master, the build takes
    the write lock, is refused (db.Busy) while any process serves them (it would replace every data
    version under them, and the next write would publish the seed plus one), and publishes the new
    master otherwise, so a team started later serves what was built."""
    store = store_beside(master)
    if store is None:
        return db.build(master, seed_dir)
    with store.write_lock():
        if store.serving():
            raise db.Busy(
                f"{master} is served by a team (`python -m atlas serve`, snapshots in {store.folder}); a build "
                "would replace every data version under the processes reading them. Nothing was changed. Stop "
                "the team first, or change the data with load, undo or merge, which publish."
            )
        path = db.build(master, seed_dir)
        store._publish_locked()
    return path


def default_folder(master: Path) -> Path:
    return Path(master).with_name(Path(master).stem + ".snapshots")


class Store:
    """The snapshot folder of one master database file."""

    def __init__(self, folder: Path, master: Path):
        self.folder = Path(folder)
        self.master = Path(master)
        self.warmed = warm.Warmed()  # what the last publication's warm-up did (atlas.warm)

    # ------------------------------------------------------------------ reading

    def current(self) -> Path | None:
        """The snapshot published last, or None before the first publication."""
        try:
            name = (self.folder / CURRENT).read_text().strip()
        except FileNotFoundError:
            return None
        return self.folder / name if name else None

    def snapshots(self) -> list[Path]:
        return sorted(self.folder.glob(f"atlas-v*{SUFFIX}"))

    # ------------------------------------------------------------------ writing

    @contextlib.contextmanager
    def write_lock(self, wait: float | None = None) -> Iterator[None]:
        """The one writer at a time, across processes (db.Busy after `wait` seconds)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        wait = WRITE_WAIT_SECONDS if wait is None else wait
        with open(self.folder / LOCK, "a+") as f:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise db.Busy(
                            f"Another write to {self.master} has held the write lock for over {wait:.0f} s; "
                            "nothing was changed. Try again when it has finished."
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def writing(self, wait: float | None = None, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """The master, read-write, for one writer; its new state is published when the block ends
        (also after an exception: whatever the block committed is published, nothing is lost).
        `publish=False` for a writer that changes no data (a dry run): nothing new is published."""
        with self.write_lock(wait):
            try:
                con = db.connect(self.master)
            except duckdb.IOException as exc:
                if db.is_busy(exc):
                    raise db.Busy(db.busy_message(exc, self.master)) from None
                raise
            try:
                yield con
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.execute("checkpoint")
                con.close()
                if publish:
                    self._publish_locked()

    def publish(self) -> Path:
        """Copy the master into a new snapshot and make it current (under the write lock)."""
        with self.write_lock():
            return self._publish_locked()

    def _publish_locked(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.master), read_only=True)
        try:
            version = db.data_version(con)
        finally:
            con.close()
        name = f"atlas-v{version:08d}-{time.time_ns()}{SUFFIX}"
        part = self.folder / (name + ".part")
        shutil.copyfile(self.master, part)  # sendfile: no Python buffers
        wal = self.master.with_name(self.master.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, self.folder / (name + ".wal"))
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.replace(part, self.folder / name)
        self.warmed = self._warm_next(name)  # every serving process computes its views of it first
        pointer = self.folder / (CURRENT + ".part")
        pointer.write_text(name + "\n")
        os.replace(pointer, self.folder / CURRENT)  # readers see the old name or the new, never half
        (self.folder / warm.NEXT).unlink(missing_ok=True)
        self.sweep()
        return self.folder / name

    def _warm_next(self, name: str) -> warm.Warmed:
        """Name the snapshot about to be published in `NEXT` with a one-time token, and have every
        serving process open its views on it (atlas.warm); the token lets only those runs read it."""
        if not warm.enabled() or not warm.serving(self.folder):
            return warm.Warmed()
        token = secrets.token_urlsafe(24)
        pointer = self.folder / (warm.NEXT + ".part")
        fd = os.open(pointer, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{name}\n{token}\n")
        os.replace(pointer, self.folder / warm.NEXT)
        try:
            return warm.warm_processes(self.folder, token)
        except Exception as exc:  # noqa: BLE001 - a warm-up that fails never holds back the commit's publication
            return warm.Warmed(processes=len(warm.serving(self.folder)), errors=[f"the warm-up stopped: {exc}"[:200]])

    def next_for(self, token: str) -> Path | None:
        """The snapshot about to be published, for a run that shows the token `NEXT` holds (a
        warm-up's), else None."""
        try:
            name, held = (self.folder / warm.NEXT).read_text().split("\n")[:2]
        except (OSError, ValueError):
            return None
        if not token or not held or not hmac.compare_digest(token.encode(), held.encode()):
            return None
        path = self.folder / name
        ours = path.parent == self.folder and name.startswith("atlas-v") and name.endswith(SUFFIX)
        return path if ours and path.exists() else None

    def serving(self) -> bool:
        """Whether a team serves this master now: `serve` holds its serving lock, or some process
        holds a snapshot's reader lock."""
        for lock in [self.folder / SERVING, *(s.with_name(s.name + ".readers") for s in self.snapshots())]:
            if not lock.exists():
                continue
            with open(lock, "a+") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(f, fcntl.LOCK_UN)
        return False

    def hold_serving(self):  # noqa: ANN201 - an open file, the lock held until it is closed
        """Mark this store as served (by the `serve` command, for its lifetime): `serving` is true."""
        self.folder.mkdir(parents=True, exist_ok=True)
        f = open(self.folder / SERVING, "a+")  # noqa: SIM115 - held until the caller closes it
        fcntl.flock(f, fcntl.LOCK_SH)
        return f

    def recover(self, wait: float | None = None) -> Path | None:
        """Finish what a crash left, as a process starts: under the write lock (so no writer is
        midway), remove the files of an interrupted publication, and publish the master when it
        holds what `CURRENT` does not (a commit whose publication a kill cut short: its data version
        is newer, or the master was written after the current snapshot was copied). Returns the
        snapshot published, if one was."""
        if not self.master.exists():
            return None
        with self.write_lock(wait):
            for part in self.folder.glob("*.part"):  # only a publication writes these, under this lock
                part.unlink(missing_ok=True)
            current = self.current()
            if current is not None and current.exists():
                try:
                    con = duckdb.connect(str(self.master), read_only=True)
                except duckdb.Error:
                    return None  # held read-write by a process outside the write lock: not ours to publish
                try:
                    newer = db.data_version(con) > version_of(current)
                finally:
                    con.close()
                if not newer and self.master.stat().st_mtime_ns <= current.stat().st_mtime_ns:
                    return None
            return self._publish_locked()

    def sweep(self) -> list[Path]:
        """Remove every snapshot older than the current one that no process reads; returns those
        removed. Run after each publication, and by a process when it closes an old snapshot."""
        current = self.current()
        removed = []
        for snap in self.snapshots():
            # never the current one, nor one being published after it (names sort by version and
            # time): a sweep may run beside a publication, from any process, without the lock
            if current is None or snap.name >= current.name:
                continue
            readers = snap.with_name(snap.name + ".readers")
            with open(readers, "a+") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a process still reads it
                for path in (snap, snap.with_name(snap.name + ".wal")):
                    path.unlink(missing_ok=True)
                shutil.rmtree(snap.with_name(snap.name + ".tmp"), ignore_errors=True)
                readers.unlink(missing_ok=True)
                removed.append(snap)
        for part in self.folder.glob("*.part"):  # a publication a crash interrupted
            if time.time() - part.stat().st_mtime > 3600:
                part.unlink(missing_ok=True)
        return removed


def version_of(snapshot: Path) -> int:
    """The data version a snapshot holds, from its name (atlas-v00000031-<time>.duckdb)."""
    return int(snapshot.name.removeprefix("atlas-v").split("-", 1)[0])


class Reader:
    """One process's read-only connection to one snapshot, with the shared lock that keeps it."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = open(path.with_name(path.name + ".readers"), "a+")  # noqa: SIM115 - held until close()
        fcntl.flock(self._lock, fcntl.LOCK_SH)
        if not path.exists():  # swept between reading CURRENT and taking the lock
            self._lock.close()
            raise FileNotFoundError(path)
        self.con = db.configure(duckdb.connect(str(path), read_only=True), path)

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        self._lock.close()  # releases the shared lock: the next sweep may remove it


def open_current(store: Store, tries: int = 20) -> Reader:
    """A reader of the current snapshot (retrying when a publication replaces it meanwhile)."""
    for _ in range(tries):
        path = store.current()
        if path is None:
            raise FileNotFoundError(f"no snapshot published in {store.folder}: run `python -m atlas serve`")
        try:
            return Reader(path)
        except FileNotFoundError:
            time.sleep(0.01)
    raise FileNotFoundError(f"the snapshots of {store.folder} kept changing while opening one")
