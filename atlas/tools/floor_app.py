"""The floor: a bare Streamlit page of a given shape, no data work (`python -m atlas bench --floor`).

Served by `streamlit run atlas/tools/floor_app.py` with the app's own configuration, it draws what
one of Talent Atlas's pages draws, counted from that page's default view (atlas.tools.bench_floor):
`w` widgets in the sidebar, `d` download buttons, `l` links, `m` metrics, `t` tables of `r` rows in
all, `c` Altair charts of `p` points in all, and `k` lines of text, from fixed data made once per
process. What a page of the app
costs above this page is the app's own work; what this page costs is Streamlit's.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st


def _shape() -> dict[str, int]:
    # the benchmark's own page: the shape is its address (the app's link keeper is atlas/ui/link.py)
    out = {}
    for key in ("w", "d", "l", "m", "t", "r", "c", "p", "k"):
        try:
            out[key] = max(0, min(int(st.query_params.get(key, "0")), 100_000))
        except ValueError:
            out[key] = 0
    return out


@st.cache_data(show_spinner=False)
def _rows(n: int) -> pd.DataFrame:
    """n rows of fixed data: a name, a category, a year, two amounts, a note."""
    rng = np.random.default_rng(44)
    return pd.DataFrame(
        {
            "name": [f"Person {i:05d}" for i in range(n)],
            "firm": [f"Firm {i % 37:02d}" for i in range(n)],
            "year": 2000 + np.arange(n) % 27,
            "amount": rng.integers(1_000, 10_000_000, n),
            "share": rng.random(n).round(3),
            "note": ["fixed text for the floor's table"] * n,
        }
    )


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)] if parts else []


def draw() -> None:
    shape = _shape()
    st.set_page_config(page_title="Floor", layout="wide")
    with st.sidebar:
        st.title("Floor")
        for i in range(shape["w"]):
            kind = i % 3
            if kind == 0:
                st.selectbox(f"Choice {i}", ["a", "b", "c"], key=f"w{i}")
            elif kind == 1:
                st.multiselect(f"Choices {i}", ["a", "b", "c"], key=f"w{i}")
            else:
                st.slider(f"Range {i}", 2000, 2026, (2000, 2026), key=f"w{i}")
    st.title("A bare page")
    for i in range(shape["k"]):
        st.caption(f"Line {i} of fixed text, as a page's captions and headings.")
    for i in range(shape["l"]):
        st.link_button(f"Link {i}", "https://example.org/")
    for i in range(shape["d"]):
        st.download_button(f"Download {i}", "a,b\n1,2\n", file_name=f"floor-{i}.csv", key=f"d{i}")
    if shape["m"]:
        for col, i in zip(st.columns(min(shape["m"], 6)) * shape["m"], range(shape["m"]), strict=False):
            col.metric(f"Metric {i}", f"{1_000 + i:,}", delta=i)
    for i, n in enumerate(_split(shape["r"], shape["t"])):
        st.dataframe(_rows(max(n, 1)), hide_index=True, width="stretch", key=f"t{i}")
    for i, n in enumerate(_split(shape["p"], shape["c"])):
        data = _rows(max(n, 1))
        chart = alt.Chart(data).mark_bar().encode(x="year:O", y="sum(amount):Q", color="firm:N")
        st.altair_chart(chart, width="stretch", key=f"c{i}")


draw()
