"""Pay offers: every pay figure comparable, in one currency, with its source."""

import streamlit as st

from atlas import cache, charts, ui

filters = ui.page_frame(
    "Pay offers",
    "Salaries, signing bonuses and packages as reported, converted to one currency. One-time and per-year "
    "figures are never mixed; a range stays a range.",
)
view = ui.pay_controls_ui(cache.query("pay_firm_options")["firm_id"].tolist())
p = {**filters.params(), **view.params()}
money = f"{filters.currency}" + (f" of {view.constant_year}" if view.constant_year else ", nominal")

figures = cache.query("pay_figures", **p, limit=2000)
if figures.empty:
    st.info("No pay figures match the filters. Widen the period, lower the minimum certainty or clear a filter.")
    ui.share_ui()
    st.stop()

st.subheader(f"Distribution by kind ({money})")
if len(figures) < 2000:
    st.altair_chart(charts.pay_distribution_chart(figures, filters.currency), width="stretch")
else:
    # too many to draw one by one: a log-scale histogram per kind
    st.altair_chart(charts.pay_bins_chart(cache.query("pay_log_bins", **p), filters.currency), width="stretch")

st.subheader("By offering firm")
st.altair_chart(charts.pay_by_firm_chart(cache.query("pay_by_firm", **p, top_n=15), filters.currency))

left, right = st.columns(2)
with left:
    st.subheader("Over time")
    st.altair_chart(charts.pay_over_time_chart(cache.query("pay_by_year", **p), filters.currency))
with right:
    st.subheader("Outcomes")
    st.altair_chart(charts.pay_outcomes_chart(cache.query("pay_by_outcome", **p)))

st.subheader(f"The figures behind the view ({money})")
ui.pay_dataframe(figures, filters.currency)
if len(figures) == 2000:
    st.caption("The 2,000 largest figures are listed.")

ui.share_ui()
