"""The Explore page's read-only SQL console (its query in the link, a chart of its first two
columns, saved as a view) and the whole database of this data version as a download."""

from __future__ import annotations

import contextlib
import io
import zipfile
from urllib.parse import urlencode

import streamlit as st

from atlas import access, cache, charts, console, db, explore, i18n, tables
from atlas.escape import md
from atlas.i18n import _, ngettext
from atlas.model import dictionary
from atlas.pages import EXPLORE_TABS as TAB_LABELS
from atlas.ui import auth
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import linked
from atlas.ui.share import save_view_ui


def _use_example() -> None:
    """The example picked becomes the query box's value before the page runs; the box is bound
    to the link's `sql`, so the link follows (setting a bound parameter directly is refused)."""
    example = st.session_state.get("example")
    if example in console.EXAMPLES:
        st.session_state["sql"] = console.EXAMPLES[example]


def console_ui() -> None:
    """The read-only SQL console: a query in the URL (`sql=`) runs as the page opens."""
    who = auth.identity()
    if not access.may_use_console(who, auth.roles().console if auth.team_mode() else "anyone"):
        st.info(
            _(
                "The SQL console is for signed-in team members (the roles file's `console` setting). "
                "Sign in from the sidebar, or browse the tables in the first tab."
            ),
            icon=":material/lock:",
        )
        return
    c1, c2 = st.columns([3, 2])
    with c2:
        st.selectbox(
            _("Examples"),
            list(console.EXAMPLES),
            index=None,
            key="example",
            placeholder=_("Pick an example query"),
            format_func=i18n.bound(_),
            on_change=_use_example,
        )
        with st.expander(_("Schema: every table and column"), icon=":material/schema:"):
            schema_ui()
    with c1:
        text = linked(
            st.text_area,
            _("Read-only SQL (DuckDB)"),
            key="sql",
            height=180,
            max_chars=console.MAX_SQL_CHARS,
            placeholder=_("select * from moves where certainty = 'confirmed' limit 20"),
            help=_(
                "One read query. Runs on a copy of this data version, for at most {seconds:.0f} s; the first "
                "{rows:,} rows are shown. Ctrl+Enter runs it; the query is in the link."
            ).format(seconds=console.TIME_LIMIT_S, rows=console.ROW_LIMIT),
        )
        st.button(_("Run"), type="primary", icon=":material/play_arrow:", key="run_sql")
    if not (text or "").strip():
        st.caption(
            _(
                "Write a query, or pick an example. The tables are those of the schema; nothing here can change "
                "the data."
            )
        )
        return
    try:
        with st.spinner(_("Running… (the first query on a new data version also copies its tables for the console)")):
            result = cache.console_query(text)
    except console.Refused as exc:
        st.error(md(str(exc)), icon=":material/block:")
        return
    more = _("; the first {rows:,} are shown").format(rows=console.ROW_LIMIT) if result.truncated else ""
    st.caption(
        ngettext(
            "{n}{plus} row in {seconds:.2f} s{more}.", "{n}{plus} rows in {seconds:.2f} s{more}.", len(result.frame)
        ).format(n=f"{len(result.frame):,}", plus="+" if result.truncated else "", seconds=result.seconds, more=more)
        + " "
        + _("Data version {version}.").format(version=result.version)
    )
    st.dataframe(
        tables.console_view(result.frame),
        hide_index=True,
        width="stretch",
        height=min(36 * (len(result.frame) + 1) + 3, 500),
    )
    chart = charts.first_two_columns_chart(result.frame)
    if chart is not None:
        # the height given with the chart's own: without it Streamlit drew the plot as a 20 px strip
        st.altair_chart(chart, width="stretch", height=int(chart.height) + charts.TITLE_AND_AXIS_PX)
    # the CSV zipped with its about.txt (the query is in its link), formula cells neutralized; the
    # columns are the query's own (issue 40: the console's CSV came without about.txt)
    downloads_ui("query", df=result.frame, translate_header=False, lazy=False)
    save_query_ui(text)


def save_query_ui(text: str) -> None:
    """Save the query under a name and note: it sits with the saved views (the Overview lists them)."""
    query = urlencode([("tab", TAB_LABELS[1]), ("sql", text), ("v", str(cache.version()[0]))])
    save_view_ui("Explore", query, what="query", placeholder=_("e.g. People who moved twice within a year"))


def _columns_of(schema, table: str):  # noqa: ANN001, ANN202 - DataFrames
    """One table's columns with the data dictionary's words for them."""
    words = {}
    with contextlib.suppress(StopIteration, KeyError):  # a table the dictionary does not describe
        words = {d["column"]: d["allowed"] or d["type"] for d in dictionary(table)}
    cols = schema[schema["table"] == table]
    return cols.assign(about=[words.get(c, "") for c in cols.column])[["column", "type", "about"]]


def schema_ui() -> None:
    """Every table and column the console holds, with the data dictionary's words where it has them."""
    schema = cache.console_schema()
    for table in schema["table"].unique():
        about = _(explore.BROWSABLE[table]) if table in explore.BROWSABLE else ""
        st.markdown(f"**{table}** — {about}")
        st.dataframe(
            # made once per data version and language (cache.kept), not again on every run (it was half
            # of a warm Explore view, profiled)
            cache.kept(schema, ("console_schema_table", table), lambda table=table: _columns_of(schema, table)),
            hide_index=True,
            width="stretch",
            column_config={"column": _("Column"), "type": _("Type"), "about": _("Allowed values")},
        )


def download_ui() -> None:
    """Every table as Parquet in a zip, and (for editors and admins) the DuckDB file itself, named by
    the data version."""
    version = cache.version()[0]
    st.markdown(
        _(
            "Every table of data version **{version}** (people, firms, moves, pay figures, rounds, "
            "investors, education, sources, aliases, exchange rates, the load history) as Parquet "
            "files in one zip. Read them back with DuckDB (`select * from 'moves.parquet'`), pandas or "
            "polars."
        ).format(version=version)
    )
    # a version too large to build in memory is not offered (known once its copy is written)
    ready = console.existing_snapshot(cache.connection(), db.db_path())
    if ready is not None and console.snapshot_bytes(ready) > console.DOWNLOAD_BYTES:
        st.info(console.too_large_text(console.snapshot_bytes(ready)), icon=":material/folder_zip:")
        return
    st.download_button(
        f"talent-atlas-v{version}.zip",
        data=lambda: _zip_of_version(),
        key="explore_zip",
        file_name=f"talent-atlas-v{version}.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
        type="primary",
    )
    who = auth.identity()
    if access.allowed(who, "download_database"):
        st.download_button(
            f"talent-atlas-v{version}.duckdb",
            data=lambda: _duckdb_of_version(),
            key="explore_duckdb",
            file_name=f"talent-atlas-v{version}.duckdb",
            mime="application/octet-stream",
            icon=":material/database:",
            on_click="ignore",
            help=_("The same tables in one DuckDB file (editors and admins)"),
        )
    else:
        st.caption(_("The DuckDB file itself is for editors and admins."))


def _zip_of_version() -> bytes:
    _version, folder = console.snapshot(cache.connection(), db.db_path())
    out = io.BytesIO()
    size = console.snapshot_bytes(folder)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:  # Parquet is compressed already
        if size > console.DOWNLOAD_BYTES:
            # found too large only now, as its copy was written: the zip says so instead of holding it
            z.writestr("TOO-LARGE.txt", console.too_large_text(size))
            return out.getvalue()
        for table in console.SNAPSHOT_TABLES:
            z.write(folder / f"{table}.parquet", f"{table}.parquet")
    return out.getvalue()


def _duckdb_of_version() -> bytes:
    _version, folder = console.snapshot(cache.connection(), db.db_path())
    if console.snapshot_bytes(folder) > console.DOWNLOAD_BYTES:
        return console.too_large_text(console.snapshot_bytes(folder)).encode("utf-8")
    return console.database_file(cache.connection(), db.db_path()).read_bytes()
