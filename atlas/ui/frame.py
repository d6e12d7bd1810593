"""The page frame every page starts with: page config, the menu, the title, the banners of a link
(a saved view, data changed since) and the shared filters.
"""

from __future__ import annotations

import gc
from pathlib import Path
from urllib.parse import parse_qsl

import streamlit as st

from atlas import cache, i18n, labels
from atlas.escape import md, short
from atlas.i18n import _
from atlas.pages import BY_TITLE, LANG_KEY, PAGES, filtered
from atlas.ui import auth, link, session
from atlas.ui.filters import Filters, kept_filters, relabel, shared_filters_ui
from atlas.urlvalues import parse_int

ICON = Path(__file__).parent / "assets" / "icon.png"


def menu_ui(current: str) -> None:
    """The navigation menu in the sidebar, drawn from PAGES."""
    with st.sidebar:
        st.markdown("### " + _("Talent Atlas"))
        language_ui()
        for page in PAGES:
            st.page_link(page.script, label=page.label, icon=page.icon, disabled=page.title == current)
        if local_mode() and not auth.team_mode():
            st.caption(":material/lock: " + _("Local mode: only this computer can open it."))
    auth.account_ui()


# On a narrow screen (under 1000 px) the sidebar starts collapsed the first time, so the charts get
# the width; Streamlit's own "auto" keeps it open down to 768 px. Once the reader opens or closes
# it, Streamlit remembers that choice (localStorage) and this leaves it alone. A zero-height
# component (same origin) runs the check in the reader's browser: no request leaves the app.
_COLLAPSE_ON_NARROW = """<script>
const p = window.parent;
try {
  if (p.innerWidth < 1000 && p.localStorage.getItem("stSidebarCollapsed-") === null) {
    const b = p.document.querySelector('button[aria-label="Collapse sidebar"]');
    if (b) { b.click(); }
  }
} catch (e) { /* another origin: leave the sidebar as Streamlit drew it */ }
</script>"""


def read_language(arriving: bool) -> str:
    """This run's language, set before any text is drawn: the link's `lang` when the reader arrives
    at a page (a shared link opens in the sender's language), else the session's (it follows the
    reader from page to page), else English. The address always says it (`lang=zh`; English is
    the default and leaves it out). An unknown value is left out and the page's notice says so."""
    if arriving:
        asked = link.asked(LANG_KEY)
        if asked and asked[-1] in i18n.LANGUAGES:
            st.session_state[LANG_KEY] = asked[-1]
    lang = i18n.set_language(st.session_state.get(LANG_KEY, i18n.DEFAULT))
    st.session_state[LANG_KEY] = lang
    # a widget whose options read in the language (format_func) keeps, in the browser, the text it
    # showed: on the run after a switch, each such widget is given its value again (see `relabel`)
    session.LANG_SWITCHED.value = session.LANG_LAST.get(lang) != lang
    session.LANG_LAST.value = lang
    if session.LANG_SWITCHED.value:
        # the pickers of the Explore and Data pages that show their options in words
        fixed = ("table", "example", "upload_mode", "merge_kind", "dict_table")
        prefixed = ("sort_col_", "upload_table_", "upload_encoding_")
        relabel(*fixed, *(k for k in list(st.session_state) if isinstance(k, str) and k.startswith(prefixed)))
    if lang == i18n.DEFAULT:
        link.drop(LANG_KEY)
    else:
        link.write_raw(LANG_KEY, [lang])
    return lang


def _switch_language() -> None:
    chosen = session.LANG_SWITCH.get()
    if chosen in i18n.LANGUAGES:
        st.session_state[LANG_KEY] = chosen


def language_ui() -> None:
    """English / 中文, in both languages (a reader who cannot read the one shown still finds it).
    The view and its link stay as they are: only `lang` changes."""
    session.LANG_SWITCH.value = i18n.language()
    st.segmented_control(
        "Language · 语言",
        tuple(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.get,
        key=session.LANG_SWITCH.key,
        required=True,
        on_change=_switch_language,
        label_visibility="collapsed",
    )


def collapse_sidebar_on_narrow_screens() -> None:
    with st.sidebar:
        st.iframe(_COLLAPSE_ON_NARROW, height=1)


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def local_mode() -> bool:
    """True when the server listens on this computer's loopback address only (the default)."""
    return str(st.get_option("server.address") or "") in LOOPBACK


def _open_saved_view() -> None:
    """?view=<slug> opens the saved page with its filters (an unknown slug is reported)."""
    slug = (link.asked("view") or [""])[-1]
    if not slug:
        return
    found = cache.query_fresh("saved_view", slug=str(slug)[:60])
    if found.empty:
        session.VIEW_MISSING.value = str(slug)[:60]
        link.drop("view")
        return
    view = found.iloc[0]
    script = BY_TITLE[view.page].script if view.page in BY_TITLE else "app.py"
    session.OPENED_VIEW.value = {
        "name": view["name"],
        "saved_by": view.saved_by,
        "note": view.note,
        "data_version": int(view.data_version),
    }
    link.switch(script, parse_qsl(view.query, keep_blank_values=True))


def _open_clicked_profile(title: str) -> None:
    """A name clicked in a table (renderers.dataframe) opens its profile in this tab, with the
    profile in the link like any other view: on the profile page itself by changing the link in
    place (its bound filters stay in the address), from another page by a page switch (the frame
    carries the shared filters over)."""
    goto = session.GOTO.pop()
    if not goto:
        return
    script, pairs = goto
    for picker in ("person", "firm"):  # the profile pickers take the new link, not what they held
        st.session_state.pop(picker, None)
    if title in BY_TITLE and BY_TITLE[title].script == script:
        for picker in ("person", "firm"):
            link.drop(picker)
        for key, value in pairs:
            link.write_raw(key, [value])
        return
    link.switch(script, pairs)


_frozen = False


def _freeze_start_up() -> None:
    """Once per process, at the first page run: move everything start-up made (the modules of
    Streamlit, pandas, Altair, DuckDB and ours) out of the garbage collector's reach, so the
    collections Python still makes (the full one after each run is off: .streamlit/config.toml)
    walk only what the runs themselves allocate."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def page_frame(title: str, caption: str = "") -> Filters:
    """Start a page: config, menu, title and the shared filters; returns the filters."""
    _freeze_start_up()
    came_from = session.PAGE.get()
    arriving = came_from != title
    read_language(arriving)  # before any text
    # a file of ours: a Material icon as page_icon makes every page fetch it from Google's font host
    label = BY_TITLE[title].label if title in BY_TITLE else _(title)
    st.set_page_config(page_title=f"{label} · {_('Talent Atlas')}", page_icon=str(ICON), layout="wide")
    cache.pin_snapshot()  # every query of this run reads one data version (see atlas.cache)
    if i18n.language() == "zh":  # the sources' descriptions in Chinese, for every citation of the run
        titles = cache.query("source_titles_zh")
        labels.set_source_titles(dict(zip(titles["title"], titles["title_zh"], strict=True)))
    auth.gate()
    # from here on this run draws `title` (atlas.ui.link reads its parameters' declarations by it)
    session.CAME_FROM.value = came_from
    session.PAGE.value = title
    _open_saved_view()
    _open_clicked_profile(title)
    if arriving:
        # what the link asked for, before any widget corrects it (checked in share_ui)
        session.ASKED.value = link.everything()
        cache.note_view(BY_TITLE[title].url_path if title in BY_TITLE else "", session.ASKED.get({}))
        session.ARRIVAL.value = session.ARRIVAL.get(0) + 1  # pages that read the link once
        session.NOTICE.pop()
    link.read_view()  # the link, read once by the one parser: the widgets start from it
    menu_ui(title)
    filters = shared_filters_ui(title) if filtered(title) else kept_filters(title)
    session.FILTERS.value = filters
    st.title(label)
    if caption:
        st.caption(_(caption))
    session.REPORT_SLOT.value = st.empty()  # the view as a document: its links need the whole view
    _saved_view_banner()
    _data_changed_banner(session.ASKED.get({}))
    # filled at the end of the run, once every widget has taken or refused its URL value
    session.NOTICE_SLOT.value = st.empty()
    return filters


def _data_changed_banner(asked: dict[str, list[str]]) -> None:
    """A link made on an older data version says how many loads came in since and where."""
    values = asked.get("v", [])
    made_on = parse_int(values[0], lo=0) if len(values) == 1 else None
    if made_on is None:
        return
    now = cache.version()[0]
    if made_on >= now:
        return
    since = cache.query_fresh("uploads_since", version=made_on).iloc[0]
    st.info(
        _(
            "This link was made on data version {made_on}; the data is now at version {now}. "
            "{n} load(s) came in between, touching: {tables}. Numbers may differ from what the sender saw."
        ).format(made_on=made_on, now=now, n=int(since.n_uploads), tables=since.tables or _("no table")),
        icon=":material/update:",
    )


def _saved_view_banner() -> None:
    missing = session.VIEW_MISSING.pop()
    if missing:
        st.warning(
            _("There is no saved view called “{name}” (it may have been deleted).").format(name=md(short(missing, 60))),
            icon=":material/link_off:",
        )
    opened = session.OPENED_VIEW.pop()
    if opened:
        text = _("Saved view **{name}**, saved by {who}").format(name=md(opened["name"]), who=md(opened["saved_by"]))
        if opened.get("note"):
            text += f" — {md(opened['note'])}"
        now = cache.version()[0]
        if now != opened["data_version"]:
            text += _(". The data has changed since it was saved (version {then} → {now}).").format(
                then=opened["data_version"], now=now
            )
        st.info(text, icon=":material/bookmark:")
