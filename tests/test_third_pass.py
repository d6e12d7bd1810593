"""Every number right, third pass (issue 31): what an analyst and a fact-checker still caught,
each against a known answer from the articles or the same fact on another page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from atlas import sql
from atlas.pages import LAST_YEAR
from tests.support import FLOW_DEFAULTS

FLOW = {**FLOW_DEFAULTS, "top_n": 10_000}  # the app's defaults, every group drawn


def run(con, name: str, **params):
    return sql.run_query(con, name, {k: v for k, v in params.items() if k in sql.used_params(name)})


# --- one rule for moves inside one group ---------------------------------------------------------


@pytest.mark.parametrize("level", ["firm", "parent", "kind", "country"])
def test_the_sankey_and_the_net_chart_count_each_group_alike(con, level):
    """Google at the parent level: the Sankey drew 7 in and 6 out (a Google Brain to Google DeepMind
    move among them) while the net chart and the profile said 6 and 5."""
    flows = run(con, "flows_by_level", **{**FLOW, "level": level})
    net = run(con, "net_flow_by_level", **{**FLOW, "level": level}).set_index("label")
    into = flows.groupby("target")["n_moves"].sum()
    out = flows.groupby("source")["n_moves"].sum()
    for label, row in net.iterrows():
        assert (into.get(label, 0), out.get(label, 0)) == (row.n_gained, row.n_lost), (level, label)
    assert not (flows["source"] == flows["target"]).any(), "a move inside one group is not a flow"
    if level == "parent":
        assert net.loc["Google (谷歌)", ["n_gained", "n_lost"]].tolist() == [6, 5]
        assert flows["n_inside_moves"].iloc[0] >= 1  # Google's own, said in a caption


def test_the_sankey_says_how_many_moves_stayed_inside_a_group(app):
    app.switch_page("pages/1_Talent_flows.py").run()
    captions = [c.value for c in app.caption]
    assert any("stayed inside one parent firm" in c and "not drawn" in c for c in captions), captions


# --- funding: one ranking rule, amounts that say what they are ------------------------------------

ROUNDS = {**FLOW, "round_types": [], "statuses": [], "currency": "USD", "firm_id": "", "limit": 8}


def test_deals_that_did_not_complete_rank_after_those_that_did(con):
    """The terminated Snowflake-Reka talks (more than USD 1B) ranked second among the largest
    rounds and deals; what happened comes first, then what did not, then unknown amounts."""
    rounds = run(con, "funding_rounds_filtered", **ROUNDS)
    assert rounds["round_id"].tolist()[:6] == [
        "openai-microsoft-2023",
        "inflection-microsoft-2024",
        "anthropic-google-2023",
        "mistral-seed-2023",
        "reka-lifetime-funding-2024",
        "reka-snowflake-talks-2024",
    ]
    deals = run(con, "deals_with_people", **ROUNDS)
    assert deals["status"].tolist().index("terminated") > deals["status"].tolist().index("completed")


def test_the_alliances_chart_shows_what_a_terminated_deal_was_reported_at(con):
    from atlas import charts

    alliances = run(con, "alliances", **{**ROUNDS, "top_n": 15})
    row = alliances[(alliances["firm_id"] == "reka") & (alliances["roles"].str.contains("buyer"))].iloc[0]
    assert pd.isna(row.total_converted) and row.offered_converted == 1e9 and row.offered_qualifier == "at_least"
    assert charts.alliance_label(row.to_dict(), "USD") == "more than USD 1B · terminated"
    spec = charts.alliances_chart(alliances, "USD").to_dict()
    labels = {d["label"] for d in next(iter(spec["datasets"].values()))}
    assert "more than USD 1B · terminated" in labels
    assert not any(label.startswith("undisclosed · terminated") for label in labels)


def test_an_unknown_valuation_reads_not_known_never_zero(con):
    from atlas import charts

    rounds = run(con, "funding_rounds_filtered", **{**ROUNDS, "limit": 100})
    spec = charts.rounds_chart(rounds, "USD").to_dict()
    data = next(iter(spec["datasets"].values()))
    mistral = next(d for d in data if d["round_id"] == "mistral-seed-2023")
    assert mistral["valuation_text"] == "not known"
    openai = next(d for d in data if d["round_id"] == "openai-microsoft-2023")
    assert openai["valuation_text"] == "USD 29B"
    fields = [t["field"] for t in spec["encoding"]["tooltip"]]
    assert "valuation_converted" not in fields and "valuation_text" in fields


def test_a_firm_with_one_round_is_not_drawn_into_years_the_data_never_reaches(con):
    from atlas import charts

    firms = ["openai", "mistral-ai", "anthropic"]
    raised = run(con, "capital_raised_over_time", **{**ROUNDS, "firm_ids": firms})
    spec = charts.capital_raised_chart(raised, "USD", f"{LAST_YEAR}-12-31").to_dict()
    data = next(iter(spec["datasets"].values()))
    dates = {str(d["announced_on"])[:10] for d in data}
    assert max(dates) <= "2023-12-31", dates  # every round of these three is of 2023
    assert not any(d.startswith(str(LAST_YEAR)) for d in dates)


def test_a_chinese_funding_legend_counts_in_yi_like_its_axis():
    from atlas import charts, i18n

    i18n.set_language("zh")
    try:
        legend = charts.money_legend().to_dict()
    finally:
        i18n.set_language("en")
    assert "亿" in legend["labelExpr"] and "format" not in legend


# --- dates at the precision the source gave ------------------------------------------------------


def test_the_explore_row_page_keeps_each_date_at_its_precision(app):
    """A move dated "2023" read 2023-01-01, and its source's month 2023-03 read 2023-03-01 00:00:00."""
    app.switch_page("pages/6_Explore.py")
    app.query_params["table"] = "moves"
    app.query_params["row"] = "yang-hongxia-joins-bytedance-2023"
    app.run()
    assert not app.exception, app.exception
    shown = app.dataframe[0].value.set_index("column")["value"]
    assert shown["moved_on"] == "2023" and shown["moved_on_precision"] == "year"
    source = next(m.value for m in app.markdown if m.value.startswith("**Source**"))
    assert ", 2023-03 " in source + " " and "00:00" not in source and "2023-03-01" not in source


def test_the_explore_table_shows_dates_at_their_precision(app):
    app.switch_page("pages/6_Explore.py")
    app.query_params["table"] = "sources"
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert set(table["published_on"]) == {"2023-03", "2023", "2024-11", "2025", "2024"}


def test_one_formatter_reads_a_date_at_its_precision():
    import datetime as dt

    from atlas import dates, i18n

    assert dates.at_precision(dt.date(2024, 1, 1), "year") == "2024"
    assert dates.at_precision(dt.date(2024, 11, 1), "month") == "2024-11"
    assert dates.at_precision(pd.Timestamp("2024-11-26"), "day") == "2024-11-26"
    assert dates.at_precision(None, "year") is None
    frame = pd.DataFrame({"at": [pd.Timestamp("2026-12-04 09:30")], "on": [dt.date(2024, 11, 26)]})
    assert dates.readable_dates(frame).iloc[0].tolist() == ["2026-12-04 09:30", "2024-11-26"]
    i18n.set_language("zh")
    try:
        assert dates.at_precision(dt.date(2024, 11, 1), "month") == "2024年11月"
    finally:
        i18n.set_language("en")


# --- the SQL console -----------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2])
def test_picking_a_console_example_runs_it(app, index):
    """Picking any example replaced the page with a StreamlitAPIException (a bound query
    parameter set directly); typing the same query worked."""
    from atlas import console

    app.switch_page("pages/6_Explore.py")
    app.query_params["tab"] = "SQL console"
    app.run()
    example = list(console.EXAMPLES)[index]
    app.selectbox(key="example").select(example).run()
    assert not app.exception, app.exception[0].value
    assert app.text_area(key="sql").value == console.EXAMPLES[example]
    assert any(" in " in c.value and "Data version" in c.value for c in app.caption), [c.value for c in app.caption]


# --- the upload review's counts add up -------------------------------------------------------------


def test_the_name_review_counts_add_up_to_the_names(con, tmp_path):
    """ "12 matched, 1 new, 1 to check" for 13 names: a new name was counted as new and as to check."""
    from atlas import resolve, upload

    path = tmp_path / "my moves.csv"
    path.write_text(
        "person,from_firm,to_firm,moved_on,move_type,certainty\n"
        "Li Mu,Amazon Inc.,Boson.ai,2023-03,founded,reported\n"  # matched
        "Yangqing Jai,Google Deepmind,ByteDance,2024-05,joined,rumor\n"  # a near miss: to check
        "Sarah Kimball,,Anthropic,2024-11,joined,reported\n",  # new
        encoding="utf-8",
    )
    with upload.stage_upload([("my moves.csv", path)]) as staged:
        decisions = upload.plan_names(con, staged).decisions
        counts = resolve.review_counts(decisions)
        assert sum(counts.values()) == len(decisions)
        assert counts["new"] >= 1 and counts["review"] >= 1 and counts["matched"] >= 1
        decisions[0].status = "confirmed"
        after = resolve.review_counts(decisions)
        assert after["confirmed"] == 1 and sum(after.values()) == len(decisions)


# --- search ----------------------------------------------------------------------------------------


def test_a_search_with_one_match_opens_that_profile(app):
    app.switch_page("pages/4_People_and_firms.py")
    app.query_params["q"] = "Yi Tay"
    app.run()
    assert not app.exception
    assert app.session_state["person"] == "yi-tay"
    assert any("Yi Tay" in h.value for h in app.header), [h.value for h in app.header]
    # cleared by hand, it stays cleared for the same search
    app.selectbox(key="person").set_value(None).run()
    assert app.session_state["person"] is None


def test_a_search_with_several_matches_opens_none(app):
    app.switch_page("pages/4_People_and_firms.py")
    app.query_params["q"] = "Google"
    app.run()
    assert app.session_state["firm"] is None and app.session_state["person"] is None


def test_identical_pay_figures_are_one_mark_with_their_count(con):
    """The two USD 100M signing bonuses of article 003 (and its two "tens of millions a year")
    drew as one dot each, with no count."""
    from atlas import charts

    figures = run(
        con,
        "pay_figures",
        **{
            **ROUNDS,
            "limit": 2000,
            "display": "USD",
            "constant_year": 0,
            "person_id": "",
            "firm_id": "",
            "firm_ids": [],
            "pay_kinds": [],
            "outcomes": [],
        },
    )
    spec = charts.pay_distribution_chart(figures, "USD").to_dict()
    data = next(iter(spec["datasets"].values()))
    assert sum(d["n_figures"] for d in data) == len(figures) == 5
    doubled = [d for d in data if d["n_figures"] == 2]
    assert sorted(d["low"] for d in doubled) == [1e7, 1e8] and {d["n_text"] for d in doubled} == {"×2"}
    assert all(len(d["comp_id"].split("; ")) == 2 for d in doubled)  # both figures behind the mark
    assert any(layer["mark"]["type"] == "text" for layer in spec["layer"])


@pytest.mark.parametrize(("constant", "said"), [("2025", "2025"), ("2020", "2025"), ("nominal", None)])
def test_money_of_a_year_says_when_its_price_index_is_an_estimate(app, constant, said):
    app.switch_page("pages/2_Pay_offers.py")
    app.query_params["constant"] = constant
    app.run()
    assert not app.exception
    notes = [c.value for c in app.caption if "price index" in c.value]
    if said is None:
        assert notes == []
    else:
        assert len(notes) == 1 and f"price index of {said} is an estimate" in notes[0], notes


# --- Chinese leftovers -------------------------------------------------------------------------------


def test_the_boomerang_table_in_chinese_says_how_the_return_was_recorded_in_chinese(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from atlas import i18n

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page("pages/1_Talent_flows.py")
    at.query_params["lang"] = "zh"
    at.run()
    frame = next(d.value for d in at.dataframe if "return_type" in d.value.columns)
    recorded = set(frame["return_type"])
    assert recorded and not recorded & {"returned", "joined", "founded", "acquihire", "left"}, recorded
    assert i18n.in_language("zh", "returned") in recorded


# --- the record, against the articles -----------------------------------------------------------------


def test_the_readme_counts_are_the_seed_database_counts(con):
    import re

    root = Path(__file__).resolve().parents[1]
    people, firms, moves, pay, approaches, rounds = con.execute(
        "select (select count(*) from people), (select count(*) from firms), (select count(*) from moves), "
        "(select count(*) from compensation), (select count(*) from approaches), (select count(*) from funding_rounds)"
    ).fetchall()[0]
    english = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    said = re.search(
        r"(\d+) people .*?, (\d+) firms, (\d+) moves, (\d+) pay figures, (\d+) offers and approaches told "
        r"without a figure, and (\d+) funding rounds",
        english,
    )
    assert said and tuple(map(int, said.groups())) == (people, firms, moves, pay, approaches, rounds)
    chinese = (root / "README.zh.md").read_text(encoding="utf-8")
    said = re.search(
        r"(\d+) 位人物.*?(\d+) 家公司、(\d+) 次流动、(\d+) 条薪酬数据、(\d+) 条未附金额的邀约与招揽，"
        r"以及 (\d+) 个融资轮次",
        chinese,
    )
    assert said and tuple(map(int, said.groups())) == (people, firms, moves, pay, approaches, rounds)


def test_every_exchange_rate_names_the_release_it_was_checked_against(con):
    """2021-2023 were still marked "not rechecked"; the G.5A release of 2024-02-01 holds them."""
    rows = con.execute(
        "select currency, year, usd_per_unit, source from fx_rates "
        "where year between 2021 and 2023 and currency <> 'USD'"
    ).fetchall()
    assert len(rows) == 12
    for currency, year, _value, source in rows:
        assert "release of 2024-02-01" in source and "not rechecked" not in source, (currency, year)
    rates = {(c, y): v for c, y, v, _ in rows}
    assert rates[("CNY", 2023)] == pytest.approx(1 / 7.0809, abs=5e-7)
    assert rates[("EUR", 2022)] == pytest.approx(1.0534)
    assert rates[("GBP", 2021)] == pytest.approx(1.3764)
    assert rates[("CAD", 2023)] == pytest.approx(1 / 1.3494, abs=5e-7)


# The five articles sit beside the repository (../shared/seeds), not in it: the record's tests
# check the data against the few words it rests on (QUOTES), always; where the articles are at
# hand, one test also checks that each of those words is in its article.
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
QUOTES = {
    "000": ["曾任字节跳动AI Lab总监的李磊", "据知情人士称,张一鸣亲自给"],
    "001": ["Lacroix 和 Lample"],
    "002": ["始于热情,终于疲惫", "机器之心"],
}
ABSENT = {"003": ["OpenAI"], "002": ["虎嗅"]}


def _article(number: str) -> str:
    from atlas import names

    return names.simplified(next(SEEDS.glob(f"{number}_*.txt")).read_text(encoding="utf-8"))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the articles (../shared/seeds) are not beside this clone")
def test_the_words_the_record_rests_on_are_in_the_articles():
    for number, quotes in QUOTES.items():
        text = _article(number)
        for quote in quotes:
            assert quote in text, (number, quote)
    for number, words in ABSENT.items():
        text = _article(number)
        for word in words:
            assert word not in text, (number, word)
    # 002's "title" was a subheading halfway down, after the story begins
    assert _article("002").index("始于热情,终于疲惫") > 1000


@pytest.mark.parametrize("person", ["wang-changhu", "dave-andersen", "li-lei", "mu-li", "jia-yangqing"])
def test_a_career_has_one_job_open_at_a_time_in_the_sources_order(con, person):
    """person_stints ordered by date alone: Changhu Wang, Andersen and Lei Li, whose moves are
    ordered only by the sources' sequence (moves.seq), showed two jobs open at once."""
    stints = run(con, "person_stints", person_id=person, min_certainty="rumor")
    assert stints["is_open"].sum() <= 1, stints[["firm", "is_open"]]
    seqs = dict(con.execute("select move_id, seq from moves where person_id = $p", {"p": person}).fetchall())
    assert [seqs[m] for m in stints["move_id"]] == sorted(seqs[m] for m in stints["move_id"])
    if person == "wang-changhu":
        assert stints[stints["is_open"]]["firm_id"].tolist() == ["longfor"]
    if person == "li-lei":  # 曾任字节跳动AI Lab总监: formerly; no job is open
        assert not stints["is_open"].any()


def test_lei_li_left_bytedance_ai_lab_as_the_article_says(con):
    latest = con.execute(
        "select to_firm_id, move_type from person_latest as pl join person_codes as pc using (person_n) "
        "where pc.person_id = 'li-lei'"
    ).fetchall()
    assert latest == [(None, "left")], latest


def test_the_meta_hires_are_not_said_to_come_from_openai(con):
    """Article 003 names their GPT-4 and ChatGPT work, never the firm they left."""
    four = ("shengjia-zhao", "jiahui-yu", "hongyu-ren", "shuchao-bi")
    known = con.execute("select person_id, known_for from people where list_contains($p, person_id)", {"p": four})
    for person, text in known.fetchall():
        assert "OpenAI" not in text and "Meta Superintelligence Labs" in text, person
    notes = con.execute(
        "select note from compensation where source_id = 'netease-2025-meta-superintelligence-bonuses'"
    ).fetchall()
    assert notes and not any("OpenAI" in n for (n,) in notes)


def test_known_for_states_no_rumor_and_no_employer_the_article_does_not_name(con):
    known = dict(con.execute("select person_id, known_for from people").fetchall())
    # "据知情人士称,张一鸣亲自给...打电话": insiders' words, not a fact of his record
    assert "recruited Chinese AI scientists abroad" not in known["zhang-yiming"]
    assert "invited Mu Li" in known["zhang-yiming"]
    # "曾均参与了 LLaMA 开发的工程 Lacroix 和 Lample": LLaMA, not "at Meta"
    for person in ("timothee-lacroix", "guillaume-lample"):
        assert "Meta" not in known[person] and "LLaMA" in known[person]


def test_source_002_is_described_not_given_a_subheading_as_its_title(con):
    title, kind, publisher = con.execute(
        "select title, title_kind, publisher from sources where source_id = 'jiqizhixin-2024-yi-tay-returns-to-google'"
    ).fetchall()[0]
    assert kind == "description" and "始于热情" not in title
    # the publisher as the text names it ("本文来自微信公众号:机器之心"), nothing the text does not say
    assert publisher.split(" ")[0] in QUOTES["002"] and "虎嗅" not in publisher


def test_dates_inferred_say_so_and_none_is_invented(con):
    note = con.execute("select note from funding_rounds where round_id = 'boson-second-round-2023'").fetchall()[0][0]
    assert "inferred" in note
    # "3 月 8 日,媒体爆出...成立了 AI 公司元石科技": the day it was reported, not its founding
    assert con.execute("select founded_on from firms where firm_id = 'yuanshi-tech'").fetchall() == [(None,)]
    inflection = con.execute("select note from funding_rounds where round_id = 'inflection-microsoft-2024'").fetchall()[
        0
    ][0]
    assert "staff" not in inflection and "Mustafa Suleyman" in inflection


# --- the same link, the same text: every list has a tie-breaker ---------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "key"),
    [
        ("boomerangs", {"level": "firm", "limit": 500}, ["person", "return_move_id", "path"]),
        ("people_list", {"limit": 500}, ["person_id"]),
        ("firms_list", {"limit": 500, "search": ""}, ["firm_id"]),
        ("entity_search", {"entity": "person", "search": "", "selected": "", "limit": 200, "unmoved": True}, ["id"]),
    ],
)
def test_a_listed_query_orders_its_rows_by_a_unique_key(con, name, params, key):
    """The same link listed rows in another order when they tied on what they were sorted by
    (a boomerang's date and person, a name two people share). Every listed order now ends on a
    unique key."""
    base = {**FLOW, "min_certainty": "rumor", "kinds": [], "search": ""}
    rows = run(con, name, **{**base, **params})
    assert len(rows) >= 1
    assert not rows.duplicated(subset=key).any(), rows[key]
    order_sql = sql.query_sql(name).rsplit("order by", 1)[1]
    assert any(k in order_sql for k in ("_id", "move_id", " id")), order_sql


def test_the_alliances_list_their_statuses_in_one_order(con):
    text = sql.query_sql("alliances")
    for column in ("status", "round_type", "role"):
        assert f"string_agg(distinct p.{column}, ', ' order by p.{column})" in text


def test_a_source_with_no_address_says_so_plainly(app):
    app.switch_page("pages/5_Data.py").run()
    sources = next(d.value for d in app.dataframe if "url" in d.value.columns)
    assert set(sources["url"]) == {"no address given"}  # the five articles were read as text
    app.switch_page("pages/6_Explore.py")
    app.query_params["table"] = "moves"
    app.query_params["row"] = "yang-hongxia-joins-bytedance-2023"
    app.run()
    source = next(m.value for m in app.markdown if m.value.startswith("**Source**"))
    assert "no address given" in source
