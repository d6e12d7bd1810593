"""Talent flows: who moves where, who gains and loses, who comes back, and where talent is trained."""

from atlas import ui
from atlas.i18n import N_
from atlas.ui import flows_page, sections


@ui.page(
    "Talent flows",
    N_(
        "Who moves where: joined, founded, returned, acqui-hired, left. Every chart follows the filters; "
        "n is the number of moves (or people) behind each mark."
    ),
)
def talent_flows(filters: ui.Filters) -> None:
    sections.draw(flows_page.SECTIONS, flows_page.head(filters))
