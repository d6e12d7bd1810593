"""Page-level data the controls and renderers need beyond one query: fetched here, through the
cache, by the pages, and handed to the widgets (which run no query themselves)."""

from __future__ import annotations

import pandas as pd

from atlas import cache

PICKER_LIMIT = 1000  # the firms a picker lists: the most active ones, plus any a link names
ROUNDS_LISTED = 2000  # the rounds and deals a Funding view lists, largest first
PAY_LISTED = 2000  # the pay figures a view lists (and, below that many, draws one by one)


def firm_picker_options(query_name: str, picked: list[str]) -> pd.DataFrame:
    """The options of a firm picker: the most active firms, and the ones picked (by the widget,
    or on the first run by the link, so a shared link naming a less active firm keeps it)."""
    # the most active firms, one cached list whatever is picked; then any picked firm not in it
    top = cache.query(query_name, limit=PICKER_LIMIT, include=[])
    missing = sorted({str(v) for v in picked or []} - set(top["firm_id"]))
    if not missing:
        return top
    return pd.concat([top, cache.query(query_name, limit=0, include=missing)], ignore_index=True)


def rows_of(table: str) -> int:
    """How many rows a table of the data model holds (the same count the Data page lists)."""
    counts = cache.query("table_counts")
    return int(counts.loc[counts["table_name"] == table, "n_rows"].iloc[0])


def rounds_found(listed: pd.DataFrame, params: dict) -> int:
    """How many rounds the filters select: the listed ones, or (when the list is full) a count
    by a query of its own."""
    if len(listed) < ROUNDS_LISTED:
        return len(listed)
    return int(cache.query("funding_rounds_count", **params).iloc[0, 0])


def entity_options(entity: str, search: str, selected: str, limit: int) -> pd.DataFrame:
    """The options of a profile or merge picker (`id`, `label`): the people (or firms) whose name
    matches `search`, the most active first, at most `limit`, plus the one already `selected`.
    With no search, the people who moved are enough unless there are fewer than `limit` of them:
    only then are those who never moved read too (a join over every person)."""
    params = {"entity": entity, "search": search, "selected": selected, "limit": limit}
    found = cache.query("entity_search", **params, unmoved=False)
    if entity == "person" and not search and (found["id"] != selected).sum() < limit:
        found = cache.query("entity_search", **params, unmoved=True)
    return found
