"""Step 2, rules: every check of the staged rows, set-based, in SQL: required values, types, references,
duplicate ids, parent loops, currencies, the schema's own CHECKs, and what a replace would orphan.
"""

from __future__ import annotations

import duckdb

from atlas.i18n import L_, N_
from atlas.load.problems import Problem
from atlas.load.values import key_join, key_text, number_sql, type_check, value_sql
from atlas.model import TABLES, TABLES_BY_NAME, Table


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
            row_checks.append((f"{c.name} is null", c.name, msg(L_("required value is empty")), c.name))
        # an id that refers to another table needs no pattern of its own: unless it is one
        # of that table's (valid) ids, the reference check below reports it
        check = None if c.ref else type_check(c)
        if check:
            sql, message = check
            row_checks.append((f"{c.name} is not null and {sql}", c.name, msg(message), c.name))
            if c.type == "enum":
                params[f"{c.name}_choices"] = list(c.choices)
        if c.type == "number":
            row_checks.append(
                (
                    f"isfinite({number_sql(c.name)}) and {number_sql(c.name)} < 0",
                    c.name,
                    msg(L_("negative amount")),
                    c.name,
                )
            )
        if c.ref:
            ref = TABLES_BY_NAME[c.ref]
            key = ref.key[0]
            unknown = f"not exists (select 1 from {ref.name} r where r.{key} = s.{c.name})"
            if ref.name in staged:
                unknown += f" and not exists (select 1 from stage_{ref.name} r where r.{key} = s.{c.name})"
            unknown_id = msg(L_("refers to an unknown {table} id").format(table=ref.name))
            branches.append(
                f"select _line, '{c.name}', {c.name}, {unknown_id} "
                f"from {stage} s where {c.name} is not null and {unknown}"
            )
    for sql, column, message, shown in _row_rules(table, staged):
        row_checks.append((sql, column, msg(L_(message)), shown))
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
        branches.append(_parent_loop_check(msg(L_("its parent chain leads back to itself"))))
    if table.name == "aliases":
        branches.append(
            _alias_target_check(staged, msg(L_("refers to an unknown person or firm id (as entity_kind says)")))
        )
    branches += _schema_check_branches(con, table, msg)
    key_sql = " || chr(31) || ".join(f"coalesce({k}, '')" for k in table.key)
    key_name = ", ".join(table.key)
    duplicate = msg(L_("duplicate id within the file"))
    branches.append(
        f"select _line, '{key_name}', {key_sql}, {duplicate} from {stage} "
        f"where {key_sql} in (select {key_sql} from {stage} group by all having count(*) > 1)"
    )
    if mode == "append":
        db_key = " || chr(31) || ".join(f"coalesce({k}::varchar, '')" for k in table.key)
        exists = msg(L_("id already exists in the database"))
        branches.append(
            f"select _line, '{key_name}', {key_sql}, {exists} from {stage} "
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
    from the database's own catalog (DuckDB's rendering of queries/schema/base.sql), never from a file.
    """
    checks = schema_checks_to_evaluate(con, table)
    if not checks:
        return []
    stage = f"stage_{table.name}"
    typed = ", ".join(f"{expr} as {target}" for c in table.columns for target, expr in value_sql(c))
    raw = ", ".join(f"{c.name}::varchar as _raw_{c.name}" for c in table.columns)
    cases, any_bad = [], []
    for expr, columns in checks:
        column = next((c for c in columns if c in table.column_names), columns[0])
        shown = f"_raw_{column}" if column in table.column_names else "null::varchar"
        message = msg(L_("breaks the rule {rule}").format(rule=_rule_text(expr)), schema=True)
        cases.append(
            f"case when not coalesce({expr}, true) then {{'col': '{column}', 'val': {shown}, 'msg': {message}}} end"
        )
        any_bad.append(f"not coalesce({expr}, true)")
    # the values as written first, then the typed columns under their own names
    return [
        f"select _line, p.col, p.val, p.msg from (select _line, unnest([{', '.join(cases)}]) as p "
        f"from (select _line, {raw}, {typed} from {stage}) where {' or '.join(any_bad)}) where p is not null"
    ]


def _alias_target_check(staged: set[str], message: int) -> str:
    """An alias names a person or a firm that exists (stored, or in the same upload)."""
    people = "select person_id as id from people" + (
        " union all select person_id from stage_people" if "people" in staged else ""
    )
    firms = "select firm_id as id from firms" + (
        " union all select firm_id from stage_firms" if "firms" in staged else ""
    )
    return (
        f"select _line, 'entity_id', entity_id, {message} from stage_aliases s where entity_id is not null and ("
        f"(entity_kind = 'person' and entity_id not in ({people})) or "
        f"(entity_kind = 'firm' and entity_id not in ({firms})))"
    )


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
                f"{number_sql('amount_low')} > {number_sql('amount_high')}",
                "amount_low",
                N_("amount_low is above amount_high"),
                "amount_low || ' > ' || amount_high",
            )
        ]
    if table.name == "moves":
        return [
            (
                "to_firm_id is null and move_type <> 'left'",
                "to_firm_id",
                N_("destination firm is required unless move_type is left"),
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
                N_("institution is not a firm of kind university"),
                "institution_id",
            )
        ]
    return []


def currency_rules(staged: set[str]) -> list[str]:
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


def replace_problems(con: duckdb.DuckDBPyConnection, replaced: list[Table], staged: set[str]) -> list[Problem]:
    """Rows a replace would remove while something that stays still refers to them."""
    problems = []
    for target in replaced:
        key = target.key[0]
        removed = (
            f"select o.{key} from {target.name} o "
            f"where not exists (select 1 from typed_{target.name} n where {key_join(target, 'n', 'o')})"
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
                        Problem(
                            r.name,
                            ln,
                            c.name,
                            v,
                            L_("refers to a {table} id that this replace removes").format(table=target.name),
                        )
                        for ln, v in rows
                    ]
                if r.name in staged and any(t.name == r.name for t in replaced):
                    continue  # the rows of r that stay are the staged ones, checked above
                keep = (
                    f" and not exists (select 1 from typed_{r.name} n where {key_join(r, 'n', 'x')})"
                    if r.name in staged
                    else ""
                )
                rows = con.execute(
                    f"select {key_text(r, 'x')}, x.{c.name} from {r.name} x where x.{c.name} in ({removed}){keep} "
                    "order by 1 limit 1000"
                ).fetchall()
                problems += [
                    Problem(
                        target.name,
                        None,
                        key,
                        v,
                        L_("cannot be removed: {table} {key} still refers to it").format(table=r.name, key=k),
                    )
                    for k, v in rows
                ]
    return problems
