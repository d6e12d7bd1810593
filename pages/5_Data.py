"""Data: what the database holds, where it comes from, and its load history."""

import streamlit as st

from atlas import cache, ui

ui.page_frame("Data", "Upload new facts, and see the tables, the source articles and every committed load.")

ui.upload_ui()
ui.dictionary_ui()

left, right = st.columns([1, 3])
with left:
    st.subheader("Tables")
    st.dataframe(
        cache.query("table_counts"),
        column_config={"table_name": "Table", "n_rows": st.column_config.NumberColumn("Rows", format="%d")},
        hide_index=True,
        width="stretch",
    )
with right:
    st.subheader("Sources")
    ui.sources_dataframe(cache.query("sources_list"), with_id=True)

st.subheader("Load history")
st.caption("Each committed load is a data version; links record the version they were made on.")
st.dataframe(
    cache.query("uploads_list"),
    column_config={
        "upload_id": st.column_config.NumberColumn("Version", format="%d"),
        "uploaded_at": st.column_config.DatetimeColumn("Loaded at (UTC)", format="YYYY-MM-DD HH:mm"),
        "uploader": "By",
        "mode": "Mode",
        "file_names": "Files",
        "tables": "Tables",
        "row_counts": "Rows per table",
        "sha256": "SHA-256",
        "n_names": st.column_config.NumberColumn("Names matched", help="An upload by name: its distinct names"),
        "name_decisions": st.column_config.TextColumn(
            "Name decisions", help="Each name with the entry it was matched to, the rule and the score"
        ),
    },
    hide_index=True,
    width="stretch",
)

ui.share_ui()
