"""A page as an ordered list of sections. A section fetches what it shows, draws it, and names the
link parameters it reads (declared in atlas/pages.py; a test checks each is); a page draws its head
(the controls every section reads) and then its sections in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """One part of a page: its name (what it shows, for a reader of the code and the tests), how
    it is drawn from the page's context, and the link parameters it reads."""

    name: str
    draw: Callable[[Any], None]
    keys: tuple[str, ...] = ()


def draw(sections: Sequence[Section], context: Any) -> None:  # noqa: ANN401 - each page's own context
    """Draw the sections in order, each from the page's context."""
    for section in sections:
        section.draw(context)
