"""Charts of what only talent and money together show: moves around funding rounds."""

from __future__ import annotations

import altair as alt
import pandas as pd

from atlas.charts.base import DIRECTIONS, labels_expr
from atlas.i18n import _

IN_OUT_COLORS = {"in": "#54A24B", "out": "#E45756"}


def around_rounds_chart(df: pd.DataFrame, months: int) -> alt.Chart:
    """Moves into (up) and out of (down) firms by months from their round, every round aligned at
    its date (money_talent_around rows: offset_months, direction, n_moves, n_rounds, n_by_year)."""
    long = df.assign(
        value=df["n_moves"].where(df["direction"] == "in", -df["n_moves"]),
        start=df["offset_months"] - 0.4,
        end=df["offset_months"] + 0.4,
    )
    present = [d for d in ("in", "out") if d in set(long["direction"])]
    return (
        alt.Chart(long)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "start:Q",
                title=_("Months from the round (0: the round's month, or its year when only the year is known)"),
                scale=alt.Scale(domain=[-months - 0.5, months + 0.5], nice=False),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            x2="end:Q",
            y=alt.Y("value:Q", title=_("Moves out (below) and in (above)"), axis=alt.Axis(tickMinStep=1, format="d")),
            y2=alt.datum(0),
            color=alt.Color(
                "direction:N",
                title=_("Direction"),
                scale=alt.Scale(domain=present, range=[IN_OUT_COLORS[d] for d in present]),
                legend=alt.Legend(orient="bottom", labelExpr=labels_expr(DIRECTIONS)),
            ),
            tooltip=[
                alt.Tooltip("offset_months:Q", title=_("Months from the round")),
                alt.Tooltip("n_moves:Q", title=_("Moves (n)")),
                alt.Tooltip("n_rounds:Q", title=_("Rounds around (n)")),
                alt.Tooltip("n_by_year:Q", title=_("Placed by their year only (n)")),
            ],
        )
        .properties(
            title=alt.Title(
                _("Moves around rounds, aligned at each round's date"),
                subtitle=_("Dates known only to the year fall on 0 or 12 months; within {n} months either side").format(
                    n=months
                ),
            ),
            height=240,
            padding={"left": 5, "top": 12, "right": 5, "bottom": 5},  # the title's glyphs clear the frame's top
        )
    )
