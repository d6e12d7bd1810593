"""Chart builders: marks, encodings, titles, and only the rows they draw."""

import pandas as pd
import pytest

from atlas import charts


def _data(spec):
    return next(iter(spec["datasets"].values()))


def test_moves_over_time_chart_is_on_a_time_axis_and_says_what_it_leaves_out():
    df = pd.DataFrame(
        {
            "period": ["2013", "2016", "2016", "2016-Q3", None],
            "precision": ["year", "year", "year", "quarter", None],
            "period_start": pd.to_datetime(["2013-01-01", "2016-01-01", "2016-01-01", "2016-07-01", None]),
            "move_type": ["joined", "founded", "acquihire", "returned", "joined"],
            "n_moves": [3, 2, 1, 1, 4],
        }
    )
    spec = charts.moves_over_time_chart(df.iloc[[0, 1, 2, 4]], "year").to_dict()
    bars = spec["layer"][-1]
    assert bars["mark"]["type"] == "bar"
    enc = bars["encoding"]
    # a time axis: each bar spans its year, so 2013 to 2016 takes three years of room
    assert (enc["x"]["field"], enc["x"]["type"], enc["x2"]["field"]) == ("start", "temporal", "end")
    assert enc["x"]["title"] == "Year of move" and enc["y"]["title"] == "Moves (n)"
    assert enc["color"]["scale"]["domain"] == ["joined", "founded", "acquihire"]  # only the types drawn
    assert "acqui-hired" in enc["color"]["legend"]["labelExpr"]  # labels, not codes
    assert spec["title"]["text"] == "Moves per year, by type"
    assert "4 undated move(s) not shown" in spec["title"]["subtitle"]
    quarter = charts.moves_over_time_chart(df, "quarter").to_dict()
    band, quarter_bars = quarter["layer"]
    assert quarter_bars["encoding"]["x"]["title"] == "Quarter of move"
    # the moves known only to their year are drawn as year-wide bands, and counted
    assert "grey bands: 6 move(s) known only to the year" in quarter["title"]["subtitle"]
    assert band["mark"]["opacity"] < 1


def test_sankey_is_two_columns_with_counts_and_names():
    df = pd.DataFrame(
        {
            "source": ["Google (谷歌)", "Reka AI"],
            "target": ["Reka AI", "Google (谷歌)"],
            "n_moves": [1, 1],
            "names": ["Yi Tay", None],
        }
    )
    spec = charts.flow_sankey_spec(df, "Moves by parent firm")
    series = spec["series"][0]
    assert series["type"] == "sankey"
    origins = [n["name"] for n in series["data"] if n["depth"] == 0]
    destinations = [n["name"] for n in series["data"] if n["depth"] == 1]
    # Google -> Reka and Reka -> Google would be a cycle without separate destination nodes
    assert not set(origins) & set(destinations)
    assert len(series["data"]) == 4
    link = series["links"][0]
    assert link["value"] == 1
    assert "n = 1 move(s)" in link["tooltip"]["formatter"] and "Yi Tay" in link["tooltip"]["formatter"]
    assert "more than five people" in series["links"][1]["tooltip"]["formatter"]
    assert spec["title"]["text"] == "Moves by parent firm"
    assert spec["toolbox"]["feature"]["saveAsImage"]["type"] == "png"
    svg = charts.flow_sankey_spec(df, "Moves by parent firm", "svg")
    assert svg["toolbox"]["feature"]["saveAsImage"]["type"] == "svg"
    assert charts.SANKEY_RENDERERS["svg"] == "svg"
    with pytest.raises(ValueError):
        charts.flow_sankey_spec(df, "x", "gif")


def test_net_flow_chart_greys_small_groups_and_keeps_net_order():
    df = pd.DataFrame(
        {
            "group_key": ["bytedance", "openai"],
            "label": ["ByteDance (字节跳动)", "OpenAI"],
            "n_gained": [5, 0],
            "n_lost": [1, 5],
            "net": [4, -5],
            "n_total": [6, 5],
            "is_small": [False, True],
        }
    )
    spec = charts.net_flow_chart(df, "Firm").to_dict()
    bars, text = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["color"]["condition"]["test"] == "datum.is_small"
    assert bars["encoding"]["color"]["condition"]["value"] == charts.SMALL_COLOR
    assert bars["encoding"]["y"]["sort"] == ["ByteDance (字节跳动)", "OpenAI"]
    assert [t["title"] for t in bars["encoding"]["tooltip"]] == ["Firm", "Gained (n)", "Lost (n)", "Net"]
    assert text["mark"]["type"] == "text"
    assert spec["title"]["text"] == "Gained, lost and net, by firm"


def test_education_flow_chart():
    df = pd.DataFrame({"trained_country": ["CN"], "works_country": ["US"], "n_people": [7], "names": [None]})
    spec = charts.education_flow_chart(df).to_dict()
    cells, text = spec["layer"]
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["x"]["title"] == "Country of current firm"
    assert cells["encoding"]["y"]["title"] == "Country of first degree"
    assert text["encoding"]["text"]["field"] == "n_people"


def test_career_timeline_runs_open_stints_to_today():
    df = pd.DataFrame(
        {
            "stint": ["Co-founder · Reka AI", "Researcher · Google DeepMind"],
            "firm": ["Reka AI", "Google DeepMind"],
            "role": ["Co-founder", "Researcher"],
            "start_date": pd.to_datetime(["2023-03-01", "2024-11-26"]),
            "end_date": pd.to_datetime(["2024-11-26", None]),
            "start_text": ["2023-03", "2024-11-26"],
            "end_text": ["2024-11-26", "still there"],
            "is_open": [False, True],
            "certainty": ["confirmed", "confirmed"],
            "source": ["a", "b"],
        }
    )
    spec = charts.career_timeline_chart(df, "2026-11-22").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x2"]["field"] == "end_drawn"
    rows = _data(spec)
    assert rows[1]["end_drawn"].startswith("2026-11-22")


def test_firm_flow_over_time_chart_draws_out_below_zero():
    df = pd.DataFrame({"year": [2023, 2024], "n_in": [0, 3], "n_out": [2, 0], "names": ["a", "b"], "net": [-2, 3]})
    spec = charts.firm_flow_over_time_chart(df).to_dict()
    values = sorted(r["value"] for r in _data(spec))
    assert values == [-2, 3]


def _pay_rows():
    return pd.DataFrame(
        {
            "comp_id": ["a", "b"],
            "kind": ["signing_bonus", "annual_total"],
            "period": ["one_time", "per_year"],
            "low_converted": [1e8, 1e7],
            "high_converted": [1e8, 1e8],
            "mid_converted": [1e8, 5.5e7],
            "amount_text": ["USD 100M", "tens of millions"],
            "person": [None, None],
            "firm": ["MSL", "MSL"],
            "outcome": ["accepted", "accepted"],
            "reported_on": ["2025", "2025"],
            "certainty": ["rumor", "rumor"],
            "source": ["s", "s"],
        }
    )


def test_pay_distribution_keeps_ranges_and_periods_apart():
    spec = charts.pay_distribution_chart(_pay_rows(), "USD").to_dict()
    ranges, mids, counts = spec["layer"]  # counts: "×n" beside identical figures (issue 31)
    assert counts["mark"]["type"] == "text"
    assert ranges["mark"]["type"] == "rule" and ranges["encoding"]["x2"]["field"] == "high"
    assert ranges["encoding"]["x"]["scale"]["type"] == "log"
    rows = {r["row"] for r in _data(spec)}
    assert rows == {"signing bonus · one-time", "annual total · per year"}  # labels, never codes
    assert "Source" in [t["title"] for t in mids["encoding"]["tooltip"]]


def test_pay_by_firm_and_time_and_outcome_charts_split_periods():
    by_firm = pd.DataFrame(
        {
            "firm_id": ["m"],
            "firm": ["MSL"],
            "kind": ["signing_bonus"],
            "period": ["one_time"],
            "n_figures": [2],
            "max_high": [1e8],
            "median_mid": [1e8],
            "top_high": [1e8],
        }
    )
    spec = charts.pay_by_firm_chart(by_firm, "USD").to_dict()
    assert spec["facet"]["row"]["field"] == "period_label"  # stacked: fits a narrow screen
    by_year = pd.DataFrame(
        {
            "year": [2025],
            "kind": ["annual_total"],
            "period": ["per_year"],
            "n_figures": [2],
            "min_low": [1e7],
            "median_mid": [5.5e7],
            "max_high": [1e8],
        }
    )
    assert charts.pay_over_time_chart(by_year, "USD").to_dict()["facet"]["row"]["field"] == "period_label"
    outcomes = pd.DataFrame({"outcome": ["declined"], "period": ["per_year"], "n_figures": [1], "median_mid": [1e6]})
    out = charts.pay_outcomes_chart(outcomes).to_dict()
    assert out["encoding"]["column"]["field"] == "period_label" and out["mark"]["type"] == "bar"


def test_capital_raised_steps_run_to_the_last_round_drawn_never_to_the_end_of_the_period():
    """Issue 31: a firm with one round was drawn as a flat line on to 2027."""
    df = pd.DataFrame(
        {
            "firm_id": ["reka", "openai"],
            "firm": ["Reka AI", "OpenAI"],
            "round_id": ["r1", "r2"],
            "announced_on": pd.to_datetime(["2024-01-01", "2023-01-01"]),
            "announced_text": ["2024", "2023"],
            "round_type": ["other", "strategic"],
            "amount_qualifier": ["at_least", "exact"],
            "amount_converted": [1e8, 1.3e10],
            "cumulative": [1e8, 1.3e10],
        }
    )
    spec = charts.capital_raised_chart(df, "USD", "2026-12-31").to_dict()
    steps, points = spec["layer"]
    assert steps["mark"]["interpolate"] == "step-after"
    rows = _data(spec)
    ends = {r["firm"]: r["announced_on"][:10] for r in rows if r["is_end"]}
    # each line carried to the latest round drawn (Reka's, 2024), not to the period's end
    assert ends == {"Reka AI": "2024-01-01", "OpenAI": "2024-01-01"}


def test_rounds_chart_keeps_rounds_without_valuation_and_marks_status():
    df = pd.DataFrame(
        {
            "firm": ["A", "B"],
            "round_type": ["seed", "acquisition"],
            "status": ["completed", "terminated"],
            "announced_on": ["2023", "2024"],
            "announced_date": pd.to_datetime(["2023-01-01", "2024-01-01"]),
            "amount_converted": [1e8, 1e9],
            "valuation_converted": [None, 5e9],
            "investors": [None, "X"],
            "certainty": ["reported", "reported"],
            "source": ["s", "s"],
        }
    )
    spec = charts.rounds_chart(df, "USD").to_dict()
    assert len(_data(spec)) == 2
    assert spec["encoding"]["size"]["field"] == "valuation_size"
    assert spec["encoding"]["shape"]["scale"]["range"] == ["circle", "cross", "triangle-up"]
    assert spec["encoding"]["y"]["scale"]["type"] == "log"


def test_alliances_chart_labels_undisclosed_and_terminated():
    df = pd.DataFrame(
        {
            "investor": ["Microsoft", "Snowflake"],
            "firm": ["OpenAI", "Reka AI"],
            "n_rounds": [1, 1],
            "total_converted": [13e9, None],
            "max_stake_pct": [None, None],
            "statuses": ["completed", "terminated"],
            "round_types": ["strategic", "acquisition"],
        }
    )
    spec = charts.alliances_chart(df, "USD").to_dict()
    labels = [r["label"] for r in _data(spec)]
    assert labels == ["USD 13B", "undisclosed · terminated"]


def test_console_result_charts_its_first_two_columns_when_they_make_one():
    import pandas as pd

    from atlas.charts import first_two_columns_chart

    bars = first_two_columns_chart(pd.DataFrame({"certainty": ["reported", "confirmed", "rumor"], "n": [32, 8, 8]}))
    spec = bars.to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["title"] == "certainty"
    assert spec["height"] == 3 * 26 + 10  # every bar tall enough for its label
    line = first_two_columns_chart(pd.DataFrame({"year": [2023, 2024, 2025], "n_rounds": [5, 7, 2]})).to_dict()
    assert line["mark"]["type"] == "line" and line["encoding"]["x"]["type"] == "quantitative"
    assert first_two_columns_chart(pd.DataFrame({"name": ["a", "b"], "name_zh": ["甲", "乙"]})) is None  # no number
    assert first_two_columns_chart(pd.DataFrame({"n": [1]})) is None  # one column


def test_a_firms_people_per_year_are_bars_from_zero_with_a_year_either_side():
    import pandas as pd

    from atlas import charts

    spec = charts.firm_flow_over_time_chart(
        pd.DataFrame({"year": [2024], "n_in": [0], "n_out": [1], "names": ["Mustafa Suleyman"]})
    ).to_dict()
    enc = spec["encoding"]
    assert enc["y2"] == {"datum": 0}  # without it a bar spanning its year on x was a flat line
    assert enc["y"]["axis"]["values"] == [-1, 0]  # whole people only
    assert [d[:4] for d in enc["x"]["scale"]["domain"]] == ["2023", "2026"]
