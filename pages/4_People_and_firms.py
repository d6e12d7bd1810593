"""People & firms: everyone and every firm in the data, searchable by English or Chinese name."""

import streamlit as st

from atlas import cache, tables, ui

filters = ui.page_frame("People & firms", "Search by English or Chinese name.")
search = st.text_input(
    "Search people and firms",
    key="q",
    bind="query-params",
    placeholder="e.g. Mu Li, 李沐, Reka",
    max_chars=100,
).strip()

people = cache.query("people_list", search=search)
firms = cache.query("firms_list", search=search, kinds=list(filters.kinds))

tab_people, tab_firms = st.tabs(["People", "Firms"], key="tab", bind="query-params")
with tab_people:
    st.caption(f"{len(people)} people")
    if people.empty:
        st.info("No person matches the search.")
    else:
        st.dataframe(
            tables.dashes(people, ["known_for", "origin_country", "current_firm"]),
            column_order=["person", "known_for", "current_firm", "origin_country", "n_moves", "n_sources"],
            column_config={
                "person": "Person",
                "known_for": "Known for",
                "current_firm": st.column_config.TextColumn(
                    "Latest firm", help="Destination of the person's latest move; empty after a departure"
                ),
                "origin_country": "Origin",
                "n_moves": st.column_config.NumberColumn("Moves", help="Number of moves recorded"),
                "n_sources": st.column_config.NumberColumn("Sources", help="Articles citing the person's moves"),
            },
            hide_index=True,
            width="stretch",
            height=ui.table_height(len(people)),
        )
with tab_firms:
    st.caption(f"{len(firms)} firms")
    if firms.empty:
        st.info("No firm matches the search and firm kinds.")
    else:
        st.dataframe(
            tables.dashes(firms, ["country", "parent", "founded_on"]),
            column_order=["firm", "kind", "country", "parent", "founded_on", "n_gained", "n_lost", "net"],
            column_config={
                "firm": "Firm",
                "kind": "Kind",
                "country": "Country",
                "parent": "Parent",
                "founded_on": "Founded",
                "n_gained": st.column_config.NumberColumn("Gained", help="People who moved in (all moves)"),
                "n_lost": st.column_config.NumberColumn("Lost", help="People who moved out (all moves)"),
                "net": st.column_config.NumberColumn("Net", help="Gained minus lost"),
            },
            hide_index=True,
            width="stretch",
            height=ui.table_height(len(firms)),
        )
