"""flow_cells: the kind and country flows read pre-counted cells instead of every move, and
give the same counts as counting the moves themselves, under every filter."""

import itertools

import pytest

from atlas import sql
from tests.support import FLOW_DEFAULTS

FILTERS = [
    {},
    {"min_certainty": "confirmed"},
    {"start_year": 2023, "end_year": 2024, "include_undated": False},
    {"start_year": 2025, "end_year": 2025, "include_undated": True},
    {"kinds": ["ai_startup"]},
    {"countries": ["CN"]},
    {"kinds": ["big_tech"], "countries": ["US"], "min_certainty": "reported"},
]
# the app's defaults (tests.support, read from its declarations), of the parameters flow_pairs takes
BASE = {
    k: FLOW_DEFAULTS[k] for k in ("start_year", "end_year", "include_undated", "min_certainty", "kinds", "countries")
}
ARGS = "$level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search"


def _pairs(con, level: str, filters: dict, search: str, table: str) -> list[tuple]:
    params = {**BASE, **filters, "level": level, "search": search}
    counted = (
        f"select src_n, dst_n, sum(n_moves)::bigint from flow_pairs({ARGS}) group by all"
        if table == "flow_pairs"
        else f"select src_n, dst_n, count(*)::bigint from flow_ends({ARGS}) group by all"
    )
    return sorted(con.execute(counted, params).fetchall(), key=repr)


@pytest.mark.parametrize(("level", "filters"), list(itertools.product(["kind", "country"], FILTERS)))
def test_the_cells_count_what_the_moves_count(con, level, filters):
    from_cells = _pairs(con, level, filters, "", "flow_pairs")
    from_moves = _pairs(con, level, filters, "", "flow_ends")
    assert from_cells == from_moves
    assert from_cells, "every one of these filters selects some of the seed's moves"


def test_the_cells_hold_every_move_once(con):
    moves, cells = con.execute(
        "select (select count(*) from move_facts), (select sum(n_moves) from flow_cells)"
    ).fetchall()[0]
    assert moves == cells == 49  # the seed's 49 moves
    # fewer cells than moves: that is the point of them
    assert con.execute("select count(*) from flow_cells").fetchall()[0][0] < moves


def test_a_search_and_the_finer_levels_still_count_the_moves(con):
    """The cells know no names and no firms: a search, and the firm and parent levels, count
    the moves themselves."""
    for level, search in [("kind", "openai"), ("country", "王"), ("parent", ""), ("firm", "")]:
        assert _pairs(con, level, {}, search, "flow_pairs") == _pairs(con, level, {}, search, "flow_ends")
    assert _pairs(con, "kind", {}, "openai", "flow_pairs") != _pairs(con, "kind", {}, "", "flow_pairs")


def test_the_kind_sankey_names_the_people_of_its_small_links(con):
    rows = sql.run_query(
        con,
        "flows_by_level",
        {**BASE, "level": "kind", "search": "", "top_n": 12, "min_count": 1},
    )
    # every move is drawn once, or stayed inside one kind (an AI startup to an AI startup)
    assert rows["n_moves"].sum() + rows["n_inside_moves"].iloc[0] == 49
    assert rows["n_inside_moves"].iloc[0] > 0
    small = rows[rows["n_moves"] <= 5]
    assert len(small) and small["names"].notna().all()
    assert rows[rows["n_moves"] > 5]["names"].isna().all()
