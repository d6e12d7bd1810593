"""Money: display currencies, conversion with yearly rates, and honest formatting.

Conversion itself runs in SQL (`fx_factors` in queries/schema/macros.sql, `selected_pay` in queries/schema/filters.sql);
this module names the display currencies and formats amounts so that a range stays a
range and "more than" stays a lower bound.
"""

from __future__ import annotations

import math

from atlas.i18n import _, language, zh_money

DISPLAY_CURRENCIES = ("USD", "CNY", "EUR")
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def short_number(value: float) -> str:
    """A compact amount: 13000000000 -> '13B', 113000000 -> '113M', 2500 -> '2.5K'."""
    for scale, suffix in _SCALES:
        if abs(value) >= scale:
            n = value / scale
            text = f"{n:.1f}".rstrip("0").rstrip(".") if n < 100 else f"{n:.0f}"
            return text + suffix
    return f"{value:,.0f}"


def format_amount(
    low: float | None, high: float | None = None, currency: str = "USD", qualifier: str | None = None
) -> str:
    """An amount as an analyst reads it: 'USD 100M', 'USD 10M–100M', 'more than USD 1B'; in
    Chinese '1亿美元', '1,000万–1亿美元', '超过10亿美元'."""
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return _("amount not reported")
    if high is None or (isinstance(high, float) and math.isnan(high)):
        high = low
    if language() == "zh":
        text = zh_money(low, high, currency)
        if qualifier == "at_least":
            return "超过" + text
        if qualifier == "about":
            return "约" + text
        return text
    text = f"{currency} {short_number(low)}"
    if high != low:
        text = f"{currency} {short_number(low)}–{short_number(high)}"
    if qualifier == "at_least":
        text = "more than " + text
    elif qualifier == "about":
        text = "about " + text
    return text
