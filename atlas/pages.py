"""The one list of the app's pages: script, menu title, icon and the link parameters each reads.

The menu, the share link (which keys make a view), the benchmark and the tests all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.i18n import N_, _

# The interface's language (atlas.i18n): part of every page's link, `lang=zh`, absent for English.
LANG_KEY = "lang"

# The filters that mean the same on every page (they follow the analyst from page to page).
SHARED_KEYS = ("period", "certainty", "kinds", "currency")


@dataclass(frozen=True)
class Page:
    """One page of the app."""

    script: str  # relative to the project root; app.py is the Overview
    title: str  # the English title: the page's name in code, saved views and the catalog
    icon: str
    keys: tuple[str, ...]  # the URL-bound widget keys it draws, shared filters first
    # whether the shared filters apply to it: a page they do not apply to does not draw them,
    # and keeps them as they were set for the next page
    filtered: bool = True

    @property
    def label(self) -> str:
        """The title in the reader's language."""
        return _(self.title)

    @property
    def url_path(self) -> str:
        """The path Streamlit serves it at: pages/2_Pay_offers.py -> /Pay_offers."""
        if self.script == "app.py":
            return "/"
        return "/" + self.script.split("/")[-1].removesuffix(".py").split("_", 1)[1]


PAGES: tuple[Page, ...] = (
    Page("app.py", N_("Overview"), ":material/dashboard:", SHARED_KEYS),
    Page(
        "pages/1_Talent_flows.py",
        N_("Talent flows"),
        ":material/swap_horiz:",
        (*SHARED_KEYS, "level", "search", "countries", "top", "min_n", "focus", "grain", "boom", "img", "cell"),
    ),
    Page(
        "pages/2_Pay_offers.py",
        N_("Pay offers"),
        ":material/payments:",
        (*SHARED_KEYS, "firms", "pay_kinds", "outcomes", "constant"),
    ),
    Page(
        "pages/3_Funding.py",
        N_("Funding"),
        ":material/account_balance:",
        (*SHARED_KEYS, "countries", "round_types", "statuses", "compare"),
    ),
    Page(
        "pages/4_People_and_firms.py",
        N_("People & firms"),
        ":material/groups:",
        (*SHARED_KEYS, "q", "person", "firm", "subs", "tab"),
    ),
    Page("pages/5_Data.py", N_("Data"), ":material/database:", (), filtered=False),
    Page(
        "pages/6_Explore.py",
        N_("Explore"),
        ":material/table_view:",
        ("tab", "table", "f", "sort", "n", "after", "before", "row", "sql"),
        filtered=False,
    ),
)
BY_TITLE = {p.title: p for p in PAGES}
N_("Talent Atlas")  # the app's name, translated where it is shown


def filtered(title: str) -> bool:
    """Whether the shared filters apply to the page called `title`."""
    page = BY_TITLE.get(title)
    return page.filtered if page else True


def keys_of(title: str) -> tuple[str, ...]:
    """The link parameters of the page called `title` (the shared ones for an unknown title)."""
    page = BY_TITLE.get(title)
    return (LANG_KEY, *(page.keys if page else SHARED_KEYS))
