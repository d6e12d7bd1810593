"""Values read from a link (query parameters): untrusted text, parsed strictly.

`str.isdigit` accepts "²" and "①", which `int` refuses: every number a link carries is
read here, by one rule (ASCII digits, an optional minus, a bounded length and range).
"""

from __future__ import annotations

import re

_INT = re.compile(r"-?[0-9]{1,18}")


def parse_int(value: object, lo: int | None = None, hi: int | None = None) -> int | None:
    """`value` as an integer when it is one written in ASCII digits within [lo, hi]; else None."""
    if not isinstance(value, str) or not _INT.fullmatch(value):
        return None
    n = int(value)
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        return None
    return n
