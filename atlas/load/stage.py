"""Step 1, stage: a CSV file read once into a staging table of text columns (a canonical file from
atlas.csvfile carries each row's spreadsheet row), and which table a file is for.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from atlas.i18n import L_
from atlas.load.problems import Problem
from atlas.model import TABLES, TABLES_BY_NAME, Table, detect_flat


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("select count(*) from duckdb_tables() where table_name = $name", {"name": name}).fetchall()
    return rows[0][0] > 0


def _not_csv(table: Table, exc: duckdb.Error, label: str) -> Problem:
    """DuckDB's CSV reader refused the file: its first line of reason, for the whole file."""
    reason = str(exc).splitlines()[0]
    return Problem(
        table.name,
        None,
        None,
        None,
        L_("cannot be read as CSV: {reason}").format(reason=reason),
        label,
        unreadable=True,
    )


def stage_file(con: duckdb.DuckDBPyConnection, table: Table, path: Path, label: str = "") -> list[Problem]:
    """Read one CSV into the staging table `stage_<table>`: its line, then every column of the
    model as text, trimmed, empty as NULL (absent optional columns are all NULL).

    Returns the file-level problems (unreadable, missing or unknown columns); rows are
    checked later by `check_staged`. The file is parsed once: its header is read first (the
    sniffer's sample), then the rows straight into the stage.
    """
    label = label or path.name
    stage = f"stage_{table.name}"
    drop_stage(con, table)
    try:
        with open(path, "rb") as f:
            first = f.readline(1 << 16)
            if not (first + f.read(1 << 16)).strip():
                return [Problem(table.name, None, None, None, L_("the file is empty"), label)]
    except OSError as exc:
        return [
            Problem(
                table.name,
                None,
                None,
                None,
                L_("cannot be read: {strerror}").format(strerror=exc.strerror),
                label,
                unreadable=True,
            )
        ]
    canonical = first.startswith(b"_row,")
    if canonical:
        # written by atlas.csvfile: UTF-8, comma, every row checked, its spreadsheet row first
        header = next(csv.reader([first.decode("utf-8")]))[1:]
    else:
        sniffed = "read_csv($path, all_varchar = true, header = true, auto_detect = true, null_padding = false)"
        try:
            header = [r[0] for r in con.execute(f"describe select * from {sniffed}", {"path": str(path)}).fetchall()]
        except duckdb.Error as exc:
            return [_not_csv(table, exc, label)]
    normalized = {h.strip().lower().lstrip("\ufeff"): h for h in header}
    problems = []
    for name in sorted(set(normalized) - set(table.column_names)):
        problems.append(Problem(table.name, 1, name, None, L_("unknown column for this table"), label))
    for c in table.columns:
        if c.required and c.name not in normalized:
            problems.append(Problem(table.name, 1, c.name, None, L_("required column is missing"), label))
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
    # the optional columns the file does not have: an upsert or replace keeps their stored values
    # (a file without `seq` must not erase the order of careers), where an empty cell clears one
    con.execute(f"create or replace temp table {stage}_absent (name varchar)")
    absent = [c.name for c in table.columns if c.name not in normalized]
    if absent:
        con.execute(f"insert into {stage}_absent select unnest($names::varchar[])", {"names": absent})
    try:
        # read in parallel, stored in file order: a row's rowid gives its line (no numbering pass)
        row = "_row, " if canonical else ""
        con.execute(f"create temp table {stage}_rows as select {row}{select} from {source}", {"path": str(path)})
    except duckdb.Error as exc:
        return [_not_csv(table, exc, label)]
    # a canonical file carries each row's spreadsheet row; otherwise rows are lines (rowid + header)
    line = "_row as _line, * exclude (_row)" if canonical else "rowid + 2 as _line, *"
    con.execute(f"create temp view {stage} as select {line} from {stage}_rows")
    n = con.execute(f"select count(*) from {stage}").fetchall()[0][0]
    if n == 0:
        return [Problem(table.name, None, None, None, L_("has a header but no rows"), label)]
    return []


def drop_stage(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Drop the staged rows and typed rows of one table, whether tables or views."""
    names = (f"stage_{table.name}", f"stage_{table.name}_rows", f"typed_{table.name}")
    temp = con.execute(
        "select table_name, 'table' from duckdb_tables() where temporary and list_contains($names, table_name) "
        "union all select view_name, 'view' from duckdb_views() where temporary and list_contains($names, view_name)",
        {"names": list(names)},
    ).fetchall()
    for name, kind in sorted(temp, key=lambda r: r[1] == "table"):  # views first: they read the tables
        con.execute(f"drop {kind} temp.{name}")


def detect_table(path: Path, header: list[str] | None = None) -> str | None:
    """The table a CSV file belongs to (or the flat format, "moves by name"...): by its file name
    (`people.csv`, `people (2).csv`, `2024_moves.csv`, `Moves - Sheet1.csv`) unless its header is a
    flat format's and no header of that table (a by-name `moves.csv`), else by its header
    (read from the file when not given): the one table whose required columns it has and
    whose columns hold all of it, or a flat format's columns. None for a header none of whose
    columns is ours (another tool's export, whatever its name): atlas.mapping reads it."""
    stem = path.stem.lower()
    if header is None:
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as f:
                first = f.readline()
            header = next(csv.reader([first], delimiter=max(",;\t|", key=first.count)))
        except (OSError, StopIteration):
            header = []
    cols = {h.strip().lower().lstrip("\ufeff") for h in header}
    flat = detect_flat(list(cols))
    if stem in TABLES_BY_NAME:
        # a by-name header wins over the file's name: an analyst calls a file of moves by name
        # moves.csv (person, from_firm, to_firm, moved_on is no header of the moves table)
        table = TABLES_BY_NAME[stem]
        if flat and not cols <= set(table.column_names):
            return flat
        if cols and not cols & set(table.column_names):
            return None  # another tool's columns under our name (Full Name, Company): a mapping reads them
        return stem
    if not header:
        return None
    exact = [t.name for t in TABLES if {c.name for c in t.columns if c.required} <= cols <= set(t.column_names)]
    if len(exact) == 1 and not flat:
        return exact[0]
    if flat and not exact:
        return flat
    words = set(re.split(r"[^a-z_]+", stem)) | set(re.split(r"[^a-z]+", stem))
    named = [t.name for t in TABLES if t.name in words]
    if len(named) == 1 and (not cols or named[0] in exact or not exact):
        return named[0] if cols & set(TABLES_BY_NAME[named[0]].column_names) or not cols else None
    loose = [t.name for t in TABLES if {c.name for c in t.columns if c.required} <= cols]
    return loose[0] if len(loose) == 1 else None


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
