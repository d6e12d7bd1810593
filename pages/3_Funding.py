"""Funding: rounds, strategic investments and deals, with their sources."""

import streamlit as st

from atlas import cache, ui

filters = ui.page_frame(
    "Funding",
    "Rounds, strategic investments, acquisitions and acqui-hires. Terminated deals are shown but never "
    "counted as raised capital.",
)
st.subheader(f"Rounds and deals, in {filters.currency}")
ui.rounds_dataframe(cache.query("funding_rounds_filtered", **filters.params(), limit=5000), filters.currency)
