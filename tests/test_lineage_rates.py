"""Issue 34, lineage and rates: a firm's renames, mergers, acquisitions and acqui-hires as dated,
sourced events (flows counted as firms stood or on today's lineage), and people gained and lost
per 100 staff where a headcount is on record; known answers from the articles."""

from __future__ import annotations

from atlas import load
from tests.support import plain, q


def test_inflections_co_founder_to_microsoft_is_an_acqui_hire_linked_to_its_deal(con):
    events = q(con, "firm_lineage", firm_id="inflection-ai")
    assert len(events) == 1
    e = events.iloc[0]
    assert (e.firm_id, e.event_type, e.successor_id) == ("inflection-ai", "acquihire", "microsoft")
    assert e.happened_on == "2024"
    assert e.round_id == "inflection-microsoft-2024" and e.amount == 650_000_000 and e.currency == "USD"
    assert e.people == "Mustafa Suleyman"
    assert not e.counted_as_successor  # Inflection AI goes on: today's lineage counts it as itself
    assert "最佳拍档" in e.source
    # the buyer's profile lists it too, and Adept's team into Amazon
    assert set(q(con, "firm_lineage", firm_id="microsoft").event_id) == {"inflection-acquihire-microsoft-2024"}
    adept = q(con, "firm_lineage", firm_id="amazon").iloc[0]
    assert (adept.firm_id, adept.people, adept.round_id) == ("adept", "David Luan", "adept-amazon-2024")


def test_google_deepminds_parent_and_the_labs_the_articles_name_under_google(con):
    assert q(con, "firm_profile", firm_id="google-deepmind").iloc[0].parent_id == "google"
    assert set(q(con, "firm_subsidiaries", firm_id="google").firm_id) == {
        "google-brain",
        "google-research",
        "google-deepmind",
    }


def test_the_seed_holds_no_merger_the_articles_do_not_state(con):
    # the articles name Google Brain and Google DeepMind but never say they merged: nothing added
    assert set(con.execute("select event_type from firm_events").fetchall()) == {("acquihire",)}
    assert con.execute("select count(*) from firm_successors").fetchone() == (0,)


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
    # an acqui-hired firm goes on: Inflection AI is itself on either lineage
    assert ("Inflection AI", "Microsoft (微软)") in today
    # and the load can be undone like any other
    assert load.undo(rw, done.upload_id, "test").problems == []
    assert rw.execute("select count(*) from firm_events").fetchone() == (2,)


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
    assert any("No rename, merger or acquisition is on record" in c.value for c in at.caption)
    # the rates section lists the two firms with a headcount and marks the anecdotes
    rates = next(d.value for d in at.dataframe if "gained_per_100" in d.value.columns)
    assert sorted(rates.gained_per_100) == ["0.0 ⚠", "23.5 ⚠"]
    assert any("rest on fewer than 5 moves" in c.value for c in at.caption)
    bad = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    bad.query_params["lineage"] = "yesterday"
    bad.run()
    bad.switch_page("pages/1_Talent_flows.py").run()
    assert bad.radio(key="lineage").value == "then"
    assert any("lineage" in plain(w.value) for w in bad.warning), [w.value for w in bad.warning]
    stood = "Counted as the firms stood at the time of each move; 2 lineage event(s)"
    assert any(stood in c.value for c in bad.caption)


def test_a_firms_profile_shows_its_lineage_and_rates(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["firm"] = "inflection-ai"
    at.run()
    at.switch_page("pages/4_People_and_firms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    lineage = next(d.value for d in at.dataframe if "counted_as_successor" in d.value.columns)
    row = lineage.iloc[0]
    assert (row.event_type, row.deal, row.people) == ("acqui-hired by", "USD 650M", "Mustafa Suleyman")
    assert any("No headcount of this firm is on record" in c.value for c in at.caption)
