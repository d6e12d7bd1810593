"""The page frame every page starts with: page config, menu, shared filters.

Each filter widget has a stable key and is bound to the URL (`bind="query-params"`), so a
view is a link; the shared ones also persist for the session so they follow the analyst
from page to page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from atlas import tables
from atlas.escape import md, short
from atlas.model import CERTAINTIES, FIRM_KINDS
from atlas.money import DISPLAY_CURRENCIES
from atlas.pages import BY_TITLE, PAGES, SHARED_KEYS, keys_of
from atlas.urlvalues import parse_int

if TYPE_CHECKING:
    import pandas as pd

FIRST_YEAR = 2000
LAST_YEAR = 2026
ICON = Path(__file__).parent / "assets" / "icon.png"


@dataclass(frozen=True)
class Filters:
    """The shared filters as the queries take them."""

    start_year: int = FIRST_YEAR
    end_year: int = LAST_YEAR
    min_certainty: str = "rumor"
    kinds: tuple[str, ...] = ()
    currency: str = "USD"

    @property
    def include_undated(self) -> bool:
        """Undated facts are shown only while the period is not narrowed."""
        return self.start_year <= FIRST_YEAR and self.end_year >= LAST_YEAR

    def params(self) -> dict:
        """The bound parameters shared by the filtered queries."""
        return {
            "start_year": self.start_year,
            "end_year": self.end_year,
            "include_undated": self.include_undated,
            "min_certainty": self.min_certainty,
            "kinds": list(self.kinds),
            "currency": self.currency,
        }


def menu_ui(current: str) -> None:
    """The navigation menu in the sidebar, drawn from PAGES."""
    with st.sidebar:
        st.markdown("### Talent Atlas")
        for page in PAGES:
            st.page_link(page.script, label=page.title, icon=page.icon, disabled=page.title == current)
        if local_mode():
            st.caption(":material/lock: Local mode: only this computer can open it.")


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def local_mode() -> bool:
    """True when the server listens on this computer's loopback address only (the default)."""
    return str(st.get_option("server.address") or "") in LOOPBACK


# The filters that mean the same on every page, by widget key, with their defaults.
SHARED_DEFAULTS = {"period": (FIRST_YEAR, LAST_YEAR), "certainty": "rumor", "kinds": [], "currency": "USD"}


def _restore_shared_filters(page: str) -> bool:
    """Carry the shared filters over a page switch; True when something was put back.

    Streamlit clears the query string when the analyst moves to another page, and a bound
    widget then starts from its default. The frame remembers the last values of the shared
    filters in session state and, on arriving at a page whose URL does not set them, puts
    them back before the widgets are drawn. A link that sets them wins.
    """
    came_from = st.session_state.get("_page")
    st.session_state["_page"] = page
    if came_from is None or came_from == page:
        return False
    carried = st.session_state.get("_shared", {})
    restored = False
    for key in SHARED_KEYS:
        value = carried.get(key)
        if value is None or key in st.query_params or _same(value, SHARED_DEFAULTS[key]):
            continue
        # Written into the new page's URL and session state before its widget exists: the
        # bound widget starts from it, and the address shows it.
        st.query_params[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
        st.session_state[key] = value
        restored = True
    return restored


def _same(a, b) -> bool:
    return (list(a) if isinstance(a, list | tuple) else a) == (list(b) if isinstance(b, list | tuple) else b)


def _remember_shared_filters() -> None:
    st.session_state["_shared"] = {key: st.session_state[key] for key in SHARED_KEYS if key in st.session_state}


def shared_filters_ui(page: str = "") -> Filters:
    """Period, minimum certainty, firm kind and display currency, bound to the URL."""
    _restore_shared_filters(page)
    with st.sidebar:
        st.markdown("#### Filters")
        start, end = st.slider(
            "Period (year of the move, offer or round)",
            min_value=FIRST_YEAR,
            max_value=LAST_YEAR,
            value=(FIRST_YEAR, LAST_YEAR),
            key="period",
            bind="query-params",
            persist_state="session",
            help="Facts whose article gives no date are shown only while the whole period is selected.",
        )
        # Bound widgets write their option text into the URL, so options are the data's own
        # words (no format_func): links stay short, stable and match the CSV vocabulary.
        certainty = st.selectbox(
            "Minimum certainty",
            CERTAINTIES[::-1],
            key="certainty",
            bind="query-params",
            persist_state="session",
            help="rumor shows everything; reported hides rumors; confirmed keeps only own statements and "
            "official announcements. confirmed: the person's own statement or an official announcement; "
            "reported: stated by the article or attributed to other media; rumor: anonymous insiders.",
        )
        kinds = st.multiselect(
            "Firm kind",
            FIRM_KINDS,
            key="kinds",
            bind="query-params",
            persist_state="session",
            placeholder="All kinds",
            help="A move matches when the firm it leaves or joins is of a selected kind.",
        )
        currency = st.selectbox(
            "Display currency",
            DISPLAY_CURRENCIES,
            key="currency",
            bind="query-params",
            persist_state="session",
            help="Amounts are converted with the yearly average rate of the year they were reported.",
        )
    _remember_shared_filters()
    return Filters(int(start), int(end), certainty, tuple(kinds), currency)


def _open_saved_view() -> None:
    """?view=<slug> opens the saved page with its filters (an unknown slug is reported)."""
    from urllib.parse import parse_qsl

    from atlas import cache

    slug = st.query_params.get("view")
    if not slug:
        return
    found = cache.query_fresh("saved_view", slug=str(slug)[:60])
    if found.empty:
        st.session_state["_view_missing"] = str(slug)[:60]
        del st.query_params["view"]
        return
    view = found.iloc[0]
    script = BY_TITLE[view.page].script if view.page in BY_TITLE else "app.py"
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(view.query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    st.session_state["_opened_view"] = {
        "name": view["name"],
        "saved_by": view.saved_by,
        "note": view.note,
        "data_version": int(view.data_version),
    }
    st.switch_page(script, query_params=params)


def page_frame(title: str, caption: str = "") -> Filters:
    """Start a page: config, menu, title and the shared filters; returns the filters."""
    # a file of ours: a Material icon as page_icon makes every page fetch it from Google's font host
    st.set_page_config(page_title=f"{title} · Talent Atlas", page_icon=str(ICON), layout="wide")
    _open_saved_view()
    arriving = st.session_state.get("_page") != title
    if arriving:
        # what the link asked for, before any widget corrects it (checked in share_ui)
        st.session_state["_asked"] = {k: st.query_params.get_all(k) for k in st.query_params}
        st.session_state.pop("_notice", None)
    menu_ui(title)
    filters = shared_filters_ui(title)
    st.session_state["_filters"] = filters
    st.title(title)
    if caption:
        st.caption(caption)
    _saved_view_banner()
    _data_changed_banner(st.session_state.get("_asked", {}))
    # filled at the end of the run, once every widget has taken or refused its URL value
    st.session_state["_notice_slot"] = st.empty()
    return filters


def url_int_input(label: str, *, key: str, lo: int, hi: int, default: int, help: str) -> int:
    """A whole-number input kept in the URL under `key`, its link value read by `parse_int`."""
    if key not in st.session_state:
        asked = st.query_params.get_all(key)
        value = parse_int(asked[0], lo, hi) if len(asked) == 1 else None
        st.session_state[key] = default if value is None else value
    value = int(st.number_input(label, min_value=lo, max_value=hi, step=1, key=key, help=help))
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    return value


def _data_changed_banner(asked: dict[str, list[str]]) -> None:
    """A link made on an older data version says how many loads came in since and where."""
    from atlas import cache, db

    values = asked.get("v", [])
    made_on = parse_int(values[0], lo=0) if len(values) == 1 else None
    if made_on is None:
        return
    now = db.data_version(cache.connection())
    if made_on >= now:
        return
    since = cache.query_fresh("uploads_since", version=made_on).iloc[0]
    st.info(
        f"This link was made on data version {made_on}; the data is now at version {now}. "
        f"{int(since.n_uploads)} load(s) came in between, touching: {since.tables or 'no table'}. "
        "Numbers may differ from what the sender saw.",
        icon=":material/update:",
    )


def _saved_view_banner() -> None:
    from atlas import cache, db

    missing = st.session_state.pop("_view_missing", None)
    if missing:
        st.warning(
            f"There is no saved view called “{md(short(missing, 60))}” (it may have been deleted).",
            icon=":material/link_off:",
        )
    opened = st.session_state.pop("_opened_view", None)
    if opened:
        text = f"Saved view **{md(opened['name'])}**, saved by {md(opened['saved_by'])}"
        if opened.get("note"):
            text += f" — {md(opened['note'])}"
        now = db.data_version(cache.connection())
        if now != opened["data_version"]:
            text += f". The data has changed since it was saved (version {opened['data_version']} → {now})."
        st.info(text, icon=":material/bookmark:")


def certainty_column(label: str = "Certainty"):
    """The column config that explains the certainty levels in a table header."""
    return st.column_config.TextColumn(
        label,
        help="confirmed: own statement or official; reported: the article or media; rumor: anonymous insiders",
        width="small",
    )


def carry() -> list[tuple[str, str]]:
    """The shared filters that differ from their defaults, as query parameters for links."""
    f: Filters = st.session_state.get("_filters", Filters())
    out: list[tuple[str, str]] = []
    if (f.start_year, f.end_year) != (FIRST_YEAR, LAST_YEAR):
        out += [("period", str(f.start_year)), ("period", str(f.end_year))]
    if f.min_certainty != "rumor":
        out.append(("certainty", f.min_certainty))
    out += [("kinds", k) for k in f.kinds]
    if f.currency != "USD":
        out.append(("currency", f.currency))
    return out


def profile_link_column(label: str, help: str | None = None):
    """A table column whose cells link to a person or firm profile, showing the name."""
    return st.column_config.LinkColumn(label, display_text=r"#(.+)$", help=help)


def with_links(df, *specs: tuple[str, str, str]):
    """Apply tables.link_column for each (label column, id column, 'person' or 'firm')."""
    out = df
    for label_col, id_col, kind in specs:
        out = tables.link_column(out, label_col, id_col, kind, carry())
    return out


def table_height(n_rows: int, max_height: int = 600) -> int | str:
    """A table height that fits `n_rows` without blank rows, scrolling past `max_height` pixels."""
    return min(max_height, 35 * (n_rows + 1) + 3)


def _source_columns() -> dict:
    return {
        "certainty": certainty_column(),
        "source": st.column_config.TextColumn("Source article", help="The article the fact comes from"),
        "source_publisher": "Publisher",
    }


def moves_dataframe(df, *, key: str | None = None, compact: bool = False) -> None:
    """The moves table: date at its precision, person, firms, type, role, certainty, source.

    `compact` leaves out role, publisher and note, for a summary beside other content.
    """
    if df.empty:
        st.info("No moves match the filters. Widen the period, lower the minimum certainty or clear the firm kinds.")
        return
    st.dataframe(
        with_links(
            tables.moves_table(df),
            ("person", "person_id", "person"),
            ("from_firm", "from_firm_id", "firm"),
            ("to_firm", "to_firm_id", "firm"),
        ),
        column_order=["moved_on", "person", "from_firm", "to_firm", "move_type", "certainty", "source"]
        if compact
        else [
            "moved_on",
            "person",
            "from_firm",
            "to_firm",
            "move_type",
            "role",
            "certainty",
            "source",
            "source_publisher",
            "note",
        ],
        column_config={
            "moved_on": st.column_config.TextColumn("Date", help="At the precision the article gives", width="small"),
            "person": profile_link_column("Person", "Open the person's profile"),
            "from_firm": profile_link_column("From", "Open the firm's profile"),
            "to_firm": profile_link_column("To", "Open the firm's profile"),
            "move_type": "Type",
            "role": "Role",
            "note": "Note",
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key,
    )


def pay_dataframe(df, currency: str, *, key: str | None = None) -> None:
    """The pay-figures table: converted and original amounts, kind, period, outcome, source."""
    if df.empty:
        st.info("No pay figures match the filters.")
        return
    st.dataframe(
        with_links(tables.pay_table(df), ("person", "person_id", "person"), ("firm", "firm_id", "firm")),
        column_order=[
            "converted",
            "original",
            "amount_text",
            "kind",
            "period",
            "outcome",
            "person",
            "firm",
            "reported_on",
            "certainty",
            "source",
            "note",
        ],
        column_config={
            "converted": st.column_config.TextColumn(
                f"Amount ({currency})", help="Converted at the average rate of the year reported"
            ),
            "original": "As reported",
            "amount_text": "Wording in the article",
            "kind": "Kind",
            "period": "Period",
            "outcome": "Outcome",
            "person": profile_link_column("Person", "Empty where the article names nobody"),
            "firm": profile_link_column("Offering firm"),
            "reported_on": "Reported",
            "note": "Note",
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key,
    )


# The Funding page lists (and draws) the largest rounds the filters select, at most this many.
ROUNDS_LISTED = 2000
PAY_LISTED = 2000  # the pay figures a view lists (and, below that many, draws one by one)


def rounds_listed_caption(rounds, params: dict) -> None:  # noqa: ANN001 - funding_rounds_filtered rows
    """Say how many rounds the filters select: all of them, or the ROUNDS_LISTED largest of how
    many (counted by a query of its own, run only when the list is full)."""
    from atlas import cache

    if rounds.empty:
        return
    if len(rounds) < ROUNDS_LISTED:
        st.caption(f"All {len(rounds):,} rounds and deals the filters select.")
        return
    n_found = int(cache.query("funding_rounds_count", **params).iloc[0, 0])
    st.caption(
        f"The {len(rounds):,} largest of {n_found:,} rounds and deals the filters select; narrow them to see others."
    )


def rounds_dataframe(df, currency: str, *, key: str | None = None) -> None:
    """The rounds table: firm, converted and original amount, type, status, investors, valuation, source."""
    if df.empty:
        st.info("No funding rounds or deals match the filters.")
        return
    st.dataframe(
        with_links(tables.undated(tables.rounds_table(df), "announced_on"), ("firm", "firm_id", "firm")),
        column_order=[
            "firm",
            "converted",
            "original",
            "round_type",
            "status",
            "investors",
            "valuation_text",
            "stake",
            "announced_on",
            "certainty",
            "source",
            "note",
        ],
        column_config={
            "firm": profile_link_column("Firm"),
            "converted": st.column_config.TextColumn(
                f"Amount ({currency})", help="Converted at the average rate of the announcement year"
            ),
            "original": "As reported",
            "round_type": "Type",
            "status": st.column_config.TextColumn("Status", help="A terminated deal is never counted as raised"),
            "investors": "Investors",
            "valuation_text": st.column_config.TextColumn("Valuation", help="Stated, or implied by amount / stake"),
            "stake": "Stake",
            "announced_on": "Announced",
            "note": "Note",
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key,
    )


LEVELS = ("firm", "parent", "kind", "country")
LEVEL_NAMES = {"firm": "Firm", "parent": "Parent firm", "kind": "Firm kind", "country": "Country"}


@dataclass(frozen=True)
class FlowView:
    """The Talent flows page's own controls."""

    level: str = "parent"
    countries: tuple[str, ...] = ()
    search: str = ""
    top_n: int = 12
    min_count: int = 1

    def params(self) -> dict:
        """Bound parameters for the flow queries (added to Filters.params())."""
        return {
            "level": self.level,
            "countries": list(self.countries),
            "search": self.search,
            "top_n": self.top_n,
            "min_count": self.min_count,
        }


def flow_controls_ui(country_options: list[str]) -> FlowView:
    """Level, country, search, top-N and minimum count for the flow views, bound to the URL."""
    c1, c2, c3 = st.columns([2, 2, 2])
    with c1:
        level = st.radio(
            "Level",
            LEVELS,
            index=1,
            horizontal=True,
            key="level",
            bind="query-params",
            help="firm: each firm; parent: roll subsidiaries up to their top parent (Google Brain and Google "
            "DeepMind are Google); kind: big tech, startup, lab…; country: where the firm is.",
        )
        search = st.text_input(
            "Person or firm",
            key="search",
            bind="query-params",
            max_chars=100,
            placeholder="e.g. Yi Tay, 字节跳动, Reka",
            help="Keeps the moves of matching people and the moves into or out of matching firms.",
        ).strip()
    with c2:
        countries = st.multiselect(
            "Country",
            country_options,
            key="countries",
            bind="query-params",
            placeholder="All countries",
            help="A move matches when the firm it leaves or joins is in a selected country (ISO codes).",
        )
    with c3:
        top_n = st.slider(
            "Top groups shown",
            3,
            40,
            12,
            key="top",
            bind="query-params",
            help="The most active groups are drawn; the rest fold into 'Other'.",
        )
        # a number, not a slider: on millions of moves a useful threshold can be in the thousands
        # not bound by Streamlit: its URL reader calls int(float(value)), which `?min_n=1e309`
        # crashes; the link value is read by the strict parser and written back by hand
        min_count = url_int_input(
            "Minimum moves per flow",
            key="min_n",
            lo=1,
            hi=100_000_000,
            default=1,
            help="Flows and groups with fewer moves are hidden (Sankey) or greyed (bar chart).",
        )
    return FlowView(level, tuple(countries), search, int(top_n), int(min_count))


def sankey_image_format_ui() -> str:
    """Which image the Sankey's own save button (top right of the diagram) writes."""
    # labels as values: a bound widget with a format_func reads the URL by label
    return st.segmented_control(
        "Diagram image",
        ("PNG", "SVG"),
        default="PNG",
        key="img",
        bind="query-params",
        required=True,
        help="The save button at the top right of the diagram downloads it as this image, drawn in your "
        "browser: PNG (for slides) or SVG (scalable, editable).",
    ).lower()


def counterparts_dataframe(df) -> None:
    """Whom a group gained from and lost to, with counts and names."""
    if df.empty:
        st.info("No moves in or out of this group under the filters.")
        return
    st.dataframe(
        tables.dashes(df, ["names"]),
        column_config={
            "direction": "Direction",
            "counterpart": "From / to",
            "n_moves": st.column_config.NumberColumn("Moves (n)"),
            "names": st.column_config.TextColumn("Who", help="Listed where five or fewer"),
        },
        hide_index=True,
        width="stretch",
        height=table_height(len(df), 400),
    )


def boomerangs_dataframe(df) -> None:
    """People who left and came back: path, dates at their precision, time away."""
    if df.empty:
        st.info("No one under these filters left a firm and came back to it.")
        return
    n_found = int(df["n_found"].iloc[0])
    listed = f"; the {len(df):,} most recent are listed" if n_found > len(df) else ""
    st.caption(f"{n_found:,} return(s) found{listed}")
    shown = with_links(
        tables.dashes(df.assign(away=tables.months_text(df["months_away"])), ["left_on", "returned_on"]),
        ("person", "person_id", "person"),
    )
    st.dataframe(
        shown,
        column_order=["person", "path", "returned_to", "left_on", "returned_on", "away", "return_type"],
        column_config={
            "person": profile_link_column("Person"),
            "path": st.column_config.TextColumn("Path", width="large"),
            "returned_to": "Came back to",
            "left_on": "Left",
            "returned_on": "Came back",
            "away": st.column_config.TextColumn("Time away", help="From the two dates, at their precision"),
            "return_type": "Recorded as",
        },
        hide_index=True,
        width="stretch",
    )


def education_flows_dataframe(df) -> None:
    """Trained-in / works-in country pairs with counts and names."""
    st.dataframe(
        tables.dashes(df, ["names"]),
        column_config={
            "trained_country": "Trained in",
            "works_country": "Works in",
            "n_people": st.column_config.NumberColumn("People (n)"),
            "names": st.column_config.TextColumn("Who", help="Listed where five or fewer"),
        },
        hide_index=True,
        width="stretch",
    )


@dataclass(frozen=True)
class PayView:
    """The Pay offers page's own controls."""

    firm_ids: tuple[str, ...] = ()
    pay_kinds: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    constant_year: int = 0

    def params(self) -> dict:
        """Bound parameters for the pay queries (added to Filters.params())."""
        return {
            "firm_ids": list(self.firm_ids),
            "pay_kinds": list(self.pay_kinds),
            "outcomes": list(self.outcomes),
            "constant_year": self.constant_year,
        }


# A firm picker lists this many of the most active firms (plus any already picked): tens of
# thousands of options would be sent to the browser on every run.
PICKER_LIMIT = 1000


def firm_picker_options(query_name: str, key: str) -> pd.DataFrame:
    """The options of the firm picker `key`: the most active firms, and the ones picked.

    What is picked comes from the widget (session state) or, on the first run, from the
    link, so a shared link that names a less active firm still shows it picked.
    """
    import pandas as pd

    from atlas import cache

    picked = st.session_state.get(key)
    if picked is None:
        picked = st.query_params.get_all(key)
    # the most active firms, one cached list whatever is picked; then any picked firm not in it
    top = cache.query(query_name, limit=PICKER_LIMIT, include=[])
    missing = sorted({str(v) for v in picked or []} - set(top["firm_id"]))
    if not missing:
        return top
    return pd.concat([top, cache.query(query_name, limit=0, include=missing)], ignore_index=True)


def pay_controls_ui(firm_options: list[str]) -> PayView:
    """Offering firm, kind, outcome and constant-dollar year, bound to the URL."""
    from atlas.model import COMP_KINDS, OUTCOMES

    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    firm_ids = c1.multiselect(
        "Offering firm",
        firm_options,
        key="firms",
        bind="query-params",
        placeholder="All firms",
        help=f"Firms by id: the {PICKER_LIMIT:,} with the most pay figures (and any picked). "
        "Any firm's own figures are on its profile.",
    )
    pay_kinds = c2.multiselect(
        "Kind of pay",
        COMP_KINDS,
        key="pay_kinds",
        bind="query-params",
        placeholder="All kinds",
        help="signing_bonus and equity are one-time; base_salary and annual_total are per year.",
    )
    outcomes = c3.multiselect("Outcome", OUTCOMES, key="outcomes", bind="query-params", placeholder="All outcomes")
    constant = c4.selectbox(
        "Money of",
        ["nominal", *[str(y) for y in range(2010, LAST_YEAR + 1)]],
        key="constant",
        bind="query-params",
        help="nominal: converted at the rates of the year reported. A year: first in US dollars of that year "
        "(US CPI-U, Bureau of Labor Statistics), then in the display currency.",
    )
    return PayView(tuple(firm_ids), tuple(pay_kinds), tuple(outcomes), 0 if constant == "nominal" else int(constant))


@dataclass(frozen=True)
class FundingView:
    """The Funding page's own controls."""

    countries: tuple[str, ...] = ()
    round_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters for the funding queries (added to Filters.params())."""
        return {
            "countries": list(self.countries),
            "round_types": list(self.round_types),
            "statuses": list(self.statuses),
        }


def funding_controls_ui(country_options: list[str]) -> FundingView:
    """Country, round type and status, bound to the URL."""
    from atlas.model import ROUND_STATUSES, ROUND_TYPES

    c1, c2, c3 = st.columns(3)
    countries = c1.multiselect(
        "Country of the firm", country_options, key="countries", bind="query-params", placeholder="All countries"
    )
    round_types = c2.multiselect(
        "Round type", ROUND_TYPES, key="round_types", bind="query-params", placeholder="All types"
    )
    statuses = c3.multiselect(
        "Status",
        ROUND_STATUSES,
        key="statuses",
        bind="query-params",
        placeholder="All statuses",
        help="Terminated and rumored deals are shown, but never counted as capital raised.",
    )
    return FundingView(tuple(countries), tuple(round_types), tuple(statuses))


def compare_dataframe(df, currency: str) -> None:
    """One row per compared firm: money and talent side by side, each figure with its source."""
    shown = with_links(tables.compare_table(df, currency), ("firm", "firm_id", "firm"))
    st.dataframe(
        shown,
        column_order=[
            "firm",
            "raised",
            "valuation",
            "n_rounds",
            "largest_investor",
            "n_gained",
            "n_lost",
            "pay",
            "raised_source",
            "valuation_source",
            "investor_source",
            "pay_source",
        ],
        column_config={
            "firm": profile_link_column("Firm"),
            "raised": st.column_config.TextColumn(f"Raised ({currency})", help="Completed rounds that count as raised"),
            "raised_source": "Source (largest round)",
            "valuation": st.column_config.TextColumn(f"Last valuation ({currency})"),
            "valuation_source": "Source (valuation)",
            "n_rounds": st.column_config.NumberColumn("Rounds & deals (n)"),
            "largest_investor": "Largest investor",
            "investor_source": "Source (investor)",
            "n_gained": st.column_config.NumberColumn("People gained"),
            "n_lost": st.column_config.NumberColumn("People lost"),
            "pay": st.column_config.TextColumn(f"Largest pay figure offered ({currency})"),
            "pay_source": "Source (pay)",
        },
        hide_index=True,
        width="stretch",
    )


def deals_dataframe(df, currency: str) -> None:
    """Acquisitions and acqui-hires with the people who moved in each."""
    if df.empty:
        st.info("No acquisitions or acqui-hires match the filters.")
        return
    shown = with_links(
        tables.dashes(tables.deals_table(df), ["people", "announced_on"]),
        ("target", "firm_id", "firm"),
        ("buyer", "buyer_id", "firm"),
    )
    st.dataframe(
        shown,
        column_order=[
            "target",
            "buyer",
            "round_type",
            "status",
            "converted",
            "announced_on",
            "people",
            "certainty",
            "source",
            "note",
        ],
        column_config={
            "target": profile_link_column("Target"),
            "buyer": profile_link_column("Buyer"),
            "round_type": "Deal",
            "status": "Status",
            "converted": f"Amount ({currency})",
            "announced_on": "Announced",
            "people": st.column_config.TextColumn(
                "People who moved", help="Moves from the target to the buyer that year"
            ),
            "certainty": certainty_column(),
            "source": "Source article",
            "note": "Note",
        },
        hide_index=True,
        width="stretch",
    )


# Multi-selects whose default is not empty: clearing them must be said in the link (key=).
NON_EMPTY_DEFAULTS = {"compare"}


def view_query(page: str) -> list[tuple[str, str]]:
    """The query parameters that reproduce the current view of `page`."""
    pairs: list[tuple[str, str]] = []
    for key in keys_of(page):
        if key not in st.session_state:
            continue
        value = st.session_state[key]
        if isinstance(value, list | tuple):
            if not value and key in NON_EMPTY_DEFAULTS:
                pairs.append((key, ""))
            pairs += [(key, str(v)) for v in value]
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        elif value is not None and value != "":
            pairs.append((key, str(value)))
    return pairs


# Parameters Streamlit itself reads; never reported as unknown.
STREAMLIT_PARAMS = {"embed", "embed_options"}


def ignored_parameters(page: str, asked: dict[str, list[str]]) -> list[str]:
    """The parameters of a link that the page could not apply, as sentences for a notice."""
    current: dict[str, list[str]] = {}
    for key, value in view_query(page):
        current.setdefault(key, []).append(value)
    known = set(keys_of(page))
    out = []
    for key, values in asked.items():
        # what the link asked for is echoed escaped and shortened: never as a link, image or code
        if key == "v":
            if len(values) != 1 or parse_int(values[0], lo=0) is None:
                out.append("v (the data version of the link) is not a number")
            continue
        shown = ", ".join("“" + md(short(v, 40)) + "”" for v in values[:5]) + (" …" if len(values) > 5 else "")
        if key in STREAMLIT_PARAMS:
            continue
        if key not in known:
            out.append(f"“{md(short(key, 40))}” is not a setting of this page")
        elif sorted(values) != sorted(current.get(key, [])) and not (values == [""] and key not in current):
            out.append(f"{md(key)} = {shown} is not a valid value here; the page uses its default instead")
    return out


def share_ui() -> None:
    """End a page: the notice about ignored link parameters, and the 'Copy link' box."""
    from urllib.parse import urlencode

    from atlas import cache, db

    page = st.session_state.get("_page", "Overview")
    version = db.data_version(cache.connection())
    if "_notice" not in st.session_state:
        st.session_state["_notice"] = ignored_parameters(page, st.session_state.get("_asked", {}))
    notice = st.session_state["_notice"]
    slot = st.session_state.get("_notice_slot")
    if notice and slot is not None:
        slot.warning(
            "Part of this link was ignored, the rest of the view applies:\n\n" + "\n".join(f"- {n}" for n in notice),
            icon=":material/link_off:",
        )
    base = st.context.url or ""
    # the data version the link was made on, so a colleague learns if the data changed since
    query = urlencode([*view_query(page), ("v", str(version))])
    with st.sidebar:
        st.markdown("#### Copy link")
        st.code(base + ("?" + query if query else ""), language=None, wrap_lines=True)
        st.caption("The copy button is at the right of the box. The link opens this page with these filters.")
        save_view_ui(page, query)


def save_view_ui(page: str, query: str) -> None:
    """A small form that saves the current view under a name, with a note and who saved it."""
    from atlas import cache, views

    with st.expander("Save this view"), st.form("save_view", clear_on_submit=True, border=False):
        name = st.text_input("Name", max_chars=200, placeholder="e.g. China-trained researchers in the US")
        note = st.text_area("Note", max_chars=2000, height=80)
        saved_by = st.text_input("Your name", max_chars=100)
        if st.form_submit_button("Save view", icon=":material/bookmark_add:"):
            try:
                slug = views.save_view(cache.connection(), name, note, page, query, saved_by)
            except views.ViewError as exc:
                st.error(str(exc))
            else:
                st.success(f"Saved. Short link: `?view={slug}` (listed on the Overview).")


def downloads_ui(name: str, df=None, chart=None) -> None:
    """Download buttons for the data behind a table or chart (CSV, Parquet) and the chart
    itself (PNG, SVG); files are made only when clicked."""
    from atlas import export

    buttons = []
    if df is not None:
        buttons += [
            ("CSV", f"{name}.csv", "text/csv", lambda: export.to_csv(df)),
            ("Parquet", f"{name}.parquet", "application/octet-stream", lambda: export.to_parquet(df)),
        ]
    if chart is not None:
        buttons += [
            ("PNG", f"{name}.png", "image/png", lambda: export.to_png(chart)),
            ("SVG", f"{name}.svg", "image/svg+xml", lambda: export.to_svg(chart)),
        ]
    with st.container(horizontal=True, gap="small"):
        for label, file_name, mime, make in buttons:
            st.download_button(
                label,
                data=make,
                file_name=file_name,
                mime=mime,
                key=f"dl_{name}_{label}",
                on_click="ignore",
                icon=":material/download:",
                help=f"Download {file_name}",
                width="content",
                type="tertiary",
            )


def saved_views_ui(saved) -> None:
    """The saved views with their short links, and deletion behind a confirmation."""
    from atlas import cache, views

    shown = saved.assign(link=["?view=" + slug + "#" + name for slug, name in zip(saved.slug, saved.name, strict=True)])
    st.dataframe(
        shown,
        column_order=["link", "page", "note", "saved_by", "saved_at", "data_version"],
        column_config={
            "link": st.column_config.LinkColumn(
                "View", display_text=r"#(.+)$", help="Opens the saved page and filters"
            ),
            "page": "Page",
            "note": "Note",
            "saved_by": "Saved by",
            "saved_at": st.column_config.DatetimeColumn("Saved at (UTC)", format="YYYY-MM-DD HH:mm"),
            "data_version": st.column_config.NumberColumn("Data version", format="%d"),
        },
        hide_index=True,
        width="stretch",
    )
    with st.expander("Delete a saved view"):
        slug = st.selectbox(
            "Saved view to delete", saved.slug.tolist(), index=None, key="delete_slug", placeholder="Choose a view"
        )
        if slug:
            sure = st.checkbox(
                f"Yes, delete “{md(saved.set_index('slug').loc[slug, 'name'])}” for everyone", key="delete_sure"
            )
            if st.button("Delete", type="primary", disabled=not sure, key="delete_go"):
                views.delete_view(cache.connection(), slug)
                st.rerun()


UPLOAD_MODES = {
    "append": "Append: new ids only",
    "upsert": "Upsert: add new ids, update existing ones",
    "replace": "Replace: each file becomes its whole table",
}


def upload_ui() -> None:
    """Upload CSV files (or a zip of them): preview, check, see what changes, commit; undo."""
    from atlas import upload

    st.subheader("Upload new data")
    st.caption(
        "One CSV per table (or one .zip of them), recognized by its file name or header, the column names of "
        "the data model; pick the table yourself where it is not. Any encoding a spreadsheet saves (UTF-8, "
        "UTF-16, GB18030/GBK, Big5, Shift-JIS, Windows-1252) is detected, or refused when unsure; comma, "
        f"semicolon, tab or bar. A file with any problem changes nothing. Limit: {upload.MAX_FILE_BYTES // 2**20} "
        "MB per file."
    )
    files = st.file_uploader("CSV or zip files", type=["csv", "zip"], accept_multiple_files=True, key="upload_files")
    if files:
        _upload_flow(files)
    else:
        _drop_staged()  # the analyst removed the files: their staged copies go too
    undo_ui()


def _drop_staged(state=None) -> None:
    state = st.session_state if state is None else state
    staged = state.pop("_staged_upload", None)
    state.pop("_checked_upload", None)
    if staged is not None:
        staged[1].close()


def staged_and_checked(state, con, named: list[tuple[str, bytes]], overrides: dict, encodings: dict, mode: str):
    """The upload staged once per content and choices, and checked once per staging, mode and
    data version; kept in `state` (the session's) across the page's reruns.

    A new file, table pick or encoding pick stages anew and removes the previous copies; the
    copies also go after a commit, when the files are removed, and when the session ends
    (the Upload is then garbage-collected) or the server stops.
    """
    from atlas import db, upload

    key = upload.fingerprint(named, overrides, encodings)
    held = state.get("_staged_upload")
    if held is None or held[0] != key or held[1].closed:
        _drop_staged(state)
        state["_staged_upload"] = (key, upload.stage_upload(named, overrides, encodings=encodings))
    staged = state["_staged_upload"][1]
    check_key = (key, mode, db.cache_version(con))
    checked = state.get("_checked_upload")
    if checked is None or checked[0] != check_key:
        checked = (check_key, upload.check(con, staged, mode))
        state["_checked_upload"] = checked
    return staged, checked[1]


def _upload_flow(files) -> None:
    from atlas import cache, csvfile, upload
    from atlas.model import TABLES

    named = [(f.name, f.getvalue()) for f in files]
    overrides = st.session_state.get("_upload_overrides", {})
    encodings = st.session_state.get("_upload_encodings", {})
    mode = st.session_state.get("upload_mode", "append")
    con = cache.connection()
    with st.spinner("Reading the files and checking every row in DuckDB…"):
        staged, result = staged_and_checked(st.session_state, con, named, overrides, encodings, mode)
    tables = [t.name for t in TABLES]
    codecs = csvfile.codec_names()
    picked_tables: dict[str, str] = {}
    picked_codecs: dict[str, str] = {}
    unreadable = {p.file for p in staged.problems if p.message.startswith("cannot be read")}
    with st.expander("Files, their tables and encodings", expanded=bool(staged.problems)):
        st.dataframe(upload.readings_frame(staged), hide_index=True, width="stretch")
        for i, s in enumerate(staged.staged):
            left, right = st.columns(2)
            with left:
                picked = st.selectbox(
                    md(f"Table of {short(s.name, 60)}"),
                    tables,
                    index=tables.index(s.table) if s.table in tables else None,
                    key=f"upload_table_{i}",
                    placeholder="Pick the table",
                    help="Recognized from the file name or header; change it if it is wrong.",
                )
                if picked and picked != s.table:
                    picked_tables[s.name] = picked
            with right:
                current = encodings.get(s.name)
                codec = st.selectbox(
                    md(f"Encoding of {short(s.name, 60)}"),
                    list(codecs),
                    format_func=codecs.get,
                    index=list(codecs).index(current) if current in codecs else None,
                    key=f"upload_encoding_{i}",
                    placeholder="Detected" if s.name not in unreadable else "Pick the encoding",
                    help="Leave empty to detect it. Pick one when the detection is unsure, then check the preview.",
                )
                if codec:
                    picked_codecs[s.name] = codec
    if picked_tables != {k: v for k, v in overrides.items()} or picked_codecs != encodings:
        st.session_state["_upload_overrides"] = picked_tables
        st.session_state["_upload_encodings"] = picked_codecs
        st.rerun()
    mode = st.radio(
        "Mode",
        list(UPLOAD_MODES),
        format_func=UPLOAD_MODES.get,
        horizontal=True,
        key="upload_mode",
        help="Append refuses ids that exist; upsert updates them field by field; replace also removes the rows "
        "the file no longer has (refused while other data still refers to them). Every commit can be undone.",
    )
    readings = {s.table: s for s in staged.staged if s.path is not None}
    for table, frame in upload.preview(staged).items():
        s = readings.get(table)
        how = f" (read as {s.encoding})" if s else ""
        st.caption(md(f"First rows of {short(staged.labels[table], 80)} → {table}{how}"))
        st.dataframe(frame, width="stretch")

    if result.problems:
        # a whole file's problem (its encoding, its shape) is a sentence to read in full, not a cell
        whole = [p for p in result.problems if p.line is None][:20]
        listed = "".join(f"\n- **{md(short(p.file or p.table, 80))}**: {md(p.message)}" for p in whole)
        st.error(f"{len(result.problems)} problem(s): nothing was written. Fix them and upload again.{listed}")
        report = upload.problems_frame(result.problems)
        st.dataframe(report, hide_index=True, width="stretch")
        downloads_ui("upload_problems", df=report)
        return
    st.success("No problem found. What a commit would change:")
    st.dataframe(
        upload.changes_frame(result),
        column_config={
            c: st.column_config.NumberColumn(c.capitalize(), format="%d")
            for c in ("new", "changed", "unchanged", "removed")
        },
        hide_index=True,
        width="content",
    )
    if result.diff:
        first = " (the first 2,000)" if len(result.diff) >= 2000 else ""
        st.caption(f"Field by field: {len(result.diff):,} change(s){first}, old value beside new.")
        st.dataframe(upload.diff_frame(result), hide_index=True, width="stretch")
    uploader = st.text_input("Your name (recorded with the upload)", max_chars=100, key="uploader")
    if st.button("Commit the upload", type="primary", key="upload_commit"):
        with st.status("Checking again and committing in one transaction…") as progress:

            def step(name: str, result) -> None:  # noqa: ANN001 - a LoadResult
                took = sum(t for k, t in result.timings.items() if k != "derive")
                if name == "committed":
                    progress.update(
                        label=f"Committed as data version {result.upload_id} in {took:,.1f} s. "
                        "Rebuilding the tables the pages read…"
                    )
                else:
                    progress.update(
                        label=f"Committed as data version {result.upload_id} in {took:,.1f} s; the pages' tables "
                        f"rebuilt in {result.timings['derive']:,.1f} s.",
                        state="complete",
                    )

            done = upload.commit(con, staged, uploader, mode, progress=step)
            if not done.ok:
                progress.update(label="Rejected; nothing was written.", state="error")
        if done.ok:
            _drop_staged()  # committed: the copies are no longer needed
            st.success(f"Committed as data version {done.upload_id}. Every page now shows it; undo it below.")
        else:
            st.error("Rejected; nothing was written:")
            st.dataframe(upload.problems_frame(done.problems), hide_index=True, width="stretch")


def undo_ui() -> None:
    """Undo the latest upload in effect, behind a confirmation."""
    from atlas import cache, load

    con = cache.connection()
    latest = load.undoable_upload(con)
    if latest is None:
        return
    problem = load.undo_problem(con, latest)
    if problem:
        st.caption(md(f"The latest upload (data version {latest}) cannot be undone: {problem}."))
        return
    with st.expander(f"Undo the latest upload (data version {latest})"):
        st.caption(
            "Restores exactly the state before it: the rows it added go, the rows it updated or replaced come "
            "back. The undo is itself recorded in the load history."
        )
        sure = st.checkbox(f"Yes, undo data version {latest}", key="undo_sure")
        if st.button("Undo", disabled=not sure, key="undo_button"):
            result = load.undo(con, latest, st.session_state.get("uploader", "") or "data page")
            if result.ok:
                st.success(f"Version {latest} undone (recorded as version {result.upload_id}).")
            else:
                st.error("; ".join(p.message for p in result.problems))


def dictionary_ui() -> None:
    """Per table: the data dictionary (types, rules, an example row) and an empty template."""
    import csv

    import pandas as pd

    from atlas.db import SEED_DIR
    from atlas.model import TABLES, dictionary, template_csv

    with st.expander("Templates and data dictionary"):
        table = st.selectbox("Table", [t.name for t in TABLES], key="dict_table")
        example: dict[str, str] = {}
        seed = SEED_DIR / f"{table}.csv"
        if seed.exists():
            with open(seed, encoding="utf-8") as f:
                example = next(csv.DictReader(f), {}) or {}
        st.dataframe(pd.DataFrame(dictionary(table, example)), hide_index=True, width="stretch")
        st.download_button(
            f"Empty template: {table}.csv",
            data=template_csv(table),
            file_name=f"{table}.csv",
            mime="text/csv",
            key="dict_template",
            on_click="ignore",
            icon=":material/download:",
        )
