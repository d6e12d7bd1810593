"""Every page renders on the seed data, and the shared filters change what it shows."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from atlas.ui import PAGES
from tests.conftest import ROOT


@pytest.fixture
def app(seed_db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("ATLAS_DB", str(seed_db_path))
    # AppTest resolves paths against the calling file: build them from the project root.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.subheader] + [t.value for t in at.title]
    parts += [str(i.value) for i in at.info]
    return "\n".join(parts)


@pytest.mark.parametrize("script,title", [(s, t) for s, t, _ in PAGES])
def test_page_renders(app, script, title):
    if script != "app.py":
        app.switch_page(script).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title
    # every page shows real data from DuckDB
    assert len(app.dataframe) >= 1
    assert all(len(df.value) > 0 for df in app.dataframe[:1])


def test_overview_headlines(app):
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["People"] == "33"
    assert metrics["Moves"] == "45"
    assert metrics["Source articles"] == "5"
    pay = app.dataframe[1].value
    assert pay.iloc[0]["kind"] == "signing_bonus"
    assert pay.iloc[0]["converted"] == "USD 100M"


def test_overview_follows_filters(app):
    app.selectbox(key="certainty").set_value("confirmed").run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Moves"] == "6"
    assert "No pay figures match the filters." in _texts(app)
    app.slider(key="period").set_value((2024, 2024)).run()
    assert {m.label: m.value for m in app.metric}["Moves"] == "1"  # Yi Tay's confirmed return


def test_currency_changes_pay_table(app):
    app.selectbox(key="currency").set_value("CNY").run()
    assert not app.exception
    assert any(s.value == "Largest pay figures, in CNY" for s in app.subheader)
    pay = app.dataframe[1].value.set_index("comp_id")
    assert pay.loc["mu-li-bytedance-offer-2023", "converted"] == "CNY 10M"


def test_firm_kind_filter_on_flows_page(app):
    app.switch_page("pages/1_Talent_flows.py").run()
    app.multiselect(key="kinds").set_value(["university"]).run()
    assert not app.exception
    moves = app.dataframe[0].value
    assert set(moves.person_id) == {"jia-yangqing", "jiantao-jiao"}


def test_people_search(app):
    app.switch_page("pages/4_People_and_firms.py").run()
    app.text_input(key="q").set_value("李沐").run()
    assert not app.exception
    people = app.dataframe[0].value
    assert list(people.person_id) == ["mu-li"]
    app.text_input(key="q").set_value("zzz-nobody").run()
    assert "No person matches the search." in _texts(app)
