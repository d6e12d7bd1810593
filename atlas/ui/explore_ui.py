"""The Explore page's widgets: the table browser (filters, facets, sort, pages by key), one row
with its source, upload and the rows that refer to it, the read-only SQL console, and the whole
database as a download. The page's state lives in the URL (`table`, `f`, `sort`, `after`,
`before`, `row`, `sql`): a public interface, so every part of it is checked (atlas.explore,
atlas.console) and a bad one is explained.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from atlas import cache, dates, explore, i18n
from atlas.escape import md, short
from atlas.i18n import _
from atlas.model import KIND_OF_TABLE
from atlas.pages import DEFAULT_TABLE, EXPLORE, PAGE_SIZES, PROFILES
from atlas.pages import EXPLORE_TABS as TAB_LABELS
from atlas.ui import link, session
from atlas.ui.downloads import downloads_ui
from atlas.urlvalues import parse_int

# where a reference opens: a person or firm's profile, else the referenced row here
PROFILE_OF = KIND_OF_TABLE  # a row of these tables opens its profile


BROWSER_KEYS = ("table", "f", "sort", "n", "after", "before", "row")


def _set(key: str, value: object) -> None:
    """Keep one part of the view in the session and the URL (empty: removed from both)."""
    if value in (None, "", [], ()):
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = value
    link.hold(key, value)


def write_link() -> None:
    """Write the browser's whole view into the address at the end of a run. A page that writes
    the address and reruns gets back only what was written: every key is written each run,
    as the other pages' URL-kept widgets do (atlas.ui.filters)."""
    for key in BROWSER_KEYS:
        link.hold(key, st.session_state.get(key))


def _explain(key: str, message: str) -> None:
    """A part of the link that could not apply: said in the page's notice instead of the generic line."""
    session.EXPLAINED.setdefault({}).setdefault(key, []).append(message)


def read_link(catalog: dict[str, explore.Table]) -> None:
    """On arrival, take the link's explore parameters into the session, each checked."""
    arrival = session.ARRIVAL.get()
    if session.EXPLORE_READ.get() == arrival:
        return
    session.EXPLORE_READ.value = arrival
    session.EXPLAINED.pop()
    # the link as the frame read it this run (atlas.pages.View); the values the catalog decides
    # (a table, a filter on its columns) are checked here against the data
    view = session.VIEW.value
    asked = {k: list(view.asked.get(k, [])) for k in ("table", "f", "sort", "n", "after", "before", "row", "sql")}
    st.session_state.pop("n", None)
    if asked["n"]:
        size = parse_int(asked["n"][0], lo=1)
        if size in PAGE_SIZES:
            st.session_state["n"] = size
        else:
            _explain(
                "n",
                _("{x} rows per page: one of {x2}").format(
                    x=md(short(asked["n"][0], 20)), x2=", ".join(map(str, PAGE_SIZES))
                ),
            )
    if asked["sql"] and not link.present("tab"):
        st.session_state["tab"] = TAB_LABELS[1]
    name = asked["table"][0] if asked["table"] else DEFAULT_TABLE
    if name not in catalog:
        _explain(
            "table",
            _("there is no table “{x}”; the tables are {x2}").format(x=md(short(name, 40)), x2=", ".join(catalog)),
        )
        name = DEFAULT_TABLE
    st.session_state["table"] = name
    session.EXPLORE_TABLE.value = name  # the link's table: its filters are not another table's
    session.EXPLORE_N.pop()  # nor is its page position another page size's
    table = catalog[name]
    good = []
    for text in asked["f"]:
        try:
            f = explore.parse_filter(table, text)
            cache.explore("check", table, (f,))  # its value is of its column's type (1e40 is no INTEGER)
            good.append(f.text())
        except explore.BadLink as exc:
            _explain("f", md(short(str(exc), 160)))
    _set("f", good)
    for key in ("sort", "after", "before", "row"):
        value = asked[key][0] if asked[key] else ""
        try:
            if key == "sort":
                explore.parse_sort(table, value)
            elif key in ("after", "before") and value:
                # a position this page could have written (its depth, size and texts bounded)
                explore.check_cursor(table, explore.parse_sort(table, st.session_state.get("sort", "")), value)
            elif key == "row" and value:
                # every part of the key of its column's type (upload_id=abc is no row)
                cache.explore("check", table, tuple(explore.key_filters(table, explore.parse_row(table, value))))
        except explore.BadLink as exc:
            _explain(key, md(short(str(exc), 160)))
            value = ""
        _set(key, value)
    if asked["sql"]:
        st.session_state["sql"] = asked["sql"][0]


def _base_url() -> str:
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def href(path: str, params: list[tuple[str, str]], label: str) -> str:
    """An absolute link to a page of the app with `params`, its label after '#' (what a link
    column shows: see LinkColumn's display_text)."""
    return f"{_base_url()}{path}?{urlencode(params)}#{label}"


def _ref_url(target: str, value: str, label: str) -> str:
    if target in PROFILE_OF:
        return href(PROFILES.url_path, [(PROFILE_OF[target], value)], label)
    return href(EXPLORE.url_path, [("table", target), ("row", value)], label)


def filters_of(table: explore.Table) -> list[explore.Filter]:
    return [explore.parse_filter(table, t) for t in st.session_state.get("f", [])]


def _add_filter(f: explore.Filter) -> None:
    current = list(st.session_state.get("f", []))
    if f.text() not in current:
        current.append(f.text())
    _set("f", current)
    _set("after", "")
    _set("before", "")


def _remove_filter(text: str) -> None:
    _set("f", [t for t in st.session_state.get("f", []) if t != text])
    _set("after", "")
    _set("before", "")


def _facet_picked(picked: str, column: str, is_date: bool) -> None:
    value = picked.rsplit(" · ", 1)[0]
    if value == _("(empty)"):
        _add_filter(explore.Filter(column, "empty"))
    else:
        _add_filter(explore.Filter(column, "year" if is_date else "eq", value))


def _table_changed(name: str) -> None:
    """Another table: its own filters, sort and pages start empty (rows per page stays)."""
    if session.EXPLORE_TABLE.get() not in (None, name):
        for key in ("f", "sort", "after", "before", "row"):
            _set(key, "")
    session.EXPLORE_TABLE.value = name


def table_picker_ui(catalog: dict[str, explore.Table]) -> explore.Table:
    """Which table, bound to the URL (`table=`)."""
    name = st.selectbox(
        _("Table"),
        list(catalog),
        key="table",
        format_func=i18n.bound(lambda t: f"{catalog[t].title} — {catalog[t].about}"),
        help=_("Every table of the data model as it is stored; the sidebar's filters do not apply here."),
    )
    _table_changed(name or DEFAULT_TABLE)
    return catalog[name or DEFAULT_TABLE]


def filters_ui(table: explore.Table) -> None:
    """The filters in effect (each removable) and a small form to add one."""
    current = st.session_state.get("f", [])
    if current:
        cols = st.columns(min(len(current), 4) + 1)
        for i, text in enumerate(current):
            f = explore.parse_filter(table, text)
            if cols[i % 4].button(f"✕ {f.label()}", key=f"rm_{i}_{text}", help=_("Remove this filter")):
                _remove_filter(text)
                st.rerun()
    with st.popover(_("Add a filter"), icon=":material/filter_alt:"), st.form("add_filter", border=False):
        column = st.selectbox(_("Column"), table.names)
        op = st.selectbox(_("Condition"), list(explore.OPS), format_func=i18n.bound(lambda o: _(explore.OPS[o])))
        value = st.text_input(
            _("Value"), max_chars=200, help=_("Dates as 2024, 2024-03 or 2024-03-01; not needed for 'is empty'")
        )
        if st.form_submit_button(_("Add")):
            try:
                f = explore.parse_filter(
                    table, f"{column}.{op}.{value.strip()}" if op not in explore.VALUELESS else f"{column}.{op}"
                )
                cache.explore("check", table, (f,))  # the value fits the column
            except explore.BadLink as exc:
                st.error(str(exc))
            else:
                _add_filter(f)
                st.rerun()


def facets_ui(table: explore.Table, found: dict[str, pd.DataFrame]) -> None:
    """Per facet, its values with counts among the matching rows; a click filters by one."""
    for column, values in found.items():
        if values.empty:
            continue
        is_date = table.column(column).is_date
        empty = _("(empty)")
        options = [f"{empty if pd.isna(v) else v} · {int(n):,}" for v, n in zip(values.value, values.n, strict=True)]
        # a new widget for every set of filters: a pick never stays selected after it applied
        key = f"facet_{table.name}_{column}_{'|'.join(st.session_state.get('f', []))}"
        picked = st.pills(
            _("{column} (year)").format(column=column) if is_date else column,
            options,
            key=key,
            help=_("Rows per value among the matching rows; click one to keep only its rows"),
            width="stretch",
            wrap=True,
        )
        if picked:
            _facet_picked(picked, column, is_date)
            st.rerun()


def _pages_reset() -> None:
    _set("after", "")
    _set("before", "")


def sort_ui(table: explore.Table) -> tuple[explore.Sort, int]:
    """Sort column and direction (in the link as `sort=-column`), and rows per page (`n=`)."""
    sort = explore.parse_sort(table, st.session_state.get("sort", ""))
    options = ["(as stored)", *table.names]
    c1, c2, c3 = st.columns([3, 1, 1])
    column = c1.selectbox(
        _("Sort by"),
        options,
        index=options.index(sort.column) if sort.column else 0,
        format_func=i18n.bound(lambda o: _("(as stored)") if o == "(as stored)" else o),
        key=f"sort_col_{table.name}",
    )
    desc = c2.toggle(_("Descending"), value=sort.desc, key=f"sort_desc_{table.name}")
    size = c3.selectbox(
        _("Rows per page"),
        PAGE_SIZES,
        index=PAGE_SIZES.index(explore.PAGE_SIZE),
        key="n",
    )
    if session.EXPLORE_N.get() not in (None, size):
        _pages_reset()  # another page size: from the first page
    session.EXPLORE_N.value = size
    chosen = explore.Sort(None if column == "(as stored)" else column, bool(desc and column != "(as stored)"))
    if chosen != sort:
        _set("sort", chosen.text())
        _pages_reset()
    return chosen, int(size or explore.PAGE_SIZE)


def _with_links(
    table: explore.Table, rows: pd.DataFrame, labels: dict[str, dict[str, str]]
) -> tuple[pd.DataFrame, dict]:
    """The page's rows for display: the row's own link first, references as links named by
    their label (a person's or firm's name, a source's title)."""
    shown = dates.readable_dates(rows.drop(columns=["_rowid"]))  # each date at its stored precision
    config: dict = {}
    opens = _("open")  # what the row's link reads
    shown.insert(
        0,
        "_open",
        [
            href(EXPLORE.url_path, [("table", table.name), ("row", explore.row_text(table, r))], opens)
            for _i, r in rows.iterrows()
        ],
    )
    config["_open"] = st.column_config.LinkColumn(
        _("Row"),
        display_text=r"#(.+)$",
        help=_("Opens the row with its source, upload and the rows that refer to it"),
        width="small",
    )
    for column, target in table.refs.items():
        if column not in shown.columns:
            continue
        names = labels.get(column, {})
        shown[column] = [
            None if pd.isna(v) else _ref_url(target, str(v), i18n.name(names.get(str(v), str(v))))
            for v in shown[column]
        ]
        opens = _("Opens the profile ({target})") if target in PROFILE_OF else _("Opens the row ({target})")
        config[column] = st.column_config.LinkColumn(column, display_text=r"#(.+)$", help=opens.format(target=target))
    return shown, config


def browser_ui(catalog: dict[str, explore.Table]) -> None:
    """The table browser: picker, filters, facets, sort, one page of rows and the way to the next."""
    table = table_picker_ui(catalog)
    try:
        filters = filters_of(table)
        cache.explore("check", table, tuple(filters))
    except explore.BadLink as exc:
        st.error(md(str(exc)))
        _set("f", [])
        filters = []
    if st.session_state.get("row"):
        row_ui(catalog, table, st.session_state["row"])
        return
    filters_ui(table)
    left, right = st.columns([1, 3])
    with right:
        sort, size = sort_ui(table)
        try:
            page = cache.explore(
                "browse",
                table,
                tuple(filters),
                sort,
                st.session_state.get("after", ""),
                st.session_state.get("before", ""),
                size,
            )
        except explore.BadLink as exc:
            st.warning(_("{x}. The first page is shown.").format(x=md(str(exc))), icon=":material/link_off:")
            _set("after", "")
            _set("before", "")
            try:
                page = cache.explore("browse", table, tuple(filters), sort, "", "", size)
            except explore.BadLink:  # a filter's value that no longer fits: the table unfiltered
                _set("f", [])
                filters = []
                page = cache.explore("browse", table, (), sort, "", "", size)
        total = cache.explore("count", table)
        st.caption(
            _("{n_matching:,} of {total:,} rows match").format(n_matching=page.n_matching, total=total)
            + (_("; {n} shown on this page").format(n=len(page.rows)) if page.n_matching > len(page.rows) else "")
            + _(". {table}: {about}.").format(table=table.title.capitalize(), about=table.about)
        )
        if page.rows.empty:
            st.info(_("No row matches these filters. Remove one above to see more."), icon=":material/filter_alt_off:")
        else:
            labels = cache.explore("labels", table, page.rows.drop(columns=["_rowid"]))
            shown, config = _with_links(table, page.rows, labels)
            st.dataframe(
                shown,
                column_config=config,
                hide_index=True,
                width="stretch",
                height=min(36 * (len(shown) + 1) + 3, 640),
            )
        if not page.rows.empty:
            # every matching row, whole, read when clicked (issue 40: a filtered table had no export)
            st.caption(
                _("The download holds every matching row, whole (at most {n:,}), in this order.").format(
                    n=explore.EXPORT_ROWS
                )
            )
            downloads_ui(
                f"explore_{table.name}",
                rows=lambda: cache.explore_rows(table, list(filters), sort),
                translate_header=False,
            )
        c1, c2, _rest = st.columns([1, 1, 4])
        if c1.button(_("← Previous"), disabled=page.prev_cursor is None, key="page_prev"):
            _set("before", page.prev_cursor)
            _set("after", "")
            st.rerun()
        if c2.button(_("Next →"), disabled=page.next_cursor is None, key="page_next"):
            _set("after", page.next_cursor)
            _set("before", "")
            st.rerun()
    with left:
        st.markdown(_("**Facets**"))
        facets_ui(table, cache.explore("facets", table, tuple(filters)))


def row_ui(catalog: dict[str, explore.Table], table: explore.Table, text: str) -> None:
    """One row: every column, its source, the loads that brought or changed it, the rows that refer to it."""
    if st.button(_("← Back to the table"), key="row_back"):
        _set("row", "")
        st.rerun()
    try:
        key = explore.parse_row(table, text)
    except explore.BadLink as exc:
        st.error(str(exc))
        return
    try:
        row = cache.explore("one_row", table, key)
    except explore.BadLink as exc:
        st.warning(md(str(exc)), icon=":material/link_off:")
        return
    if row is None:
        st.warning(
            _("There is no row of {title} with {x} (it may have been removed or merged).").format(
                title=table.title, x=md(short(text, 80))
            ),
            icon=":material/search_off:",
        )
        return
    st.subheader(f"{table.title.capitalize()}: {md(short(text, 80))}")
    values = row.drop(labels=["_rowid"])
    labels = cache.explore("labels", table, values.to_frame().T)
    # dates at their stored precision: "2024" stays 2024, never 2024-01-01 00:00:00
    readable = dates.readable_dates(values.to_frame().T).iloc[0]
    shown = pd.DataFrame(
        {
            "column": values.index,
            "value": ["—" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in readable.values],
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=36 * (len(shown) + 1) + 3,
        column_config={"column": _("Column"), "value": _("Value")},
    )
    refs = [(c, t, values[c]) for c, t in table.refs.items() if c in values.index and not pd.isna(values[c])]
    if refs:
        st.markdown(_("**References**"))
        for column, target, value in refs:
            name = i18n.name(labels.get(column, {}).get(str(value), str(value)))
            st.markdown(f"- {column}: [{md(short(name, 80))}]({_ref_url(target, str(value), '')})")
    source_id = values.get("source_id")
    if source_id is not None and not pd.isna(source_id):
        source = cache.explore("one_row", catalog["sources"], {"source_id": str(source_id)})
        if source is not None:
            url = (
                source["url"]
                if isinstance(source["url"], str) and source["url"].startswith(("http://", "https://"))
                else ""
            )
            st.markdown(
                _("**Source**: {x} — {x2}").format(
                    x=md(short(source["title"], 200)), x2=md(short(source["publisher"], 80))
                )
                + (
                    ", " + str(dates.at_precision(source["published_on"], source.get("published_on_precision")))
                    if not pd.isna(source["published_on"])
                    else ""
                )
                + (_(" · [address]({url})").format(url=url) if url else _(" · no address given"))
                + _(" · [the source's row]({x})").format(x=_ref_url("sources", str(source_id), ""))
                + (_(" · certainty: {x}").format(x=md(str(values["certainty"]))) if "certainty" in values.index else "")
            )
    loads = cache.explore("upload_of", table, key)
    st.markdown(_("**Loads that brought or changed it**"))
    if loads.empty:
        st.caption(_("None logged: it came with the build of the database (data version 1) or a full replace."))
    else:
        st.dataframe(
            loads,
            hide_index=True,
            column_config={
                "upload_id": st.column_config.NumberColumn(_("Data version"), format="%d"),
                "action": st.column_config.TextColumn(
                    _("What"),
                    help=_("inserted: the load added it; before: the load changed it (the old row is kept for undo)"),
                ),
                "uploaded_at": st.column_config.DatetimeColumn(_("Loaded at (UTC)"), format="YYYY-MM-DD HH:mm"),
            },
        )
    refs_in = cache.explore("referrers", table, key)
    st.markdown(_("**Rows that refer to it**"))
    if refs_in.empty:
        st.caption(_("No other row refers to it."))
    else:
        for other, column, n in refs_in.itertuples(index=False):
            f = f"{column}.eq.{key[table.key[0]]}"
            extra = [("f", f"entity_kind.eq.{PROFILE_OF[table.name]}")] if other == "aliases" else []
            url = href(EXPLORE.url_path, [("table", other), ("f", f), *extra], "")
            st.markdown(
                _("- [{n:,} in {x}, by {column}]({url})").format(n=n, x=catalog[other].title, column=column, url=url)
            )
