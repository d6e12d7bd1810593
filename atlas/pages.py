"""The one list of the app's pages: script, menu title, icon and the link parameters each reads.

The menu, the share link (which keys make a view), the benchmark and the tests all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

# The filters that mean the same on every page (they follow the analyst from page to page).
SHARED_KEYS = ("period", "certainty", "kinds", "currency")


@dataclass(frozen=True)
class Page:
    """One page of the app."""

    script: str  # relative to the project root; app.py is the Overview
    title: str
    icon: str
    keys: tuple[str, ...]  # the URL-bound widget keys it draws, shared filters first

    @property
    def url_path(self) -> str:
        """The path Streamlit serves it at: pages/2_Pay_offers.py -> /Pay_offers."""
        if self.script == "app.py":
            return "/"
        return "/" + self.script.split("/")[-1].removesuffix(".py").split("_", 1)[1]


PAGES: tuple[Page, ...] = (
    Page("app.py", "Overview", ":material/dashboard:", SHARED_KEYS),
    Page(
        "pages/1_Talent_flows.py",
        "Talent flows",
        ":material/swap_horiz:",
        (*SHARED_KEYS, "level", "search", "countries", "top", "min_n", "focus", "grain", "boom", "img", "cell"),
    ),
    Page(
        "pages/2_Pay_offers.py",
        "Pay offers",
        ":material/payments:",
        (*SHARED_KEYS, "firms", "pay_kinds", "outcomes", "constant"),
    ),
    Page(
        "pages/3_Funding.py",
        "Funding",
        ":material/account_balance:",
        (*SHARED_KEYS, "countries", "round_types", "statuses", "compare"),
    ),
    Page(
        "pages/4_People_and_firms.py",
        "People & firms",
        ":material/groups:",
        (*SHARED_KEYS, "q", "person", "firm", "subs", "tab"),
    ),
    Page("pages/5_Data.py", "Data", ":material/database:", SHARED_KEYS),
    Page(
        "pages/6_Explore.py",
        "Explore",
        ":material/table_view:",
        (*SHARED_KEYS, "tab", "table", "f", "sort", "n", "after", "before", "row", "sql"),
    ),
)
BY_TITLE = {p.title: p for p in PAGES}


def keys_of(title: str) -> tuple[str, ...]:
    """The link parameters of the page called `title` (the shared ones for an unknown title)."""
    page = BY_TITLE.get(title)
    return page.keys if page else SHARED_KEYS
