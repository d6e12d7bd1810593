"""The SQL console's chart: the first two columns of a result, when they make one."""

from __future__ import annotations

import altair as alt
import pandas as pd

from atlas.i18n import _

CONSOLE_CHART_ROWS = 500  # a console result larger than this is a table, not a chart


TITLE_AND_AXIS_PX = 110  # what a chart's title and x axis add to its plot's height


def first_two_columns_chart(df: pd.DataFrame) -> alt.Chart | None:
    """A console result's first two columns as a chart, when they make one: a number (the second
    column) per category, date or number (the first), at most CONSOLE_CHART_ROWS rows; else None."""
    if df.shape[1] < 2 or not 1 < len(df) <= CONSOLE_CHART_ROWS:
        return None
    x, y = df.columns[0], df.columns[1]
    if not pd.api.types.is_numeric_dtype(df[y]) or pd.api.types.is_bool_dtype(df[y]):
        return None
    data = df[[x, y]].rename(columns={x: "x", y: "y"})
    y_enc = alt.Y("y:Q", title=str(y))
    tooltip = [alt.Tooltip("x", title=str(x)), alt.Tooltip("y:Q", title=str(y), format=",")]
    if pd.api.types.is_datetime64_any_dtype(data["x"]) or (
        pd.api.types.is_numeric_dtype(data["x"]) and not pd.api.types.is_bool_dtype(data["x"])
    ):
        x_type = "T" if pd.api.types.is_datetime64_any_dtype(data["x"]) else "Q"
        x_enc = alt.X(f"x:{x_type}", title=str(x), axis=alt.Axis(format="d") if x_type == "Q" else alt.Axis())
        chart = alt.Chart(data).mark_line(point=True).encode(x=x_enc, y=y_enc, tooltip=tooltip)
    else:
        data["x"] = data["x"].astype(str)
        chart = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                y=alt.Y("x:N", title=str(x), sort="-x", axis=alt.Axis(labelOverlap=False, labelLimit=240)),
                x=alt.X("y:Q", title=str(y)),
                tooltip=tooltip,
            )
        )
    bars = not (pd.api.types.is_datetime64_any_dtype(df[x]) or pd.api.types.is_numeric_dtype(df[x]))
    # one bar per row, each tall enough for its label (a step height is not kept by Streamlit's container)
    return chart.properties(
        title=_("{y} by {x} (the first two columns)").format(y=y, x=x), height=26 * len(data) + 10 if bars else 280
    )
