"""Dates as the sources gave them: a stored date is read at its stored precision everywhere.

The database stores a date reported as "2024" as 2024-01-01 with `<column>_precision` = 'year'
beside it (the SQL macro `fmt_date` reads it the same way). A page that shows a stored date
goes through `at_precision` (one value) or `readable_dates` (a frame): "2024", "2024-11",
"2024-11-26"; a date without a precision column is a day; a timestamp keeps its minutes, UTC.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from atlas import i18n

FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def at_precision(value: object, precision: object = "day") -> object:
    """('2024-01-01', 'year') -> '2024' ('2024年' in Chinese); None stays None; text is kept."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    fmt = FORMATS.get(precision, FORMATS["day"]) if isinstance(precision, str) else FORMATS["day"]
    return i18n.date(pd.Timestamp(value).strftime(fmt))


def _is_date(series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    first = series.dropna().head(1)
    return bool(len(first)) and isinstance(first.iloc[0], dt.date | pd.Timestamp)


def readable_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Every date column as text at its precision: by its `<column>_precision` sibling when the
    frame has one, else a day (a timestamp with a time of day keeps its minutes)."""
    out = frame.copy()
    for column in frame.columns:
        if column.endswith("_precision") or not _is_date(frame[column]):
            continue
        sibling = f"{column}_precision"
        precisions = frame[sibling] if sibling in frame.columns else pd.Series(["day"] * len(frame), frame.index)
        timestamps = sibling not in frame.columns and _has_time(frame[column])
        out[column] = [
            None
            if v is None or pd.isna(v)
            else (pd.Timestamp(v).strftime("%Y-%m-%d %H:%M") if timestamps else at_precision(v, p))
            for v, p in zip(frame[column], precisions, strict=True)
        ]
    return out


def _has_time(series: pd.Series) -> bool:
    """Whether a column holds times of day (an upload's time), not dates stored at midnight."""
    values = pd.to_datetime(series.dropna(), errors="coerce").dropna()
    return bool(len(values)) and bool((values.dt.normalize() != values).any())
