"""Validate CSV files against the data model and commit them in one transaction.

Everything runs inside DuckDB: each file is read once into a staging table of text
columns, every rule is one SQL check over it, and the commit is a set of
INSERT ... SELECT statements. Values are only ever bound as parameters; the column
names that appear in the generated SQL come from `atlas.model`, never from a file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from atlas.model import TABLES, TABLES_BY_NAME, Column, Table
from atlas.schema import refresh_derived

SLUG_RE = "[a-z0-9][a-z0-9._-]*"
DATE_RE = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
# the years a date may have: year 0 or 9999 is a typing slip, not a fact of the AI talent market
MIN_YEAR, MAX_YEAR = 1000, 2100
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
    # seconds per phase: read, check, compare, write, commit, then derive (for the benchmark)
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


def _number(col: str) -> str:
    # 100000000, 100,000,000 and 1e8 all mean the same amount
    return f"try_cast(replace({col}, ',', '') as double)"


def date_value_sql(col: str) -> str:
    """SQL turning a YYYY, YYYY-MM or YYYY-MM-DD text column into the first day it covers."""
    return (
        f"case length({col}) when 4 then try_strptime({col}, '%Y')::date "
        f"when 7 then try_strptime({col}, '%Y-%m')::date "
        f"when 10 then try_strptime({col}, '%Y-%m-%d')::date end"
    )


def date_precision_sql(col: str) -> str:
    """SQL giving the precision ('year', 'month', 'day') of a partial-date text column."""
    return (
        f"case when {date_value_sql(col)} is null then null "
        f"when length({col}) = 4 then 'year' when length({col}) = 7 then 'month' else 'day' end"
    )


def _value_sql(c: Column) -> list[tuple[str, str]]:
    """(target column, SQL expression over the staged text) pairs for one CSV column."""
    if c.type == "date":
        return [(c.name, date_value_sql(c.name)), (f"{c.name}_precision", date_precision_sql(c.name))]
    if c.type == "int":
        return [(c.name, f"try_cast({c.name} as integer)")]
    if c.type == "number":
        return [(c.name, _number(c.name))]
    if c.type == "bool":
        return [(c.name, f"coalesce(lower({c.name}) in ('true', 't', 'yes', 'y', '1'), false)")]
    return [(c.name, c.name)]  # text: the stage is already trimmed, empty as NULL (see stage_file)


def _type_check(c: Column) -> tuple[str, str] | None:
    """(SQL that is true for a bad non-empty value, message) for one column's type."""
    v = c.name
    if c.type == "slug":
        return f"not regexp_full_match({v}, '{SLUG_RE}')", (
            "not a valid id: use lowercase letters, digits, '.', '_' or '-' (like mu-li)"
        )
    if c.type == "int":
        return f"try_cast({v} as integer) is null", "not a whole number"
    if c.type == "number":
        # nan, inf, Infinity and values past a double's range (1e309) are not amounts
        return f"not coalesce(isfinite({_number(c.name)}), false)", "not a finite number"
    if c.type == "bool":
        return f"lower({v}) not in ({', '.join(repr(w) for w in BOOL_WORDS)})", "not true or false"
    if c.type == "enum":
        allowed = ", ".join(c.choices)
        return f"not list_contains(${c.name}_choices, {v})", f"not one of: {allowed}"
    if c.type == "date":
        return (
            f"coalesce(year({date_value_sql(c.name)}) not between {MIN_YEAR} and {MAX_YEAR}, true)",
            f"not a date from {MIN_YEAR} to {MAX_YEAR}: use YYYY, YYYY-MM or YYYY-MM-DD",
        )
    if c.type == "country":
        return f"not regexp_full_match({v}, '[A-Z]{{2}}')", "not an ISO 3166-1 alpha-2 country code (like CN)"
    if c.type == "url":
        # shown as a link: javascript:, data: and other schemes would run or carry content
        return (
            f"not regexp_full_match({v}, 'https?://[^\\s<>\"]+')",
            "not a web address: it must start with http:// or https://",
        )
    if c.type == "currency":
        return f"not regexp_full_match({v}, '[A-Z]{{3}}')", "not an ISO 4217 currency code (like USD)"
    return None


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("select count(*) from duckdb_tables() where table_name = $name", {"name": name}).fetchall()
    return rows[0][0] > 0


def stage_file(con: duckdb.DuckDBPyConnection, table: Table, path: Path, label: str = "") -> list[Problem]:
    """Read one CSV into the staging table `stage_<table>`: its line, then every column of the
    model as text, trimmed, empty as NULL (absent optional columns are all NULL).

    Returns the file-level problems (unreadable, missing or unknown columns); rows are
    checked later by `check_staged`. The file is parsed once: its header is read first (the
    sniffer's sample), then the rows straight into the stage.
    """
    label = label or path.name
    stage = f"stage_{table.name}"
    _drop_stage(con, table)
    try:
        with open(path, "rb") as f:
            first = f.readline(1 << 16)
            if not (first + f.read(1 << 16)).strip():
                return [Problem(table.name, None, None, None, "the file is empty", label)]
    except OSError as exc:
        return [Problem(table.name, None, None, None, f"cannot be read: {exc.strerror}", label)]
    canonical = first.startswith(b"_row,")
    if canonical:
        # written by atlas.csvfile: UTF-8, comma, every row checked, its spreadsheet row first
        header = next(csv.reader([first.decode("utf-8")]))[1:]
    else:
        sniffed = "read_csv($path, all_varchar = true, header = true, auto_detect = true, null_padding = false)"
        try:
            header = [r[0] for r in con.execute(f"describe select * from {sniffed}", {"path": str(path)}).fetchall()]
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0]
            return [Problem(table.name, None, None, None, f"cannot be read as CSV: {reason}", label)]
    normalized = {h.strip().lower().lstrip("\ufeff"): h for h in header}
    problems = []
    for name in sorted(set(normalized) - set(table.column_names)):
        problems.append(Problem(table.name, 1, name, None, "unknown column for this table", label))
    for c in table.columns:
        if c.required and c.name not in normalized:
            problems.append(Problem(table.name, 1, c.name, None, "required column is missing", label))
    if problems:
        return problems
    if canonical:
        # every name is a model column by now: only those reach the SQL text
        columns = (
            "{'_row': 'BIGINT', "
            + ", ".join(f"'{normalized_name}': 'VARCHAR'" for normalized_name in (h.strip().lower() for h in header))
            + "}"
        )
        source = (
            "read_csv($path, auto_detect = false, header = true, delim = ',', quote = '\"', escape = '\"', "
            f"columns = {columns}, max_line_size = 67108864)"
        )
        normalized = {h.strip().lower(): h.strip().lower() for h in header}
    else:
        source = sniffed

    # Present columns are renamed to their model name; absent optional ones become NULL.
    # Identifiers are quoted from the file's own header only after it matched the model.
    def quoted(name: str) -> str:
        return '"' + normalized[name].replace('"', '""') + '"'

    def cleaned(name: str) -> str:
        # trimmed only where a value starts or ends with a space: most do not, and trimming
        # every value of ten million rows costs more than reading them
        v = quoted(name)
        return f"nullif(case when {v} like ' %' or {v} like '% ' then trim({v}) else {v} end, '')"

    select = ", ".join(
        f"{cleaned(c.name)} as {c.name}" if c.name in normalized else f"null::varchar as {c.name}"
        for c in table.columns
    )
    try:
        # read in parallel, stored in file order: a row's rowid gives its line (no numbering pass)
        row = "_row, " if canonical else ""
        con.execute(f"create temp table {stage}_rows as select {row}{select} from {source}", {"path": str(path)})
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        return [Problem(table.name, None, None, None, f"cannot be read as CSV: {reason}", label)]
    # a canonical file carries each row's spreadsheet row; otherwise rows are lines (rowid + header)
    line = "_row as _line, * exclude (_row)" if canonical else "rowid + 2 as _line, *"
    con.execute(f"create temp view {stage} as select {line} from {stage}_rows")
    n = con.execute(f"select count(*) from {stage}").fetchall()[0][0]
    if n == 0:
        return [Problem(table.name, None, None, None, "has a header but no rows", label)]
    return []


def _drop_stage(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Drop the staged rows and typed rows of one table, whether tables or views."""
    names = (f"stage_{table.name}", f"stage_{table.name}_rows", f"typed_{table.name}")
    temp = con.execute(
        "select table_name, 'table' from duckdb_tables() where temporary and list_contains($names, table_name) "
        "union all select view_name, 'view' from duckdb_views() where temporary and list_contains($names, view_name)",
        {"names": list(names)},
    ).fetchall()
    for name, kind in sorted(temp, key=lambda r: r[1] == "table"):  # views first: they read the tables
        con.execute(f"drop {kind} temp.{name}")


def check_staged(
    con: duckdb.DuckDBPyConnection, table: Table, staged: set[str], mode: str, label: str = ""
) -> list[Problem]:
    """Every row-level problem of `stage_<table>`, checked in SQL against the model and database.

    The checks of single rows (required values, types, amounts, rules across a row's columns)
    run in one scan that keeps only the rows with a problem; references and duplicate ids are
    set-based (an anti-join, a grouped count), one query each.
    """
    stage = f"stage_{table.name}"
    params: dict[str, object] = {}
    messages: list[str] = []
    schema_messages: set[int] = set()

    def msg(text: str, schema: bool = False) -> int:
        # Messages stay in Python; the SQL only carries their index.
        messages.append(text)
        if schema:
            schema_messages.add(len(messages) - 1)
        return len(messages) - 1

    row_checks: list[tuple[str, str, int, str]] = []  # (condition, column, message index, value shown)
    branches: list[str] = []
    for c in table.columns:
        if c.required and c.name != "source_id" or c.name == "source_id" and table.name == "sources":
            # a fact row without a source_id gets the upload itself as its source
            row_checks.append((f"{c.name} is null", c.name, msg("required value is empty"), c.name))
        # an id that refers to another table needs no pattern of its own: unless it is one
        # of that table's (valid) ids, the reference check below reports it
        check = None if c.ref else _type_check(c)
        if check:
            sql, message = check
            row_checks.append((f"{c.name} is not null and {sql}", c.name, msg(message), c.name))
            if c.type == "enum":
                params[f"{c.name}_choices"] = list(c.choices)
        if c.type == "number":
            row_checks.append(
                (f"isfinite({_number(c.name)}) and {_number(c.name)} < 0", c.name, msg("negative amount"), c.name)
            )
        if c.ref:
            ref = TABLES_BY_NAME[c.ref]
            key = ref.key[0]
            unknown = f"not exists (select 1 from {ref.name} r where r.{key} = s.{c.name})"
            if ref.name in staged:
                unknown += f" and not exists (select 1 from stage_{ref.name} r where r.{key} = s.{c.name})"
            branches.append(
                f"select _line, '{c.name}', {c.name}, {msg(f'refers to an unknown {ref.name} id')} "
                f"from {stage} s where {c.name} is not null and {unknown}"
            )
    for sql, column, message, shown in _row_rules(table, staged):
        row_checks.append((sql, column, msg(message), shown))
    if row_checks:
        cases = ", ".join(
            f"case when {cond} then {{'col': '{col}', 'val': ({shown})::varchar, 'msg': {i}}} end"
            for cond, col, i, shown in row_checks
        )
        any_bad = " or ".join(f"coalesce({cond}, false)" for cond, *_ in row_checks)
        branches.append(
            f"select _line, p.col, p.val, p.msg from (select _line, unnest([{cases}]) as p "
            f"from {stage} where {any_bad}) where p is not null"
        )
    if table.name == "firms":
        branches.append(_parent_loop_check(msg("its parent chain leads back to itself")))
    branches += _schema_check_branches(con, table, msg)
    key_sql = " || chr(31) || ".join(f"coalesce({k}, '')" for k in table.key)
    key_name = ", ".join(table.key)
    branches.append(
        f"select _line, '{key_name}', {key_sql}, {msg('duplicate id within the file')} from {stage} "
        f"where {key_sql} in (select {key_sql} from {stage} group by all having count(*) > 1)"
    )
    if mode == "append":
        db_key = " || chr(31) || ".join(f"coalesce({k}::varchar, '')" for k in table.key)
        branches.append(
            f"select _line, '{key_name}', {key_sql}, {msg('id already exists in the database')} from {stage} "
            f"where {key_sql} in (select {db_key} from {table.name})"
        )
    sql = " union all ".join(f"({b})" for b in branches) + " order by 1, 2 limit 100000"
    rows = con.execute(sql, params).fetchall()
    # a value the loader's own rules already reject also breaks the schema's rule: named once
    seen: set[tuple[int, str]] = set()
    problems = []
    for line, column, value, i in sorted(rows, key=lambda r: (r[0], r[1], r[3] in schema_messages)):
        if i in schema_messages and (line, column) in seen:
            continue
        seen.add((line, column))
        problems.append(Problem(table.name, line, column, value, messages[i], label))
    return problems


def schema_checks(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, list[str]]]:
    """The CHECK constraints the database holds for `table`: (expression, its columns)."""
    rows = con.execute(
        "select expression, constraint_column_names from duckdb_constraints() "
        "where constraint_type = 'CHECK' and table_name = $t and schema_name = 'main' order by constraint_index",
        {"t": table},
    ).fetchall()
    return [(expr, list(dict.fromkeys(cols))) for expr, cols in rows]


def _rule_text(expr: str) -> str:
    """A CHECK expression as an analyst reads it: `(stake_pct > 0) AND (stake_pct <= 100)` -> stake_pct > 0 and ..."""
    text = expr.replace('"', "").replace("(", "").replace(")", "")
    return " ".join(text.replace(" AND ", " and ").replace(" OR ", " or ").replace(" BETWEEN ", " between ").split())


# Column types whose loader rule is the schema's CHECK itself (the same pattern or list of values):
# a CHECK over such columns only cannot catch what the loader's type check has not.
_MIRRORED_TYPES = ("slug", "enum", "country", "currency")


def schema_checks_to_evaluate(con: duckdb.DuckDBPyConnection, table: Table) -> list[tuple[str, list[str]]]:
    """The schema's CHECKs of `table` that the loader's own rules do not already decide:
    ranges and rules across columns. A date's precision and its pairing with the date are
    computed by the loader and cannot break; a pattern or a list of values on a text column
    is the loader's type check. tests/test_hostile.py breaks every CHECK to prove the split."""
    out = []
    for expr, columns in schema_checks(con, table.name):
        model = [c for c in columns if c in table.column_names]
        dates = {c.name for c in table.columns if c.type == "date"}
        if all(c.endswith("_precision") or c in dates for c in columns):
            continue
        if len(columns) == 1 and model and table.column(model[0]).type in _MIRRORED_TYPES:
            continue
        out.append((expr, columns))
    return out


def _schema_check_branches(con: duckdb.DuckDBPyConnection, table: Table, msg) -> list[str]:  # noqa: ANN001
    """The CHECKs of the schema the loader does not decide itself, evaluated in one scan on the
    staged rows as they would be stored.

    The database would refuse such a row at the commit with no file, row or column; here it
    is a problem of its row, found by the dry run like every other. The expressions come
    from the database's own catalog (DuckDB's rendering of schema.sql), never from a file.
    """
    checks = schema_checks_to_evaluate(con, table)
    if not checks:
        return []
    stage = f"stage_{table.name}"
    typed = ", ".join(f"{expr} as {target}" for c in table.columns for target, expr in _value_sql(c))
    raw = ", ".join(f"{c.name}::varchar as _raw_{c.name}" for c in table.columns)
    cases, any_bad = [], []
    for expr, columns in checks:
        column = next((c for c in columns if c in table.column_names), columns[0])
        shown = f"_raw_{column}" if column in table.column_names else "null::varchar"
        message = msg(f"breaks the rule {_rule_text(expr)}", schema=True)
        cases.append(
            f"case when not coalesce({expr}, true) then {{'col': '{column}', 'val': {shown}, 'msg': {message}}} end"
        )
        any_bad.append(f"not coalesce({expr}, true)")
    # the values as written first, then the typed columns under their own names
    return [
        f"select _line, p.col, p.val, p.msg from (select _line, unnest([{', '.join(cases)}]) as p "
        f"from (select _line, {raw}, {typed} from {stage}) where {' or '.join(any_bad)}) where p is not null"
    ]


def _parent_loop_check(message: int) -> str:
    """Firms of the upload whose chain of parents (through the upload and the firms already
    stored) comes back to the firm itself: it would have no top-most parent."""
    return f"""select s._line, 'parent_id', s.parent_id, {message} from stage_firms s where s.firm_id in (
        with recursive links as (
            select firm_id, parent_id from stage_firms where parent_id is not null
            union all
            select firm_id, parent_id from firms
            where parent_id is not null and firm_id not in (select firm_id from stage_firms)
        ),
        walk(start, here, depth) as (
            select firm_id, parent_id, 1 from links
            union all
            select w.start, l.parent_id, w.depth + 1
            from walk w join links l on l.firm_id = w.here
            where w.here <> w.start and w.depth < 64
        )
        select start from walk where here = start)"""


def _row_rules(table: Table, staged: set[str]) -> list[tuple[str, str, str, str]]:
    """Checks that span columns of a row, beyond one column's type: (condition, column,
    message, the value shown)."""
    if table.name == "compensation":
        return [
            (
                f"{_number('amount_low')} > {_number('amount_high')}",
                "amount_low",
                "amount_low is above amount_high",
                "amount_low || ' > ' || amount_high",
            )
        ]
    if table.name == "moves":
        return [
            (
                "to_firm_id is null and move_type <> 'left'",
                "to_firm_id",
                "destination firm is required unless move_type is left",
                "to_firm_id",
            )
        ]
    if table.name == "education":
        kinds = ["select firm_id, kind from firms"]
        if "firms" in staged:
            kinds.append("select firm_id, kind from stage_firms")
        known = " union all ".join(kinds)
        return [
            (
                f"institution_id in (select firm_id from ({known})) "
                f"and institution_id not in (select firm_id from ({known}) where kind = 'university')",
                "institution_id",
                "institution is not a firm of kind university",
                "institution_id",
            )
        ]
    return []


def _currency_rules(staged: set[str]) -> list[str]:
    # Rows come back as (table, line, column, value); the message is the same for all.
    """Currencies of pay figures and rounds must have exchange rates (in the database or the upload)."""
    known = ["select currency from fx_rates"]
    if "fx_rates" in staged:
        known.append("select currency from stage_fx_rates")
    out = []
    for name in ("compensation", "funding_rounds"):
        if name in staged:
            out.append(
                f"select '{name}', _line, 'currency', currency "
                f"from stage_{name} where regexp_full_match(currency, '[A-Z]{{3}}') "
                f"and currency not in ({' union all '.join(known)})"
            )
    return out


MODES = ("append", "upsert", "replace")  # the modes an analyst picks; each can be undone
# A row's key as one text value, for the undo log and the diff.
_KEY_SEP = " · "


def _key_text(table: Table, alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return f" || '{_KEY_SEP}' || ".join(f"coalesce({a}{k}::varchar, '')" for k in table.key)


def _typed(con: duckdb.DuckDBPyConnection, table: Table, upload_source: str, materialize: bool = True) -> None:
    """`typed_<table>`: the staged text turned into the table's types, as it would be stored.

    A row without a source gets the upload itself as its source. Not materialized (a view)
    when the rows go into an empty table: then they are read once, by the insert.
    """
    # bound as a session variable: a view cannot hold parameters
    con.execute("set variable atlas_upload_source = $s", {"s": upload_source})
    exprs = []
    for target, expr in (p for c in table.columns for p in _value_sql(c)):
        if target == "source_id" and table.name != "sources":
            expr = f"coalesce({expr}, getvariable('atlas_upload_source'))"
        exprs.append(f"{expr} as {target}")
    con.execute(
        f"create or replace temp {'table' if materialize else 'view'} typed_{table.name} as "
        f"select _line, {', '.join(exprs)} from stage_{table.name}"
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
    if _count(con, t) == 0:
        return {"new": _count(con, n), "changed": 0, "unchanged": 0, "removed": 0}
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
    # a marker that this upload's log of `t` is complete: without it an undo refuses (see undo_problem)
    con.execute(f"insert into {undo} (undo_upload_id, undo_action) values ($id, 'logged')", {"id": upload_id})
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


def detect_table(path: Path, header: list[str] | None = None) -> str | None:
    """The table a CSV file belongs to: by its file name, else by its header (read from
    the file when not given)."""
    stem = path.stem.lower()
    if stem in TABLES_BY_NAME:
        return stem
    if header is None:
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as f:
                header = f.readline().split(",")
        except OSError:
            return None
    header = {h.strip().lower() for h in header}
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
    derive: bool = True,
) -> LoadResult:
    """Validate `files` (table name -> CSV path) and, if all is well, commit them atomically.

    mode: append (new ids only), upsert (insert or update by id), replace (each file becomes
    its table), or build (the seed). On any problem nothing is written and the problems are
    returned; the database is changed only by a successful commit, in one transaction with
    its `uploads` record and the undo log that can restore the state before it.

    Then (derive=True) the tables the pages read are rebuilt from the facts in a second
    transaction, like a materialized view refreshed after the load; until it commits the
    pages show the previous version (their cache is keyed on the derived tables' version),
    and a crash in between is repaired by `db.connect`, which rebuilds them.
    """
    with WRITE_LOCK:
        result = _load_files(con, files, mode=mode, uploader=uploader, dry_run=dry_run, labels=labels or {})
        if derive and result.upload_id is not None:
            start = time.perf_counter()
            refresh_derived_committed(con)
            result.timings["derive"] = time.perf_counter() - start
        return result


def _load_files(con, files, *, mode, uploader, dry_run, labels) -> LoadResult:  # noqa: ANN001 - see load_files
    if mode not in (*MODES, "build"):
        raise ValueError(f"mode must be one of {MODES}")
    unknown = [name for name in files if name not in TABLES_BY_NAME]
    if unknown:
        return LoadResult([Problem(n, None, None, None, "not a table of the data model") for n in unknown])
    cur = con.cursor()
    result = LoadResult()
    clock = _Clock(result.timings)
    # the files' checksum for the uploads record, computed beside the load (hashlib lets
    # other threads run while it hashes)
    stop_hashing = threading.Event()
    digest = _HASHER.submit(_sha256, [Path(files[t.name]) for t in TABLES if t.name in files], stop_hashing)
    try:
        order = [t for t in TABLES if t.name in files]
        staged: set[str] = set()
        # staged into this cursor's temp tables before the transaction: committed, their rows'
        # ids are their positions in the file (inside a transaction they are not)
        for t in order:
            file_problems = stage_file(cur, t, Path(files[t.name]), labels.get(t.name, ""))
            result.problems.extend(file_problems)
            if not file_problems:
                staged.add(t.name)
        clock.lap("read")
        cur.execute("begin transaction")
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
                _typed(cur, t, upload_source, materialize=_count(cur, t.name) > 0)
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
        cur.execute(
            "insert into uploads (upload_id, uploader, mode, file_names, sha256, row_counts, tables) "
            "values ($id, $uploader, $mode, $files, $sha, $counts, $tables)",
            {
                "id": upload_id,
                "uploader": uploader,
                "mode": mode,
                "files": names,
                "sha": digest.result(),
                "counts": json.dumps(result.changes if mode != "build" else result.row_counts),
                "tables": ", ".join(t.name for t in order),
            },
        )
        result.upload_id = upload_id
        _pause_point("commit")
        cur.execute("commit")
        clock.lap("commit")
    except duckdb.Error as exc:
        # A constraint the checks above did not anticipate: still all or nothing.
        with contextlib.suppress(duckdb.TransactionException):  # failed while staging, before it began
            cur.execute("rollback")
        result.problems.append(Problem("", None, None, None, f"rejected by the database: {exc}"))
    finally:
        stop_hashing.set()  # a rejected or dry-run upload needs no checksum
        for t in TABLES:
            _drop_stage(cur, t)
        cur.close()
    return result


def _pause_point(name: str) -> None:
    """For the crash tests: with ATLAS_PAUSE_BEFORE=<name>, say so on stderr and wait to be killed."""
    if os.environ.get("ATLAS_PAUSE_BEFORE") == name:
        print(f"atlas: paused before {name}", file=sys.stderr, flush=True)
        time.sleep(600)


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atlas-sha256")


def _sha256(paths: list[Path], stop: threading.Event) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            while not stop.is_set() and (chunk := f.read(1 << 20)):
                digest.update(chunk)
    return digest.hexdigest()


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


def undo_problem(con: duckdb.DuckDBPyConnection, upload_id: int) -> str | None:
    """Why upload `upload_id` cannot be undone exactly, or None when its undo log can restore it.

    Each table an upload wrote has a complete log in undo_<table> (marked 'logged'), with the
    table's own columns. A log that is missing (removed by an older version of the app on a
    schema change) or whose columns no longer match its table (the base schema changed since)
    cannot restore the state before the upload: the undo is refused rather than reporting
    success while restoring nothing.
    """
    row = con.execute("select tables from uploads where upload_id = $u", {"u": upload_id}).fetchall()
    if not row:
        return f"there is no data version {upload_id}"
    written = [t for t in (row[0][0] or "").split(", ") if t in TABLES_BY_NAME]
    logged_any = False
    for name in written:
        log = f"undo_{name}"
        if not _exists(con, log):
            return f"its undo log of {name} is missing; it cannot be undone exactly"
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "order by column_index",
            {"t": name},
        ).fetchall()
        logged = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "order by column_index",
            {"t": log},
        ).fetchall()[2:]
        if columns != logged:
            return f"the columns of {name} changed since this upload; its undo log cannot restore it exactly"
        marks = con.execute(
            f"select count(*) filter (undo_action = 'logged'), count(*) from {log} where undo_upload_id = $u",
            {"u": upload_id},
        ).fetchall()[0]
        logged_any = logged_any or marks[0] > 0
        if marks[0] == 0 and marks[1] == 0 and _logged_since_markers(con, log):
            return f"its undo log of {name} is missing; it cannot be undone exactly"
    if written and not logged_any and not _any_log_rows(con, written, upload_id):
        return "its undo log is missing (an older version of the app removed it); it cannot be undone exactly"
    return None


def _logged_since_markers(con: duckdb.DuckDBPyConnection, log: str) -> bool:
    """Whether this log has completeness markers at all (uploads made before markers have none)."""
    return con.execute(f"select count(*) from {log} where undo_action = 'logged'").fetchall()[0][0] > 0


def _any_log_rows(con: duckdb.DuckDBPyConnection, tables: list[str], upload_id: int) -> bool:
    return any(
        con.execute(f"select count(*) from undo_{t} where undo_upload_id = $u", {"u": upload_id}).fetchall()[0][0]
        for t in tables
        if _exists(con, f"undo_{t}")
    )


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
        problem = undo_problem(cur, upload_id)
        if problem:
            result.problems.append(Problem("", None, None, None, f"version {upload_id} cannot be undone: {problem}"))
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
            for t in tables:
                cur.execute(
                    f"delete from undo_{t.name} where undo_upload_id = $u and undo_action = 'logged'", {"u": upload_id}
                )
            parents = [t for t in tables if t.name not in LEAF_TABLES and _count(cur, f"({_inserted(t)})")]
            touched += [t.name for t in parents]
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
            refresh_derived(cur)  # after the undo's own version is recorded: it reflects that one
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


def refresh_derived_committed(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables in a transaction of their own."""
    with WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("begin transaction")
            try:
                refresh_derived(cur)
                _pause_point("derive commit")
                cur.execute("commit")
            except duckdb.Error:
                cur.execute("rollback")
                raise
        finally:
            cur.close()


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
