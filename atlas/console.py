"""The read-only SQL console: text from anyone who can open a link, run where it can do no harm.

A query never runs on the app's database. Each data version is written once as Parquet files
(`snapshot`, the same files the whole-database download zips), and the console is a separate
in-memory DuckDB whose tables are views over those files. That database may read only the
snapshot's folder (`allowed_directories`, then `enable_external_access = false`), loads and
installs no extension, and its configuration is locked before the first query, so no `SET`
or `PRAGMA` can undo any of it. On top of that the text itself is checked before it runs:
one statement, a read query (`SELECT`, `WITH`, `VALUES`...), no table function but a few that
read no file (`range`, `unnest`...). Each query runs on a cursor of its own with a time limit
(interrupted), a row limit on what comes back, and the database's memory limit, on one thread
so the app keeps its other core for everyone else.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from atlas.i18n import N_, _

MAX_SQL_CHARS = 20_000  # a query's text; a 100 kB text is refused before it is parsed
TIME_LIMIT_S = float(os.environ.get("ATLAS_CONSOLE_SECONDS", "10"))  # a query's time limit, then interrupted
ROW_LIMIT = 1_000  # rows shown (and downloaded) from one query
MEMORY_LIMIT = "768MB"  # beside the app's own 2.5 GB (db.MEMORY_LIMIT): the process stays under 4 GB
# the tables the console (and the whole-database download) holds: the facts and the load history,
# never the app's own records (saved views, the audit log) or anyone's e-mail address
SNAPSHOT_TABLES: dict[str, str] = {
    "people": "select * from people",
    "firms": "select * from firms",
    "moves": "select * from moves",
    "compensation": "select * from compensation",
    "funding_rounds": "select * from funding_rounds",
    "round_investors": "select * from round_investors",
    "education": "select * from education",
    "sources": "select * from sources",
    "aliases": "select * from aliases",
    "fx_rates": "select * from fx_rates",
    "cpi": "select * from cpi",
    "uploads": "select * exclude (uploader_email) from uploads",
}
# table functions that read no file and reach nothing outside the query
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "generate_subscripts"})
# scalar functions that say something about the machine rather than the data
DENIED_FUNCTIONS = frozenset({"current_setting", "getvariable", "getenv", "current_database", "current_schema"})
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


@dataclass(frozen=True)
class Result:
    """What one query gave: at most ROW_LIMIT rows, whether there were more, and how long it ran."""

    frame: pd.DataFrame
    truncated: bool
    seconds: float
    version: int


# ---------------------------------------------------------------- checking the text


_parser = duckdb.connect(":memory:")  # parses only: it holds no data
_parser_lock = threading.Lock()


def _walk_functions(node: object, table_functions: list[str], functions: list[str], tables: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE" and "table_name" in node:
            tables.append(str(node["table_name"]))
        if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
            table_functions.append(str(node["function"].get("function_name", "")).lower())
        elif node.get("class") == "FUNCTION" and "function_name" in node:
            functions.append(str(node["function_name"]).lower())
        for value in node.values():
            _walk_functions(value, table_functions, functions, tables)
    elif isinstance(node, list):
        for value in node:
            _walk_functions(value, table_functions, functions, tables)


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
    tables: list[str] = []
    _walk_functions(tree, table_functions, functions, tables)
    for name in tables:
        if any(sign in name for sign in ("/", "\\", ".", ":")):
            raise Refused(
                _("`{name}` names a file: the console reads the tables listed in its schema and nothing else.").format(
                    name=name[:80]
                )
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
        if name in DENIED_FUNCTIONS:
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
                    work = root / f"v{version}.partial"
                    shutil.rmtree(work, ignore_errors=True)
                    work.mkdir(parents=True)
                    for table, select in SNAPSHOT_TABLES.items():
                        target = str(work / f"{table}.parquet")
                        cur.execute(f"copy ({select}) to '{_quoted_path(target)}' (format parquet, compression zstd)")
                    (work / "done").write_text(str(version), encoding="utf-8")
                    shutil.rmtree(folder, ignore_errors=True)
                    work.rename(folder)
            finally:
                cur.execute("rollback")
        finally:
            cur.close()
        for old in root.glob("v*"):
            if old != folder and old.name != f"v{version}.partial":
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


def _forget(folder: Path) -> None:
    with _consoles_lock:
        con = _consoles.pop(folder, None)
    if con is not None:
        con.close()


def console_for(folder: Path) -> duckdb.DuckDBPyConnection:
    """The locked-down in-memory database whose tables are views over one snapshot's files."""
    with _consoles_lock:
        con = _consoles.get(folder)
        if con is not None:
            return con
        con = duckdb.connect(
            ":memory:",
            config={
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "memory_limit": MEMORY_LIMIT,
                "threads": 1,
                "max_temp_directory_size": "0KB",
            },
        )
        con.execute("set allowed_directories = $dirs", {"dirs": [str(folder.resolve()) + "/"]})
        con.execute("set enable_external_access = false")
        for table in SNAPSHOT_TABLES:
            path = _quoted_path(str((folder / f"{table}.parquet").resolve()))
            con.execute(f"create view {table} as select * from read_parquet('{path}')")
        con.execute("set lock_configuration = true")
        _consoles[folder] = con
        return con


def run(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    text: str,
    *,
    time_limit: float = TIME_LIMIT_S,
    row_limit: int = ROW_LIMIT,
) -> Result:
    """Check `text`, then run it on the console's database of the current data version."""
    sql = check(text)
    version, folder = snapshot(con, db_path)
    cur = console_for(folder).cursor()
    timer = threading.Timer(time_limit, cur.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        # the row limit is applied by the database (the text was checked to be one read query,
        # and the wrapped text is one read query again: a newline ends any trailing comment)
        cur.execute(f"select * from (\n{sql}\n) limit {int(row_limit) + 1}")
        frame = cur.fetch_df()
    except duckdb.InterruptException:
        raise Refused(
            _(
                "Stopped after {time_limit:.0f} s: the console's time limit. Narrow the query (a filter, a limit, "
                "fewer joins) and run it again. Nothing was changed."
            ).format(time_limit=time_limit)
        ) from None
    except duckdb.OutOfMemoryException:
        raise Refused(
            _(
                "Stopped: the query needed more than the console's {limit} of memory. Aggregate or filter before "
                "joining large tables. Nothing was changed."
            ).format(limit=MEMORY_LIMIT)
        ) from None
    except duckdb.PermissionException:
        raise Refused(_("Not available here: the console reads the tables in its schema and nothing else.")) from None
    except duckdb.Error as exc:
        raise Refused(_("The query failed: {error}").format(error=_first_line(exc))) from None
    finally:
        timer.cancel()
        cur.close()
    seconds = time.perf_counter() - started
    truncated = len(frame) > row_limit
    return Result(frame.head(row_limit), truncated, seconds, version)


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
    N_("People who moved twice within a year"): (
        "with dated as (\n"
        "    select person_id, moved_on,\n"
        "        lead(moved_on) over (partition by person_id order by moved_on) as next_move\n"
        "    from moves where moved_on is not null\n"
        ")\n"
        "select p.name, p.name_zh, d.moved_on, d.next_move\n"
        "from dated as d join people as p using (person_id)\n"
        "where d.next_move <= d.moved_on + interval 1 year\n"
        "order by d.moved_on"
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
            work = folder / "database.partial"
            work.unlink(missing_ok=True)
            out = duckdb.connect(str(work))
            try:
                for table in SNAPSHOT_TABLES:
                    path = _quoted_path(str(folder / f"{table}.parquet"))
                    out.execute(f"create table {table} as select * from read_parquet('{path}')")
            finally:
                out.close()
            work.rename(target)
    return target
