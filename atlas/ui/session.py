"""What a reader's session keeps across runs besides its widgets' values: every entry named once,
here, with what it holds. No other module writes a private key of `st.session_state` (a test keeps
it so); a widget keeps its value under its own key, as Streamlit does.

An entry is read with `.get(default)` or `.value`, written with `.value = …`, taken out with
`.pop()`. A function that works on a state of its own (a test's dict) passes it as `state=`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Generic, TypeVar

import streamlit as st

T = TypeVar("T")
_MISSING: Any = object()


class Entry(Generic[T]):
    """One named entry of the session's state."""

    __slots__ = ("about", "key")

    def __init__(self, key: str, about: str) -> None:
        self.key = key
        self.about = about

    @staticmethod
    def _state(state: MutableMapping | None) -> MutableMapping:
        return st.session_state if state is None else state

    def get(self, default: T | None = None, *, state: MutableMapping | None = None) -> T | None:
        return self._state(state).get(self.key, default)

    @property
    def value(self) -> T:
        return st.session_state[self.key]

    @value.setter
    def value(self, value: T) -> None:
        st.session_state[self.key] = value

    def put(self, value: T, *, state: MutableMapping | None = None) -> None:
        """Write the entry (into `state`, else the session's)."""
        self._state(state)[self.key] = value

    def pop(self, default: T | None = None, *, state: MutableMapping | None = None) -> T | None:
        return self._state(state).pop(self.key, default)

    def present(self) -> bool:
        return self.key in st.session_state

    def setdefault(self, default: T) -> T:
        return st.session_state.setdefault(self.key, default)


class Family:
    """Entries of one kind told apart by a suffix (one per watchlist, say)."""

    __slots__ = ("about", "prefix")

    def __init__(self, prefix: str, about: str) -> None:
        self.prefix = prefix
        self.about = about

    def __getitem__(self, suffix: object) -> Entry:
        return Entry(f"{self.prefix}{suffix}", self.about)


# ---------------------------------------------------------------- the frame (atlas.ui.frame)
PAGE: Entry[str] = Entry("_page", "the title of the page this run draws (set first by the frame)")
CAME_FROM: Entry[str | None] = Entry("_came_from", "the page the reader was on before this run's (None: the first)")
VIEW: Entry[Any] = Entry("_view", "this run's view as the link says it (atlas.pages.View), read by the frame")
ASKED: Entry[dict] = Entry("_asked", "what the link asked for on arrival, before any widget corrected it")
ARRIVAL: Entry[int] = Entry("_arrival", "how many times the reader arrived at a page (a page reads its link once)")
NOTICE: Entry[list] = Entry("_notice", "what the link asked for that the page could not take (atlas.ui.share)")
NOTICE_SLOT: Entry[Any] = Entry("_notice_slot", "where the notice is drawn, filled at the end of the run")
REPORT_SLOT: Entry[Any] = Entry("_report_slot", "where the view's Report links go, under the title, filled at the end")
FILTERS: Entry[Any] = Entry("_filters", "this run's shared filters (atlas.ui.filters.Filters)")
SHARED: Entry[dict] = Entry("_shared", "the shared filters' last values, carried over a page switch")
GOTO: Entry[tuple] = Entry("_goto", "a profile a click in a table asked for: (script, [(key, value)])")
OPENED_VIEW: Entry[dict] = Entry("_opened_view", "the saved view a link opened, for its banner")
VIEW_MISSING: Entry[str] = Entry("_view_missing", "a saved view's name a link asked for and none has")
# the language (atlas.i18n): the switch's own value, the last run's, and whether this run switched
LANG_SWITCH: Entry[str] = Entry("_lang_switch", "the language switch's value (a widget key)")
LANG_LAST: Entry[str] = Entry("_lang_last", "the language of the run before")
LANG_SWITCHED: Entry[bool] = Entry("_lang_switched", "whether this run changed the language")

# ---------------------------------------------------------------- pages
EXPLAINED: Entry[dict] = Entry("_explained", "the Explore page's refusals of its link, per key, for the notice")
EXPLORE_READ: Entry[int] = Entry("_explore_read", "the arrival whose link the Explore page has read")
EXPLORE_TABLE: Entry[str] = Entry("_explore_table", "the table the Explore page's filters were made for")
EXPLORE_N: Entry[int] = Entry("_explore_n", "the page size the Explore page's position was counted in")
SANKEY_SEEN: Entry[dict] = Entry("_sankey_seen", "the Sankey's last click and its groups' keys (Talent flows)")
SEARCHED_FOR: Entry[str] = Entry("_searched_for", "the People & firms search of the run before")
OPENED_FOR: Entry[str] = Entry("_opened_for", "the search whose single match was opened as a profile")
TABS_SHOWN: Family = Family("_tabs_shown_", "the label a coded tab widget was last given, per link key")
WATCH_SEEN: Family = Family("_watch_seen_", "a watchlist's items marked seen, per list id")

# ---------------------------------------------------------------- the Data page
STAGED_UPLOAD: Entry[tuple] = Entry("_staged_upload", "the upload staged once per content: (key, Upload)")
CHECKED_UPLOAD: Entry[tuple] = Entry("_checked_upload", "its check per mode and data version: (key, LoadResult)")
COMMITTED_MESSAGE: Entry[str] = Entry("_committed_message", "what the last commit said, shown until new files come")
UPLOAD_GENERATION: Entry[int] = Entry("_upload_generation", "commits so far: a new uploader after each")
UPLOAD_OVERRIDES: Entry[dict] = Entry("_upload_overrides", "a table picked per file")
UPLOAD_ENCODINGS: Entry[dict] = Entry("_upload_encodings", "an encoding picked per file")
UPLOAD_SHEETS: Entry[dict] = Entry("_upload_sheets", "a sheet picked per workbook")
UPLOAD_MAPPINGS: Entry[dict] = Entry("_upload_mappings", "a mapping of columns per file name")
UPLOAD_MAPPINGS_AUTO: Entry[set] = Entry("_upload_mappings_auto", "files a saved mapping was applied to on its own")
MAPPING_SAVED: Entry[str] = Entry("_mapping_saved", "what saving a mapping said")
UNDONE_MESSAGE: Entry[str] = Entry("_undone_message", "what the last undo said")
PULL: Entry[tuple] = Entry("_pull", "the fetched pull: (key, source, asked, Fetched, Matched)")
PULL_CHECKED: Entry[tuple] = Entry("_pull_checked", "its dry run: (key, Rows, LoadResult)")
PULL_COMMITTED: Entry[str] = Entry("_pull_committed", "what the last pull's commit said")
