"""The Overview page (app.py draws it): headline counts, the latest moves, the largest pay figures and
rounds, the watchlist, saved views and the sources."""

import streamlit as st

from atlas import cache, charts, viewdata
from atlas.i18n import N_, _
from atlas.ui.downloads import downloads_ui
from atlas.ui.plots import altair_chart, plot
from atlas.ui.renderers import moves_dataframe, pay_dataframe, rounds_dataframe, sources_dataframe
from atlas.ui.share import saved_views_ui
from atlas.ui.shell import page
from atlas.ui.watch_ui import watchlist_ui
from atlas.viewdata import Filters

CAPTION = N_(
    "Who moves where in AI, what they are offered, and the money behind each firm — "
    "every figure from a cited article, with how sure the article is."
)


def draw() -> None:
    """The page, in its frame."""
    page("Overview", CAPTION)(overview)


def overview(filters: Filters) -> None:
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
    latest = viewdata.moves_listed(p, 10)
    moves_dataframe(latest, compact=True)
    downloads_ui("latest_moves", df=latest)
    by_year = viewdata.moves_over_time(p, "year")
    if by_year.empty:
        st.info(_("No moves in this period."))
    else:
        chart = plot(charts.moves_over_time_chart, by_year, "year")
        altair_chart(chart, width="stretch", height=280)
        downloads_ui("moves_per_year", df=by_year, chart=chart)

    st.subheader(_("Largest pay figures, in {currency}").format(currency=filters.currency))
    largest_pay = viewdata.largest_pay(p)
    pay_dataframe(largest_pay, filters.currency)
    downloads_ui("largest_pay", df=largest_pay)

    st.subheader(_("Largest funding rounds and deals, in {currency}").format(currency=filters.currency))
    largest_rounds = viewdata.largest_rounds(p)
    rounds_dataframe(largest_rounds, filters.currency)
    downloads_ui("largest_rounds", df=largest_rounds)

    st.subheader(_("Watchlist"))
    watchlist_ui()

    st.subheader(_("Saved views"))
    saved = cache.query_fresh("saved_views_list")
    if saved.empty:
        st.caption(_("No saved views yet: use “Save this view” in the sidebar of any page."))
    else:
        saved_views_ui(saved)

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
        sources_dataframe(sources)
