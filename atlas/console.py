"""The read-only SQL console: text from anyone who can open a link, run where it can do no harm.

A query never runs on the app's database. Each data version is written once as Parquet files
(`snapshot`, the same files the whole-database download zips), and the console is a separate
in-memory DuckDB whose tables are views over those files. That database may read only the
snapshot's folder (`allowed_directories`, then `enable_external_access = false`), loads and
installs no extension, and its configuration is locked before the first query, so no `SET`
or `PRAGMA` can undo any of it. On top of that the text itself is checked before it runs:
one statement, a read query (`SELECT`, `WITH`, `VALUES`...), reading only the model's tables (an
allow-list: DuckDB's catalog views, `information_schema`, `pg_catalog` and `sqlite_master` are
refused), no table function but a few that read no file (`range`, `unnest`...).

Each query runs in a worker process (`atlas.sandbox`) with a hard memory limit, killed at the
time limit, that hands back at most ROW_LIMIT rows and RESULT_BYTES bytes as Arrow: nothing past
those caps is ever converted to Python, in the worker or in the app. Finished results are kept in
a cache bounded in bytes (CACHE_BYTES), and so are the refusals of queries that ran too long.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from atlas import sandbox
from atlas.i18n import N_, _, language
from atlas.pages import MAX_SQL_CHARS  # noqa: F401 - the console's limit, read as console.MAX_SQL_CHARS

TIME_LIMIT_S = float(os.environ.get("ATLAS_CONSOLE_SECONDS", "10"))  # a query's time limit, then interrupted
ROW_LIMIT = 1_000  # rows shown (and downloaded) from one query
MEMORY_LIMIT = "640MB"  # DuckDB's own limit inside the worker, under the worker's hard limit
RESULT_BYTES = 4 * 2**20  # a result's Arrow size at most: 1,000 rows of 4 kB each
CACHE_BYTES = 64 * 2**20  # all cached results together
DOWNLOAD_BYTES = 256 * 2**20  # a whole-version download the page builds in memory, at most
WAIT_S = 20.0  # how long a query waits for a free worker before it is refused as busy
# the tables the console (and the whole-database download) holds: the facts and the load history,
# never the app's own records (saved views, the audit log) or anyone's e-mail address
SNAPSHOT_TABLES: dict[str, str] = {
    "people": "select * from people",
    "firms": "select * from firms",
    "moves": "select * from moves",
    "compensation": "select * from compensation",
    "approaches": "select * from approaches",
    "funding_rounds": "select * from funding_rounds",
    "round_investors": "select * from round_investors",
    "firm_events": "select * from firm_events",
    "headcounts": "select * from headcounts",
    "education": "select * from education",
    "sources": "select * from sources",
    "aliases": "select * from aliases",
    "fx_rates": "select * from fx_rates",
    "cpi": "select * from cpi",
    "uploads": "select * exclude (uploader_email) from uploads",
}
# table functions that read no file and reach nothing outside the query
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "generate_subscripts"})
# scalar functions that say something about the machine rather than the data, or write to its log;
# to these `check` adds every built-in macro that reads DuckDB's catalog (`catalog_macros`:
# pg_get_viewdef would show a view's SQL, with the snapshot's path in it)
DENIED_FUNCTIONS = frozenset(
    {
        "current_setting",
        "getvariable",
        "getenv",
        "current_database",
        "current_schema",
        "current_schemas",
        "in_search_path",
        "write_log",
    }
)
# what a macro's body reads when it reads the catalog: DuckDB's own table functions and settings
_CATALOG_WORDS = re.compile(r"\b(duckdb_\w+|pragma_\w+|current_setting|getvariable|getenv)\s*\(", re.IGNORECASE)
_STATEMENT_WORDS = {
    "COPY": N_("COPY writes files"),
    "ATTACH": N_("ATTACH opens another database"),
    "DETACH": N_("DETACH closes a database"),
    "LOAD": N_("INSTALL and LOAD add extensions"),
    "SET": N_("SET changes a setting"),
    "VARIABLE_SET": N_("SET changes a setting"),
    "PRAGMA": N_("PRAGMA changes or reads settings"),
    "CREATE": N_("CREATE makes a table or view"),
    "INSERT": N_("INSERT writes rows"),
    "UPDATE": N_("UPDATE changes rows"),
    "DELETE": N_("DELETE removes rows"),
    "DROP": N_("DROP removes a table"),
    "ALTER": N_("ALTER changes a table"),
    "EXPORT": N_("EXPORT writes files"),
    "TRANSACTION": N_("transactions are the console's own"),
    "EXPLAIN": N_("EXPLAIN shows a plan, not data"),
}


class Refused(ValueError):
    """A query the console will not run, or one it stopped; the message says why, for the analyst."""


class Stopped(Refused):
    """A query that ran and was stopped at a limit (time, memory, the result's size)."""


@dataclass(frozen=True)
class Result:
    """What one query gave: at most ROW_LIMIT rows, whether there were more, and how long it ran."""

    frame: pd.DataFrame
    truncated: bool
    seconds: float
    version: int
    held: int = 0  # its size as this process holds it (the cache counts this)
    as_text: tuple[str, ...] = ()  # columns shown as text: their values have no other form here


# ---------------------------------------------------------------- checking the text


_parser = duckdb.connect(":memory:")  # parses only: it holds no data
_parser_lock = threading.Lock()


def _walk_functions(
    node: object, table_functions: list[str], functions: list[str], tables: list[tuple[str, str, str]], ctes: set[str]
) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE" and "table_name" in node:
            tables.append(
                (str(node.get("catalog_name") or ""), str(node.get("schema_name") or ""), str(node["table_name"]))
            )
        if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
            table_functions.append(str(node["function"].get("function_name", "")).lower())
        elif node.get("class") == "FUNCTION" and "function_name" in node:
            functions.append(str(node["function_name"]).lower())
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            ctes.update(str(e.get("key", "")).lower() for e in cte_map.get("map", []) if isinstance(e, dict))
        for value in node.values():
            _walk_functions(value, table_functions, functions, tables, ctes)
    elif isinstance(node, list):
        for value in node:
            _walk_functions(value, table_functions, functions, tables, ctes)


@functools.cache
def _catalog_names() -> frozenset[str]:
    """Every relation an empty DuckDB answers to by itself (its catalog views: duckdb_*, pg_*,
    sqlite_master, information_schema's...): a query's own CTE may not take one of these names,
    so a name outside the CTE's scope can never reach the catalog through it."""
    with _parser_lock:
        rows = _parser.execute(
            "select lower(view_name) from duckdb_views() union select lower(table_name) from duckdb_tables()"
        ).fetchall()
    return frozenset(r[0] for r in rows) | {"sqlite_master", "sqlite_schema", "sqlite_temp_master"}


@functools.cache
def catalog_macros() -> frozenset[str]:
    """DuckDB's built-in macros that read its catalog or settings, directly or through another such
    macro or a denied function (pg_get_viewdef, pg_get_constraintdef, format_type, current_catalog...):
    read from DuckDB's own function list, so a macro a new version adds is covered without a word here."""
    with _parser_lock:
        rows = _parser.execute(
            "select lower(function_name), coalesce(macro_definition, '') from duckdb_functions() "
            "where function_type in ('macro', 'table_macro')"
        ).fetchall()
    denied = set(DENIED_FUNCTIONS)
    found: set[str] = set()
    while True:
        calls = re.compile(r"\b(" + "|".join(sorted(map(re.escape, denied))) + r")\s*\(", re.IGNORECASE)
        new = {
            name for name, body in rows if name not in denied and (_CATALOG_WORDS.search(body) or calls.search(body))
        }
        if not new:
            return frozenset(found)
        found |= new
        denied |= new


def check(text: str) -> str:
    """The query to run: exactly one read statement, with no table function that reaches outside
    the data; Refused (saying what is wrong and where) for anything else."""
    if not isinstance(text, str) or not text.strip():
        raise Refused(_("Write a query first, e.g. `select * from moves limit 10`."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(_("The query has bytes that are not UTF-8 text; paste it again as plain text.")) from None
    if "\x00" in text:
        raise Refused(_("The query contains a NUL character; paste it again as plain text."))
    if len(text) > MAX_SQL_CHARS:
        raise Refused(
            _("The query is {n:,} characters long; the console takes at most {MAX_SQL_CHARS:,}.").format(
                n=len(text), MAX_SQL_CHARS=MAX_SQL_CHARS
            )
        )
    sql = text.strip().rstrip(";").strip()
    with _parser_lock:
        try:
            statements = _parser.extract_statements(text)
        except duckdb.Error as exc:
            raise Refused(_("The query does not parse: {x}").format(x=_first_line(exc))) from None
        if len(statements) != 1:
            raise Refused(
                _("One statement at a time: this text has {n}. Run them one by one.").format(n=len(statements))
            )
        kind = statements[0].type.name
        if kind != "SELECT":
            reason = (
                _(_STATEMENT_WORDS[kind])
                if kind in _STATEMENT_WORDS
                else _("{kind} is not a read query").format(kind=kind)
            )
            raise Refused(
                _("Only read queries run here (SELECT, WITH ... SELECT): {reason}. Nothing was run.").format(
                    reason=reason
                )
            )
        try:
            tree = json.loads(_parser.execute("select json_serialize_sql($q)", {"q": sql}).fetchone()[0])
        except duckdb.Error as exc:
            raise Refused(_("The query does not parse: {x}").format(x=_first_line(exc))) from None
    if tree.get("error"):
        raise Refused(_("The query does not parse: {x}").format(x=tree.get("error_message", "unknown error")))
    table_functions: list[str] = []
    functions: list[str] = []
    tables: list[tuple[str, str, str]] = []
    ctes: set[str] = set()
    _walk_functions(tree, table_functions, functions, tables, ctes)
    for name in sorted(ctes & _catalog_names())[:1]:
        raise Refused(
            _("`{name}` is the name of a table of DuckDB's own catalog: give the query's part another name.").format(
                name=name[:80]
            )
        )
    for catalog, schema_name, name in tables:
        if any(sign in name for sign in ("/", "\\", ".", ":")):
            raise Refused(
                _("`{name}` names a file: the console reads the tables listed in its schema and nothing else.").format(
                    name=name[:80]
                )
            )
        known = name.lower() in SNAPSHOT_TABLES or (name.lower() in ctes and not schema_name)
        if not known or schema_name.lower() not in ("", "main") or catalog.lower() not in ("", "memory"):
            whole = ".".join(p for p in (catalog, schema_name, name) if p)
            raise Refused(
                _(
                    "`{name}` is not one of the console's tables. It reads only the data's own tables ({tables}): "
                    "DuckDB's catalog (information_schema, pg_catalog, duckdb_*, sqlite_master) and the server's "
                    "settings are not shown here."
                ).format(name=whole[:80], tables=", ".join(SNAPSHOT_TABLES))
            )
    for name in table_functions:
        if name not in SAFE_TABLE_FUNCTIONS:
            raise Refused(
                _(
                    "`{name}(...)` is not available here: the console reads the tables listed in its schema "
                    "and nothing else (no files, no network, no settings)."
                ).format(name=name)
            )
    for name in functions:
        if name in DENIED_FUNCTIONS or name in catalog_macros():
            raise Refused(
                _("`{name}(...)` is not available here: it describes the server, not the data.").format(name=name)
            )
    return sql


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    for prefix in ("Parser Error: ", "Binder Error: ", "Catalog Error: "):
        text = text.removeprefix(prefix)
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------- the snapshot of a data version


_snapshot_lock = threading.Lock()


def snapshot_root(db_path: Path) -> Path:
    """Where the Parquet snapshots of a database's versions live: `<database>.explore/`."""
    return db_path.with_name(db_path.name + ".explore")


def snapshot(con: duckdb.DuckDBPyConnection, db_path: Path) -> tuple[int, Path]:
    """The data version now and the folder holding its tables as Parquet, written on first use
    (one transaction, so every file is of one version); older versions' folders are removed."""
    from atlas import db

    root = snapshot_root(db_path)
    with _snapshot_lock:
        cur = con.cursor()
        try:
            cur.execute("begin transaction")
            try:
                version = db.data_version(cur)
                folder = root / f"v{version}"
                if not (folder / "done").is_file():
                    # a folder of this process's own: several server processes (atlas.snapshots)
                    # may write the same version at once; the first to finish publishes it
                    work = root / f"v{version}.partial-{os.getpid()}"
                    shutil.rmtree(work, ignore_errors=True)
                    work.mkdir(parents=True)
                    for table, select in SNAPSHOT_TABLES.items():
                        target = str(work / f"{table}.parquet")
                        cur.execute(f"copy ({select}) to '{_quoted_path(target)}' (format parquet, compression zstd)")
                    (work / "done").write_text(str(version), encoding="utf-8")
                    if folder.exists() and not (folder / "done").is_file():
                        shutil.rmtree(folder, ignore_errors=True)
                    try:
                        work.rename(folder)
                    except OSError:  # another process published this version first: the same files
                        shutil.rmtree(work, ignore_errors=True)
            finally:
                cur.execute("rollback")
        finally:
            cur.close()
        for old in root.glob("v*"):
            if old == folder:
                continue
            try:
                writer = old.name.rpartition(".partial-")[2]
                if ".partial-" in old.name and sandbox.alive(int(writer)) and time.time() - old.stat().st_mtime < 3600:
                    continue  # another process's copy being written (or this one's, for a newer version)
            except (FileNotFoundError, ValueError):
                continue  # removed by another process meanwhile
            _forget(old)
            shutil.rmtree(old, ignore_errors=True)
    return version, folder


def _quoted_path(path: str) -> str:
    # a path of our own making (the database's folder and a table name), quoted as a SQL string:
    # COPY takes no bound parameter for its target
    return path.replace("'", "''")


# ---------------------------------------------------------------- the console's own database


_consoles: dict[Path, duckdb.DuckDBPyConnection] = {}
_consoles_lock = threading.Lock()
_pool = sandbox.Pool()


def _forget(folder: Path) -> None:
    with _consoles_lock:
        con = _consoles.pop(folder, None)
    if con is not None:
        con.close()


def console_for(folder: Path) -> duckdb.DuckDBPyConnection:
    """The locked-down in-memory database whose tables are views over one snapshot's files, in
    this process (the workers build the same one: `atlas.sandbox.locked_connection`)."""
    with _consoles_lock:
        con = _consoles.get(folder)
        if con is None:
            con = _consoles[folder] = sandbox.locked_connection(folder, list(SNAPSHOT_TABLES), MEMORY_LIMIT)
        return con


def _without_paths(text: str, folder: Path) -> str:
    """A message with no server path in it: the snapshot's folder and the app's own folder are
    named by what they are."""
    for path, name in ((str(folder.resolve()), "<data version>"), (str(folder.parent.parent.resolve()), "<server>")):
        text = text.replace(path, name)
    return text


def run(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    text: str,
    *,
    time_limit: float = TIME_LIMIT_S,
    row_limit: int = ROW_LIMIT,
    byte_limit: int = RESULT_BYTES,
) -> Result:
    """Check `text`, then run it in a worker process on the current data version's snapshot: at
    most `row_limit` rows and `byte_limit` bytes come back, and the worker is killed at `time_limit`."""
    sql = check(text)
    version, folder = snapshot(con, db_path)
    request = {
        "folder": str(folder.resolve()),
        "tables": list(SNAPSHOT_TABLES),
        "memory": MEMORY_LIMIT,
        "sql": sql,
        "rows": int(row_limit),
        "bytes": int(byte_limit),
    }
    started = time.perf_counter()
    answer = _pool.run(request, time_limit, WAIT_S)
    if answer.error == "time":
        raise Stopped(
            _(
                "Stopped after {time_limit:.0f} s: the console's time limit. Narrow the query (a filter, a limit, "
                "fewer joins) and run it again. Nothing was changed."
            ).format(time_limit=time_limit)
        )
    if answer.error == "memory":
        raise Stopped(
            _(
                "Stopped: the query needed more than the console's {limit} of memory. Aggregate or filter before "
                "joining large tables. Nothing was changed."
            ).format(limit=f"{sandbox.HARD_MEMORY_BYTES // 2**20:,} MB")
        )
    if answer.error == "bytes":
        raise Stopped(_too_large(byte_limit, row_limit))
    if answer.error == "busy":
        raise Refused(
            _("The console is busy with other analysts' queries; run it again in a few seconds. Nothing was run.")
        )
    if answer.error == "permission":
        raise Refused(_("Not available here: the console reads the tables in its schema and nothing else."))
    if answer.error:
        raise Refused(_("The query failed: {error}").format(error=_without_paths(_first_line(answer.message), folder)))
    import pyarrow as pa

    table = pa.ipc.open_stream(answer.arrow).read_all()
    # the worker measured it; measured again here, where it is held, so a worker's word is not the cap
    held = sandbox.table_held_bytes(table)
    if held > byte_limit:
        raise Stopped(_too_large(byte_limit, row_limit))
    frame = table.to_pandas()
    return Result(frame, answer.truncated, time.perf_counter() - started, version, held, answer.as_text)


def _too_large(byte_limit: int, row_limit: int) -> str:
    return _(
        "The result is larger than the console shows ({limit} for at most {rows:,} rows, counted as the page "
        "holds it): select fewer or smaller columns, or aggregate (a list of millions of values is one such "
        "cell). Nothing was changed."
    ).format(limit=f"{byte_limit / 2**20:,.0f} MB", rows=row_limit)


class _Cache:
    """Finished results and time-limit refusals per (data version, query), least recently used
    first out, bounded in bytes rather than in entries (one result may be 4 MB, another 40 bytes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: dict[tuple, tuple[object, int]] = {}
        self._lock = threading.Lock()
        self.size = 0

    def get(self, key: tuple) -> object | None:
        with self._lock:
            item = self._items.pop(key, None)
            if item is not None:
                self._items[key] = item  # most recent last
            return None if item is None else item[0]

    def put(self, key: tuple, value: object, size: int) -> None:
        if size > self.limit:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._items[key] = (value, size)
            self.size += size
            while self.size > self.limit:
                _k, (_v, n) = next(iter(self._items.items()))
                del self._items[_k]
                self.size -= n


_results = _Cache(CACHE_BYTES)


def cached_run(con: duckdb.DuckDBPyConnection, db_path: Path, text: str, version: tuple[int, int]) -> Result:
    """`run`, remembered per data version and text in a cache bounded in bytes; a query stopped at
    the time or memory limit is remembered too, so a link that reruns it costs one run."""
    key = (str(db_path), version, text, language())
    hit = _results.get(key)
    if hit is None:
        try:
            hit = run(con, db_path, text)
        except Stopped as exc:
            _results.put(key, exc, len(str(exc)) + 200)
            raise
        # counted in what it holds: pandas' own count sees a nested cell as one pointer
        _results.put(key, hit, max(hit.held, int(hit.frame.memory_usage(deep=True).sum())) + 200)
    if isinstance(hit, Stopped):
        raise hit
    return hit


def schema(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every table the console holds with its columns and types (from the app's database, which
    the snapshot copies column for column)."""
    cur = con.cursor()
    try:
        return cur.execute(
            "select table_name as table, column_name as column, data_type as type from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main' and list_contains($t, table_name) "
            "and not (table_name = 'uploads' and column_name = 'uploader_email') "
            "order by list_position($t, table_name), column_index",
            {"t": list(SNAPSHOT_TABLES)},
        ).fetch_df()
    finally:
        cur.close()


EXAMPLES: dict[str, str] = {
    # (the first example returned no row on the seed, whose moves are mostly dated to the year)
    N_("People who moved more than once, their firms in order"): (
        "select p.name, p.name_zh, count(*) as n_moves,\n"
        "    string_agg(coalesce(t.name, '?'), ' → ' order by m.seq nulls last, m.moved_on) as joined_in_order\n"
        "from moves as m\n"
        "join people as p using (person_id)\n"
        "left join firms as t on t.firm_id = m.to_firm_id\n"
        "group by p.name, p.name_zh\n"
        "having count(*) >= 2\n"
        "order by n_moves desc, p.name"
    ),
    N_("Moves per certainty"): (
        "select certainty, count(*) as n_moves\nfrom moves\ngroup by certainty\norder by n_moves desc"
    ),
    N_("Largest pay figures in US dollars, with their source"): (
        "select p.name, c.kind, c.amount_high, c.currency,\n"
        "    round(c.amount_high * fx.usd_per_unit) as usd_high, s.publisher, s.title\n"
        "from compensation as c\n"
        "left join people as p on p.person_id = c.person_id\n"
        "join sources as s on s.source_id = c.source_id\n"
        "left join fx_rates as fx on fx.currency = c.currency and fx.year = year(c.reported_on)\n"
        "order by usd_high desc nulls last\n"
        "limit 20"
    ),
    N_("Rounds per year"): (
        "select year(announced_on) as year, count(*) as n_rounds\nfrom funding_rounds\n"
        "where announced_on is not null\ngroup by year\norder by year"
    ),
}


def database_file(con: duckdb.DuckDBPyConnection, db_path: Path) -> Path:
    """The data version's tables in one DuckDB file (`talent-atlas-v<N>.duckdb` beside its
    Parquet files), made from the snapshot on first use."""
    version, folder = snapshot(con, db_path)
    target = folder / f"talent-atlas-v{version}.duckdb"
    with _snapshot_lock:
        if not target.is_file():
            work = folder / f"database.partial-{os.getpid()}"  # several server processes: one each
            work.unlink(missing_ok=True)
            out = duckdb.connect(str(work))
            try:
                for table in SNAPSHOT_TABLES:
                    path = _quoted_path(str(folder / f"{table}.parquet"))
                    out.execute(f"create table {table} as select * from read_parquet('{path}')")
            finally:
                out.close()
            os.replace(work, target)  # another process's identical file, if any, is replaced whole
    return target


def snapshot_bytes(folder: Path) -> int:
    """The size of a snapshot's Parquet files together (what the whole-version zip holds)."""
    return sum((folder / f"{table}.parquet").stat().st_size for table in SNAPSHOT_TABLES)


def existing_snapshot(con: duckdb.DuckDBPyConnection, db_path: Path) -> Path | None:
    """The current data version's snapshot folder if it is written already (no copy is made)."""
    from atlas import db

    folder = snapshot_root(db_path) / f"v{db.data_version(con)}"
    return folder if (folder / "done").is_file() else None


def too_large_text(size: int) -> str:
    """Why a version is not offered as one download in the page, and how to get it instead."""
    return _(
        "This data version's tables come to {mb:,.0f} MB as Parquet, more than the page builds as one download "
        "({limit:,.0f} MB). Whoever runs the server writes the same files with `python -m atlas snapshot --out "
        "FOLDER`; or read what you need here with the table browser and the SQL console."
    ).format(mb=size / 2**20, limit=DOWNLOAD_BYTES / 2**20)
