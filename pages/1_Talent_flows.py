"""Talent flows: who moves where, over time, with the moves behind the view."""

import streamlit as st

from atlas import cache, charts, ui

filters = ui.page_frame("Talent flows", "Moves between firms: joined, founded, returned, acqui-hired, left.")
p = filters.params()

by_year = cache.query("moves_by_year_and_type", **p)
if by_year.empty:
    st.info("No dated moves in this period.")
else:
    st.altair_chart(charts.moves_over_time_chart(by_year), width="stretch")

st.subheader("The moves behind the view")
ui.moves_dataframe(cache.query("moves_filtered", **p, limit=5000))
