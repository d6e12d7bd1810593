"""Pay offers: every pay figure, converted to the display currency, with its source."""

import streamlit as st

from atlas import cache, ui

filters = ui.page_frame(
    "Pay offers",
    "Salaries, signing bonuses and packages as reported. One-time and per-year figures are kept apart; "
    "ranges stay ranges.",
)
st.subheader(f"Pay figures, in {filters.currency}")
ui.pay_dataframe(cache.query("pay_figures", **filters.params(), limit=5000), filters.currency)
