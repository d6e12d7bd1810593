"""Chart builders: marks, encodings, titles."""

import pandas as pd

from atlas import charts


def test_moves_over_time_chart():
    df = pd.DataFrame(
        {"year": [2023, 2023, 2024], "move_type": ["joined", "founded", "returned"], "n_moves": [3, 2, 1]}
    )
    spec = charts.moves_over_time_chart(df).to_dict()
    assert spec["mark"]["type"] == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "year" and enc["x"]["title"] == "Year of move"
    assert enc["y"]["title"] == "Moves (n)"
    assert enc["color"]["field"] == "move_type"
    assert [t["title"] for t in enc["tooltip"]] == ["Year", "Move type", "Moves (n)"]
    assert spec["title"]["text"] == "Moves per year, by type"
    # the chart carries the aggregated rows only
    assert len(next(iter(spec["datasets"].values()))) == 3
