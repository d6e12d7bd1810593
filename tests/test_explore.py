"""The table browser: filters, facets, pages by key in every order, one row with its references,
its loads and the rows that refer to it; bad link parts are explained (atlas.explore)."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas import explore, load


@pytest.fixture
def catalog(con):
    return explore.tables(con)


def _all_pages(con, table, filters, sort, size=7) -> list[int]:
    """Every row id, walking the pages forwards; then checks that walking back gives the same."""
    seen: list[int] = []
    cursor = ""
    while True:
        page = explore.browse(con, table, filters, sort, after=cursor, page_size=size)
        seen += page.rows["_rowid"].tolist()
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    back = page.rows["_rowid"].tolist()
    cursor = page.prev_cursor
    while cursor:
        page = explore.browse(con, table, filters, sort, before=cursor, page_size=size)
        back = page.rows["_rowid"].tolist() + back
        cursor = page.prev_cursor
    assert back == seen
    return seen


@pytest.mark.parametrize(
    "table_name,sort_text",
    [
        ("moves", ""),
        ("moves", "moved_on"),  # 14 undated moves: nulls last
        ("moves", "-moved_on"),
        ("moves", "certainty"),
        ("people", "-name_zh"),
        ("funding_rounds", "amount"),
        ("compensation", "-amount_high"),
    ],
)
def test_pages_by_key_cover_every_row_once_in_order(con, catalog, table_name, sort_text):
    table = catalog[table_name]
    sort = explore.parse_sort(table, sort_text)
    seen = _all_pages(con, table, [], sort)
    everything = con.execute(f'select rowid as r, * from "{table_name}"').fetch_df()
    assert sorted(seen) == sorted(everything.r.tolist())  # every row once
    if sort.column:
        # the order asked for, nulls last, ties by the table's key
        keys = list(table.key)
        known = everything[everything[sort.column].notna()]
        expected = pd.concat(
            [
                known.sort_values([sort.column, *keys], ascending=[not sort.desc] + [True] * len(keys)),
                everything[everything[sort.column].isna()].sort_values(keys),
            ]
        )
        assert seen == expected.r.tolist()


def test_filters_and_facets_count_what_they_select(con, catalog):
    moves = catalog["moves"]
    confirmed = [explore.parse_filter(moves, "certainty.eq.confirmed")]
    page = explore.browse(con, moves, confirmed, explore.Sort())
    assert page.n_matching == 8 and set(page.rows.certainty) == {"confirmed"}
    facets = explore.facets(con, moves, confirmed)
    assert dict(zip(facets["certainty"].value, facets["certainty"].n, strict=True)) == {"confirmed": 8}
    everything = explore.facets(con, moves, [])
    assert dict(zip(everything["certainty"].value, everything["certainty"].n, strict=True)) == {
        "reported": 41,
        "confirmed": 8,
    }
    years = everything["moved_on"]
    assert int(years[years.value.isna()].n.iloc[0]) == 15  # the undated moves
    in_2024 = explore.browse(con, moves, [explore.parse_filter(moves, "moved_on.year.2024")], explore.Sort())
    assert in_2024.n_matching == int(years[years.value == "2024"].n.iloc[0])
    # contains is case-blind; a range and "is empty"
    people = catalog["people"]
    li = explore.browse(con, people, [explore.parse_filter(people, "name.contains.LI")], explore.Sort(), page_size=100)
    assert "mu-li" in set(li.rows.person_id)
    rounds = catalog["funding_rounds"]
    big = explore.browse(con, rounds, [explore.parse_filter(rounds, "amount.gte.1000000000")], explore.Sort())
    assert (big.rows.amount >= 1e9).all() and big.n_matching > 0
    undated = explore.browse(con, moves, [explore.parse_filter(moves, "moved_on.empty")], explore.Sort())
    assert undated.n_matching == 15


@pytest.mark.parametrize(
    "table,text,message",
    [
        ("moves", "nope.eq.1", "has no column 'nope'"),
        ("moves", "certainty", "is not column.operator.value"),
        ("moves", "certainty.like.x", "no operator 'like'"),
        ("moves", "moved_on.gte.soon", "takes a date"),
        ("moves", "moved_on.year.x", "a year is a number"),
        ("moves", "person_id.eq.", "needs a value"),
        ("funding_rounds", "amount.lte.lots", "takes a number"),
        ("moves", "certainty.year.2024", "only a date column has years"),
        ("moves", "note.contains." + "x" * 300, "at most 200"),
    ],
)
def test_bad_filter_is_explained(con, catalog, table, text, message):
    with pytest.raises(explore.BadLink, match=message):
        explore.browse(con, catalog[table], [explore.parse_filter(catalog[table], text)], explore.Sort())


def test_bad_names_and_positions_are_explained(con, catalog):
    with pytest.raises(explore.BadLink, match="there is no table 'users'"):
        explore.table_of(catalog, "users")
    with pytest.raises(explore.BadLink, match="no column 'salary'"):
        explore.parse_sort(catalog["moves"], "-salary")
    with pytest.raises(explore.BadLink, match="page position"):
        explore.browse(con, catalog["moves"], [], explore.Sort(), after="not json")
    # a value meant to break out of the SQL is only ever a value
    sneaky = explore.parse_filter(catalog["people"], "name.eq.x' or '1'='1")
    assert explore.browse(con, catalog["people"], [sneaky], explore.Sort()).n_matching == 0


def test_row_with_its_references_and_referrers(con, catalog):
    people = catalog["people"]
    key = explore.parse_row(people, "mu-li")
    row = explore.one_row(con, people, key)
    assert (row["name"], row["name_zh"]) == ("Mu Li", "李沐")
    refs = explore.referrers(con, people, key)
    assert dict(zip(zip(refs.table, refs.column, strict=True), refs.n, strict=True)) == {
        ("moves", "person_id"): 3,
        ("compensation", "person_id"): 1,
        ("education", "person_id"): 1,
        ("approaches", "person_id"): 1,  # Google's e-mailed offer, which he declined
    }
    moves = catalog["moves"]
    page = explore.browse(con, moves, [explore.parse_filter(moves, "person_id.eq.mu-li")], explore.Sort())
    labels = explore.labels(con, moves, page.rows)
    assert labels["person_id"] == {"mu-li": "Mu Li (李沐)"} or labels["person_id"]["mu-li"].startswith("Mu Li")
    assert all(labels["source_id"].values())  # every source named by its title
    assert explore.one_row(con, people, {"person_id": "nobody"}) is None
    # a key of several columns is written with '~'
    aliases = catalog["aliases"]
    with pytest.raises(explore.BadLink, match="entity_kind ~ entity_id ~ alias"):
        explore.parse_row(aliases, "person")


def test_upload_that_brought_a_row(rw, tmp_path):
    catalog = explore.tables(rw)
    moves = catalog["moves"]
    f = tmp_path / "moves.csv"
    f.write_text(
        "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note,seq\n"
        "explore-test-1,mu-li,,bytedance,2025-01,,joined,leiphone-2023-mu-li-declines-bytedance,rumor,,\n",
        encoding="utf-8",
    )
    result = load.load_files(rw, {"moves": f}, mode="append", uploader="tester")
    assert result.ok, result.problems
    loads = explore.upload_of(rw, moves, {"move_id": "explore-test-1"})
    assert loads.upload_id.tolist() == [2] and loads.action.tolist() == ["inserted"]
    assert loads.uploader.tolist() == ["tester"]
    # a row of the build has no upload of its own
    assert explore.upload_of(rw, moves, {"move_id": "no-such-move"}).empty


# page positions a link may carry that this page never wrote (issue 29: each was an exception box)
CRAFTED_CURSORS = [
    '[{"a":1}]',
    '[{"a":1},[1]]',
    '[1,[{"a":1}]]',
    '[null,{"a":1}]',
    '["x",["y"]]',
    "[[1],[2]]",
    "[1e40,[1]]",
    '[null,"x"]',
    "[null,1e40]",
    "[null, 99999999999999999999999]",
    "[true,[true]]",
    '["2024-13-01",["x"]]',
    "[1,[1e40]]",
    '"x"',
]


@pytest.mark.parametrize("cursor", CRAFTED_CURSORS)
def test_a_crafted_page_position_is_explained_in_every_table_and_order(con, catalog, cursor):
    for table in catalog.values():
        for sort in ["", *table.names, *("-" + c for c in table.names)]:
            for key in ("after", "before"):
                try:
                    explore.browse(con, table, [], explore.parse_sort(table, sort), **{key: cursor})
                except explore.BadLink as exc:
                    assert "page position" in str(exc) or "does not fit" in str(exc)


@pytest.mark.parametrize(
    "table_name,text",
    [
        ("moves", "seq.gte.1e40"),
        ("moves", "seq.eq.abc"),
        ("uploads", "upload_id.gte.99999999999999999999"),
        ("moves", "moved_on.lte.2024-02-30"),
        ("fx_rates", "usd_per_unit.lte.x"),
    ],
)
def test_a_filter_value_of_the_wrong_type_is_explained(con, catalog, table_name, text):
    table = catalog[table_name]
    f = explore.parse_filter(table, text)
    with pytest.raises(explore.BadLink, match="takes"):
        explore.check(con, table, (f,))


@pytest.mark.parametrize(
    "params",
    [
        {"after": '[{"a":1}]'},
        {"table": "people", "sort": "person_id", "after": '[{"a":1},[1]]'},
        {"f": "seq.gte.1e40"},
        {"f": ["seq.gte.1e40", "certainty.eq.rumor"]},
        {"table": "uploads", "row": "abc"},
        {"table": "uploads", "row": "1e40"},
        {"table": "fx_rates", "row": "USD~abc"},
        {"table": "moves", "sort": "moved_on", "before": '["2024-13-99",["x"]]'},
        {"table": "uploads", "f": "upload_id.gte.99999999999999999999"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())[:60],
)
def test_a_crafted_explore_link_is_explained_never_an_exception(seed_db_path, monkeypatch, params):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/6_Explore.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(w.value for w in at.warning)
    assert "Part of this link was ignored" in said or "page position" in said
    assert at.dataframe, "the page still shows a table"


def test_a_page_of_rows_cuts_long_texts_and_the_row_shows_them_whole(rw, tmp_path):
    f = tmp_path / "people.csv"
    f.write_text(f"person_id,name,known_for\nlong-one,Long One,{'x' * 50_000}\n", encoding="utf-8")
    assert load.load_files(rw, {"people": f}, mode="append", uploader="test").ok
    table = explore.tables(rw)["people"]
    page = explore.browse(rw, table, [explore.Filter("person_id", "eq", "long-one")], explore.Sort())
    assert len(page.rows.known_for[0]) == explore.CELL_CHARS
    assert len(explore.one_row(rw, table, {"person_id": "long-one"}).known_for) == 50_000
    # sorted by the long column itself, the page position keeps the whole value (and pages work)
    sorted_page = explore.browse(rw, table, [], explore.parse_sort(table, "-known_for"), page_size=1)
    assert len(sorted_page.rows.known_for[0]) == 50_000 and sorted_page.next_cursor


EVERY_TABLE = [
    "people",
    "firms",
    "moves",
    "compensation",
    "funding_rounds",
    "round_investors",
    "education",
    "sources",
    "aliases",
    "fx_rates",
    "uploads",
]


@pytest.mark.parametrize("table", EVERY_TABLE)
def test_every_table_opens_by_link_with_its_rows_and_its_first_facet_filters_it(seed_db_path, monkeypatch, table):
    """Each table of the catalog by its link (`table=`): its rows and how many match, and a click on
    its first facet's first value keeps that value's rows and writes the filter into the link. The
    browser test (tests/e2e/test_explore_browser.py) does the same in Chromium for three tables."""
    import re

    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/6_Explore.py")
    at.query_params["table"] = table
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="table").value == table

    def matching() -> tuple[int, int]:
        said = [c.value for c in at.caption if re.match(r"^\d[\d,]* of \d[\d,]* rows match", c.value)]
        assert len(said) == 1, [c.value for c in at.caption]
        n, total = re.match(r"^(\d[\d,]*) of (\d[\d,]*)", said[0]).groups()
        return int(n.replace(",", "")), int(total.replace(",", ""))

    n, total = matching()
    assert n == total > 0, (table, n, total)  # no filter yet: every row of a table the seed fills
    assert at.dataframe and len(at.dataframe[0].value) == min(n, len(at.dataframe[0].value)) > 0
    # every table has a facet; its first value filters the table, and the link says so
    pills = [p for p in at.button_group if p.options and " · " in p.options[0]]
    assert pills, f"{table} shows no facet"
    first = pills[0].options[0]
    count = int(first.rsplit(" · ", 1)[1].replace(",", ""))
    pills[0].set_value(first).run()
    assert not at.exception, [e.value for e in at.exception]
    assert matching() == (count, total)
    # the link as the app wrote it: the table and the one filter the click added
    link = {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}
    assert link["table"] == [table] and len(link.get("f", [])) == 1, link
