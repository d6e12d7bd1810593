"""How text from a CSV becomes typed values, in SQL (numbers, dates at their precision, booleans, each
column type's check), and the SQL fragments of a table's keys and columns every step shares.
"""

from __future__ import annotations

from atlas.i18n import L_
from atlas.model import Column, Table

SLUG_RE = "[a-z0-9][a-z0-9._-]*"


DATE_RE = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"


# the years a date may have: year 0 or 9999 is a typing slip, not a fact of the AI talent market
MIN_YEAR, MAX_YEAR = 1000, 2100


TRUE_WORDS = ["true", "t", "yes", "y", "1"]


BOOL_WORDS = [*TRUE_WORDS, "false", "f", "no", "n", "0"]


def number_sql(col: str) -> str:
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


def value_sql(c: Column) -> list[tuple[str, str]]:
    """(target column, SQL expression over the staged text) pairs for one CSV column."""
    if c.type == "date":
        return [(c.name, date_value_sql(c.name)), (f"{c.name}_precision", date_precision_sql(c.name))]
    if c.type == "int":
        return [(c.name, f"try_cast({c.name} as integer)")]
    if c.type == "number":
        return [(c.name, number_sql(c.name))]
    if c.type == "bool":
        return [(c.name, f"coalesce(lower({c.name}) in ('true', 't', 'yes', 'y', '1'), false)")]
    return [(c.name, c.name)]  # text: the stage is already trimmed, empty as NULL (see stage_file)


def type_check(c: Column) -> tuple[str, str] | None:
    """(SQL that is true for a bad non-empty value, message) for one column's type."""
    v = c.name
    if c.type == "slug":
        return f"not regexp_full_match({v}, '{SLUG_RE}')", (
            L_("not a valid id: use lowercase letters, digits, '.', '_' or '-' (like mu-li)")
        )
    if c.type == "int":
        return f"try_cast({v} as integer) is null", L_("not a whole number")
    if c.type == "number":
        # nan, inf, Infinity and values past a double's range (1e309) are not amounts
        return f"not coalesce(isfinite({number_sql(c.name)}), false)", L_("not a finite number")
    if c.type == "bool":
        return f"lower({v}) not in ({', '.join(repr(w) for w in BOOL_WORDS)})", L_("not true or false")
    if c.type == "enum":
        allowed = ", ".join(c.choices)
        return f"not list_contains(${c.name}_choices, {v})", L_("not one of: {allowed}").format(allowed=allowed)
    if c.type == "date":
        return (
            f"coalesce(year({date_value_sql(c.name)}) not between {MIN_YEAR} and {MAX_YEAR}, true)",
            L_("not a date from {first} to {last}: use YYYY, YYYY-MM or YYYY-MM-DD").format(
                first=MIN_YEAR, last=MAX_YEAR
            ),
        )
    if c.type == "country":
        return f"not regexp_full_match({v}, '[A-Z]{{2}}')", L_("not an ISO 3166-1 alpha-2 country code (like CN)")
    if c.type == "url":
        # shown as a link: javascript:, data: and other schemes would run or carry content
        return (
            f"not regexp_full_match({v}, 'https?://[^\\s<>\"]+')",
            L_("not a web address: it must start with http:// or https://"),
        )
    if c.type == "currency":
        return f"not regexp_full_match({v}, '[A-Z]{{3}}')", L_("not an ISO 4217 currency code (like USD)")
    return None


# A row's key as one text value, for the undo log and the diff.
_KEY_SEP = " · "


def key_text(table: Table, alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return f" || '{_KEY_SEP}' || ".join(f"coalesce({a}{k}::varchar, '')" for k in table.key)


def target_columns(table: Table) -> list[str]:
    return [t for c in table.columns for t, _ in value_sql(c)]


def key_join(table: Table, left: str, right: str) -> str:
    return " and ".join(f"{left}.{k} = {right}.{k}" for k in table.key)


def changed_sql(table: Table, new: str, old: str) -> str:
    others = [t for t in target_columns(table) if t not in table.key]
    return " or ".join(f"{new}.{t} is distinct from {old}.{t}" for t in others) or "false"
