"""The table browser behind the Explore page: any table of the data model, filtered, faceted,
sorted and paged by key (never OFFSET over millions of rows), one row with its source, its
upload and the rows that refer to it.

Every function takes a cursor of the caller's (atlas.cache gives the run's snapshot) and runs
on it. The SQL here is composed, because the table and its columns vary: every table and column name
comes from the allow-list this module builds from the model and the database's own catalog, and
is quoted; every value (a filter's, a page's cursor, a row's key) is bound. A link names tables,
columns and operators by text, so each is checked and a bad one is explained (`BadLink`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from atlas import model, urlvalues
from atlas.i18n import N_, NP_, _, pgettext
from atlas.model import KIND_OF_TABLE

PAGE_SIZE = 50
CELL_CHARS = 2_000  # a text cell on a page of rows (a value may be 1,000,000): the row's own page shows it whole
FACET_LIMIT = 30  # values listed per facet, most frequent first
# the tables the browser shows, in menu order, with what one row is
BROWSABLE: dict[str, str] = {
    "people": N_("one row per person"),
    "firms": N_("one row per firm (a lab, a startup, an investor, a university…)"),
    "moves": N_("one row per move of a person between firms, with its source and certainty"),
    "compensation": N_("one row per pay figure (an offer, a package, a bonus), with its source"),
    "approaches": N_("one row per offer or approach told without a figure: whom, what in words, how it ended"),
    "funding_rounds": N_("one row per funding round or deal"),
    "round_investors": N_("one row per investor (or buyer, or partner) of a round"),
    "firm_events": N_("one row per event of a firm's lineage: a rename, a merger, an acquisition, a team that moved"),
    "headcounts": N_("one row per firm and year: how many people it had, as a source gives it"),
    "education": N_("one row per degree of a person"),
    "sources": N_("one row per source (an article, a report, an upload)"),
    "aliases": N_("one row per other spelling of a person's or firm's name"),
    "fx_rates": N_("one row per currency and year: US dollars per unit"),
    "uploads": N_("one row per committed load (the build, uploads, undos, merges): the data versions"),
}
TITLES = {
    "people": NP_("table", "people"),
    "firms": NP_("table", "firms"),
    "moves": NP_("table", "moves"),
    "compensation": NP_("table", "pay figures"),
    "approaches": NP_("table", "approaches"),
    "funding_rounds": NP_("table", "funding rounds"),
    "round_investors": NP_("table", "investors"),
    "firm_events": NP_("table", "lineage"),
    "headcounts": NP_("table", "headcounts"),
    "education": NP_("table", "education"),
    "sources": NP_("table", "sources"),
    "aliases": NP_("table", "aliases"),
    "fx_rates": NP_("table", "fx rates"),
    "uploads": NP_("table", "uploads"),
}
# columns never shown (an address is personal; the login that made an upload is in the audit log)
HIDDEN = {"uploads": ("uploader_email", "name_decisions", "sha256")}
KEYS = {t.name: t.key for t in model.TABLES} | {"uploads": ("upload_id",)}
# what a reference column points at (the model's refs, plus the ones the model leaves implicit)
REFS: dict[str, dict[str, str]] = {t.name: {c.name: c.ref for c in t.columns if c.ref} for t in model.TABLES}
REFS["aliases"] = {}
# enum-like columns get facets (with counts); a date column gets a facet of its years
_FACET_TYPES = ("enum", "country", "currency")
FACETS: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if c.type in _FACET_TYPES) for t in model.TABLES
} | {"uploads": ("mode",), "education": ("degree", "certainty", "year"), "fx_rates": ("currency", "year")}
OPS = {
    "eq": N_("equals"),
    "ne": N_("is not"),
    "contains": N_("contains"),
    "gte": N_("at least"),
    "lte": N_("at most"),
    "year": N_("in the year"),
    "empty": N_("is empty"),
    "notempty": N_("is not empty"),
}
VALUELESS = ("empty", "notempty")


class BadLink(ValueError):
    """A part of an Explore link that names no table, column or operator, or a value of the wrong type."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB's type name: VARCHAR, DATE, DOUBLE, INTEGER, BOOLEAN, TIMESTAMP…

    @property
    def is_date(self) -> bool:
        return self.type in ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")

    @property
    def is_text(self) -> bool:
        return self.type == "VARCHAR"


@dataclass(frozen=True)
class Table:
    """A browsable table: its columns as the database has them, its key, references and facets."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)
    facets: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return pgettext("table", TITLES[self.name]) if self.name in TITLES else self.name

    @property
    def about(self) -> str:
        return _(BROWSABLE[self.name])

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise BadLink(_("the table {name} has no column {name2!r}").format(name=self.name, name2=name))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: str = ""

    def text(self) -> str:
        """The filter as a link writes it: `column.op.value`."""
        return f"{self.column}.{self.op}.{self.value}" if self.op not in VALUELESS else f"{self.column}.{self.op}"

    def label(self) -> str:
        return f"{self.column} {_(OPS[self.op])}" + ("" if self.op in VALUELESS else f" {self.value}")


def quoted(name: str) -> str:
    """An identifier from the allow-list, quoted (the allow-list holds plain names only)."""
    return '"' + name.replace('"', '""') + '"'


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, Table]:
    """Every browsable table with its columns from the database's catalog."""
    rows = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and list_contains($t, table_name) "
        "order by column_index",
        {"t": list(BROWSABLE)},
    ).fetchall()
    columns: dict[str, list[Column]] = {t: [] for t in BROWSABLE}
    for table, column, type_ in rows:
        if column not in HIDDEN.get(table, ()):
            columns[table].append(Column(column, type_))
    out = {}
    for name, cols in columns.items():
        names = {c.name for c in cols}
        facets = tuple(f for f in FACETS.get(name, ()) if f in names)
        facets += tuple(c.name for c in cols if c.is_date and c.name not in facets)
        out[name] = Table(name, tuple(cols), KEYS[name], REFS.get(name, {}), facets)
    return out


def table_of(catalog: dict[str, Table], name: str) -> Table:
    """The table a link names, or BadLink listing the ones there are."""
    if name not in catalog:
        raise BadLink(_("there is no table {name!r}; the tables are {x}").format(name=name, x=", ".join(catalog)))
    return catalog[name]


def parse_filter(table: Table, text: str) -> Filter:
    """`column.op.value` from a link (the value may itself hold dots), checked against the table."""
    parts = str(text).split(".", 2)
    if len(parts) < 2:
        raise BadLink(
            _("the filter {text!r} is not column.operator.value (e.g. certainty.eq.confirmed)").format(text=text)
        )
    column, op = parts[0], parts[1]
    value = parts[2] if len(parts) == 3 else ""
    col = table.column(column)
    if op not in OPS:
        raise BadLink(
            _("the filter {text!r} has no operator {op!r}; the operators are {x}").format(
                text=text, op=op, x=", ".join(OPS)
            )
        )
    if op == "year" and not col.is_date and column != "year":
        raise BadLink(_("the filter {text!r}: only a date column has years").format(text=text))
    if op not in VALUELESS and value == "":
        raise BadLink(
            _("the filter {text!r} needs a value after {column}.{op}.").format(text=text, column=column, op=op)
        )
    if len(value) > 200:
        raise BadLink(
            _("the filter on {column} has a value of {n} characters (at most 200)").format(column=column, n=len(value))
        )
    return Filter(column, op, value)


def _typed(con: duckdb.DuckDBPyConnection, col: Column, f: Filter) -> object:
    """A filter's value as the column's type, or BadLink saying what the column takes."""
    if f.op in VALUELESS or f.op == "contains":
        return f.value
    if f.op == "year":
        try:
            year = int(f.value)
        except ValueError:
            raise BadLink(_("{x}: a year is a number such as 2024").format(x=f.label())) from None
        if not 1800 <= year <= 2200:
            raise BadLink(_("{x}: a year between 1800 and 2200").format(x=f.label()))
        return year
    value = con.execute(f"select try_cast($v as {col.type})", {"v": f.value}).fetchone()[0]
    if value is None:
        kind = {
            "DATE": _("a date such as 2024-03-01"),
            "DOUBLE": _("a number"),
            "INTEGER": _("a whole number"),
            "BIGINT": _("a whole number"),
            "BOOLEAN": _("true or false"),
        }.get(col.type, col.type.lower())
        raise BadLink(_("{filter}: {name} takes {kind}").format(filter=f.label(), name=col.name, kind=kind))
    return value


def where(con: duckdb.DuckDBPyConnection, table: Table, filters: list[Filter]) -> tuple[str, dict]:
    """The filters as one WHERE condition (`true` for none) and its bound values."""
    parts: list[str] = []
    params: dict[str, object] = {}
    for i, f in enumerate(filters):
        col = table.column(f.column)
        name = quoted(col.name)
        p = f"f{i}"
        value = _typed(con, col, f)
        if f.op == "eq":
            parts.append(f"{name} = ${p}")
        elif f.op == "ne":
            parts.append(f"{name} is distinct from ${p}")
        elif f.op == "contains":
            parts.append(f"contains(lower({name}::varchar), lower(${p}))")
        elif f.op == "gte":
            parts.append(f"{name} >= ${p}")
        elif f.op == "lte":
            parts.append(f"{name} <= ${p}")
        elif f.op == "year":
            parts.append(f"year({name}) = ${p}" if col.is_date else f"{name} = ${p}")
        elif f.op == "empty":
            parts.append(f"({name} is null or {name}::varchar = '')")
        elif f.op == "notempty":
            parts.append(f"({name} is not null and {name}::varchar <> '')")
        if f.op not in VALUELESS:
            params[p] = value
    return (" and ".join(parts) or "true"), params


@dataclass(frozen=True)
class Sort:
    column: str | None = None  # None: the table's own order (the order rows were loaded in)
    desc: bool = False

    def text(self) -> str:
        return "" if self.column is None else ("-" if self.desc else "") + self.column


def parse_sort(table: Table, text: str) -> Sort:
    """`column` or `-column` (descending) from a link."""
    text = (text or "").strip()
    if not text:
        return Sort()
    desc = text.startswith("-")
    return Sort(table.column(text.removeprefix("-")).name, desc)


@dataclass
class Page:
    """One page of rows, in order, and the cursors of the pages either side (None at an end)."""

    rows: pd.DataFrame
    next_cursor: str | None
    prev_cursor: str | None
    n_matching: int


def _plain(value: object) -> object:
    if value is not None and not isinstance(value, list | tuple) and pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()  # a date column: 2024-03-01, not 2024-03-01T00:00:00
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _cursor_of(table: Table, row: pd.Series, sort: Sort) -> str:
    """Where a page ends, as a link writes it: the row's position in the table's own order, or its
    sort value and key in a sorted one."""
    if sort.column is None:
        return json.dumps([None, int(row["_rowid"])])
    return json.dumps([_plain(row[sort.column]), [_plain(row[k]) for k in table.key]], ensure_ascii=False)


def _parse_cursor(table: Table, sort: Sort, text: str) -> tuple[object, list]:
    try:
        # bounded in depth and size, every text real text: a link's position is anyone's text
        value, rest = urlvalues.json_value(text)
        if sort.column is None:
            if isinstance(rest, bool) or not isinstance(rest, int) or not 0 <= rest < 2**63:
                raise ValueError
            return None, [rest]
        if not isinstance(rest, list) or len(rest) != len(table.key):
            raise ValueError
        if any(isinstance(v, dict | list) for v in [value, *rest]):
            raise ValueError
        return value, rest
    except (ValueError, TypeError):
        raise BadLink(_not_a_position(text)) from None


def check_cursor(table: Table, sort: Sort, text: str) -> None:
    """BadLink unless `text` is a page position of this table's order, as this page writes them."""
    _parse_cursor(table, sort, text)


def _not_a_position(text: str) -> str:
    return _("the page position {position!r} is not one this page wrote; it starts from the first page").format(
        position=text[:40]
    )


def _as_column(con: duckdb.DuckDBPyConnection, col: Column, value: object, text: str) -> object:
    """A page position's value as its column's type (None stays None), or BadLink: a link's
    position may hold anything JSON can, and only a value of the column's own type is bound."""
    if value is None:
        return None
    got = con.execute(f"select try_cast($v as {col.type})", {"v": str(value)}).fetchone()[0]
    if got is None:
        raise BadLink(_not_a_position(text))
    return got


def _beyond(columns: list[str], op: str) -> str:
    """(c1, c2, ...) `op` ($k0, $k1, ...) written out (op is < or >): the row comes after (or
    before) the cursor's key in key order."""
    c, rest = quoted(columns[0]), columns[1:]
    i = len(columns) - 1
    if not rest:
        return f"{c} {op} $k{i}"
    return f"({c} {op} $k{i} or ({c} = $k{i} and {_beyond(rest, op)}))"


def browse(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    filters: list[Filter],
    sort: Sort,
    after: str = "",
    before: str = "",
    page_size: int = PAGE_SIZE,
    cell_chars: int | None = CELL_CHARS,
) -> Page:
    """One page of the table's rows matching `filters`, in `sort` order (nulls last, ties by the
    table's key) or the table's own order, after the row `after` points at (or the page before
    `before`): the cursor is the last row's values, so no page reads the rows before it."""
    base, base_params = where(con, table, filters)
    cond, params = base, dict(base_params)
    col = quoted(sort.column) if sort.column else None
    backwards = bool(before) and not after
    cursor = after or before
    # keys in reverse so _beyond numbers them from the last column: $k0 is the last key column
    keys = list(table.key)
    if cursor:
        value, key_values = _parse_cursor(table, sort, cursor)
        if col is not None:
            value = _as_column(con, table.column(sort.column), value, cursor)
            key_values = [
                _as_column(con, table.column(k), v, cursor) for k, v in zip(table.key, key_values, strict=True)
            ]
        if col is None:
            params["k0"] = key_values[0]
            keyset = "rowid < $k0" if backwards else "rowid > $k0"
        else:
            for i, v in enumerate(reversed(key_values)):
                params[f"k{i}"] = v
            later, earlier = _beyond(keys, ">"), _beyond(keys, "<")
            if value is None:
                keyset = f"({col} is not null or {earlier})" if backwards else f"({col} is null and {later})"
            else:
                params["cv"] = value
                past, back = ("<", ">") if sort.desc else (">", "<")
                if backwards:
                    keyset = f"({col} {back} $cv or ({col} = $cv and {earlier}))"
                else:
                    keyset = f"({col} {past} $cv or ({col} = $cv and {later}) or {col} is null)"
        cond = f"({cond}) and {keyset}"
    if col is None:
        # the table's own order: a scan that stops after one page
        order = "rowid desc" if backwards else "rowid"
    else:
        # ties by the key, never by rowid: DuckDB 2.0's late materialization fails on a top-N
        # ordered by rowid and a column filtered to NULL (an internal error)
        direction = ("asc" if sort.desc else "desc") if backwards else ("desc" if sort.desc else "asc")
        nulls = "nulls first" if backwards else "nulls last"
        tie = ", ".join(f"{quoted(k)} {'desc' if backwards else 'asc'}" for k in keys)
        order = f"{col} {direction} {nulls}, {tie}"
    # a page's size is bounded by its cells too: long texts are cut (the key and the sort column,
    # which the page positions are made of, never)
    keep_whole = {*table.key, sort.column}
    select = ", ".join(
        f"left({quoted(c.name)}, {int(cell_chars)}) as {quoted(c.name)}"
        if cell_chars and c.is_text and c.name not in keep_whole
        else quoted(c.name)
        for c in table.columns
    )
    sql = (
        f"select rowid as _rowid, {select} from {quoted(table.name)} where {cond} "
        f"order by {order} limit {int(page_size) + 1}"
    )
    try:
        rows = con.execute(sql, params).fetch_df()
        n = con.execute(f"select count(*) from {quoted(table.name)} where {base}", base_params).fetchone()[0]
    except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.BinderException) as exc:
        raise BadLink(_("a value does not fit its column: {x}").format(x=str(exc).splitlines()[0])) from None
    more = len(rows) > page_size
    rows = rows.head(page_size)
    if backwards:
        rows = rows.iloc[::-1].reset_index(drop=True)
    first_page = not cursor or (backwards and not more)
    next_cursor = _cursor_of(table, rows.iloc[-1], sort) if len(rows) and (more or backwards) else None
    prev_cursor = _cursor_of(table, rows.iloc[0], sort) if len(rows) and not first_page else None
    return Page(rows, next_cursor, prev_cursor, int(n))


EXPORT_ROWS = 100_000  # rows one download of a filtered table holds at most


def export_rows(con: duckdb.DuckDBPyConnection, table: Table, filters: list[Filter], sort: Sort) -> pd.DataFrame:
    """Every row of the table matching `filters`, whole (no cell cut), in `sort` order: what a
    download of the filtered table holds, at most EXPORT_ROWS rows (the first in that order)."""
    page = browse(con, table, filters, sort, page_size=EXPORT_ROWS, cell_chars=None)
    return page.rows.drop(columns=["_rowid"])


def facets(con: duckdb.DuckDBPyConnection, table: Table, filters: list[Filter]) -> dict[str, pd.DataFrame]:
    """Per facet column, its values among the matching rows with how many rows have each (the most
    frequent FACET_LIMIT), all from one pass over the table."""
    if not table.facets:
        return {}
    cond, params = where(con, table, filters)
    exprs = []
    for i, name in enumerate(table.facets):
        c = table.column(name)
        e = f"year({quoted(name)})" if c.is_date else quoted(name)
        exprs.append(f"({e})::varchar as v{i}")
    sets = ", ".join(f"(v{i})" for i in range(len(table.facets)))
    grouping = " + ".join(f"grouping(v{i}) * {1 << i}" for i in range(len(table.facets)))
    full = (1 << len(table.facets)) - 1
    which = f"{full} - ({grouping})"
    values = "coalesce(" + ", ".join(f"v{i}" for i in range(len(table.facets))) + ")"
    sql = (
        f"with t as (select {', '.join(exprs)} from {quoted(table.name)} where {cond}), "
        f"g as (select {which} as which, {values} as value, count(*) as n from t group by grouping sets ({sets})), "
        f"r as (select *, row_number() over (partition by which order by n desc, value) as rank from g) "
        f"select which, value, n from r where rank <= {FACET_LIMIT} order by which, n desc, value"
    )
    got = con.execute(sql, params).fetch_df()
    out = {}
    for i, name in enumerate(table.facets):
        part = got[got["which"] == (1 << i)][["value", "n"]].reset_index(drop=True)
        out[name] = part
    return out


def key_filters(table: Table, key: dict[str, str]) -> list[Filter]:
    """The filters that select one row by its key (every key column given)."""
    missing = [k for k in table.key if k not in key]
    if missing:
        raise BadLink(
            _("a row of {name} is named by {x}; the link lacks {x2}").format(
                name=table.name, x=", ".join(table.key), x2=", ".join(missing)
            )
        )
    return [Filter(k, "eq", str(key[k])) for k in table.key]


def parse_row(table: Table, text: str) -> dict[str, str]:
    """A row's key from a link: the key's value, or its values joined by '~' for a key of several
    columns (aliases: person~mu-li~Li Mu)."""
    parts = str(text).split("~", len(table.key) - 1) if len(table.key) > 1 else [str(text)]
    if len(parts) != len(table.key):
        raise BadLink(
            _("a row of {name} is named by {x}, not {text!r}").format(
                name=table.name, x=" ~ ".join(table.key), text=text
            )
        )
    return dict(zip(table.key, parts, strict=True))


def row_text(table: Table, row: pd.Series) -> str:
    """The link text naming a row by its key."""
    return "~".join(str(row[k]) for k in table.key)


def one_row(con: duckdb.DuckDBPyConnection, table: Table, key: dict[str, str]) -> pd.Series | None:
    """The row a key names, or None."""
    page = browse(con, table, key_filters(table, key), Sort(), page_size=2, cell_chars=None)
    return None if page.rows.empty else page.rows.iloc[0]


def referrers(con: duckdb.DuckDBPyConnection, table: Table, key: dict[str, str]) -> pd.DataFrame:
    """The rows that refer to this one: per (table, column) that references its table, how many.
    Only a row of a one-column key can be referred to."""
    found = []
    if len(table.key) != 1:
        return pd.DataFrame(columns=["table", "column", "n"])
    value = key[table.key[0]]
    for other in BROWSABLE:
        for column, target in REFS.get(other, {}).items():
            if target != table.name:
                continue
            n = con.execute(
                f"select count(*) from {quoted(other)} where {quoted(column)} = $v", {"v": value}
            ).fetchone()[0]
            if n:
                found.append((other, column, int(n)))
    if table.name in KIND_OF_TABLE:
        kind = KIND_OF_TABLE[table.name]
        n = con.execute(
            "select count(*) from aliases where entity_kind = $k and entity_id = $v", {"k": kind, "v": value}
        ).fetchone()[0]
        if n:
            found.append(("aliases", "entity_id", int(n)))
    return pd.DataFrame(found, columns=["table", "column", "n"])


def upload_of(con: duckdb.DuckDBPyConnection, table: Table, key: dict[str, str]) -> pd.DataFrame:
    """The loads that brought or changed this row (from the undo logs: the key inserted, or the
    row as it was before a change), newest first; a row no upload logged came with the build."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() and table_name = $t",
        {"t": f"undo_{table.name}"},
    ).fetchone()[0]
    if not exists:
        return pd.DataFrame(columns=["upload_id", "action", "mode", "uploaded_at", "uploader", "file_names"])
    cond = " and ".join(f"l.{quoted(k)} = ${k}" for k in table.key)
    return con.execute(
        f"select distinct l.undo_upload_id as upload_id, l.undo_action as action, u.mode, u.uploaded_at, "
        f"u.uploader, u.file_names from {quoted('undo_' + table.name)} as l "
        f"join uploads as u on u.upload_id = l.undo_upload_id "
        f"where l.undo_action in ('inserted', 'before') and {cond} "
        f"and l.undo_upload_id not in (select upload_id from undone_uploads) "
        f"order by upload_id desc",
        dict(key),
    ).fetch_df()


def count(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """How many rows the table holds."""
    return int(con.execute(f"select count(*) from {quoted(table.name)}").fetchone()[0])


def check(con: duckdb.DuckDBPyConnection, table: Table, filters: tuple[Filter, ...]) -> bool:
    """Whether every filter's value fits its column (BadLink saying what the column takes)."""
    where(con, table, list(filters))
    return True


# how a reference is named: a person's or firm's name (with the Chinese one), a source's title
_LABELS = {
    "people": (
        "select person_id as id, display_name(name, name_zh) as label from people where list_contains($ids, person_id)"
    ),
    "firms": (
        "select firm_id as id, display_name(name, name_zh) as label from firms where list_contains($ids, firm_id)"
    ),
    "sources": "select source_id as id, title as label from sources where list_contains($ids, source_id)",
}


def labels(con: duckdb.DuckDBPyConnection, table: Table, rows: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Per reference column of `rows`, each id's label (only the ids these rows hold are read)."""
    out: dict[str, dict[str, str]] = {}
    for column, target in table.refs.items():
        if column not in rows.columns or target not in _LABELS:
            continue
        ids = sorted({str(v) for v in rows[column] if not pd.isna(v)})
        if ids:
            out[column] = dict(con.execute(_LABELS[target], {"ids": ids}).fetchall())
    return out
