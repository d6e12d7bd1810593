"""The floor of `python -m atlas bench --floor` (issue 44): the bare page draws the shape it is asked
for, and a page's shape is counted from what the page sends. The measure itself is the benchmark's."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from atlas.tools import bench_floor
from atlas.tools.bench_floor import Shape, shape_of
from tests.support import ROOT


def _floor(shape: Shape) -> AppTest:
    at = AppTest.from_file(str(ROOT / bench_floor.FLOOR_SCRIPT), default_timeout=60)
    at.query_params.update({k: str(v) for k, v in shape.params().items()})
    return at.run()


def test_the_floor_draws_the_shape_it_is_asked_for():
    asked = Shape(widgets=7, downloads=5, links=3, metrics=6, tables=2, rows=301, charts=3, points=100, texts=4)
    at = _floor(asked)
    assert not at.exception
    got = shape_of(at)
    # its own title and the sidebar's are texts too
    assert got == Shape(**{**asked.__dict__, "texts": asked.texts + 2})


def test_a_shape_out_of_bounds_or_unreadable_is_drawn_within_bounds():
    at = AppTest.from_file(str(ROOT / bench_floor.FLOOR_SCRIPT), default_timeout=60)
    at.query_params.update({"w": "many", "t": "-3", "r": "10"})
    at.run()
    assert not at.exception
    got = shape_of(at)
    assert (got.widgets, got.tables, got.rows) == (0, 0, 0)


@pytest.mark.parametrize(("script", "title"), [("pages/1_Talent_flows.py", "Talent flows"), ("app.py", "Overview")])
def test_a_pages_shape_is_counted_from_what_it_sends(seed_db_path, monkeypatch, script, title):
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if script != "app.py":
        at.switch_page(script).run()
    shape = shape_of(at)
    assert shape.tables == len(at.dataframe) and shape.rows == sum(len(t.value) for t in at.dataframe)
    assert shape.metrics == len(at.metric)
    assert shape.widgets >= len(at.selectbox) + len(at.multiselect) + len(at.slider) > 0
    assert shape.charts >= (4 if title == "Talent flows" else 1) and shape.points > 0
    assert shape.links >= 7  # the menu's page links


def test_the_floor_is_measured_on_the_seed_unless_a_scale_is_named(monkeypatch):
    """`bench --floor` defaults to the seed, the rest of `bench` to `small`; a named scale is kept."""
    from atlas import cli, cli_bench

    seen = []
    monkeypatch.setattr(cli_bench, "_floor", lambda args: seen.append(args.scale) or 0)
    for argv in (["bench", "--floor"], ["bench", "--floor", "--scale=check"]):
        args = cli.parser().parse_args(argv)
        assert args.func(args) == 0
    assert seen == ["seed", "check"]
