"""Every page renders on the seed data, and the shared filters change what it shows."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from atlas.pages import PAGES
from tests.support import ROOT, plain, schema_errors, vega_lite_specs


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.subheader] + [t.value for t in at.title]
    parts += [str(i.value) for i in at.info]
    return "\n".join(parts)


@pytest.mark.parametrize("script,title", [(p.script, p.title) for p in PAGES])
def test_page_renders(app, script, title):
    if script != "app.py":
        app.switch_page(script).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title
    # every page shows real data from DuckDB
    assert len(app.dataframe) >= 1
    assert all(len(df.value) > 0 for df in app.dataframe[:1])
    # every chart it sends passes the Vega-Lite schema (the app does not check it at run time)
    specs = vega_lite_specs(app)
    assert specs or title in ("People & firms", "Data", "Explore"), f"{title} sent no chart"
    for spec in specs:
        assert schema_errors(spec) is None, (title, spec.get("title"), schema_errors(spec))


def test_overview_headlines(app):
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["People"] == "33"
    assert metrics["Moves"] == "49"
    assert metrics["Source articles"] == "5"
    pay = app.dataframe[1].value
    assert pay.iloc[0]["kind"] == "signing bonus"  # a label, never the code
    assert pay.iloc[0]["converted"] == "USD 100M"


def test_overview_follows_filters(app):
    app.selectbox(key="certainty").set_value("confirmed").run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Moves"] == "8"
    assert "No pay figures match the filters." in _texts(app)
    app.slider(key="period").set_value((2024, 2024)).run()
    assert {m.label: m.value for m in app.metric}["Moves"] == "1"  # Yi Tay's confirmed return


def test_currency_changes_pay_table(app):
    app.selectbox(key="currency").set_value("CNY").run()
    assert not app.exception
    assert any(s.value == "Largest pay figures, in CNY" for s in app.subheader)
    pay = app.dataframe[1].value.set_index("comp_id")
    assert pay.loc["mu-li-bytedance-offer-2023", "converted"] == "CNY 10M–100M"  # ten-million level: a range


def frame_with(at: AppTest, column: str):
    """The first table on the page that has `column`."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}")


@pytest.fixture
def flows(app) -> AppTest:
    app.switch_page("pages/1_Talent_flows.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_flows_page_known_answers(flows):
    boomerangs = frame_with(flows, "return_move_id")
    assert set(boomerangs.person_id) == {"yi-tay", "noam-shazeer"}
    edu = frame_with(flows, "trained_country").set_index(["trained_country", "works_country"])
    assert edu.loc[("CN", "US"), "n_people"] == 7
    assert len(frame_with(flows, "move_id")) == 49


def test_flows_page_firm_kind_filter(flows):
    flows.multiselect(key="kinds").set_value(["university"]).run()
    assert not flows.exception
    assert set(frame_with(flows, "move_id").person_id) == {"jia-yangqing"}


def test_flows_page_level_and_focus(flows):
    flows.radio(key="level").set_value("firm").run()
    flows.selectbox(key="focus").set_value("bytedance").run()
    assert not flows.exception
    counterparts = frame_with(flows, "counterpart")
    assert counterparts[counterparts.direction == "lost to"].names.tolist() == ["Changhu Wang (王长虎)"]
    assert counterparts.n_moves.sum() == 5
    flows.radio(key="boom").set_value("firm").run()
    assert set(frame_with(flows, "return_move_id").person_id) == {"noam-shazeer"}


def test_flows_page_search_and_country(flows):
    flows.text_input(key="search").set_value("Yi Tay").run()
    assert set(frame_with(flows, "move_id").person_id) == {"yi-tay"}
    flows.text_input(key="search").set_value("").run()
    flows.multiselect(key="countries").set_value(["FR"]).run()
    moves = frame_with(flows, "move_id")
    assert set(moves.to_firm_id) == {"mistral-ai"}


def test_flows_page_quarter_grain_and_threshold(flows):
    flows.radio(key="grain").set_value("quarter").run()
    flows.number_input(key="min_n").set_value(3).run()
    assert not flows.exception
    assert any("below the minimum of 3" in c.value for c in flows.caption)


def test_flows_threshold_from_a_link_can_exceed_small_numbers(seed_db_path, monkeypatch):
    # on large data a useful minimum is in the thousands; a link carries it like any filter
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["min_n"] = "2000"
    at.run()
    at.switch_page("pages/1_Talent_flows.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="min_n").value == 2000
    assert not at.warning  # nothing of the link was ignored
    # no flow of the seed has 2,000 moves: the page says so instead of drawing an empty diagram
    assert "No flows match the filters. Lower the minimum moves per flow" in _texts(at)


def test_flows_page_sankey_saves_svg(flows):
    [sankey] = flows.get("echarts_chart")
    assert sankey.proto.renderer == 0  # canvas: the save button writes a PNG
    flows.segmented_control(key="img").set_value("SVG").run()
    [sankey] = flows.get("echarts_chart")
    spec = json.loads(sankey.proto.spec)
    assert spec["toolbox"]["feature"]["saveAsImage"]["type"] == "svg"
    assert sankey.proto.renderer == 1  # the SVG renderer, without which ECharts cannot save SVG


def test_person_profile(app):
    app.switch_page("pages/4_People_and_firms.py").run()
    app.selectbox(key="person").set_value("yi-tay").run()
    assert not app.exception, [e.value for e in app.exception]
    assert plain(app.header[0].value) == "Yi Tay"
    stints = frame_with(app, "start_text")
    assert stints.firm_id.tolist() == ["google-research", "google-brain", "reka", "google-deepmind"]
    app.selectbox(key="certainty").set_value("confirmed").run()
    assert frame_with(app, "start_text").firm_id.tolist() == ["reka", "google-deepmind"]


def test_person_profile_education_and_pay(app):
    app.switch_page("pages/4_People_and_firms.py").run()
    app.selectbox(key="person").set_value("mu-li").run()
    assert frame_with(app, "institution_id").institution_id.tolist() == ["sjtu"]
    pay = frame_with(app, "comp_id")
    assert pay.outcome.tolist() == ["declined"]


def test_firm_profile(app):
    app.switch_page("pages/4_People_and_firms.py").run()
    app.selectbox(key="firm").set_value("google").run()
    assert not app.exception, [e.value for e in app.exception]
    assert plain(app.header[0].value) == "Google (谷歌)"
    metrics = {m.label: m.value for m in app.metric}
    with_subs = ("People gained (with subsidiaries)", "People lost (with subsidiaries)", "Net (with subsidiaries)")
    assert tuple(metrics[k] for k in with_subs) == ("6", "5", "+1")
    rounds = frame_with(app, "round_id")
    assert rounds.round_id.tolist() == ["anthropic-google-2023"]  # as an investor
    app.toggle(key="subs").set_value(False).run()
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["People gained (firm alone)"], metrics["People lost (firm alone)"]) == ("2", "3")


def test_people_search(app):
    app.switch_page("pages/4_People_and_firms.py").run()
    app.text_input(key="q").set_value("李沐").run()
    assert not app.exception
    people = frame_with(app, "known_for")
    assert list(people.person_id) == ["mu-li"]
    app.text_input(key="q").set_value("zzz-nobody").run()
    assert "No person matches the search." in _texts(app)


def test_pay_page_filters(app):
    app.switch_page("pages/2_Pay_offers.py").run()
    assert not app.exception, [e.value for e in app.exception]
    figures = frame_with(app, "comp_id")
    assert len(figures) == 5
    app.multiselect(key="outcomes").set_value(["declined"]).run()
    assert frame_with(app, "comp_id").comp_id.tolist() == ["mu-li-bytedance-offer-2023"]
    app.selectbox(key="currency").set_value("CNY").run()
    app.selectbox(key="constant").set_value("2025").run()
    assert not app.exception
    assert any(s.value == "The figures behind the view (CNY of 2025)" for s in app.subheader)
    converted = frame_with(app, "comp_id").iloc[0]
    assert converted.converted.startswith("CNY 10.") and converted.original == "CNY 10M–100M"  # 2023 yuan in 2025 yuan
    app.multiselect(key="pay_kinds").set_value(["equity"]).run()
    assert "No pay figures match the filters: clear a firm, kind or outcome." in _texts(app)
    # when the certainty filter is the reason, the page says so and how many it hides
    app.multiselect(key="pay_kinds").set_value([]).run()
    app.selectbox(key="certainty").set_value("confirmed").run()
    # with the outcome still "declined", only Mu Li's reported offer is behind the certainty filter
    assert (
        "No pay figures match: 1 reported pay figure hidden by the certainty filter. Widen that filter to see them."
    ) in _texts(app)
    app.multiselect(key="outcomes").set_value([]).run()
    assert (
        "No pay figures match: 1 reported pay figure hidden by the certainty filter; "
        "4 rumored pay figures hidden by the certainty filter. Widen that filter to see them."
    ) in _texts(app)


def test_funding_page(app):
    app.switch_page("pages/3_Funding.py").run()
    assert not app.exception, [e.value for e in app.exception]
    compare = frame_with(app, "total_raised")
    assert compare.firm_id.tolist()[0] == "openai"
    assert len(compare) == 5
    app.multiselect(key="statuses").set_value(["terminated"]).run()
    assert set(frame_with(app, "is_raised").round_id) == {"reka-snowflake-talks-2024", "boson-second-round-2023"}
    app.multiselect(key="statuses").set_value([]).run()
    app.multiselect(key="compare").set_value(["reka"]).run()
    assert "Pick at least two firms to compare." in _texts(app)
    app.multiselect(key="compare").set_value(["reka", "anthropic"]).run()
    app.selectbox(key="currency").set_value("EUR").run()
    assert not app.exception
    compare = frame_with(app, "total_raised").set_index("firm_id")
    assert compare.loc["reka", "raised"].startswith("more than EUR ")  # Reka's round is "more than"
    deals = frame_with(app, "buyer_id")
    assert "Mustafa Suleyman" in deals.people.tolist()


def test_saved_views_listed_and_deleted_after_confirmation(scratch_db, monkeypatch):
    import duckdb

    from atlas import views

    con = duckdb.connect(str(scratch_db))
    views.save_view(con, "Declined offers", "Mu Li and ByteDance", "Pay offers", "outcomes=declined", "Ana")
    con.close()
    monkeypatch.setenv("ATLAS_DB", str(scratch_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    # the short link (its label after '#'); only the columns shown are sent to the browser
    listed = frame_with(at, "link")
    assert listed.link.tolist() == ["?view=declined-offers#Declined offers"]
    assert "saved_by_email" not in listed.columns
    at.selectbox(key="delete_slug").set_value("declined-offers").run()
    assert at.button(key="delete_go").disabled  # nothing is deleted without the confirmation
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No saved views yet" in c.value for c in at.caption)


def test_firm_pickers_list_the_most_active_and_keep_a_linked_firm(seed_db_path, monkeypatch):
    # With a picker capped at two firms, a link naming a less active firm still shows it picked.
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    monkeypatch.setattr("atlas.fetch.PICKER_LIMIT", 2)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["compare"] = ["openai", "adept"]
    at.run()
    at.switch_page("pages/3_Funding.py").run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.multiselect(key="compare")
    assert picker.value == ["openai", "adept"]
    # names in the picker, ids in the link
    assert len(picker.options) == 3 and "Adept" in picker.options
    assert at.query_params["compare"] == ["openai", "adept"]
    assert set(frame_with(at, "total_raised").firm_id) == {"openai", "adept"}
    at.switch_page("pages/2_Pay_offers.py").run()
    assert len(at.multiselect(key="firms").options) == 2


def test_funding_says_how_many_rounds_the_list_holds(seed_db_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/3_Funding.py").run()
    n = len(frame_with(at, "is_raised"))
    assert f"All {n} rounds and deals the filters select." in [c.value for c in at.caption]
    monkeypatch.setattr("atlas.fetch.ROUNDS_LISTED", 3)
    at.run()
    assert len(frame_with(at, "is_raised")) == 3
    assert f"The 3 largest of {n} rounds and deals the filters select; narrow them to see others." in [
        c.value for c in at.caption
    ]


def test_merge_pickers_search_instead_of_listing_every_entry(app, monkeypatch):
    from atlas.ui import data_history

    app.switch_page("pages/5_Data.py").run()
    keep = app.selectbox(key="merge_keep")
    assert len(keep.options) == 33  # the seed's people: under the limit, all listed
    app.text_input(key="merge_keep_q").input("李沐").run()
    assert app.selectbox(key="merge_keep").options == ["Mu Li (李沐) · mu-li"]
    app.selectbox(key="merge_keep").set_value("mu-li").run()
    # the choice stays while the search changes, and a picker never lists more than its limit
    monkeypatch.setattr(data_history, "PICKER_LIMIT", 5)
    app.text_input(key="merge_keep_q").input("").run()
    options = app.selectbox(key="merge_keep").options
    assert "Mu Li (李沐) · mu-li" in options and len(options) <= 6
    assert app.selectbox(key="merge_keep").value == "mu-li"
    assert not app.exception


def _explore(seed_db_path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/6_Explore.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_explore_opens_a_filtered_table_from_its_link(seed_db_path, monkeypatch):
    at = _explore(seed_db_path, monkeypatch, table="moves", f=["certainty.eq.confirmed"], sort="-moved_on")
    rows = at.dataframe[0].value
    assert len(rows) == 8  # the eight confirmed moves
    assert any("8 of 49 rows match" in c.value for c in at.caption)
    assert not at.warning  # every part of the link applied
    # references are names that link: the person column opens the profile
    assert rows.person_id.str.contains("/People_and_firms?person=", regex=False).all()


def test_explore_explains_a_bad_link_and_applies_the_rest(seed_db_path, monkeypatch):
    at = _explore(seed_db_path, monkeypatch, table="moves", f=["certainty.eq.confirmed", "salary.gte.9"])
    assert len(at.dataframe[0].value) == 8  # the good filter applied
    notice = " ".join(w.value for w in at.warning)
    assert "the table moves has no column" in notice and "salary" in notice


def test_explore_row_page_names_its_source_and_referrers(seed_db_path, monkeypatch):
    at = _explore(seed_db_path, monkeypatch, table="people", row="mu-li")
    text = " ".join(m.value for m in at.markdown)
    assert "3 in moves, by person_id" in text
    assert "**Source**" in text
    values = dict(zip(at.dataframe[0].value.column, at.dataframe[0].value.value, strict=True))
    assert values["name_zh"] == "李沐"


def test_explore_runs_the_query_of_its_link(seed_db_path, monkeypatch):
    at = _explore(
        seed_db_path, monkeypatch, sql="select certainty, count(*) as n from moves group by 1 order by 2 desc"
    )
    result = [df.value for df in at.dataframe if "certainty" in df.value.columns and "n" in df.value.columns][0]
    assert result.n.tolist() == [41, 8]  # no move of the seed is a rumor: 8 have an inferred origin
    assert not at.error
    refused = _explore(seed_db_path, monkeypatch, sql="drop table moves")
    assert any("Only read queries run here" in e.value for e in refused.error)


def test_explore_facet_sort_and_pages(seed_db_path, monkeypatch):
    at = _explore(seed_db_path, monkeypatch, table="moves", n="10")
    assert any("49 of 49 rows match; 10 shown on this page" in c.value for c in at.caption)
    # a facet value filters the table
    pills = at.get("button_group")
    certainty = next(p for p in pills if p.label == "certainty")
    certainty.set_value("confirmed · 8").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("8 of 49 rows match" in c.value for c in at.caption)
    assert at.session_state["f"] == ["certainty.eq.confirmed"]
    # removing it brings every row back
    at.button(key="rm_0_certainty.eq.confirmed").click().run()
    assert any("49 of 49 rows match" in c.value for c in at.caption)
    # sorted newest first, then the next page and back
    at.selectbox(key="sort_col_moves").set_value("moved_on").run()
    at.toggle(key="sort_desc_moves").set_value(True).run()
    first = at.dataframe[0].value
    assert at.session_state["sort"] == "-moved_on"
    at.button(key="page_next").click().run()
    second = at.dataframe[0].value
    assert not set(first._open) & set(second._open)  # no row twice
    at.button(key="page_prev").click().run()
    assert at.dataframe[0].value._open.tolist() == first._open.tolist()
