"""Issue 34, lift-outs: people who moved from the same origin to the same destination within a
window are one event, with its people and sources; known answers from the articles."""

from __future__ import annotations

from tests.support import plain, q


def _lifts(con, **params):
    return q(con, "lift_outs", **{"window_days": 90, "firm_id": "", "limit": 200, **params})


def test_metas_2025_hires_from_openai_are_one_lift_out(con):
    df = _lifts(con)
    meta = df[(df.from_firm_id == "openai") & (df.to_firm_id == "meta-superintelligence-labs")]
    assert len(meta) == 1
    row = meta.iloc[0]
    assert row.n_people == 4
    assert row.people == "Hongyu Ren (任鸿宇), Jiahui Yu (余家辉), Shengjia Zhao (赵晟佳), Shuchao Bi (毕树超)"
    # the article dates them to the year only: the row says so; their origin is inferred, never a rumor
    assert (row.first_on, row.date_known_to, row.certainty) == ("2025", "year", "inferred")
    assert "网易号" in row.sources


def test_every_lift_out_the_articles_give(con):
    df = _lifts(con)
    found = {(r.from_firm_id, r.to_firm_id, r.n_people, r.first_on) for r in df.itertuples()}
    assert found == {
        ("openai", "meta-superintelligence-labs", 4, "2025"),
        ("aws", "boson-ai", 2, "2023-03-07"),  # Mu Li and Alex Smola found Boson AI
        ("meta", "mistral-ai", 2, "2023"),  # Guillaume Lample and Timothée Lacroix found Mistral AI
        ("marianas-labs", "aws", 2, "2016-07"),  # Marianas Labs acqui-hired by Amazon
    }
    assert set(df.n_found) == {4}


def test_lift_outs_follow_the_filters_the_window_and_the_firm(con):
    # at "reported" or better, the ones whose origin is inferred go (Meta's 2025 hires, Mistral's founders)
    reported = _lifts(con, min_certainty="reported")
    assert set(zip(reported.from_firm_id, reported.to_firm_id, strict=True)) == {
        ("aws", "boson-ai"),
        ("marianas-labs", "aws"),
    }
    # one firm's: into or out of it, and with its subsidiaries (Meta Superintelligence Labs)
    meta = _lifts(con, firm_id="meta", with_subsidiaries=False)
    assert set(zip(meta.from_firm_id, meta.to_firm_id, strict=True)) == {("meta", "mistral-ai")}
    family = _lifts(con, firm_id="meta", with_subsidiaries=True)
    assert set(zip(family.from_firm_id, family.to_firm_id, strict=True)) == {
        ("meta", "mistral-ai"),
        ("openai", "meta-superintelligence-labs"),
    }
    # the period: 2025 only
    recent = _lifts(con, start_year=2025, end_year=2025)
    assert recent.to_firm_id.tolist() == ["meta-superintelligence-labs"]
    # a window of no days still joins moves on one day
    same_day = _lifts(con, window_days=0)
    assert ("aws", "boson-ai") in set(zip(same_day.from_firm_id, same_day.to_firm_id, strict=True))


def test_the_lift_outs_section_reads_its_window_from_the_link(seed_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lift_days"] = "400"
    at.run()
    at.switch_page("pages/1_Talent_flows.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="lift_days").value == 400
    lifts = next(d.value for d in at.dataframe if "first_on" in d.value.columns)
    assert lifts.n_people.tolist() == [4, 2, 2, 2]
    assert any(c.value.startswith("4 lift-out(s) found.") for c in at.caption)
    # a bad window, on arrival: named in the page's notice, the default kept
    bad = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    bad.query_params["lift_days"] = "-3"
    bad.run()
    bad.switch_page("pages/1_Talent_flows.py").run()
    assert bad.number_input(key="lift_days").value == 90
    assert any("a whole number from 1 to 730" in plain(w.value) for w in bad.warning), [w.value for w in bad.warning]


def test_over_millions_of_moves_and_many_years_lift_outs_are_found_when_asked(seed_db_path, monkeypatch):
    """At 10M moves over the whole period the search takes 10 s: past a million moves and over more
    than one year the section waits for the analyst's switch (kept in the link), and says why."""
    from streamlit.testing.v1 import AppTest

    from atlas import pages
    from tests.support import ROOT

    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    monkeypatch.setattr(pages, "LIFT_AUTO_MOVES", 10)  # the seed's 49 moves stand for millions
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/1_Talent_flows.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("first_on" in d.value.columns for d in at.dataframe)
    assert any("Finding lift-outs reads all 49 moves of 27 years" in c.value for c in at.caption)
    at.toggle(key="lifts").set_value(True).run()
    lifts = next(d.value for d in at.dataframe if "first_on" in d.value.columns)
    assert lifts.n_people.tolist() == [4, 2, 2, 2]
    # a narrow period finds them at once
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.run()
    fresh.switch_page("pages/1_Talent_flows.py").run()
    fresh.slider(key="period").set_value((2025, 2025)).run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    assert next(d.value for d in fresh.dataframe if "first_on" in d.value.columns).n_people.tolist() == [4]
