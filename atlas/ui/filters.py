"""The shared filters (period, certainty, firm kind, currency) and the URL state that carries them:
bound to the link, remembered across pages, and the strict reading of a link's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from atlas import labels
from atlas.model import CERTAINTIES, FIRM_KINDS
from atlas.money import DISPLAY_CURRENCIES
from atlas.pages import SHARED_KEYS
from atlas.urlvalues import parse_int

FIRST_YEAR = 2000


LAST_YEAR = 2026


@dataclass(frozen=True)
class Filters:
    """The shared filters as the queries take them."""

    start_year: int = FIRST_YEAR
    end_year: int = LAST_YEAR
    min_certainty: str = "rumor"
    kinds: tuple[str, ...] = ()
    currency: str = "USD"

    @property
    def include_undated(self) -> bool:
        """Undated facts are shown only while the period is not narrowed."""
        return self.start_year <= FIRST_YEAR and self.end_year >= LAST_YEAR

    @property
    def certainty_phrase(self) -> str:
        """The certainty filter in words, for captions."""
        return {
            "rumor": "every certainty (rumors included)",
            "reported": "reported or confirmed facts",
            "confirmed": "confirmed facts only",
        }[self.min_certainty]

    @property
    def period_phrase(self) -> str:
        """The period filter in words, for captions."""
        if self.include_undated:
            return "every year, undated facts included"
        if self.start_year == self.end_year:
            return f"{self.start_year} (undated facts left out)"
        return f"{self.start_year}–{self.end_year} (undated facts left out)"

    def params(self) -> dict:
        """The bound parameters shared by the filtered queries."""
        return {
            "start_year": self.start_year,
            "end_year": self.end_year,
            "include_undated": self.include_undated,
            "min_certainty": self.min_certainty,
            "kinds": list(self.kinds),
            "currency": self.currency,
        }


# The filters that mean the same on every page, by widget key, with their defaults.
SHARED_DEFAULTS = {"period": (FIRST_YEAR, LAST_YEAR), "certainty": "rumor", "kinds": [], "currency": "USD"}


def _restore_shared_filters(page: str) -> bool:
    """Carry the shared filters over a page switch; True when something was put back.

    Streamlit clears the query string when the analyst moves to another page, and a bound
    widget then starts from its default. The frame remembers the last values of the shared
    filters in session state and, on arriving at a page whose URL does not set them, puts
    them back before the widgets are drawn. A link that sets them wins.
    """
    came_from = st.session_state.get("_page")
    st.session_state["_page"] = page
    if came_from is None or came_from == page:
        return False
    carried = st.session_state.get("_shared", {})
    restored = False
    for key in SHARED_KEYS:
        value = carried.get(key)
        if value is None or key in st.query_params or _same(value, SHARED_DEFAULTS[key]):
            continue
        # Written into the new page's URL and session state before its widget exists: the
        # bound widget starts from it, and the address shows it.
        st.query_params[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
        st.session_state[key] = value
        restored = True
    return restored


def _same(a, b) -> bool:
    return (list(a) if isinstance(a, list | tuple) else a) == (list(b) if isinstance(b, list | tuple) else b)


def _remember_shared_filters() -> None:
    st.session_state["_shared"] = {key: st.session_state[key] for key in SHARED_KEYS if key in st.session_state}


def shared_filters_ui(page: str = "") -> Filters:
    """Period, minimum certainty, firm kind and display currency, bound to the URL."""
    _restore_shared_filters(page)
    with st.sidebar:
        st.markdown("#### Filters")
        start, end = st.slider(
            "Period (year of the move, offer or round)",
            min_value=FIRST_YEAR,
            max_value=LAST_YEAR,
            value=(FIRST_YEAR, LAST_YEAR),
            key="period",
            bind="query-params",
            persist_state="session",
            help="Facts whose article gives no date are shown only while the whole period is selected.",
        )
        # Bound widgets write their option text into the URL, so options are the data's own
        # words (no format_func): links stay short, stable and match the CSV vocabulary.
        certainty = st.selectbox(
            "Minimum certainty",
            CERTAINTIES[::-1],
            key="certainty",
            bind="query-params",
            persist_state="session",
            help="rumor shows everything; reported hides rumors; confirmed keeps only own statements and "
            "official announcements. confirmed: the person's own statement or an official announcement; "
            "reported: stated by the article or attributed to other media; rumor: anonymous insiders.",
        )
        # labels shown ("AI startup"), codes in the link (kinds=ai_startup)
        kinds = url_picker(
            st,
            "Firm kind",
            list(FIRM_KINDS),
            labels.FIRM_KINDS,
            key="kinds",
            multi=True,
            default=[],
            persist_state="session",
            placeholder="All kinds",
            help="A move matches when the firm it leaves or joins is of a selected kind.",
        )
        currency = st.selectbox(
            "Display currency",
            DISPLAY_CURRENCIES,
            key="currency",
            bind="query-params",
            persist_state="session",
            help="Amounts are converted with the yearly average rate of the year they were reported.",
        )
    _remember_shared_filters()
    return Filters(int(start), int(end), certainty, tuple(kinds), currency)


def url_int_input(label: str, *, key: str, lo: int, hi: int, default: int, help: str) -> int:
    """A whole-number input kept in the URL under `key`, its link value read by `parse_int`."""
    if key not in st.session_state:
        asked = st.query_params.get_all(key)
        value = parse_int(asked[0], lo, hi) if len(asked) == 1 else None
        st.session_state[key] = default if value is None else value
    value = int(st.number_input(label, min_value=lo, max_value=hi, step=1, key=key, help=help))
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    return value


def carry() -> list[tuple[str, str]]:
    """The shared filters that differ from their defaults, as query parameters for links."""
    f: Filters = st.session_state.get("_filters", Filters())
    out: list[tuple[str, str]] = []
    if (f.start_year, f.end_year) != (FIRST_YEAR, LAST_YEAR):
        out += [("period", str(f.start_year)), ("period", str(f.end_year))]
    if f.min_certainty != "rumor":
        out.append(("certainty", f.min_certainty))
    out += [("kinds", k) for k in f.kinds]
    if f.currency != "USD":
        out.append(("currency", f.currency))
    return out


_CERTAINTY_WORDS = {"rumor": "rumored", "reported": "reported", "confirmed": "confirmed"}


def hidden_phrases(hidden, nouns: tuple[str, str]) -> list[str]:
    """What the certainty and period filters hide, in words: rows of a hidden_* query in,
    phrases like '4 rumored pay figures hidden by the certainty filter' out."""
    one, many = nouns
    out = []
    for r in hidden.itertuples():
        n = int(r.n)
        noun = one if n == 1 else many
        if r.reason == "certainty":
            out.append(f"{n:,} {_CERTAINTY_WORDS.get(r.certainty, r.certainty)} {noun} hidden by the certainty filter")
        else:
            out.append(f"{n:,} {noun} outside the period or undated hidden by the period filter")
    return out


def hidden_caption(hidden, nouns: tuple[str, str]) -> None:
    """A caption saying what the certainty and period filters hide; nothing when they hide nothing."""
    phrases = hidden_phrases(hidden, nouns)
    if phrases:
        st.caption("Not shown: " + "; ".join(phrases) + ".")


def empty_message(hidden, nouns: tuple[str, str], otherwise: str) -> str:
    """Why a panel is empty: the certainty or period filter when they hide its facts (saying how
    many), else `otherwise` (the other filters)."""
    phrases = hidden_phrases(hidden, nouns)
    if phrases:
        return f"No {nouns[1]} match: " + "; ".join(phrases) + ". Widen that filter to see them."
    return otherwise


def url_picker(
    box,
    label: str,
    options: list[str],
    names: dict[str, str],
    *,
    key: str,
    multi: bool = False,
    default: list[str] | None = None,
    **kwargs,
):
    """A picker that shows names (English and Chinese) and keeps ids in the URL.

    Streamlit's bound widgets write the *shown* text of an option into the URL, so a picker with
    names would put names in links. This one is synced by hand instead: on its first run it takes
    the link's ids (unknown ones are left out, and the page's notice says so), and on every run it
    writes the ids it holds back into the address. `default` (multi) is what an empty link means;
    a link that clears it says so with an empty value (`?compare=`).
    """
    known = set(options)
    if key not in st.session_state:
        asked = st.query_params.get_all(key)
        if multi:
            if asked == [""]:
                st.session_state[key] = []
            elif asked:
                st.session_state[key] = [v for v in dict.fromkeys(asked) if v in known]
            elif default:
                st.session_state[key] = [v for v in default if v in known]
        elif asked and asked[-1] in known:
            st.session_state[key] = asked[-1]

    def shown(v: str) -> str:
        return names.get(v, v)

    if multi:
        value = box.multiselect(label, options, format_func=shown, key=key, **kwargs)
        ids = [str(v) for v in value]
        if ids == list(default or []):
            st.query_params.pop(key, None)
        elif not ids and default:
            st.query_params[key] = ""
        else:
            st.query_params[key] = ids
        return value
    value = box.selectbox(label, options, format_func=shown, key=key, index=None, **kwargs)
    if value:
        st.query_params[key] = str(value)
    else:
        st.query_params.pop(key, None)
    return value
