"""atlas.tables: the frames the pages show, made from a query's rows (money in words, dates at their
precision, links to profiles, what a listing cut short can and cannot say)."""

import pandas as pd

from atlas import tables
from tests.support import q


def test_pay_by_firm_with_the_top_firms_read_off_the_listing_is_the_same(con):
    for top_n in (1, 3, 15):
        found_here = q(con, "pay_by_firm", top_n=top_n)
        listing = q(con, "pay_figures", limit=2000)
        top = tables.top_firms_listed(listing, top_n, listed_limit=2000)
        assert len(top) == min(top_n, listing.firm_id.nunique())
        given = q(con, "pay_by_firm", top_n=top_n, top_firm_ids=top)
        pd.testing.assert_frame_equal(given, found_here)


def test_top_firms_are_not_read_off_a_listing_that_is_cut_short():
    # two firms only in a listing cut at its limit: a third firm's largest figure may be below it
    cut = pd.DataFrame({"firm_id": ["a", "a", "b", "a"]})
    assert tables.top_firms_listed(cut, 3, listed_limit=4) == []
    assert tables.top_firms_listed(cut, 2, listed_limit=4) == ["a", "b"]
    assert tables.top_firms_listed(cut, 3, listed_limit=5) == ["a", "b"]  # the whole listing


def test_a_raised_total_with_a_more_than_round_says_more_than(con):
    """Reka's round is "more than USD 100M" (article 004): the comparison's total keeps the qualifier."""
    df = q(con, "firm_compare", firm_ids=["reka", "openai"])
    shown = tables.compare_table(df, "USD").set_index("firm_id")
    assert shown.loc["reka", "raised"] == "more than USD 100M"
    assert shown.loc["openai", "raised"] == "USD 13B"  # an exact figure stays exact


def test_every_money_value_of_the_rounds_table_is_in_the_view_currency(con):
    """In EUR the valuations were shown in USD beside amounts in EUR."""
    usd = tables.rounds_table(q(con, "funding_rounds_filtered")).set_index("round_id")
    eur = tables.rounds_table(q(con, "funding_rounds_filtered", currency="EUR")).set_index("round_id")
    assert usd.loc["openai-microsoft-2023", "valuation_text"] == "USD 29B"
    assert eur.loc["openai-microsoft-2023", "valuation_text"].startswith("EUR ")
    assert eur.loc["openai-microsoft-2023", "valuation_original"] == "USD 29B"  # as the article gave it
    implied = eur.loc["anthropic-google-2023", "valuation_text"]
    assert implied.startswith("EUR ") and implied.endswith("(implied)")
    for column in ("converted", "valuation_text"):
        shown = eur[column][~eur[column].isin(["—", "no rate for that year"])]
        assert all(v.removeprefix("more than ").removeprefix("about ").startswith("EUR ") for v in shown), column


def test_months_read_as_months_then_years():
    shown = tables.months_text(pd.Series([None, 5, 23, 30]))
    assert shown == ["dates not known", "about 5 months", "about 23 months", "about 2.5 years"]


def test_a_profile_link_carries_the_filters_and_the_name_after_the_hash():
    url = tables.profile_url("person", "mu-li", "Mu Li (李沐)", [("certainty", "reported")])
    assert url.startswith(tables.PROFILE_PAGE + "?") and "person=mu-li" in url and "certainty=reported" in url
    assert url.endswith("#Mu Li (李沐)")


def test_undated_rows_read_date_not_given():
    df = tables.moves_table(pd.DataFrame({"moved_on": ["2023", None]}))
    assert df["moved_on"].tolist() == ["2023", "not given"]


def test_money_talent_by_kind_adds_up_the_rounds_of_each_kind():
    import pandas as pd

    from atlas import tables

    rounds = pd.DataFrame(
        {
            "round_id": ["r1", "r2", "r3", "r4"],
            "firm_id": ["a", "a", "b", "g"],
            "kind": ["ai_startup", "ai_startup", "ai_startup", "big_tech"],
            "in_before": [1, 2, 0, 5],
            "in_same": [0, 0, 3, 0],
            "in_after": [0, 1, 0, 0],
            "out_before": [0, 0, 0, 2],
            "out_same": [1, 0, 0, 0],
            "out_after": [0, 0, 4, 0],
        }
    )
    out = tables.money_talent_by_kind(rounds)
    assert out.kind.tolist() == ["ai_startup", "big_tech"]  # most rounds first
    start = out.iloc[0]
    assert (start.n_rounds, start.n_firms, start.in_before, start.in_same, start.out_after) == (3, 2, 3, 3, 4)
    assert out.iloc[1].out_before == 2
    assert tables.money_talent_by_kind(rounds.iloc[0:0]).empty
