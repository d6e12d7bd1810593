"""Issue 34, lineage and rates: a firm's renames, mergers, acquisitions and acqui-hires as dated,
sourced events (flows counted as firms stood or on today's lineage), and people gained and lost
per 100 staff where a headcount is on record; known answers from the articles."""

from __future__ import annotations

from atlas import load
from tests.support import plain, q


def test_inflection_and_adept_say_what_the_article_says_and_no_more(con):
    # "微软斥资 6.5 亿美元 聘请 ... Inflection 的联合创始人 Mustafa": Microsoft paid to hire a co-founder;
    # no firm was bought, so Inflection AI has no lineage event and Microsoft is the payer of a hire
    assert q(con, "firm_lineage", firm_id="inflection-ai").empty
    deal = con.execute(
        "select r.round_type, r.amount, r.announced_on_certainty, ri.investor_id, ri.role "
        "from funding_rounds as r join round_investors as ri using (round_id) "
        "where round_id = 'inflection-microsoft-2024'"
    ).fetchall()
    assert deal == [("hire", 650_000_000.0, "inferred", "microsoft", "payer")]
    suleyman = con.execute(
        "select move_type, moved_on_certainty from moves where move_id = 'suleyman-joins-microsoft-2024'"
    ).fetchone()
    assert suleyman == ("joined", "inferred")  # "in the past year" of a 2024 video: the year is inferred
    # "Adept CEO David 带着联创和几乎全体员工加入亚马逊": the team joined Amazon, no deal named
    adept = q(con, "firm_lineage", firm_id="amazon").iloc[0]
    assert (adept.firm_id, adept.event_type, adept.happened_on, adept.happened_on_certainty) == (
        "adept",
        "team_joined",
        "2024",
        "inferred",
    )
    assert not adept.counted_as_successor and adept.round_id is None or adept.round_id != adept.round_id
    assert con.execute("select count(*) from funding_rounds where firm_id = 'adept'").fetchone() == (0,)
    assert "最佳拍档" in adept.source


def test_kuaishous_dl_team_renamed_mmu_and_marianas_sold_to_an_unnamed_company(con):
    # "2015 年 11 月 ... 组建了内部深度学习部门 DL ... 2016 年，团队改为 MMU 组"
    dl = q(con, "firm_lineage", firm_id="kuaishou-dl").iloc[0]
    assert (dl.event_type, dl.successor_id, dl.happened_on, dl.counted_as_successor) == (
        "renamed",
        "kuaishou-mmu",
        "2016",
        True,
    )
    # "还被一家上市公司看中,就将公司卖给了对方": a buyer the article does not name has no id
    sold = q(con, "firm_lineage", firm_id="marianas-labs").iloc[0]
    assert (sold.event_type, sold.successor, sold.successor_described_zh) == (
        "acquired",
        "an unnamed listed company",
        "一家未具名的上市公司",
    )
    assert sold.successor_id is None or sold.successor_id != sold.successor_id
    assert not sold.counted_as_successor  # an unnamed buyer: Marianas Labs counts as itself


def test_google_deepminds_parent_and_the_labs_the_articles_name_under_google(con):
    assert q(con, "firm_profile", firm_id="google-deepmind").iloc[0].parent_id == "google"
    assert set(q(con, "firm_subsidiaries", firm_id="google").firm_id) == {
        "google-brain",
        "google-research",
        "google-deepmind",
    }


def test_the_seed_holds_no_merger_the_articles_do_not_state(con):
    # the articles name Google Brain and Google DeepMind but never say they merged: nothing added
    assert set(con.execute("select event_type from firm_events").fetchall()) == {
        ("team_joined",),
        ("renamed",),
        ("acquired",),
    }
    # today's lineage counts only Kuaishou's DL department as another (the MMU group it became)
    assert con.execute("select firm_id, today_id from firm_successors").fetchall() == [("kuaishou-dl", "kuaishou-mmu")]


def _flows(con, lineage):
    df = q(con, "flows_by_level", level="firm", top_n=40, min_count=1, lineage=lineage)
    return {(r.source, r.target): r.n_moves for r in df.itertuples()}


def test_todays_lineage_counts_a_merged_firm_as_its_successor(rw, tmp_path):
    then = _flows(rw, "then")
    assert ("Google Brain (谷歌大脑)", "Meta (Facebook)") in then
    f = tmp_path / "firm_events.csv"
    f.write_text(
        "event_id,firm_id,event_type,successor_id,happened_on,round_id,source_id,certainty,note\n"
        "brain-into-gdm,google-brain,merged_into,google-deepmind,2023-04,,"
        "jiqizhixin-2024-yi-tay-returns-to-google,reported,a test's merger\n",
        encoding="utf-8",
    )
    done = load.load_files(rw, {"firm_events": f}, mode="append", uploader="test")
    assert not done.problems, done.problems
    today = _flows(rw, "today")
    # Jia Yangqing's move from Google Brain to Facebook counts as Google DeepMind's on today's lineage
    assert ("Google Brain (谷歌大脑)", "Meta (Facebook)") not in today
    assert today[("Google DeepMind (谷歌DeepMind)", "Meta (Facebook)")] == 1
    # as the firms stood, nothing moved
    assert _flows(rw, "then") == then
    net = q(rw, "net_flow_by_level", level="firm", top_n=40, min_count=1, lineage="today")
    assert "Google Brain (谷歌大脑)" not in set(net.label)
    # a firm whose team joined another goes on: Adept is itself on either lineage
    assert ("Adept", "Amazon (亚马逊)") in today
    # and the load can be undone like any other
    assert load.undo(rw, done.upload_id, "test").problems == []
    assert rw.execute("select count(*) from firm_events").fetchone() == (3,)


def test_rates_per_100_staff_where_a_headcount_is_on_record(con):
    rates = q(con, "firm_rates", start_year=2000, end_year=2026).set_index("firm_id")
    assert set(rates.index) == {"meta-superintelligence-labs", "reka"}
    msl = rates.loc["meta-superintelligence-labs"]
    # the first core team of 17; four joined from OpenAI in 2025: 23.5 per 100, on fewer than 5 moves
    assert (msl.year, msl.headcount, msl.gained, msl.lost) == (2025, 17, 4, 0)
    assert (msl.gained_per_100, msl.few_gained) == (23.5, True)
    reka = rates.loc["reka"]
    # a 15-person team in 2024; Yi Tay left that year: 6.7 per 100
    assert (reka.year, reka.headcount, reka.gained, reka.lost, reka.lost_per_100) == (2024, 15, 0, 1, 6.7)
    # the period and the firm narrow it; a year without a headcount is not a rate
    assert list(q(con, "firm_rates", start_year=2025, end_year=2026).firm_id) == ["meta-superintelligence-labs"]
    assert q(con, "firm_rates", start_year=2000, end_year=2026, firm_id="openai").empty


def test_the_flows_page_says_which_lineage_and_reads_it_from_the_link(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lineage"] = "today"
    at.run()
    at.switch_page("pages/1_Talent_flows.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="lineage").value == "today"
    assert any("Counted on today's lineage: Kuaishou DL" in c.value for c in at.caption), [c.value for c in at.caption]
    # the rates section lists the two firms with a headcount and marks the anecdotes
    rates = next(d.value for d in at.dataframe if "gained_per_100" in d.value.columns)
    assert sorted(rates.gained_per_100) == ["0.0 ⚠ (0)", "23.5 ⚠ (4)"]  # each rate with the moves behind it
    assert any("rest on fewer than 5 moves" in c.value for c in at.caption)
    bad = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    bad.query_params["lineage"] = "yesterday"
    bad.run()
    bad.switch_page("pages/1_Talent_flows.py").run()
    assert bad.radio(key="lineage").value == "then"
    assert any("lineage" in plain(w.value) for w in bad.warning), [w.value for w in bad.warning]
    stood = "Counted as the firms stood at the time of each move; 3 lineage event(s)"
    assert any(stood in c.value for c in bad.caption)


def test_a_firms_profile_shows_its_lineage_and_rates(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["firm"] = "marianas-labs"
    at.run()
    at.switch_page("pages/4_People_and_firms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    lineage = next(d.value for d in at.dataframe if "counted_as_successor" in d.value.columns)
    row = lineage.iloc[0]
    assert (row.event_type, row.successor, row.deal) == (
        "acquired by",
        "an unnamed listed company",
        "amount not reported",
    )
    assert any("No headcount of this firm is on record" in c.value for c in at.caption)
