"""Validate CSV files against the data model and commit them in one transaction.

Everything runs inside DuckDB: each file is read once into a staging table of text
columns, every rule is one SQL check over it, and the commit is a set of
INSERT ... SELECT statements. Values are only ever bound as parameters; the column
names that appear in the generated SQL come from `atlas.model`, never from a file.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from atlas.model import TABLES, TABLES_BY_NAME, Column, Table

SLUG_RE = "[a-z0-9][a-z0-9._-]*"
DATE_RE = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
TRUE_WORDS = ["true", "t", "yes", "y", "1"]
BOOL_WORDS = [*TRUE_WORDS, "false", "f", "no", "n", "0"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is (file, spreadsheet row, column) and why."""

    table: str
    line: int | None  # the row number a spreadsheet shows (the header is row 1)
    column: str | None
    value: str | None
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = self.file or self.table
        if self.line is not None:
            where += f", row {self.line}"
        if self.column:
            where += f", column {self.column}"
        shown = f" (value: {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


@dataclass
class LoadResult:
    """What a load did: the problems found, or the rows committed per table."""

    problems: list[Problem] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    upload_id: int | None = None
    # per table: rows new, changed, unchanged and (replace) removed
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    # (table, row, key, column, old, new) for every field an upsert or replace changes
    diff: list[tuple] = field(default_factory=list)
    # seconds per phase: read, check, compare, write, derive, commit (for the benchmark)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong (and, unless a dry run, everything was committed)."""
        return not self.problems


class LoadError(Exception):
    """Raised when an input is rejected; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s):\n{lines}{more}")


def _text(col: str) -> str:
    return f"nullif(trim({col}), '')"


def _number(col: str) -> str:
    # 100000000, 100,000,000 and 1e8 all mean the same amount
    return f"try_cast(replace(trim({col}), ',', '') as double)"


def date_value_sql(col: str) -> str:
    """SQL turning a YYYY, YYYY-MM or YYYY-MM-DD text column into the first day it covers."""
    v = f"trim({col})"
    return (
        f"case when regexp_full_match({v}, '[0-9]{{4}}') then make_date({v}::integer, 1, 1) "
        f"when regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}') "
        f"then try_strptime({v} || '-01', '%Y-%m-%d')::date "
        f"when regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
        f"then try_strptime({v}, '%Y-%m-%d')::date end"
    )


def date_precision_sql(col: str) -> str:
    """SQL giving the precision ('year', 'month', 'day') of a partial-date text column."""
    v = f"trim({col})"
    return (
        f"case when {date_value_sql(col)} is null then null "
        f"when length({v}) = 4 then 'year' when length({v}) = 7 then 'month' else 'day' end"
    )


def _value_sql(c: Column) -> list[tuple[str, str]]:
    """(target column, SQL expression over the staged text) pairs for one CSV column."""
    if c.type == "date":
        return [(c.name, date_value_sql(c.name)), (f"{c.name}_precision", date_precision_sql(c.name))]
    if c.type == "int":
        return [(c.name, f"try_cast(trim({c.name}) as integer)")]
    if c.type == "number":
        return [(c.name, _number(c.name))]
    if c.type == "bool":
        return [(c.name, f"coalesce(lower(trim({c.name})) in ('true', 't', 'yes', 'y', '1'), false)")]
    return [(c.name, _text(c.name))]


def _type_check(c: Column) -> tuple[str, str] | None:
    """(SQL that is true for a bad non-empty value, message) for one column's type."""
    v = f"trim({c.name})"
    if c.type == "slug":
        return f"not regexp_full_match({v}, '{SLUG_RE}')", (
            "not a valid id: use lowercase letters, digits, '.', '_' or '-' (like mu-li)"
        )
    if c.type == "int":
        return f"try_cast({v} as integer) is null", "not a whole number"
    if c.type == "number":
        return f"{_number(c.name)} is null", "not a number"
    if c.type == "bool":
        return f"lower({v}) not in ({', '.join(repr(w) for w in BOOL_WORDS)})", "not true or false"
    if c.type == "enum":
        allowed = ", ".join(c.choices)
        return f"not list_contains(${c.name}_choices, {v})", f"not one of: {allowed}"
    if c.type == "date":
        return f"{date_value_sql(c.name)} is null", "not a date: use YYYY, YYYY-MM or YYYY-MM-DD"
    if c.type == "country":
        return f"not regexp_full_match({v}, '[A-Z]{{2}}')", "not an ISO 3166-1 alpha-2 country code (like CN)"
    if c.type == "currency":
        return f"not regexp_full_match({v}, '[A-Z]{{3}}')", "not an ISO 4217 currency code (like USD)"
    return None


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("select count(*) from duckdb_tables() where table_name = $name", {"name": name}).fetchall()
    return rows[0][0] > 0


def stage_file(con: duckdb.DuckDBPyConnection, table: Table, path: Path, label: str = "") -> list[Problem]:
    """Read one CSV into the staging table `stage_<table>`, all columns as text.

    Returns the file-level problems (unreadable, missing or unknown columns); rows are
    checked later by `check_staged`.
    """
    label = label or path.name
    stage = f"stage_{table.name}"
    con.execute(f"drop table if exists {stage}")
    try:
        if not path.read_bytes().strip():
            return [Problem(table.name, None, None, None, "the file is empty", label)]
    except OSError as exc:
        return [Problem(table.name, None, None, None, f"cannot be read: {exc.strerror}", label)]
    try:
        con.execute(
            f"create temp table {stage}_raw as select * from read_csv($path, all_varchar = true, "
            "header = true, auto_detect = true, sample_size = -1, null_padding = false)",
            {"path": str(path)},
        )
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        return [Problem(table.name, None, None, None, f"cannot be read as CSV: {reason}", label)]
    header = [r[0] for r in con.execute(f"describe {stage}_raw").fetchall()]
    normalized = {h.strip().lower().lstrip("\ufeff"): h for h in header}
    problems = []
    for name in set(normalized) - set(table.column_names):
        problems.append(Problem(table.name, 1, name, None, "unknown column for this table", label))
    for c in table.columns:
        if c.required and c.name not in normalized:
            problems.append(Problem(table.name, 1, c.name, None, "required column is missing", label))
    if problems:
        con.execute(f"drop table {stage}_raw")
        return problems
    # Present columns are renamed to their model name; absent optional ones become NULL.
    # Identifiers are quoted from the file's own header only after it matched the model.
    select = ", ".join(
        f'"{normalized[c.name]}" as {c.name}' if c.name in normalized else f"null::varchar as {c.name}"
        for c in table.columns
    )
    con.execute(
        f"create temp table {stage} as select (row_number() over ())::bigint + 1 as _line, {select} from {stage}_raw"
    )
    con.execute(f"drop table {stage}_raw")
    n = con.execute(f"select count(*) from {stage}").fetchall()[0][0]
    if n == 0:
        return [Problem(table.name, None, None, None, "has a header but no rows", label)]
    return []


def check_staged(
    con: duckdb.DuckDBPyConnection, table: Table, staged: set[str], mode: str, label: str = ""
) -> list[Problem]:
    """Every row-level problem of `stage_<table>`, checked in SQL against the model and database."""
    stage = f"stage_{table.name}"
    branches: list[str] = []
    params: dict[str, object] = {}
    messages: list[str] = []

    def msg(text: str) -> int:
        # Messages stay in Python; the SQL only carries their index.
        messages.append(text)
        return len(messages) - 1

    for c in table.columns:
        nonempty = f"nullif(trim({c.name}), '') is not null"
        if c.required and c.name != "source_id" or c.name == "source_id" and table.name == "sources":
            # a fact row without a source_id gets the upload itself as its source
            branches.append(
                f"select _line, '{c.name}', {c.name}, {msg('required value is empty')} "
                f"from {stage} where not ({nonempty})"
            )
        check = _type_check(c)
        if check:
            sql, message = check
            branches.append(
                f"select _line, '{c.name}', {c.name}, {msg(message)} from {stage} where {nonempty} and {sql}"
            )
            if c.type == "enum":
                params[f"{c.name}_choices"] = list(c.choices)
        if c.type == "number":
            branches.append(
                f"select _line, '{c.name}', {c.name}, {msg('negative amount')} from {stage} where {_number(c.name)} < 0"
            )
        if c.ref:
            ref = TABLES_BY_NAME[c.ref]
            key = ref.key[0]
            known = [f"select {key} from {ref.name}"]
            if ref.name in staged:
                known.append(f"select trim({key}) from stage_{ref.name}")
            branches.append(
                f"select _line, '{c.name}', {c.name}, {msg(f'refers to an unknown {ref.name} id')} from {stage} "
                f"where {nonempty} and trim({c.name}) not in ({' union all '.join(known)})"
            )
    key_sql = " || chr(31) || ".join(f"coalesce(trim({k}), '')" for k in table.key)
    key_name = ", ".join(table.key)
    branches.append(
        f"select _line, '{key_name}', {key_sql}, {msg('duplicate id within the file')} from "
        f"(select _line, {key_sql} as k, {', '.join(table.key)}, count(*) over (partition by {key_sql}) as n "
        f"from {stage}) where n > 1"
    )
    if mode == "append":
        db_key = " || chr(31) || ".join(f"coalesce({k}::varchar, '')" for k in table.key)
        branches.append(
            f"select _line, '{key_name}', {key_sql}, {msg('id already exists in the database')} from {stage} "
            f"where {key_sql} in (select {db_key} from {table.name})"
        )
    for sql, message in _row_rules(table, staged):
        branches.append(sql.replace("$MSG", str(msg(message))))
    sql = " union all ".join(f"({b})" for b in branches) + " order by 1, 2 limit 100000"
    rows = con.execute(sql, params).fetchall()
    return [Problem(table.name, r[0], r[1], r[2], messages[r[3]], label) for r in rows]


def _row_rules(table: Table, staged: set[str]) -> list[tuple[str, str]]:
    """Checks that span columns of a row, beyond one column's type."""
    stage = f"stage_{table.name}"
    if table.name == "compensation":
        return [
            (
                f"select _line, 'amount_low', amount_low || ' > ' || amount_high, $MSG "
                f"from {stage} where {_number('amount_low')} > {_number('amount_high')}",
                "amount_low is above amount_high",
            )
        ]
    if table.name == "moves":
        return [
            (
                f"select _line, 'to_firm_id', to_firm_id, $MSG "
                f"from {stage} where nullif(trim(to_firm_id), '') is null and trim(move_type) <> 'left'",
                "destination firm is required unless move_type is left",
            )
        ]
    if table.name == "education":
        universities = ["select firm_id from firms where kind = 'university'"]
        if "firms" in staged:
            universities.append("select trim(firm_id) from stage_firms where trim(kind) = 'university'")
        known = ["select firm_id from firms"] + (["select trim(firm_id) from stage_firms"] if "firms" in staged else [])
        return [
            (
                f"select _line, 'institution_id', institution_id, $MSG "
                f"from {stage} where trim(institution_id) in ({' union all '.join(known)}) "
                f"and trim(institution_id) not in ({' union all '.join(universities)})",
                "institution is not a firm of kind university",
            )
        ]
    return []


def _currency_rules(staged: set[str]) -> list[str]:
    # Rows come back as (table, line, column, value); the message is the same for all.
    """Currencies of pay figures and rounds must have exchange rates (in the database or the upload)."""
    known = ["select currency from fx_rates"]
    if "fx_rates" in staged:
        known.append("select trim(currency) from stage_fx_rates")
    out = []
    for name in ("compensation", "funding_rounds"):
        if name in staged:
            out.append(
                f"select '{name}', _line, 'currency', currency "
                f"from stage_{name} where regexp_full_match(trim(currency), '[A-Z]{{3}}') "
                f"and trim(currency) not in ({' union all '.join(known)})"
            )
    return out


MODES = ("append", "upsert", "replace")  # the modes an analyst picks; each can be undone
# A row's key as one text value, for the undo log and the diff.
_KEY_SEP = " · "


def _key_text(table: Table, alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return f" || '{_KEY_SEP}' || ".join(f"coalesce({a}{k}::varchar, '')" for k in table.key)


def _typed(con: duckdb.DuckDBPyConnection, table: Table, upload_source: str) -> None:
    """`typed_<table>`: the staged text turned into the table's types, as it would be stored.

    A row without a source gets the upload itself as its source.
    """
    pairs = [p for c in table.columns for p in _value_sql(c)]
    exprs = []
    for target, expr in pairs:
        if target == "source_id" and table.name != "sources":
            expr = f"coalesce({expr}, $upload_source)"
        exprs.append(f"{expr} as {target}")
    con.execute(
        f"create or replace temp table typed_{table.name} as select _line, {', '.join(exprs)} from stage_{table.name}",
        {"upload_source": upload_source} if "$upload_source" in " ".join(exprs) else None,
    )


def _targets(table: Table) -> list[str]:
    return [t for c in table.columns for t, _ in _value_sql(c)]


def _join(table: Table, left: str, right: str) -> str:
    return " and ".join(f"{left}.{k} = {right}.{k}" for k in table.key)


def _changed(table: Table, new: str, old: str) -> str:
    others = [t for t in _targets(table) if t not in table.key]
    return " or ".join(f"{new}.{t} is distinct from {old}.{t}" for t in others) or "false"


def _undo_table(con: duckdb.DuckDBPyConnection, table: Table) -> str:
    """`undo_<table>`: rows as they were before an upload changed them, and keys it inserted."""
    name = f"undo_{table.name}"
    con.execute(
        f"create table if not exists {name} as select 0::integer as undo_upload_id, ''::varchar as undo_action, * "
        f"from {table.name} limit 0"
    )
    return name


def summarize_changes(con: duckdb.DuckDBPyConnection, table: Table, mode: str) -> dict[str, int]:
    """How many rows of typed_<table> are new, changed or unchanged, and (replace) how many go."""
    t, n = table.name, f"typed_{table.name}"
    row = con.execute(
        f"""select count(*) filter (where o.{table.key[0]} is null),
                   count(*) filter (where o.{table.key[0]} is not null and ({_changed(table, "n", "o")})),
                   count(*) filter (where o.{table.key[0]} is not null and not ({_changed(table, "n", "o")}))
            from {n} n left join {t} o on {_join(table, "n", "o")}"""
    ).fetchall()[0]
    removed = 0
    if mode == "replace":
        removed = con.execute(
            f"select count(*) from {t} o where not exists (select 1 from {n} n where {_join(table, 'n', 'o')})"
        ).fetchall()[0][0]
    return {"new": row[0], "changed": row[1], "unchanged": row[2], "removed": removed}


def field_diff(con: duckdb.DuckDBPyConnection, table: Table, limit: int = 2000) -> list[tuple]:
    """(table, row, key, column, old value, new value) for every field an upsert would change."""
    others = [t for t in _targets(table) if t not in table.key and not t.endswith("_precision")]
    if not others:
        return []
    branches = [
        f"select n._line, {_key_text(table, 'n')} as k, '{c}' as col, o.{c}::varchar as old, n.{c}::varchar as new "
        f"from typed_{table.name} n join {table.name} o on {_join(table, 'n', 'o')} "
        f"where n.{c} is distinct from o.{c}"
        for c in others
    ]
    rows = con.execute(" union all ".join(f"({b})" for b in branches) + f" order by 1, 3 limit {limit}").fetchall()
    return [(table.name, *r) for r in rows]


def _write(con: duckdb.DuckDBPyConnection, table: Table, mode: str, upload_id: int) -> None:
    """Apply typed_<table> to the table, logging what undo needs into undo_<table>."""
    t, n = table.name, f"typed_{table.name}"
    undo = _undo_table(con, table)
    cols = ", ".join(_targets(table))
    keys = ", ".join(table.key)
    if _count(con, t) == 0:
        # into an empty table every row is new, and undoing it empties the table again: one
        # marker row in the log instead of every key (an upload is undone only while it is the
        # latest in effect, so the table then holds its rows and no other)
        con.execute(f"insert into {undo} (undo_upload_id, undo_action) values ($id, 'inserted_all')", {"id": upload_id})
        if t == "firms":
            _insert_firms(con, f"select * from {n}")
        else:
            con.execute(f"insert into {t} ({cols}) select {cols} from {n}")  # typed_ is in file order
        return
    new_rows = f"select * from {n} n where not exists (select 1 from {t} o where {_join(table, 'n', 'o')})"
    con.execute(
        f"insert into {undo} (undo_upload_id, undo_action, {keys}) select $id, 'inserted', {keys} from ({new_rows})",
        {"id": upload_id},
    )
    if mode in ("upsert", "replace"):
        changed = f"select o.* from {t} o join {n} n on {_join(table, 'n', 'o')} where {_changed(table, 'n', 'o')}"
        con.execute(f"insert into {undo} select $id, 'before', * from ({changed})", {"id": upload_id})
    if t == "firms":
        _insert_firms(con, new_rows)
    else:
        con.execute(f"insert into {t} ({cols}) select {cols} from ({new_rows}) order by _line")
    if mode in ("upsert", "replace"):
        _update_columns(con, table, n)


def _update_columns(con: duckdb.DuckDBPyConnection, table: Table, source: str) -> None:
    """Set each non-key column from `source` (rows with the table's key) where it differs.

    One column at a time and only where it changes: DuckDB rewrites a row whose foreign-key
    column is set as a delete and insert, which a row other tables refer to cannot survive,
    so a column is never set to the value it already has.
    """
    for c in _targets(table):
        if c in table.key:
            continue
        con.execute(
            f"update {table.name} o set {c} = n.{c} from {source} n "
            f"where {_join(table, 'n', 'o')} and n.{c} is distinct from o.{c}"
        )


def _remove_missing(con: duckdb.DuckDBPyConnection, table: Table, upload_id: int) -> None:
    """Replace: rows of the table that the file no longer has go (logged for undo)."""
    t, n = table.name, f"typed_{table.name}"
    gone = f"select o.* from {t} o where not exists (select 1 from {n} n where {_join(table, 'n', 'o')})"
    con.execute(f"insert into undo_{t} select $id, 'before', * from ({gone})", {"id": upload_id})
    if t == "firms":
        _use_upload(con, upload_id)
        _delete_firms(
            con,
            "select firm_id from undo_firms where undo_upload_id = getvariable('atlas_upload') "
            "and undo_action = 'before' and firm_id not in (select firm_id from typed_firms)",
        )
    else:
        con.execute(f"delete from {t} o where not exists (select 1 from {n} n where {_join(table, 'n', 'o')})")


def _insert_firms(con: duckdb.DuckDBPyConnection, rows_sql: str) -> None:
    """Insert firm rows parents first (a firm can only reference a parent already there)."""
    cols = ", ".join(_targets(TABLES_BY_NAME["firms"]))
    con.execute(f"create or replace temp table pending_firms as {rows_sql}")
    for _ in range(60):
        moved = con.execute(
            f"insert into firms ({cols}) select {cols} from pending_firms p "
            "where p.parent_id is null or p.parent_id in (select firm_id from firms)"
        ).fetchall()[0][0]
        con.execute("delete from pending_firms where firm_id in (select firm_id from firms)")
        if not moved:
            break
    con.execute("drop table pending_firms")


def _delete_firms(con: duckdb.DuckDBPyConnection, ids_sql: str, commit_each: bool = False) -> None:
    """Delete firms children first (a parent cannot go while a subsidiary points at it).

    commit_each: one transaction per level, for when DuckDB must see the subsidiaries gone
    (it refuses to delete a row whose referring rows went in the same transaction).
    """
    for _ in range(60):
        if commit_each:
            con.execute("begin transaction")
        gone = con.execute(
            f"delete from firms where firm_id in ({ids_sql}) "
            "and firm_id not in (select parent_id from firms where parent_id is not null)"
        ).fetchall()[0][0]
        if commit_each:
            con.execute("commit")
        if not gone:
            break


def detect_table(path: Path) -> str | None:
    """The table a CSV file belongs to: by its file name, else by its header."""
    stem = path.stem.lower()
    if stem in TABLES_BY_NAME:
        return stem
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            header = {h.strip().lower() for h in f.readline().split(",")}
    except OSError:
        return None
    best = [t.name for t in TABLES if set(c.name for c in t.columns if c.required) <= header]
    return best[0] if len(best) == 1 else None


def _replace_problems(con: duckdb.DuckDBPyConnection, replaced: list[Table], staged: set[str]) -> list[Problem]:
    """Rows a replace would remove while something that stays still refers to them."""
    problems = []
    for target in replaced:
        key = target.key[0]
        removed = (
            f"select o.{key} from {target.name} o "
            f"where not exists (select 1 from typed_{target.name} n where {_join(target, 'n', 'o')})"
        )
        for r in TABLES:
            for c in r.columns:
                if c.ref != target.name:
                    continue
                if r.name in staged:
                    rows = con.execute(
                        f"select _line, {c.name} from typed_{r.name} "
                        f"where {c.name} in ({removed}) order by 1 limit 1000"
                    ).fetchall()
                    problems += [
                        Problem(r.name, ln, c.name, v, f"refers to a {target.name} id that this replace removes")
                        for ln, v in rows
                    ]
                if r.name in staged and any(t.name == r.name for t in replaced):
                    continue  # the rows of r that stay are the staged ones, checked above
                keep = (
                    f" and not exists (select 1 from typed_{r.name} n where {_join(r, 'n', 'x')})"
                    if r.name in staged
                    else ""
                )
                rows = con.execute(
                    f"select {_key_text(r, 'x')}, x.{c.name} from {r.name} x where x.{c.name} in ({removed}){keep} "
                    "order by 1 limit 1000"
                ).fetchall()
                problems += [
                    Problem(target.name, None, key, v, f"cannot be removed: {r.name} {k} still refers to it")
                    for k, v in rows
                ]
    return problems


# One writer at a time in this process (the app's sessions share one connection); another
# process cannot open the database file while this one holds it.
WRITE_LOCK = threading.RLock()


def load_files(
    con: duckdb.DuckDBPyConnection,
    files: Mapping[str, Path],
    *,
    mode: str = "append",
    uploader: str = "cli",
    dry_run: bool = False,
    labels: Mapping[str, str] | None = None,
) -> LoadResult:
    """Validate `files` (table name -> CSV path) and, if all is well, commit them atomically.

    mode: append (new ids only), upsert (insert or update by id), replace (each file becomes
    its table), or build (the seed). On any problem nothing is written and the problems are
    returned; the database is changed only by a successful commit, in one transaction with
    its `uploads` record and the undo log that can restore the state before it.
    """
    with WRITE_LOCK:
        return _load_files(con, files, mode=mode, uploader=uploader, dry_run=dry_run, labels=labels or {})


def _load_files(con, files, *, mode, uploader, dry_run, labels) -> LoadResult:  # noqa: ANN001 - see load_files
    if mode not in (*MODES, "build"):
        raise ValueError(f"mode must be one of {MODES}")
    unknown = [name for name in files if name not in TABLES_BY_NAME]
    if unknown:
        return LoadResult([Problem(n, None, None, None, "not a table of the data model") for n in unknown])
    cur = con.cursor()
    result = LoadResult()
    clock = _Clock(result.timings)
    cur.execute("begin transaction")
    try:
        order = [t for t in TABLES if t.name in files]
        staged: set[str] = set()
        for t in order:
            file_problems = stage_file(cur, t, Path(files[t.name]), labels.get(t.name, ""))
            result.problems.extend(file_problems)
            if not file_problems:
                staged.add(t.name)
        clock.lap("read")
        for t in order:
            if t.name in staged:
                result.problems.extend(check_staged(cur, t, staged, mode, labels.get(t.name, "")))
        for sql in _currency_rules(staged):
            for r in cur.execute(sql).fetchall():
                message = "unknown currency: no exchange rate in fx_rates"
                result.problems.append(Problem(r[0], r[1], r[2], r[3], message, labels.get(r[0], "")))
        clock.lap("check")
        upload_id = _next_upload_id(cur)
        upload_source = f"upload-{upload_id}"
        if not result.problems:
            for t in order:
                _typed(cur, t, upload_source)
                result.changes[t.name] = summarize_changes(cur, t, mode)
                if mode in ("upsert", "replace"):
                    result.diff += field_diff(cur, t)
            if mode == "replace":
                result.problems += _replace_problems(cur, order, staged)
        clock.lap("compare")
        if result.problems or dry_run:
            if dry_run:
                result.row_counts = {t: _count(cur, f"stage_{t}") for t in staged}
            cur.execute("rollback")
            return result
        names = ", ".join(labels.get(t.name, Path(files[t.name]).name) for t in order)
        unsourced = [t.name for t in order if t.name != "sources" and "source_id" in t.column_names]
        if any(
            cur.execute(f"select count(*) from typed_{name} where source_id = $s", {"s": upload_source}).fetchall()[0][
                0
            ]
            for name in unsourced
        ):
            # the upload itself is the source of the rows that named none
            cur.execute(
                "insert into sources (source_id, title, publisher, published_on, published_on_precision) "
                "values ($id, $title, $who, current_date, 'day')",
                {"id": upload_source, "title": f"Upload {upload_id}: {names}", "who": uploader},
            )
            _undo_table(cur, TABLES_BY_NAME["sources"])
            cur.execute(
                "insert into undo_sources (undo_upload_id, undo_action, source_id) values ($u, 'inserted', $id)",
                {"u": upload_id, "id": upload_source},
            )
        for t in order:
            _write(cur, t, mode, upload_id)
            result.row_counts[t.name] = _count(cur, f"typed_{t.name}")
        if mode == "replace":
            for t in reversed(order):
                _remove_missing(cur, t, upload_id)
        clock.lap("write")
        refresh_derived(cur)
        clock.lap("derive")
        digest = hashlib.sha256()
        for t in order:
            digest.update(Path(files[t.name]).read_bytes())
        cur.execute(
            "insert into uploads (upload_id, uploader, mode, file_names, sha256, row_counts, tables) "
            "values ($id, $uploader, $mode, $files, $sha, $counts, $tables)",
            {
                "id": upload_id,
                "uploader": uploader,
                "mode": mode,
                "files": names,
                "sha": digest.hexdigest(),
                "counts": json.dumps(result.changes if mode != "build" else result.row_counts),
                "tables": ", ".join(t.name for t in order),
            },
        )
        result.upload_id = upload_id
        cur.execute("commit")
        clock.lap("commit")
    except duckdb.Error as exc:
        # A constraint the checks above did not anticipate: still all or nothing.
        cur.execute("rollback")
        result.problems.append(Problem("", None, None, None, f"rejected by the database: {exc}"))
    finally:
        for t in TABLES:
            cur.execute(f"drop table if exists temp.stage_{t.name}")
            cur.execute(f"drop table if exists temp.typed_{t.name}")
        cur.close()
    return result


class _Clock:
    """Seconds per phase of a load, into `timings`."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now


def _next_upload_id(con: duckdb.DuckDBPyConnection) -> int:
    # taken inside the writing transaction (writers are serialized): versions stay 1, 2, 3…
    return con.execute("select coalesce(max(upload_id), 0) + 1 from uploads").fetchall()[0][0]


def undoable_upload(con: duckdb.DuckDBPyConnection) -> int | None:
    """The upload an undo would reverse: the latest one still in effect, if it can be undone."""
    rows = con.execute(
        "select upload_id, mode from uploads where mode <> 'undo' "
        "and upload_id not in (select upload_id from undone_uploads) order by upload_id desc limit 1"
    ).fetchall()
    if not rows or rows[0][1] not in MODES:
        return None
    return rows[0][0]


def undo(con: duckdb.DuckDBPyConnection, upload_id: int, uploader: str = "") -> LoadResult:
    """Restore exactly the state before upload `upload_id` (the latest in effect), in one
    transaction recorded as a new data version."""
    with WRITE_LOCK:
        return _undo(con, upload_id, uploader)


# Tables nothing else refers to: their rows go in the undo's first transaction.
LEAF_TABLES = ("education", "moves", "compensation", "round_investors")


def _use_upload(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """Bind the upload whose undo log the next statements read (getvariable('atlas_upload'))."""
    con.execute("set variable atlas_upload = $u", {"u": upload_id})


def _inserted(t: Table) -> str:
    """The keys an upload inserted into `t` (the upload bound by _use_upload): those logged,
    or every key of the table when the upload filled it from empty ('inserted_all')."""
    keys = ", ".join(t.key)
    return (
        f"select {keys} from undo_{t.name} "
        "where undo_upload_id = getvariable('atlas_upload') and undo_action = 'inserted' "
        f"union all select {keys} from {t.name} where exists (select 1 from undo_{t.name} "
        "where undo_upload_id = getvariable('atlas_upload') and undo_action = 'inserted_all')"
    )


def _delete_inserted(cur: duckdb.DuckDBPyConnection, t: Table, upload_id: int) -> int:
    log = _inserted(t)
    n = cur.execute(
        f"delete from {t.name} o where exists (select 1 from ({log}) l where {_join(t, 'l', 'o')})"
    ).fetchall()[0][0]
    cur.execute(
        f"delete from undo_{t.name} where undo_upload_id = $u and undo_action in ('inserted', 'inserted_all')",
        {"u": upload_id},
    )
    return n


def _undo(con: duckdb.DuckDBPyConnection, upload_id: int, uploader: str) -> LoadResult:
    cur = con.cursor()
    result = LoadResult()
    try:
        if undoable_upload(cur) != upload_id:
            result.problems.append(
                Problem(
                    "",
                    None,
                    None,
                    None,
                    f"version {upload_id} is not the latest upload in effect; undo the later ones first",
                )
            )
            return result
        tables = [t for t in TABLES if _exists(cur, f"undo_{t.name}")]
        touched: list[str] = []
        _use_upload(cur, upload_id)
        cur.execute("begin transaction")
        try:
            # 1. one transaction: the rows the upload inserted into tables nothing refers to go,
            #    the rows it changed or removed come back, the undo is recorded (a new version).
            for t in tables:
                if t.name in LEAF_TABLES:
                    n = _delete_inserted(cur, t, upload_id)
                    if n:
                        touched.append(t.name)
                        result.row_counts[t.name] = n
            for t in tables:
                before = (
                    f"select * from undo_{t.name} "
                    "where undo_upload_id = getvariable('atlas_upload') and undo_action = 'before'"
                )
                n = _count(cur, f"({before})")
                if not n:
                    continue
                cols = _targets(t)
                _update_columns(cur, t, f"({before})")
                missing = (
                    f"select b.* from ({before}) b "
                    f"where not exists (select 1 from {t.name} o where {_join(t, 'b', 'o')})"
                )
                if t.name == "firms":
                    _insert_firms(cur, missing)
                else:
                    col_list = ", ".join(cols)
                    cur.execute(f"insert into {t.name} ({col_list}) select {col_list} from ({missing})")
                cur.execute(
                    f"delete from undo_{t.name} where undo_upload_id = $u and undo_action = 'before'", {"u": upload_id}
                )
                result.row_counts[t.name] = result.row_counts.get(t.name, 0) + n
                touched.append(t.name)
            parents = [t for t in tables if t.name not in LEAF_TABLES and _count(cur, f"({_inserted(t)})")]
            touched += [t.name for t in parents]
            refresh_derived(cur)
            new_id = _next_upload_id(cur)
            cur.execute(
                "insert into uploads (upload_id, uploader, mode, file_names, sha256, row_counts, tables) "
                "values ($id, $who, 'undo', $files, null, $counts, $tables)",
                {
                    "id": new_id,
                    "who": uploader or "data page",
                    "files": f"undo of version {upload_id}",
                    "counts": json.dumps(result.row_counts),
                    "tables": ", ".join(dict.fromkeys(touched)),
                },
            )
            cur.execute("insert into undone_uploads values ($u, $by)", {"u": upload_id, "by": new_id})
            cur.execute("commit")
            result.upload_id = new_id
        except duckdb.Error as exc:
            cur.execute("rollback")
            result.problems.append(Problem("", None, None, None, f"undo refused by the database: {exc}"))
            return result
        finish_undo(cur)
    finally:
        cur.close()
    return result


def finish_undo(con: duckdb.DuckDBPyConnection) -> None:
    """2. The rows an undone upload inserted into tables others refer to (sources, firms,
    people, rounds): one transaction per table, children first.

    DuckDB cannot delete a row whose referring rows were deleted in the same transaction,
    so these go after the first commit; every commit in between leaves no orphan. Run again
    on connect, it finishes an undo that a crash interrupted.
    """
    if not _exists(con, "undone_uploads"):
        return
    pending = [r[0] for r in con.execute("select upload_id from undone_uploads order by upload_id desc").fetchall()]
    firms_deleted = False
    for upload_id in pending:
        _use_upload(con, upload_id)
        for t in reversed(TABLES):
            if not _exists(con, f"undo_{t.name}") or not _count(con, f"({_inserted(t)})"):
                continue
            if t.name == "firms":
                # parents after their subsidiaries, each level committed
                _delete_firms(con, _inserted(t), commit_each=True)
                con.execute("delete from undo_firms where undo_upload_id = $u", {"u": upload_id})
                firms_deleted = True
                continue
            con.execute("begin transaction")
            _delete_inserted(con, t, upload_id)
            con.execute("commit")
    if firms_deleted:
        # firm_levels (and the firm codes in move_facts) must not keep the firms that went
        con.execute("begin transaction")
        refresh_derived(con)
        con.execute("commit")


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the tables derived from the facts (move_facts), inside the caller's transaction."""
    # local import: atlas.db imports this module
    from atlas.db import query_sql

    con.execute(query_sql("refresh_move_facts"))


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
