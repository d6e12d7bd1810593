"""The page frame every page starts with: page config, menu, shared filters.

Each filter widget has a stable key and is bound to the URL (`bind="query-params"`), so a
view is a link; the shared ones also persist for the session so they follow the analyst
from page to page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from atlas import tables
from atlas.model import CERTAINTIES, FIRM_KINDS
from atlas.money import DISPLAY_CURRENCIES

# (script, menu label, icon): the menu order; app.py is the Overview.
PAGES = (
    ("app.py", "Overview", ":material/dashboard:"),
    ("pages/1_Talent_flows.py", "Talent flows", ":material/swap_horiz:"),
    ("pages/2_Pay_offers.py", "Pay offers", ":material/payments:"),
    ("pages/3_Funding.py", "Funding", ":material/account_balance:"),
    ("pages/4_People_and_firms.py", "People & firms", ":material/groups:"),
    ("pages/5_Data.py", "Data", ":material/database:"),
)

FIRST_YEAR = 2000
LAST_YEAR = 2026


@dataclass(frozen=True)
class Filters:
    """The shared filters as the queries take them."""

    start_year: int = FIRST_YEAR
    end_year: int = LAST_YEAR
    min_certainty: str = "rumor"
    kinds: tuple[str, ...] = ()
    currency: str = "USD"
    extra: dict = field(default_factory=dict, compare=False)

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
            "countries": [],
            "search": "",
            "person_id": "",
            "firm_id": "",
        }


def menu_ui(current: str) -> None:
    """The navigation menu in the sidebar, drawn from PAGES."""
    with st.sidebar:
        st.markdown("### Talent Atlas")
        for script, label, icon in PAGES:
            st.page_link(script, label=label, icon=icon, disabled=label == current)


def shared_filters_ui() -> Filters:
    """Period, minimum certainty, firm kind and display currency, bound to the URL."""
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
    return Filters(int(start), int(end), certainty, tuple(kinds), currency)


def page_frame(title: str, caption: str = "") -> Filters:
    """Start a page: config, menu, title and the shared filters; returns the filters."""
    st.set_page_config(page_title=f"{title} · Talent Atlas", page_icon=":material/hub:", layout="wide")
    menu_ui(title)
    filters = shared_filters_ui()
    st.title(title)
    if caption:
        st.caption(caption)
    return filters


def certainty_column(label: str = "Certainty"):
    """The column config that explains the certainty levels in a table header."""
    return st.column_config.TextColumn(
        label,
        help="confirmed: own statement or official; reported: the article or media; rumor: anonymous insiders",
        width="small",
    )


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
        tables.moves_table(df),
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
            "person": "Person",
            "from_firm": "From",
            "to_firm": "To",
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
        tables.pay_table(df),
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
            "person": "Person",
            "firm": "Offering firm",
            "reported_on": "Reported",
            "note": "Note",
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key,
    )


def rounds_dataframe(df, currency: str, *, key: str | None = None) -> None:
    """The rounds table: firm, converted and original amount, type, status, investors, valuation, source."""
    if df.empty:
        st.info("No funding rounds or deals match the filters.")
        return
    st.dataframe(
        tables.undated(tables.rounds_table(df), "announced_on"),
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
            "firm": "Firm",
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
