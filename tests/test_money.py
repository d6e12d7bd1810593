"""Amount formatting keeps ranges and bounds honest."""

import pytest

from atlas.money import format_amount, short_number


@pytest.mark.parametrize(
    "value,text",
    [(13e9, "13B"), (113e6, "113M"), (2.2e9, "2.2B"), (1500, "1.5K"), (999, "999"), (1e8, "100M")],
)
def test_short_number(value, text):
    assert short_number(value) == text


@pytest.mark.parametrize(
    "args,text",
    [
        ((1e8, 1e8, "USD"), "USD 100M"),
        ((1e7, 1e8, "USD"), "USD 10M–100M"),
        ((1e9, None, "USD", "at_least"), "more than USD 1B"),
        ((1e7, None, "CNY", "about"), "about CNY 10M"),
        ((None, None, "USD"), "amount not reported"),
        ((float("nan"), None, "USD"), "amount not reported"),
    ],
)
def test_format_amount(args, text):
    assert format_amount(*args) == text
