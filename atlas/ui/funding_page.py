"""The Funding page, section by section (pages/3_Funding.py draws them in this order): capital raised,
rounds, alliances and deals, and firms compared by money and talent."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from atlas import cache, charts, fetch, tables, viewdata
from atlas.i18n import N_, _
from atlas.pages import PROFILES
from atlas.ui import link
from atlas.ui.controls import funding_controls_ui, picked
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import LAST_YEAR, Filters, empty_message, hidden_caption, rate_estimates_caption, url_picker
from atlas.ui.insights import money_and_talent_ui
from atlas.ui.plots import altair_chart, plot
from atlas.ui.renderers import compare_dataframe, deals_dataframe, rounds_dataframe, rounds_listed_caption
from atlas.ui.sections import Section

ROUND_NOUNS = (N_("round or deal"), N_("rounds and deals"))


@dataclass
class Funding:
    """What every section of the page reads."""

    filters: Filters
    p: dict
    currency: str
    compare: list[str]  # the firms picked
    rounds: pd.DataFrame  # the rounds listed (at most fetch.ROUNDS_LISTED)
    n_rounds: int  # how many match
    hidden: pd.DataFrame  # what the certainty and period filters leave out


def head(filters: Filters) -> Funding:
    """The controls every section reads (countries, round types, statuses; the firms to compare) and
    the rounds two sections list."""
    view = funding_controls_ui(cache.query("firm_countries")["country"].tolist())
    p = {**filters.params(), **view.params()}
    options = fetch.firm_picker_options("funding_firm_options", picked("compare"))
    compare = url_picker(
        st,
        _("Firms to compare (2 to 10)"),
        options["firm_id"].tolist(),
        dict(zip(options["firm_id"], options["firm"], strict=True)),
        key="compare",
        multi=True,
        default=viewdata.compare_default(),
        max_selections=10,
        help=_(
            "From {n} firms: those that raised the most first, then the most active (any firm can be compared, "
            "with or without rounds: Google, Meta, ByteDance); the default is the five that raised the most."
        ).format(n=f"{fetch.PICKER_LIMIT:,}"),
    )
    rounds = viewdata.rounds_listed(p)
    n_rounds, hidden = fetch.rounds_found(rounds, p), cache.query("hidden_rounds", **p)
    return Funding(filters, p, filters.currency, list(compare), rounds, n_rounds, hidden)


def _capital(c: Funding) -> None:
    """The firms picked: capital raised over time, and compared by money, moves and pay."""
    st.subheader(_("Capital raised over time"))
    if len(c.compare) < 2:
        st.info(_("Pick at least two firms to compare."))
    else:
        raised = viewdata.capital_raised(c.p, c.compare)
        if raised.empty:
            st.info(_("None of these firms has a dated, completed round that counts as raised in this period."))
        else:
            until = f"{min(c.filters.end_year, LAST_YEAR)}-12-31"
            raised_chart = plot(charts.capital_raised_chart, raised, c.currency, until)
            altair_chart(raised_chart, width="stretch", height=340)
            downloads_ui("capital_raised", df=raised, chart=raised_chart)
        st.subheader(_("Compare"))
        st.caption(
            _(
                "Money, moves and pay within the filters (period, minimum certainty, currency). People gained and "
                "lost count moves into and out of the firm alone, not its subsidiaries."
            )
        )
        compared = viewdata.firm_compare(c.p, c.compare)
        compare_dataframe(compared, c.currency)
        downloads_ui("compare", df=compared)


def _over_time(c: Funding) -> None:
    """Rounds and deals over time; a round picked opens its firm."""
    st.subheader(_("Rounds and deals over time"))
    rounds_listed_caption(len(c.rounds), c.n_rounds)
    hidden_caption(c.hidden, ROUND_NOUNS)
    rate_estimates_caption(
        cache.query(
            "rate_estimates",
            currencies=sorted({*c.rounds["currency"], c.currency}),
            years=tables.years_of(c.rounds["announced_date"]),
        )
    )
    if c.rounds.empty:
        st.info(
            empty_message(
                c.hidden, ROUND_NOUNS, _("No rounds or deals match the filters: clear a country, type or status.")
            )
        )
    else:
        rounds_chart = plot(charts.rounds_chart, c.rounds, c.currency)
        picked = altair_chart(
            rounds_chart,
            width="stretch",
            height=360,
            on_select="rerun",
            selection_mode=charts.ROUND_PICK,
            key="rounds_chart",
        )
        firm_id = charts.picked_value(picked, charts.ROUND_PICK, "firm_id")
        if firm_id:
            # one click, same tab: the firm's profile, with the shared filters carried by the app
            link.switch(PROFILES.script, {"firm": firm_id})
        st.caption(_("Click a round to open its firm's profile."))
        downloads_ui("rounds_chart", chart=rounds_chart)
        n_undrawn = int((c.rounds["announced_date"].isna() | c.rounds["amount_converted"].isna()).sum())
        if n_undrawn:
            st.caption(
                _("{n} round(s) without a date or an amount are not drawn; they are in the table below.").format(
                    n=f"{n_undrawn:,}"
                )
            )


def _alliances(c: Funding) -> None:
    """Who invests beside whom."""
    st.subheader(_("Strategic alliances"))
    alliances = viewdata.alliances(c.p)
    if alliances.empty:
        st.info(_("No investor is named for the rounds that match the filters."))
    else:
        alliances_chart = plot(charts.alliances_chart, alliances, c.currency)
        altair_chart(alliances_chart)
        downloads_ui("alliances", df=alliances, chart=alliances_chart)


def _deals(c: Funding) -> None:
    """Deals and the people who moved with them."""
    st.subheader(_("Deals and the people who moved"))
    deals = viewdata.deals(c.p)
    deals_dataframe(deals, c.currency)
    if not deals.empty:
        downloads_ui("deals", df=deals)


def _money_talent(c: Funding) -> None:
    """Who joined and left around each round."""
    st.subheader(_("Money and talent: who joined and left around each round"))
    money_and_talent_ui(c.p)


def _rounds(c: Funding) -> None:
    """The rounds behind the view."""
    st.subheader(_("The rounds behind the view, in {currency}").format(currency=c.currency))
    rounds_listed_caption(len(c.rounds), c.n_rounds)
    rounds_dataframe(c.rounds, c.currency)
    if not c.rounds.empty:
        downloads_ui("rounds", df=c.rounds)


SECTIONS = (
    Section("the firms picked: capital raised over time, and compared by money, moves and pay", _capital, ("compare",)),
    Section("rounds and deals over time; a round picked opens its firm", _over_time, ()),
    Section("who invests beside whom", _alliances, ()),
    Section("deals and the people who moved with them", _deals, ()),
    Section("who joined and left around each round", _money_talent, ("mt_months",)),
    Section("the rounds behind the view", _rounds, ()),
)
