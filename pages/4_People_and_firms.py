"""People & firms: profiles of a person or a firm, and every person and firm, searchable."""

from atlas import ui
from atlas.i18n import N_
from atlas.ui import people_page, sections


@ui.page("People & firms", N_("Profiles with careers, flows, money and sources. Search by English or Chinese name."))
def people_and_firms(filters: ui.Filters) -> None:
    sections.draw(people_page.SECTIONS, people_page.head(filters))
