"""The user interface, by concern: every page's shell (`shell`: the frame before its body, the share
box after), the page frame and menu (`frame`), the shared filters and URL
state (`filters`), the one module that reads and writes the address (`link`), share links and
saved views (`share`), each page's controls (`controls`),
table renderers (`renderers`), downloads (`downloads`), the Data page's workflow
(`data_page`, with its review of names `names_review` and its history of loads `data_history`),
the Explore page's table browser (`explore_ui`) and its SQL console and database download
(`sql_console`).
Pages import `atlas.ui` and call these; data is fetched by the pages (through `atlas.cache` and
`atlas.fetch`) and handed to the renderers.
"""

from atlas.ui import link  # noqa: F401 - the keeper of the link, ui.link
from atlas.ui.api_ui import api_ui  # noqa: F401
from atlas.ui.approaches import approaches_dataframe  # noqa: F401
from atlas.ui.controls import (  # noqa: F401
    LEVEL_NAMES,
    LEVEL_WORDS,
    LEVELS,
    FlowView,
    FundingView,
    PayView,
    flow_controls_ui,
    funding_controls_ui,
    pay_controls_ui,
    picked,
    sankey_image_format_ui,
)
from atlas.ui.data_page import (  # noqa: F401
    UPLOAD_MODES,
    dictionary_ui,
    staged_and_checked,
    undo_ui,
    upload_ui,
)
from atlas.ui.downloads import (  # noqa: F401
    downloads_ui,
)
from atlas.ui.explore_ui import (  # noqa: F401
    TAB_LABELS as EXPLORE_TABS,
)
from atlas.ui.explore_ui import (  # noqa: F401
    browser_ui,
)
from atlas.ui.explore_ui import (  # noqa: F401
    read_link as read_explore_link,
)
from atlas.ui.explore_ui import (  # noqa: F401
    write_link as write_explore_link,
)
from atlas.ui.filters import (  # noqa: F401
    FIRST_YEAR,
    LAST_YEAR,
    SHARED_DEFAULTS,
    Filters,
    carry,
    coded_choice,
    coded_tabs,
    empty_message,
    hidden_caption,
    hidden_phrases,
    linked,
    rate_estimates_caption,
    shared_filters_ui,
    url_int_input,
    url_picker,
)
from atlas.ui.frame import (  # noqa: F401
    ICON,
    LOOPBACK,
    local_mode,
    menu_ui,
    page_frame,
)
from atlas.ui.insights import (  # noqa: F401
    lift_outs_dataframe,
    lineage_dataframe,
    lineage_ui,
    money_and_talent_ui,
    rates_ui,
)
from atlas.ui.plots import (  # noqa: F401
    Plot,
    altair_chart,
    plot,
)
from atlas.ui.pull_ui import papers_note, pull_ui  # noqa: F401
from atlas.ui.renderers import (  # noqa: F401
    boomerangs_dataframe,
    certainty_column,
    compare_dataframe,
    counterparts_dataframe,
    dataframe,
    deals_dataframe,
    education_flows_dataframe,
    money_basis,
    moves_dataframe,
    pay_dataframe,
    profile_link_column,
    rounds_dataframe,
    rounds_listed_caption,
    sources_dataframe,
    table_height,
    with_links,
)
from atlas.ui.share import (  # noqa: F401
    STREAMLIT_PARAMS,
    ignored_parameters,
    save_view_ui,
    saved_views_ui,
    share_ui,
    view_query,
)
from atlas.ui.shell import page  # noqa: F401
from atlas.ui.sql_console import (  # noqa: F401
    console_ui,
    download_ui,
)
from atlas.ui.watch_ui import follow_ui, watchlist_ui  # noqa: F401
