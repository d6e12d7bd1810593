"""The shared filters (period, certainty, firm kind, currency) and the URL state that carries them:
bound to the link, remembered across pages, and the strict reading of a link's numbers.
"""

from __future__ import annotations

import streamlit as st

from atlas import i18n, labels
from atlas.i18n import N_, _
from atlas.model import FIRM_KINDS, PART_CERTAINTIES
from atlas.money import DISPLAY_CURRENCIES
from atlas.pages import FIRST_YEAR, LAST_YEAR, SHARED, SHARED_KEYS, encode_shared
from atlas.ui import link, session
from atlas.viewdata import Filters

# The filters that mean the same on every page, by widget key, with their defaults (atlas.pages).
SHARED_DEFAULTS = {p.name: p.default for p in SHARED}


def _restore_shared_filters(page: str) -> bool:
    """Carry the shared filters over a page switch; True when something was put back.

    Streamlit clears the query string when the analyst moves to another page, and a bound
    widget then starts from its default. The frame remembers the last values of the shared
    filters in session state and, on arriving at a page whose URL does not set them, puts
    them back before the widgets are drawn. A link that sets them wins.
    """
    came_from = session.CAME_FROM.get()
    if came_from is None or came_from == page:
        return False
    carried = session.SHARED.get({})
    restored = False
    for key in SHARED_KEYS:
        value = carried.get(key)
        if value is None or link.present(key) or _same(value, SHARED_DEFAULTS[key]):
            continue
        # Written into the new page's URL and session state before its widget exists: the
        # widget starts from it, and the address shows it.
        link.put(key, value)
        st.session_state[key] = value
        restored = True
    return restored


def _same(a, b) -> bool:
    return (list(a) if isinstance(a, list | tuple) else a) == (list(b) if isinstance(b, list | tuple) else b)


def _remember_shared_filters() -> None:
    session.SHARED.value = {key: st.session_state[key] for key in SHARED_KEYS if key in st.session_state}


def kept_filters(page: str) -> Filters:
    """On a page the shared filters do not apply to (Data, Explore): none is drawn; they are kept
    as the analyst set them (a link's own values too) for the next page, and the sidebar says so."""
    carried = dict(session.SHARED.get({}))
    view = session.VIEW.get()
    for p in SHARED:  # a link that sets them: taken on for the pages they apply to
        if view is not None and view.asked.get(p.name) and view.ok[p.name]:
            carried[p.name] = view.values[p.name]
    session.SHARED.value = carried
    with st.sidebar:
        st.markdown("#### " + _("Filters"))
        st.caption(
            _(
                "The period, certainty, firm kind and currency filters do not apply to this page. They are kept "
                "as you set them for the other pages."
            )
        )
    return Filters.from_values(carried)


def shared_filters_ui(page: str = "") -> Filters:
    """Period, minimum certainty, firm kind and display currency, bound to the URL."""
    _restore_shared_filters(page)
    with st.sidebar:
        st.markdown("#### " + _("Filters"))
        link.seed("period")
        start, end = st.slider(
            _("Period (year of the move, offer or round)"),
            min_value=FIRST_YEAR,
            max_value=LAST_YEAR,
            value=SHARED_DEFAULTS["period"],  # a range: two years
            key="period",
            persist_state="session",
            help=_("Facts whose article gives no date are shown only while the whole period is selected."),
        )
        # the link holds the code (certainty=reported) in every language; the reader sees its label
        certainty = coded_choice(
            st.selectbox,
            _("Minimum certainty"),
            PART_CERTAINTIES[::-1],
            labels.CERTAINTIES,
            key="certainty",
            persist_state="session",
            help=_(
                "rumor shows everything; inferred hides rumors; reported also hides what the articles imply "
                "without stating; confirmed keeps only own statements and official announcements. "
                "confirmed: the person's own statement or an official announcement; reported: stated by the "
                "article or attributed to other media; inferred: a part of a fact worked out from what the "
                "article states (an origin, a year), with a note saying how; rumor: anonymous insiders. "
                "Each count uses the certainty of what it counts: a move whose origin is inferred is a gain "
                "at reported, and a loss only at inferred."
            ),
        )
        # labels shown ("AI startup"), codes in the link (kinds=ai_startup)
        kinds = url_picker(
            st,
            _("Firm kind"),
            list(FIRM_KINDS),
            labels.FIRM_KINDS,
            key="kinds",
            multi=True,
            persist_state="session",
            placeholder=_("All kinds"),
            help=_("A move matches when the firm it leaves or joins is of a selected kind."),
        )
        link.seed("currency")
        currency = st.selectbox(
            _("Display currency"),
            DISPLAY_CURRENCIES,
            key="currency",
            persist_state="session",
            help=_("Amounts are converted with the yearly average rate of the year they were reported."),
        )
    link.put("period", (start, end))
    link.put("currency", currency)
    _remember_shared_filters()
    return Filters.from_values({"period": (start, end), "certainty": certainty, "kinds": kinds, "currency": currency})


def url_int_input(label: str, *, key: str, help: str) -> int:
    """A whole-number input kept in the URL under `key`, its bounds and default as declared."""
    p = link.declared(key)
    link.seed(key)
    value = int(st.number_input(label, min_value=p.lo, max_value=p.hi, step=1, key=key, help=help))
    link.put(key, value)
    return value


def linked(widget, *args, key: str, options=None, **kwargs):
    """A plain widget (text, slider, multiselect, toggle) kept in the URL under `key`: it starts
    from the link's value as declared, and the value it holds is written back on every run."""
    link.seed(key, options)
    value = widget(*args, *([] if options is None else [options]), key=key, **kwargs)
    link.put(key, value)
    return value


def carry() -> list[tuple[str, str]]:
    """The shared filters that differ from their defaults, as query parameters for links."""
    f: Filters = session.FILTERS.get(Filters())
    values = {
        "period": (f.start_year, f.end_year),
        "certainty": f.min_certainty,
        "kinds": list(f.kinds),
        "currency": f.currency,
    }
    return encode_shared(values, i18n.language())


_CERTAINTY_WORDS = {
    "rumor": N_("rumored"),
    "inferred": N_("inferred"),
    "reported": N_("reported"),
    "confirmed": N_("confirmed"),
}


def hidden_phrases(hidden, nouns: tuple[str, str]) -> list[str]:
    """What the certainty and period filters hide, in words: rows of a hidden_* query in,
    phrases like '4 rumored pay figures hidden by the certainty filter' out (`nouns`: the
    English singular and plural, translated here)."""
    one, many = nouns
    out = []
    for r in hidden.itertuples():
        n = int(r.n)
        noun = _(one) if n == 1 else _(many)
        if r.reason == "certainty":
            word = _(_CERTAINTY_WORDS[r.certainty]) if r.certainty in _CERTAINTY_WORDS else r.certainty
            out.append(
                _("{n} {certainty} {noun} hidden by the certainty filter").format(n=f"{n:,}", certainty=word, noun=noun)
            )
        elif r.reason == "origin":
            word = _(_CERTAINTY_WORDS[r.certainty]) if r.certainty in _CERTAINTY_WORDS else r.certainty
            out.append(
                _("the origin of {n} {noun} (only {certainty}: they count from an unknown origin)").format(
                    n=f"{n:,}", noun=noun, certainty=word
                )
            )
        else:
            out.append(
                _("{n} {noun} outside the period or undated hidden by the period filter").format(n=f"{n:,}", noun=noun)
            )
    return out


def hidden_caption(hidden, nouns: tuple[str, str]) -> None:
    """A caption saying what the certainty and period filters hide; nothing when they hide nothing."""
    phrases = hidden_phrases(hidden, nouns)
    if phrases:
        st.caption(_("Not shown: {what}.").format(what=_("; ").join(phrases)))


def empty_message(hidden, nouns: tuple[str, str], otherwise: str) -> str:
    """Why a panel is empty: the certainty or period filter when they hide its facts (saying how
    many), else `otherwise` (the other filters)."""
    phrases = hidden_phrases(hidden, nouns)
    if phrases:
        return _("No {noun} match: {what}. Widen that filter to see them.").format(
            noun=_(nouns[1]), what=_("; ").join(phrases)
        )
    return otherwise


def relabel(*keys: str) -> None:
    """On the run after a language switch, give these widgets their values again: the browser
    shows a choice by its text, and the old language's text is not among the new options (a radio
    would show nothing picked). Setting a key before its widget makes Streamlit send the value."""
    if not session.LANG_SWITCHED.get():
        return
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def coded_choice(widget, label: str, options, names, *, key: str, **kwargs):
    """A one-of choice (selectbox, radio, segmented control) that shows labels in the reader's
    language and keeps codes in the URL (certainty=reported, grain=quarter), whatever the language.

    A bound widget writes its shown text into the URL, so a translated one would change the link
    with the language. This one is synced by hand, like `url_picker`: on its first run it takes the
    link's code (an unknown one is left out, and the page's notice says so); on every run it writes
    the code it holds back into the address (the default leaves it out)."""
    options = list(options)
    link.seed(key, options)
    relabel(key)
    # bound to this run's language: Streamlit may call it later, elsewhere (AppTest does)
    value = widget(label, options, format_func=i18n.bound(lambda v: names.get(v, v)), key=key, **kwargs)
    link.put(key, value)
    return value


def coded_tabs(codes: tuple[str, ...], *, key: str):
    """Tabs whose labels are in the reader's language while the link keeps the English label as the
    code (tab=Firms, tab=SQL+console), so a link opens the same tab in either language. `codes`
    are English catalog messages; the first is the default (left out of the address)."""
    by_label = {i18n.in_language(lang, code): code for lang in i18n.LANGUAGES for code in codes}
    widget = f"_{key}_tabs"  # the tabs' own widget key
    shown = session.TABS_SHOWN[key]
    if st.session_state.get(key) not in codes:
        st.session_state[key] = link.initial(key, codes)
    clicked = by_label.get(st.session_state.get(widget))
    if clicked is not None and shown.get() == st.session_state.get(widget):
        clicked = None  # the widget still holds what it was given: the link or the code decides
    code = clicked or st.session_state[key]
    st.session_state[key] = code
    st.session_state[widget] = _(code)
    shown.value = _(code)
    tabs = st.tabs([_(c) for c in codes], key=widget, on_change="rerun")
    link.put(key, code)
    return tabs


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
    if default is not None:
        assert link.declared(key).data_default, f"{key}: a default from the data is declared so (atlas.pages)"
        default = [v for v in default if v in set(options)]
    if key not in st.session_state:
        if default is None:
            st.session_state[key] = link.initial(key, options)
        else:
            st.session_state[key] = link.initial(key, options, default)

    relabel(key)

    @i18n.bound  # in this run's language, wherever Streamlit calls it
    def shown(v: str) -> str:
        return names.get(v, v)

    if multi:
        value = box.multiselect(label, options, format_func=shown, key=key, **kwargs)
        if default is None:
            link.put(key, [str(v) for v in value])
        else:
            link.put(key, [str(v) for v in value], default)
        return value
    value = box.selectbox(label, options, format_func=shown, key=key, index=None, **kwargs)
    link.put(key, value or None)
    return value


def rate_estimates_caption(estimates) -> None:
    """A caption naming the exchange rates a view converts with that are estimates (rows of
    queries/rate_estimates.sql); nothing when none is."""
    if estimates.empty:
        return
    rates = ", ".join(f"{r.currency} {r.year}" for r in estimates.itertuples())
    st.caption(
        _(
            "The exchange rates of {rates} are estimates (the year was not closed or its average not published "
            "when the data was built): amounts converted with them may still move."
        ).format(rates=rates)
    )
