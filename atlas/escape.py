"""Untrusted text (names, titles, notes, file names, link values) shown as text, never as markup.

Streamlit renders labels, captions, alerts and `st.markdown` as GitHub-flavoured Markdown:
a name like `[Sign in again](https://…)` or `![x](http://host/x.png)` would become a live link
or load an image from any host, and `$…$` a formula. `md` makes a value literal by escaping
every ASCII punctuation character (CommonMark lets a backslash escape any of them) and putting
an invisible word joiner after a URL scheme, `www` and `@`, which GFM would otherwise link.
`html` is for the few places that build HTML strings (ECharts tooltips): characters that start
markup or an ECharts template become entities.
"""

from __future__ import annotations

import html as _html
import re
import string

_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


# GitHub-flavoured Markdown also turns bare addresses into links after parsing (a transform on
# the text, which escapes do not reach): an invisible word joiner breaks the pattern it looks for.
_AUTOLINK = re.compile(r"(?i)(?<![a-z])(https?|ftp|mailto|www)(?=[:.])|(@)")
JOINER = "\u2060"


def md(value: object) -> str:
    """`value` as literal text inside Markdown: no link, image, emphasis, heading, code or formula."""
    text = _CONTROL.sub("", str(value)).replace("\r", " ").replace("\n", " ")
    text = _AUTOLINK.sub(lambda m: m.group(0) + JOINER, text)
    return _PUNCT.sub(r"\\\1", text)


def html(value: object) -> str:
    """`value` as literal text inside an HTML string (and an ECharts formatter template)."""
    text = _html.escape(_CONTROL.sub("", str(value)), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def short(value: object, limit: int = 60) -> str:
    """`value` cut to `limit` characters with an ellipsis (for echoing what a link asked for)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# what a terminal acts on rather than shows: C0 and C1 controls (ESC starts a colour, a cursor move,
# a title change, a hyperlink), DEL, and the bidirectional overrides that reorder a line
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal(value: object) -> str:
    """`value` as text a terminal shows as it is: every control character but newline and tab is
    written out (ESC as \\x1b), so a name or a file's cell cannot colour, move or retitle the screen."""
    return _TERMINAL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(value))


class TerminalText:
    """A text stream (stdout, stderr) that writes everything through `terminal`: the command line
    prints names, mapping names and file cells that come from anyone."""

    def __init__(self, stream) -> None:  # noqa: ANN001 - a text stream
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal(text))

    def over(self, text: str) -> None:
        """`text` over the line before (a progress count): a carriage return of ours, the text filtered."""
        self._stream.write("\r" + terminal(text))
        self._stream.flush()

    def __getattr__(self, name: str):  # noqa: ANN204 - flush, fileno, encoding... as the stream's
        return getattr(self._stream, name)
