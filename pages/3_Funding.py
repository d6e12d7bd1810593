"""Funding: capital raised, rounds, alliances and deals, and firms compared by money and talent."""

import streamlit as st

from atlas import cache, charts, fetch, tables, ui
from atlas.i18n import N_, _
from atlas.pages import PROFILES

ROUND_NOUNS = (N_("round or deal"), N_("rounds and deals"))


@ui.page(
    "Funding",
    N_(
        "Rounds, strategic investments, acquisitions and acqui-hires, in one currency. Terminated and rumored "
        "deals are shown but never counted as capital raised."
    ),
)
def funding(filters: ui.Filters) -> None:
    view = ui.funding_controls_ui(cache.query("firm_countries")["country"].tolist())
    p = {**filters.params(), **view.params()}
    currency = filters.currency

    options = fetch.firm_picker_options("funding_firm_options", ui.picked("compare"))
    compare = ui.url_picker(
        st,
        _("Firms to compare (2 to 10)"),
        options["firm_id"].tolist(),
        dict(zip(options["firm_id"], options["firm"], strict=True)),
        key="compare",
        multi=True,
        default=options["firm_id"].head(5).tolist(),
        max_selections=10,
        help=_(
            "From {n} firms: those that raised the most first, then the most active (any firm can be compared, "
            "with or without rounds: Google, Meta, ByteDance); the default is the five that raised the most."
        ).format(n=f"{fetch.PICKER_LIMIT:,}"),
    )

    st.subheader(_("Capital raised over time"))
    if len(compare) < 2:
        st.info(_("Pick at least two firms to compare."))
    else:
        raised = cache.query("capital_raised_over_time", **{**p, "firm_ids": list(compare)})
        if raised.empty:
            st.info(_("None of these firms has a dated, completed round that counts as raised in this period."))
        else:
            until = f"{min(filters.end_year, ui.LAST_YEAR)}-12-31"
            raised_chart = ui.plot(charts.capital_raised_chart, raised, currency, until)
            ui.altair_chart(raised_chart, width="stretch", height=340)
            ui.downloads_ui("capital_raised", df=raised, chart=raised_chart)
        st.subheader(_("Compare"))
        st.caption(
            _(
                "Money, moves and pay within the filters (period, minimum certainty, currency). People gained and "
                "lost count moves into and out of the firm alone, not its subsidiaries."
            )
        )
        compared = cache.query("firm_compare", **{**p, "firm_ids": list(compare)})
        ui.compare_dataframe(compared, currency)
        ui.downloads_ui("compare", df=compared)

    rounds = cache.query("funding_rounds_filtered", **p, limit=fetch.ROUNDS_LISTED)
    n_rounds = fetch.rounds_found(rounds, p)
    hidden = cache.query("hidden_rounds", **p)
    st.subheader(_("Rounds and deals over time"))
    ui.rounds_listed_caption(len(rounds), n_rounds)
    ui.hidden_caption(hidden, ROUND_NOUNS)
    ui.rate_estimates_caption(
        cache.query(
            "rate_estimates",
            currencies=sorted({*rounds["currency"], currency}),
            years=tables.years_of(rounds["announced_date"]),
        )
    )
    if rounds.empty:
        st.info(
            ui.empty_message(
                hidden, ROUND_NOUNS, _("No rounds or deals match the filters: clear a country, type or status.")
            )
        )
    else:
        rounds_chart = ui.plot(charts.rounds_chart, rounds, currency)
        picked = ui.altair_chart(
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
            ui.link.switch(PROFILES.script, {"firm": firm_id})
        st.caption(_("Click a round to open its firm's profile."))
        ui.downloads_ui("rounds_chart", chart=rounds_chart)
        n_undrawn = int((rounds["announced_date"].isna() | rounds["amount_converted"].isna()).sum())
        if n_undrawn:
            st.caption(
                _("{n} round(s) without a date or an amount are not drawn; they are in the table below.").format(
                    n=f"{n_undrawn:,}"
                )
            )

    st.subheader(_("Strategic alliances"))
    alliances = cache.query("alliances", **p, top_n=15)
    if alliances.empty:
        st.info(_("No investor is named for the rounds that match the filters."))
    else:
        alliances_chart = ui.plot(charts.alliances_chart, alliances, currency)
        ui.altair_chart(alliances_chart)
        ui.downloads_ui("alliances", df=alliances, chart=alliances_chart)

    st.subheader(_("Deals and the people who moved"))
    deals = cache.query("deals_with_people", **p)
    ui.deals_dataframe(deals, currency)
    if not deals.empty:
        ui.downloads_ui("deals", df=deals)

    st.subheader(_("Money and talent: who joined and left around each round"))
    ui.money_and_talent_ui(p)

    st.subheader(_("The rounds behind the view, in {currency}").format(currency=currency))
    ui.rounds_listed_caption(len(rounds), n_rounds)
    ui.rounds_dataframe(rounds, currency)
    if not rounds.empty:
        ui.downloads_ui("rounds", df=rounds)
