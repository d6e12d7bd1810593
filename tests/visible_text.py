"""What a reader sees on a page, as text, and the English words left in it once data is set aside.

Used by the Chinese-interface tests: a page rendered with `lang=zh` (in AppTest, or its text in
Chromium) must show no English UI word. Names, codes and every text value stored in the database
(a person's English name, an article's title, a role as the article gives it) are data, not UI,
and are removed before the check; so are identifiers (snake_case, the schema's column and table
names, currency and country codes), URLs and file names.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re

import duckdb

# Words that read the same in a Chinese interface: product and format names, units, keys.
ALLOWED = {
    "DuckDB", "Parquet", "CSV", "SQL", "PNG", "SVG", "UTF", "GB18030", "GBK", "Big5", "Shift-JIS", "Shift",
    "JIS", "Windows-1252", "Windows", "Excel", "LibreOffice", "Unicode", "zip", "id", "ids", "ISO", "CPI-U",
    "CPI", "UTC", "Ctrl", "Enter", "pandas", "polars", "English", "Sankey", "MB", "GB", "deflate", "Inc",
    "http", "https", "select", "from", "where", "limit", "and", "SELECT", "WITH", "COPY", "ATTACH", "DETACH",
    "INSTALL", "LOAD", "SET", "PRAGMA", "CREATE", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "EXPORT",
    "EXPLAIN", "NUL", "true", "false", "YYYY", "YYYY-MM", "YYYY-MM-DD", "e.g", "vs", "n", "v", "s", "B", "M",
    "K", "T", "Q1", "Q2", "Q3", "Q4", "material", "xlsx", "xls", "ods", "Crunchbase", "PitchBook", "LinkedIn",
    "Mac", "Roman", "OpenAlex", "D", "JSON", "PDF", "HTML", "X-Atlas-Data-Version", "smtp", "notebook", "Atom",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.\-]*[A-Za-z0-9]|[A-Za-z]")
_FIRST = re.compile(
    r"https?://\S+"  # addresses
    r"|:material/[a-z_]+:"  # icons
    r"|`[^`]*`"  # code in backticks (SQL, commands)
    r"|\b[\w.-]+\.(?:csv|zip|parquet|png|svg|duckdb|txt)\b"  # file names
    r"|\]\([^)\s]*\)"  # a markdown link's address
    r"|/[A-Za-z_]+\?\S*#"  # a link cell's address (its text follows the #)
)
_IGNORED = re.compile(
    r"“[^”]*”|(?<![A-Za-z])'[^'\n]*'"  # what a link or a file said, quoted back to the reader
    r"|[A-Za-z]+…"  # a name cut short to fit its box
    r"|\b\d+(?:\.\d+)?e\d+\b"  # a number in scientific notation (1e8)
    r"|\b[a-z0-9]+(?:_[a-z0-9]+)+\b"  # snake_case identifiers
    r"|\b[a-z0-9]+(?:-[a-z0-9]+)+\b"  # ids like mu-li
    r"|\b[A-Z][A-Z0-9]+\b"  # codes in capitals: countries, currencies, SQL and its types
)


def stored_texts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every text value stored in the base tables and every schema name: data, never UI."""
    out: set[str] = set()
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
    for table in tables:
        out.add(table)
        cols = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main'",
            {"t": table},
        ).fetchall()
        for name, kind in cols:
            out.add(name)
            if kind == "VARCHAR" and not table.startswith(("undo_", "stage_", "typed_")):
                rows = con.execute(f'select distinct "{name}" from "{table}" where "{name}" is not null limit 5000')
                for (value,) in rows.fetchall():
                    out.add(str(value))
                    # a display name is "Name (名字)": each part stands alone in a swapped label too
                    parts = [p.strip() for p in re.split(r"[(),;/→]", str(value)) if p.strip()]
                    out.update(parts)
                    # a name's words in the other order ("Li Mu" for Mu Li) find the same person
                    out.update(" ".join(p.split()[::-1]) for p in parts if len(p.split()) == 2)
    # the codes a column allows, as the data dictionary lists them ("completed, terminated, rumored")
    from atlas.model import TABLES

    out.update(", ".join(c.choices) for t in TABLES for c in t.columns if c.choices)
    return sorted((t for t in out if re.search(r"[A-Za-z]", t)), key=len, reverse=True)


def data_pattern(data: list[str]) -> re.Pattern:
    """One pattern for every stored value, longest first, each as whole words."""
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(v) for v in data) + r")(?![A-Za-z])")


def english_left(text: str, data: re.Pattern) -> list[str]:
    """The English words of `text` once codes, stored values (`data_pattern`) and allowed words are
    set aside."""
    text = text.replace("\\", "")  # markdown escapes
    text = _IGNORED.sub(" ", data.sub(" ", _FIRST.sub(" ", text)))
    return [w for w in _WORD.findall(text) if w.strip(".-'’") not in ALLOWED and not w.isdigit()]


# ------------------------------------------------------------------------------------ AppTest


_UNREAD = re.compile(r"<(style|script|textarea)\b[^>]*>.*?</\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_TEXT_KEYS = ("body", "label", "help", "placeholder", "caption", "text")


def _is_text(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def _dataframe_headers(d: dict) -> list[str]:
    """The headers a st.dataframe shows: each shown column's configured label, else its name."""
    import pyarrow as pa

    config = json.loads(d.get("columns") or "{}")
    data = d.get("arrowData", {}).get("data")
    names: list[str] = []
    if data:
        table = pa.ipc.open_stream(base64.b64decode(data)).read_all()
        meta = json.loads((table.schema.metadata or {}).get(b"pandas", b"{}") or b"{}")
        index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
        names = [n for n in table.column_names if n not in index and not n.startswith("__index_level")]
    order = d.get("columnOrder") or names
    out = []
    if data:
        # the cells' text too: stored values are set aside by the check, words a query or the app
        # writes into a table ("date not given") are not
        for name in order:
            if name in table.column_names and _is_text(table.schema.field(name).type):
                out.extend(str(v) for v in table.column(name).to_pylist() if v)
    for name in order:
        spec = config.get(name) or config.get(f"_pos:{name}") or {}
        if spec.get("hidden"):
            continue
        out.append(spec.get("label") or name)
        if spec.get("help"):
            out.append(spec["help"])
    return out


def _table_headers(d: dict) -> list[str]:
    import pyarrow as pa

    data = d.get("arrowData", {}).get("data") or d.get("data")
    if not data:
        return []
    table = pa.ipc.open_stream(base64.b64decode(data)).read_all()
    return [n for n in table.column_names if not n.startswith("__index_level")]


def _chart_texts(spec: object) -> list[str]:
    """Titles, subtitles, axis, legend and tooltip titles of a Vega-Lite (or ECharts) spec."""
    out: list[str] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "subtitle", "text", "subtext") and isinstance(value, str):
                out.append(value)
            elif key in ("title", "subtitle") and isinstance(value, list):
                out += [v for v in value if isinstance(v, str)]
            elif key in ("data", "datasets", "labelExpr", "expr", "formatter", "field", "name", "calculate"):
                continue
            else:
                out += _chart_texts(value)
    elif isinstance(spec, list):
        for v in spec:
            out += _chart_texts(v)
    return out


def app_texts(at) -> list[str]:  # noqa: ANN001 - an AppTest
    """Every text the reader sees on the page an AppTest drew (main area and sidebar)."""
    from google.protobuf.json_format import MessageToDict

    out: list[str] = []

    def walk(node) -> None:  # noqa: ANN001
        proto = getattr(node, "proto", None)
        if proto is not None:
            d = MessageToDict(proto)
            kind = node.type
            if kind in ("dataframe", "arrow_data_frame"):
                out.extend(_dataframe_headers(d))
            elif kind == "table":  # st.table: its headers, and a named index's header
                out.extend(_table_headers(d))
            elif kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
                out.extend(_chart_texts(json.loads(d.get("spec", "{}"))))
            elif kind in ("echarts_chart", "custom_component") or "spec" in d:
                with contextlib.suppress(TypeError, ValueError):
                    out.extend(_chart_texts(json.loads(d.get("spec") or d.get("option") or "{}")))
            else:
                hidden = d.get("labelVisibility", {}).get("value") == "COLLAPSED"
                for key in _TEXT_KEYS:
                    if isinstance(d.get(key), str) and not (key == "label" and hidden):
                        text = d[key]
                        if kind == "html":  # read as a browser shows it: no style, script or tags;
                            # a box's text is the link (as st.code's was, a value, not UI words)
                            text = _TAGS.sub(" ", _UNREAD.sub(" ", text))
                        out.append(text)
                for option in d.get("options", []):
                    out.append(option["content"] if isinstance(option, dict) else str(option))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return [t for t in out if t]
