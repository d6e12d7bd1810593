"""Validate CSV files against the data model and commit them in one transaction.

Everything runs inside DuckDB: each file is read once into a staging table of text
columns, every rule is one SQL check over it, and the commit is a set of
INSERT ... SELECT statements. Values are only ever bound as parameters; the column
names that appear in the generated SQL come from `atlas.model`, never from a file.
"""

from __future__ import annotations

import hashlib
import json
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
        if c.required:
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


def _insert(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    pairs = [p for c in table.columns for p in _value_sql(c)]
    targets = ", ".join(t for t, _ in pairs)
    values = ", ".join(e for _, e in pairs)
    stage = f"stage_{table.name}"
    if table.name != "firms":
        con.execute(f"insert into {table.name} ({targets}) select {values} from {stage} order by _line")
        return con.execute(f"select count(*) from {stage}").fetchall()[0][0]
    # A firm can only reference a parent that is already there, so insert level by level.
    con.execute(
        f"""create temp table firm_levels as
        with recursive levels(firm_id, depth) as (
            select trim(firm_id), 0 from {stage}
            where nullif(trim(parent_id), '') is null or trim(parent_id) not in (select trim(firm_id) from {stage})
            union all
            select trim(s.firm_id), l.depth + 1 from {stage} s join levels l on trim(s.parent_id) = l.firm_id
            where l.depth < 50
        )
        select firm_id, max(depth) as depth from levels group by firm_id"""
    )
    depths = [r[0] for r in con.execute("select distinct depth from firm_levels order by 1").fetchall()]
    for depth in depths:
        con.execute(
            f"insert into firms ({targets}) select {values} from {stage} "
            f"where trim(firm_id) in (select firm_id from firm_levels where depth = $depth) order by _line",
            {"depth": depth},
        )
    n = con.execute("select count(*) from firm_levels").fetchall()[0][0]
    con.execute("drop table firm_levels")
    return n


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

    On any problem nothing is written and the problems are returned; the database is
    changed only by a successful commit, in one transaction with its `uploads` record.
    """
    labels = labels or {}
    unknown = [name for name in files if name not in TABLES_BY_NAME]
    if unknown:
        return LoadResult([Problem(n, None, None, None, "not a table of the data model") for n in unknown])
    cur = con.cursor()
    result = LoadResult()
    cur.execute("begin transaction")
    try:
        order = [t for t in TABLES if t.name in files]
        staged: set[str] = set()
        for t in order:
            file_problems = stage_file(cur, t, Path(files[t.name]), labels.get(t.name, ""))
            result.problems.extend(file_problems)
            if not file_problems:
                staged.add(t.name)
        for t in order:
            if t.name in staged:
                result.problems.extend(check_staged(cur, t, staged, mode, labels.get(t.name, "")))
        for sql in _currency_rules(staged):
            for r in cur.execute(sql).fetchall():
                message = "unknown currency: no exchange rate in fx_rates"
                result.problems.append(Problem(r[0], r[1], r[2], r[3], message, labels.get(r[0], "")))
        if result.problems or dry_run:
            if dry_run:
                result.row_counts = {t: _count(cur, f"stage_{t}") for t in staged}
            cur.execute("rollback")
            return result
        for t in order:
            result.row_counts[t.name] = _insert(cur, t)
        refresh_derived(cur)
        digest = hashlib.sha256()
        for t in order:
            digest.update(Path(files[t.name]).read_bytes())
        result.upload_id = cur.execute(
            "insert into uploads (uploader, mode, file_names, sha256, row_counts, tables) "
            "values ($uploader, $mode, $files, $sha, $counts, $tables) returning upload_id",
            {
                "uploader": uploader,
                "mode": mode,
                "files": ", ".join(labels.get(t.name, Path(files[t.name]).name) for t in order),
                "sha": digest.hexdigest(),
                "counts": json.dumps(result.row_counts),
                "tables": ", ".join(t.name for t in order),
            },
        ).fetchall()[0][0]
        cur.execute("commit")
    except duckdb.Error as exc:
        # A constraint the checks above did not anticipate: still all or nothing.
        cur.execute("rollback")
        result.problems.append(Problem("", None, None, None, f"rejected by the database: {exc}"))
    finally:
        for t in TABLES:
            cur.execute(f"drop table if exists temp.stage_{t.name}")
        cur.close()
    return result


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the tables derived from the facts (move_facts), inside the caller's transaction."""
    # local import: atlas.db imports this module
    from atlas.db import query_sql

    con.execute(query_sql("refresh_move_facts"))


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
