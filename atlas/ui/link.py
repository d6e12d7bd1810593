"""The keeper of the link: the one module that reads and writes the address's query parameters.

Every page declares its link parameters once (`atlas.pages`: name, kind, default, what a good
value is). Here each widget starts from the address's value as one parser reads it (`initial`, `seed`:
atlas.pages.Param.parse) and one writer puts the value it holds back into the address on every run
(`put`), leaving a default out; what a link asked for and the page could not take is said by the
share box's notice (atlas.ui.share). A page switch (`switch`) and the language (`lang`) go through here too.
"""

from __future__ import annotations

import streamlit as st

from atlas import urlvalues
from atlas.pages import Param, View, param_of
from atlas.ui import session

_MISSING = object()


def page() -> str:
    """The title of the page this run draws (set by the frame before any widget)."""
    return session.PAGE.get("Overview")


def declared(key: str) -> Param:
    """The declaration of this page's link parameter `key` (an undeclared key is a bug)."""
    found = param_of(page(), key)
    if found is None:
        raise KeyError(f"{key!r} is not a link parameter of the page {page()!r}: declare it in atlas/pages.py")
    return found


# ---------------------------------------------------------------- reading


def asked(key: str) -> list[str]:
    """The values the address holds for `key` (a repeated key gives several), those that are text:
    one that is not (a lone surrogate, a NUL) is never handed to a page (the notice says it)."""
    return [v for v in st.query_params.get_all(key) if urlvalues.is_text(v)]


def present(key: str) -> bool:
    """Whether the address holds `key` at all."""
    return key in st.query_params


def everything() -> dict[str, list[str]]:
    """The whole address, key by key, each value as text (one that is not text is shown with the
    replacement character where its broken part was, for the notice to echo)."""
    return {
        _shown(k): [v if urlvalues.is_text(v) else _shown(v) for v in st.query_params.get_all(k)]
        for k in st.query_params
    }


def _shown(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def read_view() -> View:
    """This run's view: the link read once by the one parser (the frame calls it before any widget)."""
    view = View.read(page(), {k: asked(k) for k in st.query_params})
    session.VIEW.value = view
    return view


def initial(key: str, options=None, default=_MISSING):
    """What `key` starts from: the address's value as the run's view read it (atlas.pages.View,
    the one parser), kept to `options` (the page's data) when given; else its default
    (`default`: one that comes from the data)."""
    p = declared(key)
    fallback = p.default if default is _MISSING else default
    view = session.VIEW.get()
    if view is not None and view.title == page() and key in view.values and view.asked[key] == asked(key):
        values, value, ok = view.asked[key], view.values[key], view.ok[key]
    else:  # the address changed since the view was read (a link written this run): read it again
        values = asked(key)
        value, ok = p.parse(values)
    if not values or (not ok and p.kind != "many"):
        return _copy(fallback)
    if options is not None:
        known = set(options)
        if p.kind == "many":
            kept = [v for v in value if v in known]
            return kept if kept or values == [""] else _copy(fallback)
        return value if value in known else _copy(fallback)
    return _copy(value)


def current(key: str):
    """The view's value of `key` now: the widget's once drawn (the reader's), else the link's as
    the run's view read it. A page reads a link value through this, never a widget's state itself."""
    held = st.session_state.get(key, _MISSING)
    return initial(key) if held is _MISSING or held is None else held


def seed(key: str, options=None, default=_MISSING) -> None:
    """Give a widget its first value from the address, before it is drawn (once: then it is the
    reader's). A one-of value that is no longer among `options` starts again from the address."""
    held = st.session_state.get(key, _MISSING)
    stale = (
        options is not None
        and declared(key).kind == "one"
        and held is not _MISSING
        and held is not None
        and held not in set(options)
    )
    if held is _MISSING or stale:
        st.session_state[key] = initial(key, options, default)


def _copy(value):
    return list(value) if isinstance(value, list) else value


# ---------------------------------------------------------------- writing


def put(key: str, value, default=_MISSING) -> None:
    """Write the value a widget holds into the address: its default (`default`: one from the
    data) is left out; an emptied list whose default is not empty is said with `key=`."""
    encoded = declared(key).encode(value) if default is _MISSING else declared(key).encode(value, default)
    if encoded is None:
        drop(key)
    else:
        write_raw(key, encoded)


def hold(key: str, value) -> None:
    """Write what the view holds as it is, its default included (the Explore page's address
    always names its table); nothing, an empty text or list, takes `key` out."""
    if value in (None, "", [], ()):
        drop(key)
    else:
        write_raw(key, declared(key).encode(value, keep_default=True) or [])


def write_raw(key: str, values: list[str]) -> None:
    """Set `key` to exactly `values` (written only when it differs: each write is a message to
    the browser)."""
    if st.query_params.get_all(key) != values:
        st.query_params[key] = values if len(values) != 1 else values[0]


def drop(key: str) -> None:
    """Take `key` out of the address."""
    if key in st.query_params:
        del st.query_params[key]


def switch(script: str, pairs: list[tuple[str, str]] | dict) -> None:
    """Open another page with these parameters (a page switch clears the address)."""
    if isinstance(pairs, dict):
        params = {k: (v if isinstance(v, list) else [v]) for k, v in pairs.items()}
    else:
        params: dict[str, list[str]] = {}
        for key, value in pairs:
            params.setdefault(key, []).append(value)
    st.switch_page(script, query_params=params)


def origin() -> str:
    """The address the reader reached the app at, without a path: http://host:port ("" when unknown)."""
    url = st.context.url or ""
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/')[0]}" if rest else ""
