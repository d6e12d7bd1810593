"""Pay offers: every pay figure comparable, in one currency, with its source."""

import streamlit as st

from atlas import cache, charts, fetch, tables, ui

filters = ui.page_frame(
    "Pay offers",
    "Salaries, signing bonuses and packages as reported, converted to one currency. One-time and per-year "
    "figures are never mixed; a range stays a range.",
)
view = ui.pay_controls_ui(fetch.firm_picker_options("pay_firm_options", ui.picked("firms"))["firm_id"].tolist())
p = {**filters.params(), **view.params()}
money = f"{filters.currency}" + (f" of {view.constant_year}" if view.constant_year else ", nominal")

figures = cache.query("pay_figures", **p, limit=fetch.PAY_LISTED)
if figures.empty:
    st.info("No pay figures match the filters. Widen the period, lower the minimum certainty or clear a filter.")
    ui.share_ui()
    st.stop()

st.subheader(f"Distribution by kind ({money})")
if len(figures) < fetch.PAY_LISTED:
    dist_chart = charts.pay_distribution_chart(figures, filters.currency)
    st.altair_chart(dist_chart, width="stretch")
    ui.downloads_ui("pay_distribution", df=figures, chart=dist_chart)
else:
    # too many to draw one by one: a log-scale histogram per kind
    bins = cache.query("pay_log_bins", **p)
    bins_chart = charts.pay_bins_chart(bins, filters.currency)
    st.altair_chart(bins_chart, width="stretch")
    ui.downloads_ui("pay_distribution", df=bins, chart=bins_chart)

st.subheader("By offering firm")
# the top firms are those of the largest figures, already listed: the query reads only theirs
top_firms = tables.top_firms_listed(figures, 15, listed_limit=fetch.PAY_LISTED)
by_firm = cache.query("pay_by_firm", **p, top_n=15, top_firm_ids=top_firms)
by_firm_chart = charts.pay_by_firm_chart(by_firm, filters.currency)
st.altair_chart(by_firm_chart)
ui.downloads_ui("pay_by_firm", df=by_firm, chart=by_firm_chart)

by_year, outcomes = tables.split_pay_summary(cache.query("pay_over_time_and_outcomes", **p))
left, right = st.columns(2)
with left:
    st.subheader("Over time")
    by_year_chart = charts.pay_over_time_chart(by_year, filters.currency)
    st.altair_chart(by_year_chart)
    ui.downloads_ui("pay_by_year", df=by_year, chart=by_year_chart)
with right:
    st.subheader("Outcomes")
    outcomes_chart = charts.pay_outcomes_chart(outcomes)
    st.altair_chart(outcomes_chart)
    ui.downloads_ui("pay_outcomes", df=outcomes, chart=outcomes_chart)

st.subheader(f"The figures behind the view ({money})")
ui.pay_dataframe(figures, filters.currency)
ui.downloads_ui("pay_figures", df=figures)
if len(figures) == fetch.PAY_LISTED:
    st.caption(f"The {fetch.PAY_LISTED:,} largest figures are listed.")

ui.share_ui()
