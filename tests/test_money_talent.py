"""Issue 34, money and talent: the moves into and out of a firm in the months around each of its
rounds and deals, compared at the coarser of the two dates; known answers from the articles."""

from __future__ import annotations

from tests.support import plain, q

BASE = {"months": 12, "firm_id": "", "limit": 500}


def _rounds(con, **params):
    df = q(con, "money_talent_rounds", **{**BASE, **params})
    return df.set_index("round_id")


def _counts(row) -> tuple[int, ...]:
    return (row.in_before, row.in_same, row.in_after, row.out_before, row.out_same, row.out_after)


def test_founders_raise_in_the_year_they_found_and_the_order_is_unknown(con):
    df = _rounds(con)
    # Mistral AI's seed round (2023) and its founders from Meta (2023): same year, order unknown
    mistral = df.loc["mistral-seed-2023"]
    assert _counts(mistral) == (0, 2, 0, 0, 0, 0)
    assert mistral.joined == "Guillaume Lample, Timothée Lacroix"
    assert mistral.compared_to == "year"
    # Boson AI founded on 2023-03-07; its seed round is known only by its year: compared to the year
    boson = df.loc["boson-seed-2023"]
    assert _counts(boson) == (0, 2, 0, 0, 0, 0) and boson.compared_to == "year"
    assert boson.joined == "Alex Smola, Mu Li (李沐)"


def test_a_paid_hire_is_its_deal_with_the_person_who_left(con):
    df = _rounds(con)
    inflection = df.loc["inflection-microsoft-2024"]
    assert _counts(inflection) == (0, 0, 0, 0, 1, 0)
    assert inflection.left_firm == "Mustafa Suleyman"
    assert (inflection.round_type, inflection.amount_converted) == ("hire", 650_000_000)
    assert "最佳拍档" in inflection.source
    assert "adept-amazon-2024" not in df.index  # the article names no deal for Adept's team
    # and the deal names him among the people it brought
    deals = q(con, "deals_with_people").set_index("round_id")
    assert deals.loc["inflection-microsoft-2024", "people"] == "Mustafa Suleyman"
    assert deals.loc["inflection-microsoft-2024", "buyer"].startswith("Microsoft")


def test_reka_gained_its_founders_the_year_before_and_lost_yi_tay_the_year_of_its_funding(con):
    reka = _rounds(con).loc["reka-lifetime-funding-2024"]
    # founded 2023-03 (month), funding told for 2024 (year): a year before, within 12 months
    assert _counts(reka) == (2, 0, 0, 0, 1, 0)
    assert reka.joined == "Mikel Artetxe (米克尔·阿特克斯), Yi Tay"
    assert reka.left_firm == "Yi Tay"


def test_the_window_decides_and_counts_every_round(con):
    df = _rounds(con)
    # Anthropic's 2023 rounds: its founder came in 2021, outside 12 months; 24 months reach him
    assert _counts(df.loc["anthropic-google-2023"]) == (0, 0, 0, 0, 0, 0)
    wide = _rounds(con, months=24)
    assert wide.loc["anthropic-google-2023"].joined == "Dario Amodei"
    assert wide.loc["anthropic-google-2023"].in_before == 1
    # OpenAI's 2023 investment: four researchers left for Meta in 2025, 24 months after
    assert wide.loc["openai-microsoft-2023"].out_after == 4
    assert df.loc["openai-microsoft-2023"].out_after == 0
    # 12 dated rounds and deals; 4 without a date (the Marianas sale, Reka's partnerships) left out (the
    # article names no deal for Adept's team: no round)
    assert len(df) == 12 and set(df.n_rounds) == {12} and set(df.n_undated) == {4}


def test_one_firm_and_the_filters(con):
    reka = _rounds(con, firm_id="reka")
    assert set(reka.index) == {"reka-lifetime-funding-2024", "reka-snowflake-talks-2024"}
    # only completed deals: Reka's terminated Snowflake talks go
    completed = _rounds(con, statuses=["completed"], firm_id="reka")
    assert list(completed.index) == ["reka-lifetime-funding-2024"]
    # at "confirmed" or better only confirmed rounds and moves count: Reka's funding (Yi Tay's word)
    # with his own founding and return (his posts); Artetxe's founding is only reported
    sure = _rounds(con, min_certainty="confirmed")
    assert list(sure.index) == ["reka-lifetime-funding-2024", "boson-second-round-2023", "boson-seed-2023"]
    assert _counts(sure.loc["reka-lifetime-funding-2024"]) == (1, 0, 0, 0, 1, 0)
    assert sure.loc["reka-lifetime-funding-2024"].joined == "Yi Tay"


def test_aligned_counts_and_kinds_add_up_to_the_rounds(con):
    around = q(con, "money_talent_around", **BASE)
    got = {(r.offset_months, r.direction): (r.n_moves, r.n_rounds, r.n_by_year) for r in around.itertuples()}
    assert got == {
        (-12, "in"): (4, 2, 4),  # Reka's two founders, around its two 2024 rounds
        (0, "in"): (6, 3, 6),  # Mistral's founders, Boson's founders around two rounds
        (0, "out"): (3, 3, 3),  # Suleyman, Yi Tay around Reka's two rounds
        (12, "out"): (1, 1, 1),  # Suleyman, a year after Inflection's Nvidia partnership
    }
    from atlas import tables

    rounds = _rounds(con)
    kinds = tables.money_talent_by_kind(rounds.reset_index())
    assert kinds.kind.tolist() == ["ai_startup"]
    row = kinds.set_index("kind").loc["ai_startup"]
    # deals that fell through (Reka's talks with Snowflake, Boson's second round) brought no money: left
    # out across firms (issue 40: Reka's founders counted 4 = 2 people x 2 rows, one a terminated talk)
    assert (row.n_rounds, row.n_firms) == (12 - 2, 7)
    assert (row.in_before, row.in_same, row.out_same, row.out_after) == (2, 4, 2, 1)  # Suleyman, Yi Tay
    kept = rounds[rounds.status != "terminated"]
    for col in ("in_before", "in_same", "in_after", "out_before", "out_same", "out_after"):
        assert row[col] == kept[col].sum()


def test_the_section_reads_its_window_from_the_link(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["mt_months"] = "24"
    at.run()
    at.switch_page("pages/3_Funding.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="mt_months").value == 24
    per_round = next(d.value for d in at.dataframe if "in_same" in d.value.columns and "joined" in d.value.columns)
    anthropic = per_round[per_round.round_id == "anthropic-google-2023"].iloc[0]
    assert anthropic.joined == "Dario Amodei"
    assert any("12 dated round(s) and deal(s)" in c.value and "4 without a date" in c.value for c in at.caption)
    bad = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    bad.query_params["mt_months"] = "0"
    bad.run()
    bad.switch_page("pages/3_Funding.py").run()
    assert bad.number_input(key="mt_months").value == 12
    assert any("a whole number from 1 to 60" in plain(w.value) for w in bad.warning), [w.value for w in bad.warning]


def test_a_firms_profile_shows_the_moves_around_its_rounds(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["firm"] = "inflection-ai"
    at.run()
    at.switch_page("pages/4_People_and_firms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    per_round = next(d.value for d in at.dataframe if "in_same" in d.value.columns and "joined" in d.value.columns)
    assert set(per_round.round_id) == {"inflection-microsoft-2024", "inflection-nvidia-2023"}
    assert per_round.set_index("round_id").loc["inflection-microsoft-2024", "left_firm"] == "Mustafa Suleyman"


def test_a_round_with_more_moves_than_are_named_says_how_many(con):
    # with at most one name, Mistral's two founders are counted, not listed; the renderer says so
    from atlas.ui.insights import _unnamed_counted

    df = q(con, "money_talent_rounds", **{**BASE, "max_named": 1}).set_index("round_id")
    assert df.loc["mistral-seed-2023"].in_same == 2 and df.loc["mistral-seed-2023"].joined is None
    assert df.loc["inflection-microsoft-2024"].left_firm == "Mustafa Suleyman"  # one move: named
    shown = _unnamed_counted(df.reset_index()).set_index("round_id")
    assert shown.loc["mistral-seed-2023"].joined == "2 people: too many to list here"
    assert shown.loc["openai-microsoft-2023"].joined is None  # nothing around it: nothing said


def test_the_aligned_chart_draws_bars_from_zero_in_above_out_below(con):
    from atlas import charts

    around = q(con, "money_talent_around", **BASE)
    spec = charts.around_rounds_chart(around, 12).to_dict()
    # a bar spanning its month on x is drawn from zero (without y2 it was a flat line)
    assert spec["encoding"]["y2"] == {"datum": 0}
    assert spec["encoding"]["x"]["scale"]["domain"] == [-12.5, 12.5]
    rows = next(iter(spec["datasets"].values()))
    drawn = {(r["offset_months"], r["direction"]): r["value"] for r in rows}
    assert drawn == {(-12, "in"): 4, (0, "in"): 6, (0, "out"): -3, (12, "out"): -1}
