"""Every query in queries/ has a header, runs on the seed data, and gives known answers."""

import re

import pandas as pd
import pytest

from atlas import sql
from tests.support import DEFAULTS, q

# The seed has no saved views or mappings: these run (and are checked for their columns) but return none.
EMPTY_ON_SEED = {"saved_views_list", "saved_view", "mappings_list", "watch_items", "watch_list"}
# Queries about one person or firm need a real one to return rows.
OVERRIDES = {
    "person_profile": {"person_id": "yi-tay"},
    "person_stints": {"person_id": "yi-tay"},
    "person_education": {"person_id": "jia-yangqing"},
    "profile_moves": {"person_id": "yi-tay"},
    "firm_profile": {"firm_id": "google"},
    "firm_subsidiaries": {"firm_id": "google"},
    "firm_flow_over_time": {"firm_id": "google"},
    "capital_raised_over_time": {"firm_ids": ["openai", "anthropic", "reka", "mistral-ai"]},
    "firm_compare": {"firm_ids": ["openai", "anthropic", "reka", "inflection-ai"]},
    "price_index_estimates": {"years": [2020, 2025, 2026]},
    "rate_estimates": {"currencies": ["CNY", "EUR"], "years": [2024, 2025]},
    "approaches_filtered": {"firm_id": "google"},
    # what the filters hide: at "confirmed only", the reported and rumored facts
    "education_cell_people": {"trained": "CN", "works": "US"},
    "hidden_moves": {"min_certainty": "confirmed"},
    "hidden_pay": {"min_certainty": "confirmed"},
    "hidden_rounds": {"min_certainty": "confirmed"},
    "mappings_list": {"header_key": ""},
    "watch_items": {"list_id": "abcdefghijkm"},
    "watch_list": {"owner": "local"},
    "lift_outs": {"window_days": 90, "firm_id": "", "limit": 200},
    "money_talent_rounds": {"months": 12, "limit": 500},
    "money_talent_around": {"months": 12, "limit": 500},
}


@pytest.mark.parametrize("name", sql.query_names())
def test_query_has_header_naming_its_rows_and_params(name):
    text = sql.query_sql(name)
    header = [line for line in text.splitlines() if line.startswith("--")]
    assert header, f"{name}.sql has no header comment"
    assert "one row" in " ".join(header).lower(), f"{name}.sql header does not say what one row is"
    params_line = next((i for i, line in enumerate(header) if line.startswith("-- Params:")), None)
    assert params_line is not None, f"{name}.sql header has no Params line"
    declared = set(re.findall(r"\$([a-z_]+)", " ".join(header[params_line:])))
    assert declared == sql.used_params(name), f"{name}.sql declares {declared}, uses {sql.used_params(name)}"


@pytest.mark.parametrize("name", sql.query_names())
def test_query_runs_on_seed(con, name):
    merged = {**DEFAULTS, **sql.CONSTANTS, **OVERRIDES.get(name, {})}
    params = {k: merged[k] for k in sql.used_params(name)}
    df = sql.run_query(con, name, params)
    if name in EMPTY_ON_SEED:
        assert df.empty and (
            "slug" in df.columns
            or {"name", "target", "columns"} <= set(df.columns)
            or {"list_id", "seen_version"} <= set(df.columns)
            or {"entity_kind", "entity_id", "label"} <= set(df.columns)
        )
    else:
        assert len(df) > 0


def test_headline_counts_follow_certainty(con):
    everything = q(con, "headline_counts").iloc[0]
    confirmed = q(con, "headline_counts", min_certainty="confirmed").iloc[0]
    assert (everything.n_moves, everything.n_pay_figures, everything.n_rounds) == (49, 5, 16)
    assert confirmed.n_moves == 8
    assert (everything.n_sources, everything.n_upload_sources) == (5, 0)  # five articles, no upload
    assert confirmed.n_pay_figures == 0  # every pay figure in the articles is reported or rumored


def test_period_excludes_undated_and_out_of_range(con):
    df = q(con, "moves_filtered", start_year=2024, end_year=2024, include_undated=False)
    assert set(df.moved_on.str[:4]) == {"2024"}
    assert len(df) == 7


def test_firm_kind_filter(con):
    df = q(con, "moves_filtered", kinds=["university"])
    # Jiantao Jiao is a Berkeley professor, but the article does not say he left Berkeley for Nvidia
    assert set(df.person_id) == {"jia-yangqing"}


def test_pay_in_cny_uses_the_year_rate(con):
    usd = q(con, "pay_figures").set_index("comp_id")
    cny = q(con, "pay_figures", currency="CNY").set_index("comp_id")
    rate_2023 = con.execute("select usd_per_unit from fx_rates where currency = 'CNY' and year = 2023").fetchall()[0][0]
    # the ten-million-yuan offer of 2023, converted to USD at the 2023 rate
    assert usd.loc["mu-li-bytedance-offer-2023", "low_converted"] == pytest.approx(10_000_000 * rate_2023)
    assert cny.loc["mu-li-bytedance-offer-2023", "low_converted"] == pytest.approx(10_000_000)
    # ranges survive conversion
    assert (cny.low_converted <= cny.high_converted).all()
    # the largest figure is the rumored signing bonus
    top = usd.iloc[0]
    assert (top.kind, top.high_converted, top.certainty) == ("signing_bonus", 100_000_000, "rumor")


def test_rounds_implied_valuation_and_order(con):
    df = q(con, "funding_rounds_filtered").set_index("round_id")
    assert df.index[0] == "openai-microsoft-2023"
    assert df.loc["anthropic-google-2023", "implied_valuation"] == pytest.approx(3_000_000_000)
    assert df.loc["openai-microsoft-2023", "investors"] == "Microsoft (微软) (lead)"


def test_people_search_matches_chinese_and_english(con):
    assert list(q(con, "people_list", search="李沐").person_id) == ["mu-li"]
    assert list(q(con, "people_list", search="mu li").person_id) == ["mu-li"]
    latest = q(con, "people_list", search="Yangqing").iloc[0]
    assert latest.current_firm is None or latest.current_firm != latest.current_firm  # left Alibaba: no firm


def test_firms_list_counts_gains_and_losses(con):
    df = q(con, "firms_list").set_index("firm_id")
    # ByteDance alone gained 4 (Changhu Wang from its own AI Lab among them); with Toutiao and the AI Lab,
    # 5 from outside (Lei Li came to Toutiao from Baidu) and Wang's internal move is neither; lost 2
    # (Lei Li left its AI Lab, issue 31)
    assert df.loc["bytedance", ["n_gained", "n_lost", "net"]].tolist() == [4, 1, 3]
    assert df.loc["bytedance", ["n_gained_group", "n_lost_group", "net_group"]].tolist() == [5, 2, 3]
    assert df.loc["google", ["net", "net_group"]].tolist() == [-1, 1]
    assert df.loc["google-deepmind", "parent"] == "Google (谷歌)"


def test_moves_over_time_by_year_and_quarter(con):
    df = q(con, "moves_over_time", grain="year")
    # every move counted once; the 15 undated ones in rows without a period
    assert df.n_moves.sum() == 49
    assert df[df.period.isna()].n_moves.sum() == 15
    assert con.execute("select count(*) from moves where moved_on is null").fetchall() == [(15,)]
    assert df[(df.period == "2024") & (df.move_type == "returned")].n_moves.sum() == 2
    quarters = q(con, "moves_over_time", grain="quarter")
    assert quarters.n_moves.sum() == 49
    # moves known only to the year cannot sit in a quarter
    n_year_only = con.execute("select count(*) from moves where moved_on_precision = 'year'").fetchall()[0][0]
    assert quarters[quarters.period.isna()].n_moves.sum() == 15
    # a move known only to its year is counted under the year, for a year-wide band
    assert quarters[quarters.precision == "year"].n_moves.sum() == n_year_only
    assert quarters[quarters.period == "2024-Q4"].n_moves.sum() == 1  # Yi Tay, 2024-11-26


def test_net_flow_of_bytedance(con):
    df = q(con, "net_flow_by_level", level="firm", top_n=100).set_index("group_key")
    assert df.loc["bytedance", ["n_gained", "n_lost", "net"]].tolist() == [4, 1, 3]
    # at parent level Google Brain -> Google DeepMind would be internal; OpenAI only loses
    parent = q(con, "net_flow_by_level", level="parent", top_n=100).set_index("group_key")
    assert parent.loc["openai", "net"] == -5
    assert parent.loc["google", ["n_gained", "n_lost"]].tolist() == [6, 5]
    assert parent.loc["bytedance", ["n_gained", "n_lost", "net"]].tolist() == [5, 2, 3]


def test_counterparts_of_bytedance(con):
    df = q(con, "flow_counterparts", level="firm", focus="bytedance")
    gained = set(df[df.direction == "gained from"].counterpart)
    assert gained == {
        "01.AI (零一万物)",
        "Alibaba DAMO Academy (达摩院)",
        "ByteDance AI Lab (字节跳动人工智能实验室)",
        "ModelBest (面壁智能)",
    }
    assert df[df.direction == "lost to"].names.tolist() == ["Changhu Wang (王长虎)"]
    # dates at their precision, and the full names
    lost = df[df.direction == "lost to"].iloc[0]
    assert (lost.first_on, lost.last_on, lost.n_undated) == ("2023-03-24", "2023-03-24", 0)
    from_lab = df[df.counterpart == "ByteDance AI Lab (字节跳动人工智能实验室)"].iloc[0]
    assert pd.isna(from_lab.first_on) and (from_lab.n_undated, from_lab.names) == (1, "Changhu Wang (王长虎)")


@pytest.mark.parametrize("level,people", [("parent", {"yi-tay", "noam-shazeer"}), ("firm", {"noam-shazeer"})])
def test_boomerangs(con, level, people):
    df = q(con, "boomerangs", level=level)
    assert set(df.person_id) == people
    if level == "parent":
        yi = df.set_index("person_id").loc["yi-tay"]
        assert yi.path == "Google Brain (谷歌大脑) → Reka AI → Google DeepMind (谷歌DeepMind)"
        assert yi.months_away == 20


def test_china_trained_working_in_the_us(con):
    df = q(con, "education_flows").set_index(["trained_country", "works_country"])
    assert df.loc[("CN", "US"), "n_people"] == 7
    assert df.loc[("CN", "CN"), "names"] == "Yan Li (李岩)"


def test_the_people_behind_a_matrix_cell(con):
    people = q(con, "education_cell_people", trained="CN", works="CN")
    assert people.person.tolist() == ["Yan Li (李岩)"] and people.latest_firm.tolist() == [
        "Yuanshi Technology (元石科技)"
    ]
    assert len(q(con, "education_cell_people", trained="CN", works="US")) == 7  # the matrix's count


def test_sankey_flows_fold_and_threshold(con):
    df = q(con, "flows_by_level", level="firm", top_n=3, min_count=2)
    assert (df.n_moves >= 2).all()
    labels = set(df.source) | set(df.target)
    assert "Other origins" in labels
    assert len(set(df.source) - {"Other origins"}) <= 3
    everything = q(con, "flows_by_level", level="firm", top_n=1000, min_count=1)
    assert everything.n_moves.sum() == 49
    # other origins to other destinations is never drawn (among hundreds of groups it was one grey
    # block holding most moves): counted instead, so every move is accounted for
    assert not ((df.source == "Other origins") & (df.target == "Other destinations")).any()
    assert df.n_other_moves.iloc[0] > 0
    shown, left = df.n_moves.sum(), df.n_hidden_moves.iloc[0] + df.n_inside_moves.iloc[0] + df.n_other_moves.iloc[0]
    assert shown + left == 49


def test_person_stints_are_open_ended_where_still_there(con):
    df = sql.run_query(con, "person_stints", {"person_id": "yi-tay", "min_certainty": "rumor"})
    assert df.firm.tolist()[-1] == "Google DeepMind (谷歌DeepMind)"
    assert df.is_open.tolist() == [False, False, False, True]
    assert df.start_text.tolist() == ["date not given", "2019", "2023-03", "2024-11-26"]


def test_pay_constant_dollars_use_cpi(con):
    nominal = q(con, "pay_figures").set_index("comp_id")
    real = q(con, "pay_figures", constant_year=2025).set_index("comp_id")
    cpi = dict(con.execute("select year, cpi_u from cpi").fetchall())
    offer = "mu-li-bytedance-offer-2023"
    assert real.loc[offer, "low_converted"] == pytest.approx(
        nominal.loc[offer, "low_converted"] * cpi[2025] / cpi[2023]
    )
    # a 2025 figure in 2025 dollars is its nominal value
    assert real.loc["msl-signing-bonus-a-2025", "low_converted"] == pytest.approx(100_000_000)
    assert (real.low_converted <= real.high_converted).all()


def test_pay_filters(con):
    declined = q(con, "pay_figures", outcomes=["declined"])
    assert declined.comp_id.tolist() == ["mu-li-bytedance-offer-2023"]
    bonuses = q(con, "pay_figures", pay_kinds=["signing_bonus"], firm_ids=["meta-superintelligence-labs"])
    assert len(bonuses) == 2 and set(bonuses.period) == {"one_time"}


def test_pay_aggregates_never_mix_one_time_and_per_year(con):
    from atlas import tables

    by_year, by_outcome = tables.split_pay_summary(q(con, "pay_over_time_and_outcomes"))
    assert by_year.year.tolist() == sorted(by_year.year) and set(by_year.year) >= {2023, 2025}
    for name, df in [("pay_by_firm", q(con, "pay_by_firm")), ("by year", by_year), ("by outcome", by_outcome)] + [
        ("pay_log_bins", q(con, "pay_log_bins"))
    ]:
        assert "period" in df.columns, name
        keys = [c for c in ("firm_id", "year", "outcome", "bin_low") if c in df.columns]
        # every aggregate row is one period: the same keys appear once per period
        assert not df.duplicated(subset=[*keys, "kind", "period"] if "kind" in df.columns else [*keys, "period"]).any()
    by_firm = q(con, "pay_by_firm").set_index(["firm_id", "kind", "period"])
    msl = "meta-superintelligence-labs"
    assert by_firm.loc[(msl, "signing_bonus", "one_time"), "max_high"] == pytest.approx(100_000_000)
    assert by_firm.loc[(msl, "annual_total", "per_year"), "max_high"] == pytest.approx(100_000_000)
    assert by_firm.loc[(msl, "annual_total", "per_year"), "median_mid"] == pytest.approx(55_000_000)
    outcomes = by_outcome.set_index(["outcome", "period"])
    assert outcomes.loc[("declined", "per_year"), "n_figures"] == 1


def test_largest_one_time_figure_is_the_rumored_bonus(con):
    one_time = q(con, "pay_figures", pay_kinds=["signing_bonus", "equity", "package"])
    top = one_time.iloc[0]
    assert (top.high_converted, top.currency, top.certainty, top.period) == (100_000_000, "USD", "rumor", "one_time")


def test_terminated_deals_never_count_as_raised(con):
    rounds = q(con, "funding_rounds_filtered").set_index("round_id")
    assert not rounds.loc["reka-snowflake-talks-2024", "is_raised"]
    assert not rounds.loc["boson-second-round-2023", "is_raised"]
    assert not rounds.loc["inflection-microsoft-2024", "is_raised"]  # an acqui-hire buys people, it raises nothing
    assert rounds.loc["reka-lifetime-funding-2024", "is_raised"]
    raised = q(con, "capital_raised_over_time", firm_ids=["reka"])
    assert raised.round_id.tolist() == ["reka-lifetime-funding-2024"]
    assert raised.cumulative.tolist() == [100_000_000]
    compare = q(con, "firm_compare", firm_ids=["reka"]).iloc[0]
    assert compare.total_raised == 100_000_000  # the USD 1B+ Snowflake talks ended: not raised


def test_funding_filters_and_conversion(con):
    terminated = q(con, "funding_rounds_filtered", statuses=["terminated"])
    assert set(terminated.round_id) == {"reka-snowflake-talks-2024", "boson-second-round-2023"}
    seeds = q(con, "funding_rounds_filtered", round_types=["seed"], countries=["FR"])
    assert seeds.round_id.tolist() == ["mistral-seed-2023"]
    eur = q(con, "funding_rounds_filtered", currency="EUR").set_index("round_id")
    rate = con.execute("select usd_per_unit from fx_rates where currency = 'EUR' and year = 2023").fetchall()[0][0]
    assert eur.loc["openai-microsoft-2023", "amount_converted"] == pytest.approx(13e9 / rate)
    assert eur.loc["anthropic-google-2023", "valuation_converted"] == pytest.approx(3e9 / rate)  # implied


def test_largest_strategic_investment_and_alliances(con):
    strategic = q(con, "funding_rounds_filtered", round_types=["strategic"])
    assert strategic.iloc[0].round_id == "openai-microsoft-2023"
    alliances = q(con, "alliances", top_n=20)
    pairs = set(zip(alliances.investor_id, alliances.firm_id, strict=True))
    assert {
        ("microsoft", "openai"),
        ("google", "anthropic"),
        ("nvidia", "inflection-ai"),
        ("oracle", "cohere"),
    } <= pairs
    top = alliances.iloc[0]
    assert (top.investor_id, top.firm_id, top.total_converted) == ("microsoft", "openai", 13e9)


def test_deals_name_the_people_who_moved(con):
    deals = q(con, "deals_with_people").set_index("round_id")
    assert deals.loc["inflection-microsoft-2024", "people"] == "Mustafa Suleyman"
    assert "adept-amazon-2024" not in deals.index  # no deal is named for Adept's team joining Amazon
    assert deals.loc["reka-snowflake-talks-2024", "n_people"] == 0


def test_firm_compare(con):
    df = q(con, "firm_compare", firm_ids=["openai", "anthropic", "meta-superintelligence-labs"]).set_index("firm_id")
    assert df.loc["openai", "last_valuation"] == 29e9
    assert df.loc["openai", "largest_investor"] == "Microsoft (微软)"
    assert df.loc["openai", "n_lost"] == 5
    assert df.loc["anthropic", "valuation_note"] == "more than"  # above USD 4B
    assert df.loc["meta-superintelligence-labs", "largest_pay"] == 100e6
    # cited by publisher, date and title; a description (not the article's words) is not quoted
    assert df.loc["meta-superintelligence-labs", "pay_source"] == (
        "网易号, 2025: Meta Superintelligence Labs' signing bonuses and the outflow of China-trained AI researchers"
    )


def test_profile_pickers_search_and_keep_the_linked_choice(con):
    found = q(con, "entity_search", entity="person", search="李", selected="", limit=200)
    assert set(found.id) == {"mu-li", "li-yan", "li-lei"}
    kept = q(con, "entity_search", entity="person", search="李", selected="yi-tay", limit=200)
    assert "yi-tay" in set(kept.id)
    few = q(con, "entity_search", entity="firm", search="", selected="", limit=5)
    assert len(few) == 5


def test_picker_without_a_search_reads_the_people_who_moved_most(con):
    # the fast path (person_latest only) gives the same top people as the join over everyone
    full = q(con, "entity_search", entity="person", search="", selected="", limit=5, unmoved=True)
    fast = q(con, "entity_search", entity="person", search="", selected="", limit=5, unmoved=False)
    assert set(fast.id) == set(full.id) and len(fast) == 5
    assert "jia-yangqing" in set(fast.id)  # four moves, the most
    # everyone: 33 people, and some never moved, so only the slow path lists them all
    everyone = q(con, "entity_search", entity="person", search="", selected="", limit=200, unmoved=True)
    moved = q(con, "entity_search", entity="person", search="", selected="", limit=200, unmoved=False)
    n_moved = con.execute("select count(distinct person_id) from moves").fetchone()[0]
    assert len(everyone) == 33 and len(moved) == n_moved < 33


def test_lists_are_limited_and_say_how_many_matched(con):
    people = q(con, "people_list", limit=10)
    assert len(people) == 10 and people.n_found.iloc[0] == 33
    mu = q(con, "people_list", search="李沐").iloc[0]
    assert (mu.current_firm, mu.n_moves, mu.n_sources) == ("Boson AI", 3, 2)
    firms = q(con, "firms_list", limit=3)
    assert len(firms) == 3 and firms.n_found.iloc[0] == 49


def test_uploads_since_counts_loads_and_tables(con):
    since_zero = q(con, "uploads_since", version=0).iloc[0]
    assert since_zero.n_uploads == 1
    assert "moves" in since_zero.tables.split(", ")
    assert q(con, "uploads_since", version=1).iloc[0].n_uploads == 0


def test_firm_picker_options_are_capped_but_keep_what_is_picked(con):
    everyone = q(con, "funding_firm_options")
    # every firm can be compared: the eight with a round or deal first, then the rest by moves
    n_firms = con.execute("select count(*) from firms").fetchall()[0][0]
    assert len(everyone) == n_firms
    assert set(everyone.head(8).firm_id) == set(
        con.execute("select distinct firm_id from funding_rounds").fetchnumpy()["firm_id"]
    )
    assert everyone.firm_id.iloc[8] == "bytedance"  # the most moves among the firms without a round
    top = q(con, "funding_firm_options", limit=2)
    assert top["firm_id"].tolist() == everyone["firm_id"].head(2).tolist()
    last = everyone["firm_id"].iloc[-1]
    picked = q(con, "funding_firm_options", limit=2, include=[last, "no-such-firm"])
    assert picked["firm_id"].tolist() == [*everyone["firm_id"].head(2), last]
    pay = q(con, "pay_firm_options", limit=1, include=["bytedance"])
    assert pay["firm_id"].tolist() == ["meta-superintelligence-labs", "bytedance"]


def test_pay_facts_hold_every_figure_largest_first(con):
    # one row per pay figure, stored largest first in dollars (what pay_figures lists first)
    assert (
        con.execute("select count(*) from pay_facts").fetchall()
        == con.execute("select count(*) from compensation").fetchall()
    )
    stored_first = con.execute("select comp_id from pay_facts limit 3").fetchall()
    listed_first = q(con, "pay_figures", limit=3)["comp_id"].tolist()
    assert [r[0] for r in stored_first] == listed_first
    # pay_n follows comp_id (the listing's tiebreak) and the exchange key is the currency and year
    assert con.execute(
        "select count(*) from pay_facts where fx_key <> fx_key(currency, year(reported_on))"
    ).fetchall() == [(0,)]
    order = con.execute("select comp_id from pay_facts order by pay_n").fetchall()
    assert order == sorted(order)


def test_the_compare_table_follows_the_period(con):
    """With 2024 alone the comparison showed 2023 rounds and all-time gains."""
    firms = ["openai", "anthropic", "reka", "inflection-ai"]
    all_time = q(con, "firm_compare", firm_ids=firms).set_index("firm_id")
    in_2024 = q(con, "firm_compare", firm_ids=firms, start_year=2024, end_year=2024, include_undated=False)
    in_2024 = in_2024.set_index("firm_id")
    # OpenAI's only round (Microsoft's) is of 2023: raised all-time, not in 2024
    assert all_time.loc["openai", "total_raised"] > 0
    assert pd.isna(in_2024.loc["openai", "total_raised"]) and in_2024.loc["openai", "n_rounds"] == 0
    # the people gained and lost, counted straight from the moves table: of 2024, then of all time
    for firm in firms:
        assert (in_2024.loc[firm, "n_gained"], in_2024.loc[firm, "n_lost"]) == moves_in_out(con, firm, 2024), firm
        assert (all_time.loc[firm, "n_gained"], all_time.loc[firm, "n_lost"]) == moves_in_out(con, firm), firm


def moves_in_out(con, firm: str, year: int | None = None) -> tuple[int, int]:
    """Moves into and out of `firm` alone (in `year`, or all), from the moves table itself."""
    return con.execute(
        "select count(*) filter (to_firm_id = $f), count(*) filter (from_firm_id = $f) from moves "
        "where $f in (to_firm_id, from_firm_id) and ($y is null or year(moved_on) = $y)",
        {"f": firm, "y": year},
    ).fetchall()[0]


def test_every_list_of_moves_reads_a_move_alike(con):
    """The Talent flows page's list (move_rows) and a profile's list show the same move with the
    same columns and the same text."""
    listed = q(con, "moves_filtered", limit=1000).set_index("move_id")
    profile = q(con, "profile_moves", person_id="mu-li", firm_id="", with_subsidiaries=True).set_index("move_id")
    assert list(profile.columns) == list(listed.columns)
    assert len(profile) == 3

    # the same text in every cell (a column empty for these three moves infers another dtype)
    def cells(df):
        return df.astype(object).where(df.notna(), None)

    pd.testing.assert_frame_equal(cells(profile), cells(listed.loc[profile.index]))
