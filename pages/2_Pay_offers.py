"""Pay offers: every pay figure comparable, in one currency, with its source."""

from atlas import ui
from atlas.i18n import N_
from atlas.ui import pay_page, sections


@ui.page(
    "Pay offers",
    N_(
        "Salaries, signing bonuses and packages as reported, converted to one currency. One-time and per-year "
        "figures are never mixed; a range stays a range."
    ),
)
def pay_offers(filters: ui.Filters) -> None:
    sections.draw(pay_page.SECTIONS, pay_page.head(filters))
