"""Pay offers: every pay figure comparable, in one currency, with its source."""

import streamlit as st

from atlas import cache, charts, fetch, tables, ui, viewdata
from atlas.i18n import N_, _

PAY_NOUNS = (N_("pay figure"), N_("pay figures"))


def approaches_section(p: dict) -> None:
    """Offers and approaches the articles tell without a figure (the period, certainty, firm kind,
    firm and outcome filters apply; the pay kind does not: they have none)."""
    st.subheader(_("Offers and approaches without a figure"))
    approaches = viewdata.approaches(p)
    st.caption(
        _(
            "{n} approach(es): who approached whom, what was offered in words, and how it ended, where the article "
            "gives no amount. They are not in the charts above, which draw figures."
        ).format(n=f"{len(approaches):,}")
    )
    ui.approaches_dataframe(approaches, key="approaches")
    ui.downloads_ui("approaches", df=approaches)


@ui.page(
    "Pay offers",
    N_(
        "Salaries, signing bonuses and packages as reported, converted to one currency. One-time and per-year "
        "figures are never mixed; a range stays a range."
    ),
)
def pay_offers(filters: ui.Filters) -> None:
    view = ui.pay_controls_ui(fetch.firm_picker_options("pay_firm_options", ui.picked("firms")))
    p = {**filters.params(), **view.params()}
    money = ui.money_basis(filters.currency, view.constant_year)  # every chart and header says the basis

    figures = viewdata.pay_listed(p)
    hidden = cache.query("hidden_pay", **p)
    if figures.empty:
        st.info(
            ui.empty_message(hidden, PAY_NOUNS, _("No pay figures match the filters: clear a firm, kind or outcome."))
        )
        approaches_section(p)
        return
    ui.hidden_caption(hidden, PAY_NOUNS)
    # a figure converts at its own currency's rate of its year and the display currency's rate of that year
    ui.rate_estimates_caption(
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

    st.subheader(_("Distribution by kind ({money})").format(money=money))
    if len(figures) < fetch.PAY_LISTED:
        dist_chart = ui.plot(charts.pay_distribution_chart, figures, money)
        ui.altair_chart(dist_chart, width="stretch")
        ui.downloads_ui("pay_distribution", df=figures, chart=dist_chart)
    else:
        # too many to draw one by one: a log-scale histogram per kind
        bins = viewdata.pay_distribution(p, figures)
        bins_chart = ui.plot(charts.pay_bins_chart, bins, money)
        ui.altair_chart(bins_chart, width="stretch")
        ui.downloads_ui("pay_distribution", df=bins, chart=bins_chart)

    st.subheader(_("By offering firm"))
    by_firm = viewdata.pay_by_firm(p, figures)
    by_firm_chart = ui.plot(charts.pay_by_firm_chart, by_firm, money)
    ui.altair_chart(by_firm_chart)
    ui.downloads_ui("pay_by_firm", df=by_firm, chart=by_firm_chart)

    by_year, outcomes = viewdata.pay_summary(p)
    st.subheader(_("Over time"))
    by_year_chart = ui.plot(charts.pay_over_time_chart, by_year, money)
    ui.altair_chart(by_year_chart)
    ui.downloads_ui("pay_by_year", df=by_year, chart=by_year_chart)
    st.subheader(_("Outcomes"))
    outcomes_chart = ui.plot(charts.pay_outcomes_chart, outcomes)
    ui.altair_chart(outcomes_chart)
    ui.downloads_ui("pay_outcomes", df=outcomes, chart=outcomes_chart)

    st.subheader(_("The figures behind the view ({money})").format(money=money))
    ui.pay_dataframe(figures, filters.currency, constant_year=view.constant_year)
    ui.downloads_ui("pay_figures", df=figures)
    if len(figures) == fetch.PAY_LISTED:
        st.caption(_("The {n} largest figures are listed.").format(n=f"{fetch.PAY_LISTED:,}"))
    approaches_section(p)
