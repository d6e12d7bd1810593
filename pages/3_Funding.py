"""Funding: capital raised, rounds, alliances and deals, and firms compared by money and talent."""

from atlas import ui
from atlas.i18n import N_
from atlas.ui import funding_page, sections


@ui.page(
    "Funding",
    N_(
        "Rounds, strategic investments, acquisitions and acqui-hires, in one currency. Terminated and rumored "
        "deals are shown but never counted as capital raised."
    ),
)
def funding(filters: ui.Filters) -> None:
    sections.draw(funding_page.SECTIONS, funding_page.head(filters))
