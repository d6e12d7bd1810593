"""The app's shared connection, per-parameter query cache and per-run snapshot (the only data
module that imports Streamlit).

One snapshot per page run: `pin_snapshot` (called by the page frame before any query) opens a
read transaction on a cursor of its own and reads the data version inside it; every query of
the run is keyed on that version and, on a cache miss, runs inside that transaction. DuckDB's
transactions are snapshots, so a load committed while the page runs is not half-seen: the page
shows one data version throughout, and the next run shows the new one. `release_snapshot`
(the end of the page, or the next run of the session) ends the transaction.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from atlas import db, i18n, labels, snapshots, sql, warm


@st.cache_resource(show_spinner="Building the Talent Atlas database from the seed CSVs…")
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return db.connect(Path(path))


class _Served:
    """Served by several processes (atlas.snapshots): this process's reader of the newest snapshot,
    and the older ones a run still reads (closed once no run does)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reader: snapshots.Reader | None = None
        self.retired: list[snapshots.Reader] = []
        self.stamp: tuple[int, int] | None = None
        self.recovered = False
        self.next: snapshots.Reader | None = None  # the snapshot a publication is warming (atlas.warm)

    def warming(self, store: snapshots.Store, token: str) -> snapshots.Reader | None:
        """The reader of the snapshot about to be published, for a warm-up's run (its token)."""
        path = store.next_for(token)
        if path is None:
            return None
        with self.lock:
            if self.reader is not None and self.reader.path == path:
                return self.reader
            if self.next is None or self.next.path != path:
                if self.next is not None:
                    self.retired.append(self.next)
                self.next = snapshots.Reader(path)
            return self.next

    def connection(self, store: snapshots.Store) -> duckdb.DuckDBPyConnection:
        return self.current(store).con

    def current(self, store: snapshots.Store) -> snapshots.Reader:
        """The reader of the newest snapshot (opened on a change of `CURRENT`)."""
        try:
            info = os.stat(store.folder / snapshots.CURRENT)
            stamp = (info.st_ino, info.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        with self.lock:
            if not self.recovered:
                # this process's first read: a commit a crash left unpublished is published now
                self.recovered = True
                with contextlib.suppress(db.Busy, OSError):
                    if store.recover(wait=5) is not None:
                        stamp = None  # CURRENT changed: read it again below
            if self.reader is None or stamp != self.stamp:
                now = store.current()
                if self.reader is None or self.reader.path != now:
                    if self.next is not None and self.next.path == now:
                        fresh, self.next = self.next, None  # warmed before it was published
                    else:
                        fresh = snapshots.open_current(store)
                    if self.reader is not None:
                        self.retired.append(self.reader)
                    self.reader = fresh
                if self.next is not None and now is not None and self.next.path.name < now.name:
                    self.retired.append(self.next)  # a warm-up whose publication never came
                    self.next = None
                self.stamp = stamp
            return self.reader

    def close_unused(self, in_use: set[Path]) -> None:
        with self.lock:
            keep, closed = [], False
            for reader in self.retired:
                if reader.path in in_use:
                    keep.append(reader)
                else:
                    reader.close()
                    closed = True
            self.retired = keep
        store = snapshots.served()
        if closed and store is not None:
            with contextlib.suppress(OSError):
                store.sweep()  # the last reader of an old snapshot removes it, not the next write


_served = _Served()


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection to the database, built from the seed on first use; served by
    several processes, the read-only connection to the newest snapshot."""
    store = snapshots.served()
    if store is not None:
        return _served.connection(store)
    return _connection(str(db.db_path()))


def _con_for(path: str) -> duckdb.DuckDBPyConnection:
    """The connection a cached function reads when the run pinned none."""
    return connection() if snapshots.served() is not None else _connection(path)


@contextlib.contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """The connection a write goes through: this process's own (single process), or the master
    under the write lock, published as a new snapshot when the block ends (several processes)."""
    store = snapshots.served()
    if store is None:
        con = connection()
        before = db.cache_version(con)
        try:
            yield con
        finally:
            if db.cache_version(con) != before:
                _warm_self()  # the new version's views, computed before the next analyst opens them
        return
    with store.writing() as con:
        yield con


def _warm_self() -> None:
    """One process, served by `streamlit run`: warm this process's views in the background (atlas.warm)."""
    from streamlit import runtime

    if not runtime.exists() or not warm.enabled():  # outside a server (AppTest, the command line), or off
        return
    address = st.get_option("server.address") or "127.0.0.1"
    host = "127.0.0.1" if address in ("0.0.0.0", "::", "") else address
    base = st.get_option("server.baseUrlPath").strip("/")
    warm.warm_self_later(f"http://{host}:{st.get_option('server.port')}" + (f"/{base}" if base else ""))


# session id -> (cursor in a read transaction, the cache version it reads, when it was pinned,
# the snapshot it reads when several processes serve)
_pins: dict[str, tuple[duckdb.DuckDBPyConnection, tuple[int, int], float, Path | None]] = {}
# a run that ended by an exception (a page switch, a rerun) keeps its snapshot until its
# session's next run; one whose session went away is ended by any other run after this long
STALE_PIN_SECONDS = 600
_pins_lock = threading.Lock()
_running = threading.local()  # the pinned cursor of the query this thread is computing


def quiet_outside_runs() -> None:
    """Queries run through Streamlit's caches outside any page run (the data API's requests, the
    command line's report): Streamlit warns of a missing script context and runtime at each call,
    which is expected there."""
    import logging

    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


_request = threading.local()  # a request outside any page run (the data API): its own snapshot


def _session_key() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else getattr(_request, "key", None)


@contextlib.contextmanager
def request_snapshot(key: str) -> Iterator[tuple[int, int]]:
    """One snapshot for a request outside any page run (atlas.api): every query inside the block
    reads the data version it yields, as a page run does; ended when the block ends."""
    _request.key = key
    try:
        pin_snapshot()
        yield version()
    finally:
        release_snapshot()
        _request.key = None


def pin_snapshot() -> None:
    """Start this run's snapshot (ending the session's previous one)."""
    key = _session_key()
    if key is None:
        return
    release_snapshot()
    _close_deferred()
    now = time.monotonic()
    with _pins_lock:
        stale = [k for k, (_, _, since, _) in _pins.items() if now - since > STALE_PIN_SECONDS]
        gone = [_pins.pop(k) for k in stale]
    for pinned in gone:
        _end(pinned[0])
    store = snapshots.served()
    if store is None:
        cur, path = connection().cursor(), None
    else:  # the cursor and the snapshot it reads, taken together (a publication may come between)
        token = _warm_token()
        reader = (_served.warming(store, token) if token else None) or _served.current(store)
        cur, path = reader.con.cursor(), reader.path
    cur.execute("begin transaction")
    version = db.cache_version_here(cur)
    with _pins_lock:
        _pins[key] = (cur, version, now, path)
    _close_unused()


def _warm_token() -> str:
    """The warm-up token this run's connection was opened with (atlas.warm), or ""."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:
        return ""
    try:
        return st.context.headers.get(warm.HEADER) or ""
    except Exception:  # noqa: BLE001 - no headers outside a served session (AppTest): not a warm-up
        return ""


def note_view(path: str, asked: dict[str, list[str]]) -> None:
    """A session arrived at a page by a link: counted among this process's views (the most opened
    are warmed at the next publication; atlas.warm). A warm-up's own run is not counted."""
    if warming():
        return
    store = snapshots.served()
    warm.note_view(path, asked, store.folder if store is not None else None, int(st.get_option("server.port")))


def warming() -> bool:
    """Whether this run is a publication's warm-up (it counts as no analyst's view)."""
    return bool(_warm_token())


def _close_unused() -> None:
    if _served.retired:
        with _pins_lock:
            in_use = {p[3] for p in _pins.values() if p[3] is not None}
        _served.close_unused(in_use)


def release_snapshot() -> None:
    """End this session's snapshot, if it has one."""
    key = _session_key()
    with _pins_lock:
        pinned = _pins.pop(key, None) if key else None
    if pinned:
        _end(pinned[0])
        _close_unused()


# cursors whose close was refused because a call was still running on them: closed by a later run
_closing: list[duckdb.DuckDBPyConnection] = []


def _end(cur: duckdb.DuckDBPyConnection) -> None:
    """End a pinned read and close its cursor. A cursor still busy (DuckDB refuses a second call
    instead of waiting: seen in CI when a session reconnected to another process and reran at
    once, and the new run's pin found the previous run's query still on it) is kept and closed by
    a later run, never raised into the page."""
    try:
        with contextlib.suppress(duckdb.Error):
            cur.execute("rollback")  # it only read
        cur.close()
    except duckdb.Error:
        with _pins_lock:
            _closing.append(cur)


def _close_deferred() -> None:
    """Close the cursors an earlier `_end` could not (still busy ones wait for the next run)."""
    with _pins_lock:
        pending = list(_closing)
        _closing.clear()
    for cur in pending:
        _end(cur)


def version() -> tuple[int, int]:
    """The (data, derived) version this run shows: its snapshot's, else the latest."""
    key = _session_key()
    pinned = _pins.get(key) if key else None
    return pinned[1] if pinned else db.cache_version(connection())


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_query(path: str, name: str, params: dict, version: tuple[int, int], lang: str) -> pd.DataFrame:
    # `path` and `version` (the data's and the derived tables') are part of the cache key: a
    # new upload or another database file never serves stale rows. `lang`: the rows as the reader
    # reads them (names in the reader's script first: 李沐 (Mu Li) in Chinese), cached per language.
    pinned = getattr(_running, "cursor", None)
    if pinned is not None:
        rows = sql.run_query_here(pinned, name, params)  # inside the run's snapshot
    else:
        rows = sql.run_query(_con_for(path), name, params)
    return labels.localize_names(rows)  # in this thread's language, which `lang` keys


def query(name: str, **params: object) -> pd.DataFrame:
    """Run a named query through the cache, keyed by its parameters and the version this run shows."""
    # keyed on exactly what the query binds: a parameter it does not declare changes no key
    bound = sql.query(name).bind(params)
    key = _session_key()
    pinned = _pins.get(key) if key else None
    lang = i18n.language()
    version = db.cache_version(connection()) if pinned is None else pinned[1]
    origin_key = (name, repr(sorted(bound.items())), version, lang)
    path = str(db.db_path())
    with _kept_lock:
        held = _results.get((path, origin_key))
        if held is not None:
            _results.move_to_end((path, origin_key))
    if held is None:
        if pinned is not None:
            _running.cursor = pinned[0]
        try:
            held = _cached_query(path, name, bound, version, lang)
        finally:
            _running.cursor = None
        with _kept_lock:
            _results[(path, origin_key)] = held
            while len(_results) > RESULT_ENTRIES:
                _results.popitem(last=False)
    rows = held.copy(deep=False)  # copy-on-write: the caller may change its copy, never the one held
    rows.attrs = dict(held.attrs)
    _remember(rows, origin_key)
    return rows


# What the run does with a query's rows (formats a table, builds a chart) is the same on every run
# with the same rows: it is kept, keyed by the query that made them rather than by hashing them.
# A frame is known as a query's result only while it is the very object `query` returned (its id,
# checked through a weak reference); anything derived from it is a new object, keyed by content.
_origins: dict[int, tuple[weakref.ref, tuple]] = {}
_kept: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_kept_lock = threading.Lock()
KEPT_ENTRIES = 256
# A query's result as Streamlit's cache gave it, held in this process (least recently used first
# out): a warm view takes it from here, not through st.cache_data, which hashed the parameters and
# unpickled the frame again at every call (13% of a warm Talent flows view, profiled). Underneath,
# st.cache_data still computes each result once for every session at once.
_results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
RESULT_ENTRIES = 512


def _remember(frame: pd.DataFrame, key: tuple) -> None:
    i = id(frame)
    _origins[i] = (weakref.ref(frame, lambda _ref, i=i: _origins.pop(i, None)), key)


def origin(frame: object) -> tuple | None:
    """The (query, parameters, version, language) `frame` is the result of, or None."""
    entry = _origins.get(id(frame))
    return entry[1] if entry is not None and entry[0]() is frame else None


def kept(frame: pd.DataFrame, tag: tuple, make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """`make()`, a pure function of `frame` (and of `tag`, the language), kept per query result
    (bounded, least recently used first out); a copy the caller may change (copy-on-write), itself
    known by its origin, so what is kept from it is kept in turn. `tag` names the making and every
    other value it reads (a currency)."""
    key = origin(frame)
    if key is None:
        return make()
    full = (tag, key, i18n.language())
    with _kept_lock:
        hit = _kept.get(full)
        if hit is not None:
            _kept.move_to_end(full)
    if hit is None:
        hit = make()
        with _kept_lock:
            _kept[full] = hit
            while len(_kept) > KEPT_ENTRIES:
                _kept.popitem(last=False)
    out = hit.copy(deep=False)
    out.attrs = dict(hit.attrs)
    _remember(out, full)  # what is made from it in turn is kept too (a table formatted from a localized frame)
    return out


def forget_kept() -> None:
    """Drop every kept frame (the tests start each from nothing, as a fresh process does)."""
    with _kept_lock:
        _kept.clear()
        _results.clear()


def query_fresh(name: str, **params: object) -> pd.DataFrame:
    """Run a named query without the cache: for small tables the app itself writes (saved views)."""
    return sql.run_query(connection(), name, params)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_search(path: str, text: str, version: tuple[int, int]) -> str:
    from atlas import resolve

    cur = _con_for(path).cursor()
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
    return _cached_search(str(db.db_path()), text, version())


# the functions of atlas.explore a page may run through the cache
_EXPLORE = frozenset({"tables", "browse", "facets", "count", "check", "labels", "one_row", "referrers", "upload_of"})


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_explore(path: str, fn: str, args: tuple, version: tuple[int, int]) -> object:
    from atlas import explore

    pinned = getattr(_running, "cursor", None)
    if pinned is not None:
        return getattr(explore, fn)(pinned, *args)
    cur = _con_for(path).cursor()
    try:
        return getattr(explore, fn)(cur, *args)
    finally:
        cur.close()


def explore_rows(*args: object) -> pd.DataFrame:
    """`atlas.explore.export_rows(cursor, *args)`: a filtered table's rows for a download, read when
    the button is clicked, never kept in the cache (up to 100,000 rows)."""
    from atlas import explore as explore_module

    cur = connection().cursor()
    try:
        return explore_module.export_rows(cur, *args)
    finally:
        cur.close()


def explore(fn: str, *args: object) -> object:
    """`atlas.explore.<fn>(cursor, *args)` through the cache, keyed by its arguments and the
    version this run shows (and run inside the run's snapshot), like `query`."""
    if fn not in _EXPLORE:
        raise ValueError(f"not an explore function: {fn!r}")
    key = _session_key()
    pinned = _pins.get(key) if key else None
    if pinned is None:
        return _cached_explore(str(db.db_path()), fn, args, db.cache_version(connection()))
    _running.cursor = pinned[0]
    try:
        return _cached_explore(str(db.db_path()), fn, args, pinned[1])
    finally:
        _running.cursor = None


def console_query(text: str) -> object:
    """A console query's result (atlas.console.run), kept per text and data version in the
    console's own cache, bounded in bytes: a shared link's query runs once."""
    from atlas import console

    return console.cached_run(connection(), db.db_path(), text, db.cache_version(connection()))


@st.cache_data(show_spinner=False)
def _cached_console_schema(path: str, version: tuple[int, int]) -> pd.DataFrame:
    from atlas import console

    return console.schema(_con_for(path))


def console_schema() -> pd.DataFrame:
    """The tables and columns the console holds (known by its origin: what is made of it is kept)."""
    version = db.cache_version(connection())
    schema = _cached_console_schema(str(db.db_path()), version)
    _remember(schema, ("console_schema", "", version, i18n.language()))
    return schema
