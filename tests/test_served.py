"""The served path's savings (issue 30), checked for what they must never change: a chart kept as
a Vega-Lite spec is the spec st.altair_chart would send, a table formatted once per query result
is the table formatted afresh, and nothing kept is served for other rows, another view or another
language. The savings themselves are measured by `python -m atlas bench --serve`."""

from __future__ import annotations

import gc
import tomllib

import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from atlas import cache, charts, i18n
from atlas.ui import plots
from atlas.ui.renderers import with_links
from tests.support import ROOT

# the shared filters' defaults, as the pages bind them
DEFAULTS = {"start_year": 2000, "end_year": 2026, "include_undated": True, "min_certainty": "rumor", "kinds": []}
DEFAULTS |= {"currency": "USD", "countries": [], "search": ""}


def q(name: str, **params):  # noqa: ANN201 - a DataFrame
    return cache.query(name, **{**DEFAULTS, **params})


@pytest.fixture
def seed(seed_db_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_a_query_result_is_known_by_its_query_and_nothing_derived_from_it_is(seed):
    rows = q("moves_over_time", min_certainty="rumor", grain="year")
    key = cache.origin(rows)
    assert key is not None and key[0] == "moves_over_time"
    assert cache.origin(rows.head(3)) is None  # derived: another object
    assert cache.origin(rows.copy()) is None
    other = q("moves_over_time", min_certainty="confirmed", grain="year")
    assert cache.origin(other) != key  # another view, another key
    again = q("moves_over_time", min_certainty="rumor", grain="year")
    assert cache.origin(again) == key and again is not rows  # the same query, a fresh copy
    ident = id(rows)
    del rows
    gc.collect()
    assert ident not in cache._origins or cache._origins[ident][0]() is not None


def test_a_table_is_formatted_once_per_query_result_and_reads_the_same(seed):
    made = []

    def make(df):
        made.append(1)
        return with_links(df, ("person", "person_id", "person"))

    first = q("moves_filtered", min_certainty="rumor", limit=10)
    fresh = make(first)
    assert cache.kept(first, ("test",), lambda: make(first)).equals(fresh)
    second = q("moves_filtered", min_certainty="rumor", limit=10)
    kept2 = cache.kept(second, ("test",), lambda: make(second))
    assert len(made) == 2  # the fresh one, and the first kept: the second query result is a hit
    assert kept2.equals(fresh) and kept2.attrs["profile_links"] == fresh.attrs["profile_links"]
    # a change to what was handed out never reaches what is kept
    kept2["person"] = "changed"
    third = q("moves_filtered", min_certainty="rumor", limit=10)
    assert cache.kept(third, ("test",), lambda: make(third)).equals(fresh)
    # other rows (another view), a derived frame, or another language are made again
    other = q("moves_filtered", min_certainty="confirmed", limit=10)
    assert not cache.kept(other, ("test",), lambda: make(other)).equals(fresh)
    derived = first.head(5)
    assert len(cache.kept(derived, ("test",), lambda: make(derived))) == 5
    assert len(made) == 4
    i18n.set_language("zh")
    zh = q("moves_filtered", min_certainty="rumor", limit=10)
    cache.kept(zh, ("test",), lambda: make(zh))
    assert len(made) == 5


def test_a_kept_chart_spec_is_what_st_altair_chart_would_send(seed, monkeypatch):
    built = []
    original = charts.moves_over_time_chart

    def counted(*args, **kwargs):
        built.append(1)
        return original(*args, **kwargs)

    counted.__name__ = original.__name__
    monkeypatch.setattr(charts, "moves_over_time_chart", counted)
    rows = q("moves_over_time", min_certainty="reported", grain="quarter")
    spec = plots.spec_of(plots.plot(charts.moves_over_time_chart, rows, "quarter"))
    assert spec == _convert_altair_to_vega_lite_spec(original(rows, "quarter"))
    again = q("moves_over_time", min_certainty="reported", grain="quarter")
    assert plots.spec_of(plots.plot(charts.moves_over_time_chart, again, "quarter")) == spec
    assert len(built) == 1  # the second run's spec was kept: no chart built, nothing hashed
    # other data, other parameters, another language: built again, and different
    other = q("moves_over_time", min_certainty="confirmed", grain="quarter")
    assert plots.spec_of(plots.plot(charts.moves_over_time_chart, other, "quarter")) != spec
    i18n.set_language("zh")
    zh = plots.spec_of(plots.plot(charts.moves_over_time_chart, rows, "quarter"))
    assert zh != spec and len(built) == 3
    # the image download builds the Altair chart itself, when asked
    assert plots.altair_of(plots.plot(charts.moves_over_time_chart, rows, "quarter")).to_dict()


def test_only_charts_of_atlas_charts_are_kept():
    with pytest.raises(ValueError, match="not a chart"):
        plots.plot(len, [1])


def test_the_served_configuration_has_no_file_watcher_and_no_collection_after_each_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False


def test_a_pinned_cursor_still_busy_is_closed_later_never_raised(monkeypatch):
    """CI once showed a page's traceback: the new run's pin closed the previous run's cursor while a
    query was still on it, and DuckDB refused. The close is deferred to a later run instead."""
    import duckdb

    from atlas import cache

    class Busy:
        def __init__(self):
            self.busy, self.closed = True, False

        def execute(self, *_):
            if self.busy:
                raise duckdb.Error("connection is busy with another call")

        def close(self):
            if self.busy:
                raise duckdb.Error("connection is busy with another call")
            self.closed = True

    cur = Busy()
    cache._end(cur)  # refused: kept, not raised
    assert cur in cache._closing and not cur.closed
    cache._close_deferred()  # still busy: kept for the next run
    assert cur in cache._closing
    cur.busy = False
    cache._close_deferred()
    assert cur.closed and cur not in cache._closing


def test_what_is_kept_from_a_kept_frame_is_kept_in_turn(seed):
    """A frame made from a query result (localized, then formatted) is known by its origin, so the
    table formatted from it is kept too; another language makes both again."""
    made = {"localized": 0, "table": 0}

    def localized(df):
        made["localized"] += 1
        return df.assign(person=df["person"].str.upper())

    def table(df):
        made["table"] += 1
        return with_links(df, ("person", "person_id", "person"))

    def view():
        rows = q("moves_filtered", min_certainty="rumor", limit=10)
        mid = cache.kept(rows, ("upper",), lambda: localized(rows))
        assert cache.origin(mid) is not None
        return cache.kept(mid, ("table",), lambda: table(mid))

    first, second = view(), view()
    assert made == {"localized": 1, "table": 1}
    assert second.equals(first) and second is not first
    assert second["person"].str.isupper().all()
    i18n.set_language("zh")
    view()
    assert made == {"localized": 2, "table": 2}


@pytest.mark.parametrize("script", ["pages/1_Talent_flows.py", "pages/3_Funding.py", "pages/4_People_and_firms.py"])
def test_a_warm_view_formats_no_table_again(seed_db_path, monkeypatch, script):
    """The profile of warm views (bench/RESULTS.md, issue 44) found every table formatted again on
    each view; a second run of the same view formats none (tables.readable and tables.dashes are
    not called)."""
    from streamlit.testing.v1 import AppTest

    from atlas import tables
    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    calls = []
    readable, dashes = tables.readable, tables.dashes
    monkeypatch.setattr(tables, "readable", lambda *a, **k: calls.append(1) or readable(*a, **k))
    monkeypatch.setattr(tables, "dashes", lambda *a, **k: calls.append(1) or dashes(*a, **k))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.query_params["lifts"] = "true"  # the lift-outs table, which waits for the analyst's switch
    at.switch_page(script).run()
    assert not at.exception and len(at.dataframe) >= (2 if "People" in script else 5)
    cold = len(calls)
    at.run()
    assert not at.exception
    assert cold > 0 and len(calls) == cold, f"{len(calls) - cold} table(s) formatted again on a warm view"
