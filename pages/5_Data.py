"""Data: what the database holds, where it comes from, and its load history."""

import streamlit as st

from atlas import cache, tables, ui
from atlas.i18n import N_, _


@ui.page("Data", N_("Upload new facts, and see the tables, the source articles and every committed load."))
def data(_filters: ui.Filters) -> None:
    ui.upload_ui()
    ui.pull_ui()
    ui.api_ui()
    ui.dictionary_ui()

    left, right = st.columns([1, 3])
    with left:
        st.subheader(_("Tables"))
        st.dataframe(
            cache.query("table_counts"),
            column_config={"table_name": _("Table"), "n_rows": st.column_config.NumberColumn(_("Rows"), format="%d")},
            hide_index=True,
            width="stretch",
        )
    with right:
        st.subheader(_("Sources"))
        ui.sources_dataframe(cache.query("sources_list"), with_id=True)

    st.subheader(_("Load history"))
    st.caption(_("Each committed load is a data version; links record the version they were made on."))
    uploads = cache.query("uploads_list")
    st.dataframe(
        cache.kept(uploads, ("uploads_readable",), lambda: tables.readable(uploads)),
        column_config={
            "upload_id": st.column_config.NumberColumn(_("Version"), format="%d"),
            "uploaded_at": st.column_config.DatetimeColumn(_("Loaded at (UTC)"), format="YYYY-MM-DD HH:mm"),
            "uploader": _("By"),
            "mode": _("Mode"),
            "file_names": _("Files"),
            "tables": _("Tables"),
            "row_counts": _("Rows per table"),
            "sha256": "SHA-256",
            "n_names": st.column_config.NumberColumn(
                _("Names matched"), help=_("An upload by name: its distinct names")
            ),
            "name_decisions": st.column_config.TextColumn(
                _("Name decisions"), help=_("Each name with the entry it was matched to, the rule and the score")
            ),
        },
        hide_index=True,
        width="stretch",
    )
