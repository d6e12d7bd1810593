"""The seed dataset: complete, sourced, and right on facts the articles state."""

import pytest

from atlas import sql
from atlas.model import FACT_TABLES


def one(con, sql, params=None):
    return con.execute(sql, params or {}).fetchall()


def test_seed_sizes_match_the_articles(con):
    counts = dict(one(con, "select table_name, n_rows from (" + sql.query_sql("table_counts") + ")"))
    assert counts["sources"] == 5
    assert 28 <= counts["people"] <= 40
    assert 35 <= counts["firms"] <= 50
    assert 40 <= counts["moves"] <= 55
    assert counts["compensation"] >= 5
    assert counts["funding_rounds"] >= 12
    # every currency the data uses has a rate for 2010-2026
    assert one(con, "select count(*) from fx_rates where year between 2010 and 2026") == [(85,)]


@pytest.mark.parametrize("table", FACT_TABLES)
def test_every_fact_row_has_a_source_and_certainty(con, table):
    rows = one(
        con,
        f"select count(*) from {table} t left join sources s using (source_id) "
        "where s.source_id is null or t.certainty is null",
    )
    assert rows == [(0,)]


@pytest.mark.parametrize(
    "sql",
    [
        "select count(*) from moves m left join people p using (person_id) where p.person_id is null",
        "select count(*) from moves m left join firms f on f.firm_id = m.to_firm_id "
        "where m.to_firm_id is not null and f.firm_id is null",
        "select count(*) from round_investors r left join funding_rounds f using (round_id) where f.round_id is null",
        "select count(*) from education e join firms f on f.firm_id = e.institution_id where f.kind <> 'university'",
        # people with no move, pay figure or education would be orphans of the story
        "select count(*) from people p where person_id not in (select person_id from moves) "
        "and person_id not in (select person_id from education) "
        "and person_id not in ('jeff-dean', 'zhang-yiming', 'quoc-le')",
        # firms nothing refers to
        "select count(*) from firms f where firm_id not in (select to_firm_id from moves where to_firm_id is not null) "
        "and firm_id not in (select from_firm_id from moves where from_firm_id is not null) "
        "and firm_id not in (select firm_id from funding_rounds) and firm_id not in (select investor_id from "
        "round_investors) and firm_id not in (select institution_id from education) "
        "and firm_id not in (select parent_id from firms where parent_id is not null) "
        "and firm_id not in (select firm_id from compensation)",
    ],
)
def test_no_orphans(con, sql):
    assert one(con, sql) == [(0,)]


def test_parents_roll_up(con):
    rows = one(con, "select firm_id from firms where parent_id = 'google' order by 1")
    assert [r[0] for r in rows] == ["google-brain", "google-deepmind", "google-research"]


def test_yi_tay_boomerang_path(con):
    rows = one(
        con,
        "select m.from_firm_id, m.to_firm_id, m.move_type, fmt_date(m.moved_on, m.moved_on_precision) "
        "from moves m where person_id = 'yi-tay' and moved_on is not null order by moved_on",
    )
    assert rows == [
        ("google-research", "google-brain", "joined", "2019"),
        ("google-brain", "reka", "founded", "2023-03"),
        ("reka", "google-deepmind", "returned", "2024-11-26"),
    ]
    # Reka sits outside Google; both ends roll up to Google
    parents = one(con, "select firm_id, parent_id from firms where firm_id in ('google-brain', 'google-deepmind')")
    assert {p for _, p in parents} == {"google"}


def test_largest_signing_bonus_is_the_rumored_100m(con):
    rows = one(
        con,
        "select amount_high, currency, certainty, firm_id from compensation "
        "where kind = 'signing_bonus' order by amount_high desc limit 1",
    )
    assert rows == [(100_000_000.0, "USD", "rumor", "meta-superintelligence-labs")]


def test_largest_strategic_investment_is_microsoft_in_openai(con):
    rows = one(
        con,
        "select r.firm_id, ri.investor_id, r.amount from funding_rounds r join round_investors ri using (round_id) "
        "where r.round_type = 'strategic' and r.amount is not null order by r.amount desc limit 1",
    )
    assert rows == [("openai", "microsoft", 13_000_000_000.0)]


def test_lower_bounds_stay_lower_bounds(con):
    rows = one(
        con,
        "select round_id, amount_qualifier, status from funding_rounds where round_id in "
        "('reka-snowflake-talks-2024', 'reka-lifetime-funding-2024') order by 1",
    )
    assert rows == [
        ("reka-lifetime-funding-2024", "at_least", "completed"),
        ("reka-snowflake-talks-2024", "at_least", "terminated"),
    ]
    # "tens of millions a year" is a range, not a point
    lo_hi = one(con, "select amount_low, amount_high from compensation where comp_id = 'msl-annual-pay-c-2025'")
    assert lo_hi == [(10_000_000.0, 100_000_000.0)]


def test_mu_li_declined_bytedance(con):
    rows = one(
        con,
        "select person_id, firm_id, outcome, currency, period, fmt_date(reported_on, reported_on_precision) "
        "from compensation where person_id = 'mu-li'",
    )
    assert rows == [("mu-li", "bytedance", "declined", "CNY", "per_year", "2023-03")]


def test_chinese_names_are_kept(con):
    assert one(con, "select name_zh from people where person_id = 'jia-yangqing'") == [("贾扬清",)]
    assert one(con, "select name_zh from firms where firm_id = 'bytedance'") == [("字节跳动",)]


def test_insider_claims_are_rumors_and_own_statements_confirmed(con):
    assert one(con, "select distinct certainty from compensation where firm_id = 'meta-superintelligence-labs'") == [
        ("rumor",)
    ]
    assert one(con, "select certainty from moves where move_id = 'yi-tay-returns-to-google-2024'") == [("confirmed",)]
