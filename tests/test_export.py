"""Exports: spreadsheet-safe CSV, Parquet, and charts rendered offline."""

import io

import pandas as pd
import pytest

from atlas import charts, export


@pytest.mark.parametrize(
    "cell,safe",
    [
        ("=1+1", "'=1+1"),
        ("+86 10", "'+86 10"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Mu Li (李沐)", "Mu Li (李沐)"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralized(cell, safe):
    assert export.neutralize(cell) == safe


def test_csv_keeps_numbers_and_chinese_and_neutralizes_text():
    df = pd.DataFrame({"name": ['=HYPERLINK("x")', "李沐"], "amount": [-5.0, 1e8]})
    raw = export.to_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert back.name.tolist() == ['\'=HYPERLINK("x")', "李沐"]
    assert back.amount.tolist() == [-5.0, 1e8]  # numbers are numbers, not neutralized text


def test_parquet_round_trip():
    df = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    back = pd.read_parquet(io.BytesIO(export.to_parquet(df)))
    assert back.a.tolist() == [1, 2] and back.b.tolist()[0] == "x"


def test_charts_render_offline_to_png_and_svg():
    df = pd.DataFrame(
        {
            "period": ["2023"],
            "precision": ["year"],
            "period_start": pd.to_datetime(["2023-01-01"]),
            "move_type": ["joined"],
            "n_moves": [3],
        }
    )
    chart = charts.moves_over_time_chart(df, "year")
    assert export.to_png(chart).startswith(b"\x89PNG")
    svg = export.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Moves per year" in svg
