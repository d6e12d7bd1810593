"""Explore: every table as stored (filter, facet, sort, page), one row with its source, a
read-only SQL console, and the whole database as a download."""

from atlas import cache, ui
from atlas.i18n import N_


@ui.page(
    "Explore",
    N_(
        "The raw data behind every chart: browse any table, open a row with its source, ask your own "
        "question in read-only SQL, or download everything. Links keep the table, filters and query."
    ),
)
def explore(_filters: ui.Filters) -> None:
    catalog = cache.explore("tables")
    ui.read_explore_link(catalog)
    tab_tables, tab_sql, tab_download = ui.coded_tabs(ui.EXPLORE_TABS, key="tab")
    with tab_tables:
        ui.browser_ui(catalog)
    with tab_sql:
        ui.console_ui()
    with tab_download:
        ui.download_ui()
    ui.write_explore_link()
