"""Chart builders: a small aggregated DataFrame in, an `alt.Chart` out. No Streamlit here."""

from __future__ import annotations

import altair as alt
import pandas as pd

MOVE_TYPE_COLORS = {
    "joined": "#4C78A8",
    "founded": "#F58518",
    "returned": "#54A24B",
    "acquihire": "#B279A2",
    "left": "#9D9D9D",
}


def moves_over_time_chart(df: pd.DataFrame, title: str = "Moves per year, by type") -> alt.Chart:
    """Stacked bars of moves per year split by move type, from moves_by_year_and_type rows."""
    return (
        alt.Chart(df, title=alt.Title(title, subtitle="Undated moves are not shown; n = number of moves"))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year of move"),
            y=alt.Y("sum(n_moves):Q", title="Moves (n)", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "move_type:N",
                title="Move type",
                scale=alt.Scale(domain=list(MOVE_TYPE_COLORS), range=list(MOVE_TYPE_COLORS.values())),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("move_type:N", title="Move type"),
                alt.Tooltip("sum(n_moves):Q", title="Moves (n)"),
            ],
        )
        .properties(height=260)
    )
