"""Offers and approaches told without a figure: who approached whom, what was offered in words,
and how it ended, as Pay offers and the profiles list them."""

from __future__ import annotations

import streamlit as st

from atlas import i18n, tables
from atlas.i18n import _
from atlas.ui.renderers import certainty_column, dataframe, profile_link_column, with_links


def _in_reader_language(df):
    """The offer in words and the people a source describes without naming them, in the reader's
    language where the data gives it (each row keeps its English where it gives none)."""
    if i18n.language() != "zh":
        return df
    unnamed = df["person_id"].isna() & df["people_described_zh"].notna()
    return df.assign(
        offer_text=df["offer_text_zh"].where(df["offer_text_zh"].notna(), df["offer_text"]),
        person=df["people_described_zh"].where(unnamed, df["person"]),
    )


def approaches_dataframe(df, *, key: str, empty: str = "") -> None:
    """The approaches table: when, the firm, whom it approached and who made the approach, what
    was offered in words, the outcome, certainty and source."""
    if df.empty:
        if empty:
            st.caption(empty)
        return
    shown = with_links(
        tables.readable(
            tables.undated(_in_reader_language(df), "approached_on"),
            keep=("person", "person_id", "approached_by", "approached_by_id"),
        ),
        ("firm", "firm_id", "firm"),
        ("person", "person_id", "person"),
        ("approached_by", "approached_by_id", "person"),
    )
    dataframe(
        shown,
        # who, how it ended and how sure before the words: at 1440 px they sat past the right edge
        column_order=[
            "approached_on",
            "firm",
            "person",
            "outcome",
            "certainty",
            "offer_text",
            "source",
            "approached_by",
            "note",
        ],
        column_config={
            "approached_on": st.column_config.TextColumn(
                _("Date"), help=_("At the precision the article gives"), width="small"
            ),
            # widths in pixels that fit the words and the source in 1,060 px (the page at 1440 px)
            "firm": profile_link_column(_("Firm"), width=150),
            "person": profile_link_column(
                _("Approached"), _("The person approached, or whom the source describes"), width=170
            ),
            "offer_text": st.column_config.TextColumn(_("What was offered, in words"), width=310),
            "outcome": st.column_config.TextColumn(_("Outcome"), width="small"),
            "certainty": certainty_column(),
            "source": st.column_config.TextColumn(_("Source"), width=200),
            "approached_by": profile_link_column(_("Approached by")),
            "note": _("Note"),
        },
        key=key,
        hide_index=True,
        width="stretch",
    )
