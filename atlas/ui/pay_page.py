"""The Pay offers page, section by section (pages/2_Pay_offers.py draws them in this order): the
distribution by kind, by offering firm, over time, the outcomes, the figures behind the view, and
the offers and approaches without a figure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from atlas import cache, charts, fetch, tables, viewdata
from atlas.export import money_basis
from atlas.i18n import N_, _
from atlas.ui.approaches import approaches_dataframe
from atlas.ui.controls import pay_controls_ui, picked
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import Filters, empty_message, hidden_caption, rate_estimates_caption
from atlas.ui.plots import altair_chart, plot
from atlas.ui.renderers import pay_dataframe
from atlas.ui.sections import Section

PAY_NOUNS = (N_("pay figure"), N_("pay figures"))


@dataclass
class Pay:
    """What every section of the page reads: the filters, the money basis, the figures listed."""

    filters: Filters
    p: dict
    constant_year: int
    money: str  # "USD, nominal" or "USD of 2020": every chart and header says the basis
    figures: pd.DataFrame  # the figures listed (at most fetch.PAY_LISTED), largest first


def head(filters: Filters) -> Pay:
    """The controls (firm, kind, outcome, money of a year), the figures they select, and what the
    filters hide and the rates and price index estimate."""
    view = pay_controls_ui(fetch.firm_picker_options("pay_firm_options", picked("firms")))
    p = {**filters.params(), **view.params()}
    figures = viewdata.pay_listed(p)
    c = Pay(filters, p, view.constant_year, money_basis(filters.currency, view.constant_year), figures)
    hidden = cache.query("hidden_pay", **p)
    if figures.empty:
        st.info(empty_message(hidden, PAY_NOUNS, _("No pay figures match the filters: clear a firm, kind or outcome.")))
        return c
    hidden_caption(hidden, PAY_NOUNS)
    # a figure converts at its own currency's rate of its year and the display currency's rate of that year
    rate_estimates_caption(
        cache.query(
            "rate_estimates",
            currencies=sorted({*figures["currency"], filters.currency}),
            years=tables.pay_years(figures, view.constant_year),
        )
    )
    if view.constant_year:
        # money of a constant year reads the price index of that year and of each year reported
        years = sorted({view.constant_year, *figures["year_reported"].dropna().astype(int)})
        estimates = cache.query("price_index_estimates", years=years)
        if not estimates.empty:
            st.caption(
                _(
                    "The US price index of {years} is an estimate (the annual average was not final when the data "
                    "was built): amounts in money of {year} that use it may still move."
                ).format(years=", ".join(str(y) for y in estimates["year"]), year=view.constant_year)
            )
    return c


def _distribution(c: Pay) -> None:
    """Each figure by kind, or (too many to draw one by one) a log-scale histogram per kind."""
    st.subheader(_("Distribution by kind ({money})").format(money=c.money))
    rows = viewdata.pay_distribution(c.p, c.figures)
    make = charts.pay_distribution_chart if rows is c.figures else charts.pay_bins_chart
    chart = plot(make, rows, c.money)
    altair_chart(chart, width="stretch")
    downloads_ui("pay_distribution", df=rows, chart=chart)


def _by_firm(c: Pay) -> None:
    """Pay by offering firm (the firms of the largest figures)."""
    st.subheader(_("By offering firm"))
    by_firm = viewdata.pay_by_firm(c.p, c.figures)
    chart = plot(charts.pay_by_firm_chart, by_firm, c.money)
    altair_chart(chart)
    downloads_ui("pay_by_firm", df=by_firm, chart=chart)


def _over_time_and_outcomes(c: Pay) -> None:
    """Pay per year, then how the offers ended."""
    by_year, outcomes = viewdata.pay_summary(c.p)
    st.subheader(_("Over time"))
    by_year_chart = plot(charts.pay_over_time_chart, by_year, c.money)
    altair_chart(by_year_chart)
    downloads_ui("pay_by_year", df=by_year, chart=by_year_chart)
    st.subheader(_("Outcomes"))
    outcomes_chart = plot(charts.pay_outcomes_chart, outcomes)
    altair_chart(outcomes_chart)
    downloads_ui("pay_outcomes", df=outcomes, chart=outcomes_chart)


def _figures(c: Pay) -> None:
    """The figures behind the view."""
    st.subheader(_("The figures behind the view ({money})").format(money=c.money))
    pay_dataframe(c.figures, c.filters.currency, constant_year=c.constant_year)
    downloads_ui("pay_figures", df=c.figures)
    if len(c.figures) == fetch.PAY_LISTED:
        st.caption(_("The {n} largest figures are listed.").format(n=f"{fetch.PAY_LISTED:,}"))


def _approaches(c: Pay) -> None:
    """Offers and approaches the articles tell without a figure (the period, certainty, firm kind,
    firm and outcome filters apply; the pay kind does not: they have none)."""
    st.subheader(_("Offers and approaches without a figure"))
    approaches = viewdata.approaches(c.p)
    st.caption(
        _(
            "{n} approach(es): who approached whom, what was offered in words, and how it ended, where the article "
            "gives no amount. They are not in the charts above, which draw figures."
        ).format(n=f"{len(approaches):,}")
    )
    approaches_dataframe(approaches, key="approaches")
    downloads_ui("approaches", df=approaches)


def _with_figures(draw):  # noqa: ANN001, ANN202 - a section's draw
    """A section of the figures: drawn only when the filters select some (the head said why not)."""

    def run(c: Pay) -> None:
        if not c.figures.empty:
            draw(c)

    run.__doc__ = draw.__doc__
    return run


SECTIONS = (
    Section("each figure by kind, or log bins over many", _with_figures(_distribution), ("constant",)),
    Section("pay by offering firm", _with_figures(_by_firm), ()),
    Section("pay per year, then how the offers ended", _with_figures(_over_time_and_outcomes), ()),
    Section("the figures behind the view", _with_figures(_figures), ()),
    Section("offers and approaches without a figure", _approaches, ()),
)
