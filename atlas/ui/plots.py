"""Altair charts drawn from a Vega-Lite spec built once per (chart, its data and parameters, language).

A chart page spent most of its server CPU in Altair, not in the data (py-spy, `--gil`, seed
database, 8 warm Pay offers views: 34 % in `st.altair_chart` (schema validation, deep copies,
`to_dict`) and about 40 % more building the layered charts). The data a chart draws comes from the
cached queries, so its spec is the same on every run with the same data. It is built once, converted
by Streamlit's own conversion and kept (`st.cache_data`), keyed by the chart function, its arguments
(a query's result by the query that made it, `atlas.cache.origin`, not by hashing its rows) and the
language. Each run sends the kept spec with `st.vega_lite_chart`, without Altair. The Altair object
is built again only for a PNG or SVG download, when clicked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

# Streamlit's own conversion of an Altair chart (its data as Arrow datasets), the one st.altair_chart
# uses: the kept spec is what st.altair_chart would have sent. Private, pinned with streamlit==1.67.
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from atlas import cache, charts, i18n


class Plot:
    """A chart of `atlas.charts`, as its function and arguments: drawn from the kept spec, built as
    an Altair object only when asked (`chart()`, for an image download)."""

    __slots__ = ("fn", "args", "kwargs")

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        if getattr(charts, fn.__name__, None) is not fn:
            raise ValueError(f"not a chart of atlas.charts: {fn!r}")
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def chart(self) -> Any:
        return self.fn(*self.args, **self.kwargs)


def plot(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Plot:
    return Plot(fn, *args, **kwargs)


class _Unchecked:
    """A chart as Streamlit's conversion sees it, converted without Altair's schema check of the whole
    spec (measured, a page's cold run on the seed: Altair's checks took 38-40 ms of CPU on Talent
    flows, Funding and Pay offers, 12-19 ms without this one; those made as a chart is built stay). The
    check runs in the tests instead: tests/test_pages.py checks every chart of every page's default
    view against the Vega-Lite schema, and tests/test_charts.py builds its charts with the check."""

    __slots__ = ("chart",)

    def __init__(self, chart: Any):
        self.chart = chart

    def to_dict(self) -> dict:  # the one call the conversion makes
        return self.chart.to_dict(validate=False)


@st.cache_data(show_spinner=False, max_entries=1024)
def _spec(name: str, key: tuple, lang: str, _args: tuple, _kwargs: dict) -> dict:
    # keyed by `key` (the arguments, a query's result by its query: atlas.cache.origin), never by
    # `_args` (the same arguments, unhashed: Streamlit skips parameters named with "_");
    # `lang`: titles and labels are translated when the chart is built
    return _convert_altair_to_vega_lite_spec(_Unchecked(getattr(charts, name)(*_args, **_kwargs)))


def _key(value: Any) -> Any:
    found = cache.origin(value) if isinstance(value, pd.DataFrame) else None
    return ("query result", found) if found is not None else value


def spec_of(p: Plot) -> dict:
    key = (tuple(_key(a) for a in p.args), tuple(sorted((k, _key(v)) for k, v in p.kwargs.items())))
    return _spec(p.fn.__name__, key, i18n.language(), p.args, p.kwargs)


def altair_chart(p: Plot, **kwargs: Any) -> Any:
    """`st.altair_chart(p.chart(), **kwargs)`, from the kept spec."""
    return st.vega_lite_chart(spec=spec_of(p), **kwargs)


def altair_of(chart: Any) -> Any:
    """The Altair object of a chart or a Plot (for the image exports)."""
    return chart.chart() if isinstance(chart, Plot) else chart
