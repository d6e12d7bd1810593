"""Talent Atlas: entry point and Overview page."""

import streamlit as st

from atlas import cache, charts, ui
from atlas.i18n import N_, _


@ui.page(
    "Overview",
    N_(
        "Who moves where in AI, what they are offered, and the money behind each firm — "
        "every figure from a cited article, with how sure the article is."
    ),
)
def overview(filters: ui.Filters) -> None:
    p = filters.params()

    counts = cache.query("headline_counts", **p).iloc[0]
    cols = st.columns(6)
    cols[0].metric(_("People"), int(counts.n_people))
    cols[1].metric(_("Firms"), int(counts.n_firms))
    cols[2].metric(_("Moves"), int(counts.n_moves), help=_("Moves the filters select"))
    cols[3].metric(_("Pay figures"), int(counts.n_pay_figures), help=_("Pay figures the filters select"))
    cols[4].metric(_("Rounds & deals"), int(counts.n_rounds), help=_("Funding rounds and deals the filters select"))
    cols[5].metric(
        _("Source articles"),
        int(counts.n_sources),
        help=_("Articles, reports and datasets cited")
        + (
            _("; besides them, {n} uploads stand as their own source").format(n=int(counts.n_upload_sources))
            if counts.n_upload_sources
            else ""
        ),
    )

    # stacked, not in columns: beside the chart the table cut off its destination firm (at 800 px the
    # whole column)
    st.subheader(_("Latest moves"))
    latest = cache.query("moves_filtered", **p, limit=10)
    ui.moves_dataframe(latest, compact=True)
    ui.downloads_ui("latest_moves", df=latest)
    by_year = cache.query("moves_over_time", **p, grain="year")
    if by_year.empty:
        st.info(_("No moves in this period."))
    else:
        chart = ui.plot(charts.moves_over_time_chart, by_year, "year")
        ui.altair_chart(chart, width="stretch", height=280)
        ui.downloads_ui("moves_per_year", df=by_year, chart=chart)

    st.subheader(_("Largest pay figures, in {currency}").format(currency=filters.currency))
    largest_pay = cache.query("pay_figures", **p, limit=5)
    ui.pay_dataframe(largest_pay, filters.currency)
    ui.downloads_ui("largest_pay", df=largest_pay)

    st.subheader(_("Largest funding rounds and deals, in {currency}").format(currency=filters.currency))
    largest_rounds = cache.query("funding_rounds_filtered", **p, limit=8)
    ui.rounds_dataframe(largest_rounds, filters.currency)
    ui.downloads_ui("largest_rounds", df=largest_rounds)

    st.subheader(_("Watchlist"))
    ui.watchlist_ui()

    st.subheader(_("Saved views"))
    saved = cache.query_fresh("saved_views_list")
    if saved.empty:
        st.caption(_("No saved views yet: use “Save this view” in the sidebar of any page."))
    else:
        ui.saved_views_ui(saved)

    with st.expander(_("Sources")):
        sources = cache.query("sources_list")
        n_uploads = int((sources["kind"] == "upload").sum())
        st.caption(
            (
                _("{n} articles and {uploads} uploads that stand as the source of rows naming none.").format(
                    n=len(sources) - n_uploads, uploads=n_uploads
                )
                if n_uploads
                else _("{n} articles.").format(n=len(sources))
            )
            + " "
            + _("Every table cites a source by publisher, date and title.")
        )
        ui.sources_dataframe(sources)
