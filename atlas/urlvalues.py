"""Values read from a link (query parameters): untrusted text, parsed strictly.

`str.isdigit` accepts "²" and "①", which `int` refuses: every number a link carries is
read here, by one rule (ASCII digits, an optional minus, a bounded length and range).
"""

from __future__ import annotations

import json
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


MAX_JSON_DEPTH = 4  # a page position is [value, [key, ...]]: two levels, a little room
MAX_JSON_CHARS = 4_000


def is_text(value: str) -> bool:
    """Whether `value` is text that can be stored, bound and shown: UTF-8 encodable (no lone
    surrogate, which a JSON escape such as \\ud800 can make) and without NUL."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def json_value(text: object, depth: int = MAX_JSON_DEPTH) -> object:
    """`text` parsed as JSON when it is a small value nested at most `depth` deep whose every text
    is text (`is_text`); else ValueError. The depth is counted before parsing: a thousand `[` would
    take the parser's recursion past Python's limit."""
    if not isinstance(text, str) or len(text) > MAX_JSON_CHARS or not is_text(text):
        raise ValueError("not a small JSON text")
    level, deepest, in_string, escaped = 0, 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            level += 1
            deepest = max(deepest, level)
            if deepest > depth:
                raise ValueError("nested too deep")
        elif ch in "]}":
            level -= 1
    value = json.loads(text)
    _check_texts(value, depth)
    return value


def _check_texts(value: object, depth: int) -> None:
    if isinstance(value, str):
        if not is_text(value):
            raise ValueError("not text")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_texts(k, depth - 1)
            _check_texts(v, depth - 1)
    elif isinstance(value, list):
        for v in value:
            _check_texts(v, depth - 1)
