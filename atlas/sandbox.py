"""Where console queries run: child processes with a hard memory limit, killed at a wall-clock limit.

DuckDB's own `memory_limit` covers what its buffer manager allocates, not every list a query
builds nor the conversion of a result to Python: `select list(range(100000000))` took the app's
process past 7 GB in the same process, whatever the limit. So a query runs in a worker process
(`python -m atlas.sandbox`) that caps its own address space (RLIMIT_AS) before it imports DuckDB,
reads the result as Arrow batches and stops at a row and a byte cap before anything becomes a
Python object, and is killed by the parent at the time limit. A worker that dies or is killed is
replaced; the app's process only ever receives at most `byte_limit` bytes of Arrow.

The protocol is one JSON line per request on the worker's stdin, and per answer two frames on its
stdout (an 8-byte length, then the bytes): a JSON header, then an Arrow IPC stream (empty on error).
This module imports nothing of the app, so the worker starts in a fraction of a second.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# a worker's resident memory at most: the app watches it every 20 ms and kills the worker past it
HARD_MEMORY_BYTES = int(os.environ.get("ATLAS_CONSOLE_PROCESS_MB", "1024")) * 2**20
# and its address space, a backstop the kernel enforces for allocations faster than the watch (DuckDB
# reserves far more address space than it touches: a tighter cap refuses ordinary sorts)
ADDRESS_SPACE_BYTES = 4 * 2**30
_WATCH_S = 0.02
MAX_WORKERS = 2  # queries at once (the machine's cores); a third waits for one to finish
ROWS_PER_BATCH = 64  # small batches: the byte cap is checked after each
_HEADER_LIMIT = 1 << 20


@dataclass(frozen=True)
class Answer:
    """A worker's reply: `error` is None (and `arrow` holds the rows) or a code the caller explains."""

    error: str | None  # None, "time", "memory", "bytes", "permission", "failed", "busy"
    message: str = ""
    arrow: bytes = b""
    truncated: bool = False
    seconds: float = 0.0
    held: int = 0  # the result's size once the app holds it (held_bytes)
    as_text: tuple[str, ...] = ()  # the columns sent as text: the app could not show them as they are


# ---------------------------------------------------------------- the worker (child) side


SPILL_LIMIT = os.environ.get("ATLAS_CONSOLE_SPILL", "4GB")  # a query's sorts and joins spill to disk up to this


def locked_connection(folder: Path, tables: list[str], memory_limit: str, spill: Path | None = None):
    """An in-memory DuckDB whose only tables are views over `folder`'s Parquet files, that may read
    no other file, load no extension and change no setting. With `spill`, a large sort or join
    spills into that folder (DuckDB's own files, up to SPILL_LIMIT) rather than failing."""
    import duckdb

    config = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit,
        "threads": 1,
        "max_temp_directory_size": SPILL_LIMIT if spill else "0KB",
    }
    if spill:
        config["temp_directory"] = str(spill)
    con = duckdb.connect(":memory:", config=config)
    con.execute("set allowed_directories = $dirs", {"dirs": [str(folder.resolve()) + "/"]})
    con.execute("set enable_external_access = false")
    for table in tables:
        path = str((folder / f"{table}.parquet").resolve()).replace("'", "''")
        con.execute(f"create view \"{table}\" as select * from read_parquet('{path}')")
    con.execute("set lock_configuration = true")
    return con


class _TooLarge(Exception):
    pass


# What a value costs once the app holds it, beyond its Arrow bytes. A result crosses into the app as
# Arrow and is converted to pandas there: a column of numbers or text stays an array, but every value
# inside a list, struct, map or union becomes a Python object (a dict is 200-odd bytes, a None 8, an
# array 112). So a list of a million `{'a': NULL}` is 1 MB of Arrow and 2 GB in the app: the size
# that is capped is this one, counted value by value before anything is converted.
_ROW_OBJECT = 160  # the array (or dict) object a nested cell becomes, with its slot
_COLUMN = 8 * 1024  # a column's own objects (its array, index, block)
_STRUCT_OBJECT = 232  # a dict with a few keys
_NESTED_VALUE = 40  # a Python number or date inside a nested value, with its pointer
_NESTED_TEXT = 57  # a Python str's own size, before its characters
_POINTER = 8


def held_bytes(array, nested: bool = False) -> int:  # noqa: ANN001 - a pyarrow Array or ChunkedArray
    """The bytes `array` will take once converted to pandas in the app (an upper estimate, counted
    without converting anything: lists and structs are walked through their children)."""
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        return sum(held_bytes(chunk, nested) for chunk in array.chunks)
    t, n = array.type, len(array)
    if pa.types.is_dictionary(t):
        return n * _POINTER + held_bytes(array.dictionary, nested)
    if pa.types.is_map(t):
        return n * _ROW_OBJECT + held_bytes(array.values, True)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        values = array.flatten()
        if _plain_number(values.type) and values.null_count == 0:
            return n * _ROW_OBJECT + values.nbytes  # a list of numbers is one typed array per cell
        return n * _ROW_OBJECT + held_bytes(values, True)
    if hasattr(pa.types, "is_list_view") and (pa.types.is_list_view(t) or pa.types.is_large_list_view(t)):
        return n * _ROW_OBJECT + held_bytes(array.values, True)
    if pa.types.is_struct(t):
        # by field, not flatten(): flattening merges the struct's validity into each child, which
        # pyarrow aborts on for a union child
        return n * _STRUCT_OBJECT + sum(held_bytes(array.field(i), True) for i in range(t.num_fields))
    if pa.types.is_union(t):
        # its children are not walked: every byte of its buffers counted as a nested value's worth
        size = sum(b.size for b in array.buffers() if b is not None)
        return n * _STRUCT_OBJECT + size * (_NESTED_VALUE // 4)
    if pa.types.is_null(t):
        return n * _POINTER
    text = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t)
    if text or (hasattr(pa.types, "is_string_view") and (pa.types.is_string_view(t) or pa.types.is_binary_view(t))):
        return n * (_NESTED_TEXT + _POINTER if nested else _POINTER) + array.nbytes
    return n * (_NESTED_VALUE if nested else _POINTER) + array.nbytes


def _plain_number(t) -> bool:  # noqa: ANN001 - a pyarrow DataType
    import pyarrow as pa

    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)


def table_held_bytes(table) -> int:  # noqa: ANN001 - a pyarrow Table or RecordBatch
    """A result's size as the app will hold it (`held_bytes` of every column)."""
    return sum(_COLUMN + held_bytes(column) for column in table.columns)


def _unshowable(table) -> list[int]:  # noqa: ANN001 - a pyarrow Table
    """The columns the app could not show or write as they are: those whose conversion to pandas,
    or whose Parquet file (the page's download), fails: a union, an interval, an empty struct, a
    date past year 9999 or an infinite one... Found by trying, so a type nobody listed is caught too
    (the table is small: its held size was capped before this)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    bad = []
    for i, column in enumerate(table.columns):
        if _infinite_time(column):
            bad.append(i)  # pandas would read DuckDB's infinity as a date in the year 294247
            continue
        try:
            frame = pa.table({"c": column}).to_pandas()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), pa.BufferOutputStream())
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            bad.append(i)
    return bad


def _infinite_time(column) -> bool:  # noqa: ANN001 - a pyarrow ChunkedArray
    """Whether a timestamp column (or one inside a list or struct) holds DuckDB's infinity, which
    Arrow carries as the largest (or smallest) 64-bit count and pandas reads as a real time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def leaves(array):  # noqa: ANN001, ANN202
        t = array.type
        if pa.types.is_timestamp(t):
            yield array
        elif pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            yield from leaves(array.flatten())
        elif pa.types.is_struct(t):
            for i in range(t.num_fields):
                yield from leaves(array.field(i))

    for chunk in column.chunks:
        for leaf in leaves(chunk):
            ends = pc.min_max(leaf.cast(pa.int64()))
            if any(v is not None and abs(v) >= 2**63 - 2 for v in (ends["min"].as_py(), ends["max"].as_py())):
                return True
    return False


def _read(con, sql: str, rows: int, byte_limit: int):  # noqa: ANN001, ANN202 - a connection; (Table, more, size)
    """At most `rows` rows of `sql` as Arrow, stopped (_TooLarge) as soon as what was read would
    take more than `byte_limit` bytes, in Arrow or once held by the app."""
    import pyarrow as pa

    reader = con.sql(f"select * from (\n{sql}\n) limit {rows + 1}").to_arrow_reader(ROWS_PER_BATCH)
    batches, n, size = [], 0, 0
    for batch in reader:
        size += max(batch.nbytes, table_held_bytes(batch))
        if size > byte_limit:
            raise _TooLarge
        batches.append(batch)
        n += batch.num_rows
        if n > rows:
            break
    table = pa.Table.from_batches(batches, schema=reader.schema).slice(0, rows)
    return table, n > rows, table_held_bytes(table)


def _answer(con, request: dict) -> tuple[dict, bytes]:  # noqa: ANN001 - a DuckDB connection
    import duckdb
    import pyarrow as pa

    rows, byte_limit = int(request["rows"]), int(request["bytes"])
    started = time.perf_counter()
    try:
        # the text was checked to be one read query; wrapped, it is one read query again (a newline
        # ends any trailing comment), and the database stops after one row past the limit
        sql = request["sql"]
        table, truncated, held = _read(con, sql, rows, byte_limit)
        as_text = _unshowable(table)
        if as_text:
            # the same query again with those columns as DuckDB writes them as text (by position:
            # names may repeat), so every value is shown and written as the database reads it
            wanted = ", ".join(
                f"cast(#{i + 1} as varchar)" if i in as_text else f"#{i + 1}" for i in range(table.num_columns)
            )
            names = table.column_names
            table, truncated, held = _read(con, f"select {wanted} from (\n{sql}\n)", rows, byte_limit)
            table = table.rename_columns(names)
    except _TooLarge:
        return {"error": "bytes"}, b""
    except (duckdb.OutOfMemoryException, MemoryError):
        return {"error": "memory"}, b""
    except duckdb.PermissionException:
        return {"error": "permission"}, b""
    except duckdb.Error as exc:
        return {"error": "failed", "message": str(exc)[:2000]}, b""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return {
        "error": None,
        "truncated": truncated,
        "seconds": time.perf_counter() - started,
        "held": held,
        "as_text": [table.column_names[i] for i in as_text],
    }, sink.getvalue().to_pybytes()


def _write_frame(out, data: bytes) -> None:  # noqa: ANN001 - a binary stream
    out.write(struct.pack("<Q", len(data)))
    out.write(data)


def serve() -> None:
    """The worker's loop: cap the address space, then answer requests until stdin closes."""
    import resource

    limit = int(sys.argv[1]) if len(sys.argv) > 1 else ADDRESS_SPACE_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    import duckdb  # noqa: F401 - imported under the limit, before the first request

    spill = Path(sys.argv[2]) if len(sys.argv) > 2 else None  # the app made it, and removes it
    out = sys.stdout.buffer
    _write_frame(out, b'{"ready": true}')
    out.flush()
    connections: dict[str, object] = {}
    for line in sys.stdin.buffer:
        request = json.loads(line)
        folder = request["folder"]
        # the app kills a worker at the time limit; should the app itself be gone, the worker ends
        # its own query a little later rather than run on with no one to answer
        watchdog = threading.Timer(float(request.get("seconds", 60)) + 5, os._exit, (3,))
        watchdog.daemon = True
        watchdog.start()
        try:
            if folder not in connections:
                for old in connections.values():
                    old.close()
                connections = {folder: locked_connection(Path(folder), request["tables"], request["memory"], spill)}
            header, payload = _answer(connections[folder], request)
        except MemoryError:
            header, payload = {"error": "memory"}, b""
        finally:
            watchdog.cancel()
        _write_frame(out, json.dumps(header).encode())
        _write_frame(out, payload)
        out.flush()


# ---------------------------------------------------------------- the app (parent) side


class _Dead(Exception):
    pass


class _OverMemory(Exception):
    pass


class _Worker:
    def __init__(self, memory_bytes: int) -> None:
        import tempfile

        # named by the app's process: a folder whose process is gone is a crash's, removed at a start
        self.spill = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "atlas.sandbox", str(ADDRESS_SPACE_BYTES), self.spill],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(Path(__file__).resolve().parent.parent),
            close_fds=True,
            start_new_session=True,
        )
        self.fd = self.proc.stdout.fileno()
        self.memory_bytes = memory_bytes
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._read_frame(time.monotonic() + 60, _HEADER_LIMIT)  # ready

    def rss(self) -> int:
        """The worker's resident memory now (0 once it is gone)."""
        try:
            with open(f"/proc/{self.proc.pid}/statm", encoding="ascii") as f:
                return int(f.read().split()[1]) * self._page
        except (OSError, ValueError, IndexError):
            return 0

    def _read_exact(self, n: int, deadline: float) -> bytes:
        parts, left = [], n
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _w, _x = select.select([self.fd], [], [], min(remaining, _WATCH_S))
            if self.rss() > self.memory_bytes:
                raise _OverMemory
            if not ready:
                continue
            chunk = os.read(self.fd, min(left, 1 << 20))
            if not chunk:
                raise _Dead
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def _read_frame(self, deadline: float, limit: int) -> bytes:
        (n,) = struct.unpack("<Q", self._read_exact(8, deadline))
        if n > limit:
            raise _Dead  # more than it may send: not a worker we trust any more
        return self._read_exact(n, deadline)

    def ask(self, request: dict, seconds: float) -> Answer:
        deadline = time.monotonic() + seconds
        request = {**request, "seconds": seconds}
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            header = json.loads(self._read_frame(deadline, _HEADER_LIMIT))
            payload = self._read_frame(deadline, int(request["bytes"]) + _HEADER_LIMIT)
        except TimeoutError:
            self.kill()
            return Answer("time")
        except _OverMemory:
            self.kill()
            return Answer("memory")
        except (_Dead, BrokenPipeError, OSError, ValueError):
            self.kill()
            return Answer("memory")  # it died: the hard memory limit (or a crash) ended it
        return Answer(
            header.get("error"),
            str(header.get("message", "")),
            payload,
            bool(header.get("truncated")),
            float(header.get("seconds", 0.0)),
            int(header.get("held", 0)),
            tuple(str(c) for c in header.get("as_text", ())),
        )

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.spill, ignore_errors=True)


SPILL_PREFIX = "atlas-console-spill-"


def alive(pid: int) -> bool:
    """Whether process `pid` runs (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphan_spills(folder: Path | None = None) -> list[Path]:
    """Remove the spill folders of app processes that are gone (a kill left them): each is named by
    its process (`atlas-console-spill-<pid>-...`); one named by no process is an older version's."""
    import tempfile

    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(SPILL_PREFIX + "*"):
        pid = path.name.removeprefix(SPILL_PREFIX).split("-", 1)[0]
        if pid.isdigit() and alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class Pool:
    """At most MAX_WORKERS worker processes, kept between queries and replaced when killed."""

    def __init__(self, workers: int = MAX_WORKERS, memory_bytes: int = HARD_MEMORY_BYTES) -> None:
        remove_orphan_spills()  # a start clears what a crashed app left
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.memory_bytes = memory_bytes
        atexit.register(self.close)  # the workers and their spill folders go with the app

    def run(self, request: dict, seconds: float, wait: float) -> Answer:
        """Run one request on a worker within `seconds` (after waiting at most `wait` for a free one)."""
        if not self._slots.acquire(timeout=wait):
            return Answer("busy")
        try:
            with self._lock:
                worker = self._idle.pop() if self._idle else None
            if worker is None or not worker.alive:
                worker = _Worker(self.memory_bytes)
            answer = worker.ask(request, seconds)
            if answer.error == "memory":
                worker.kill()  # DuckDB after an allocation failure is not a state to serve from
            if worker.alive:
                with self._lock:
                    self._idle.append(worker)
            return answer
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for w in idle:
            w.kill()


if __name__ == "__main__":
    serve()
