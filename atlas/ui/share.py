"""Share links and saved views: the exact link of the current view, what part of a link a page
ignored (echoed as text), and saving, listing and deleting named views.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st

from atlas import access, audit, cache, db, i18n, views
from atlas.escape import md, short
from atlas.i18n import N_, _
from atlas.pages import LANG_KEY, SHARED_KEYS, encode_view, filtered, keys_of, param_of
from atlas.ui import auth, link, session
from atlas.ui.frame import collapse_sidebar_on_narrow_screens
from atlas.urlvalues import parse_int
from atlas.viewdata import page_slug


def view_query(page: str) -> list[tuple[str, str]]:
    """The query parameters that reproduce the current view of `page` (atlas.pages.encode_view:
    the one encoder, as the address writes them)."""
    return encode_view(page, {key: st.session_state[key] for key in keys_of(page) if key in st.session_state})


def _is_default(value, default) -> bool:
    def norm(v):
        return list(v) if isinstance(v, list | tuple) else v

    return norm(value) == norm(default) or (value in ("", None) and default in ("", None))


def _asks_the_default(declared, values: list[str]) -> bool:
    """A link that spells out a default (`?top=12`): applied, and left out of the view's link."""
    if declared is None or declared.data_default:
        return False
    value, ok = declared.parse(values)
    return ok and _is_default(value, declared.default)


# Parameters Streamlit itself reads; never reported as unknown.
STREAMLIT_PARAMS = {"embed", "embed_options"}


def ignored_parameters(
    page: str, asked: dict[str, list[str]], explained: dict[str, list[str]] | None = None
) -> list[str]:
    """The parameters of a link that the page could not apply, as sentences for a notice
    (`explained`: a page's own sentences for some keys, used instead of the generic one)."""
    explained = explained or {}
    current: dict[str, list[str]] = {}
    for key, value in view_query(page):
        current.setdefault(key, []).append(value)
    known = set(keys_of(page))
    out = []
    for key, values in asked.items():
        # what the link asked for is echoed escaped and shortened: never as a link, image or code
        if key == "v":
            if len(values) != 1 or parse_int(values[0], lo=0) is None:
                out.append(_("v (the data version of the link) is not a number"))
            continue
        shown = ", ".join("“" + md(short(v, 40)) + "”" for v in values[:5]) + (" …" if len(values) > 5 else "")
        if key in STREAMLIT_PARAMS or (key == LANG_KEY and values == [i18n.DEFAULT]):
            continue
        if key in SHARED_KEYS and not filtered(page):
            continue  # kept for the pages they apply to (filters.kept_filters)
        if key not in known:
            out.append(_("“{key}” is not a setting of this page").format(key=md(short(key, 40))))
        elif key in explained:
            out += explained[key]  # the page said what was wrong with it (already escaped)
        elif (
            sorted(values) != sorted(current.get(key, []))
            and not (values == [""] and key not in current)
            and not (key not in current and _asks_the_default(param_of(page, key), values))
        ):
            declared = param_of(page, key)
            expects = declared.expects() if declared else ""
            out.append(
                _("{key} = {value} is not a valid value here ({expects}); the page uses its default instead").format(
                    key=md(key), value=shown, expects=md(expects)
                )
            )
    return out


def share_ui() -> None:
    """End a page: the notice about ignored link parameters, and the 'Copy link' box."""
    page = session.PAGE.get("Overview")
    version = cache.version()[0]  # the version this run showed: the link says what the reader saw
    if not session.NOTICE.present():
        session.NOTICE.value = ignored_parameters(page, session.ASKED.get({}), session.EXPLAINED.get())
    notice = session.NOTICE.value
    slot = session.NOTICE_SLOT.get()
    if notice and slot is not None:
        slot.warning(
            _("Part of this link was ignored, the rest of the view applies:")
            + "\n\n"
            + "\n".join(f"- {n}" for n in notice),
            icon=":material/link_off:",
        )
    base = st.context.url or ""
    # the data version the link was made on, so a colleague learns if the data changed since
    query = urlencode([*view_query(page), ("v", str(version))])
    with st.sidebar:
        st.markdown("#### " + _("Copy link"))
        copy_link_box(base + ("?" + query if query else ""))
        st.caption(_("The link opens this page with these filters."))
        save_view_ui(page, query)
    report = session.REPORT_SLOT.get()
    if report is not None:
        with report.container():
            report_ui(page)
    collapse_sidebar_on_narrow_screens()
    cache.release_snapshot()  # the run has read everything it shows


def report_ui(page: str) -> None:
    """The view as a document: its PDF and its HTML (atlas.report, made by the server on a click)."""
    pairs = [*view_query(page)]
    language = i18n.language()
    if language != i18n.DEFAULT and all(k != LANG_KEY for k, _v in pairs):
        pairs.append((LANG_KEY, language))
    query = ("?" + urlencode(pairs)) if pairs else ""
    address = f"{link.origin()}/api/report/{page_slug(page)}"
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for fmt, label in (("pdf", _("Report (PDF)")), ("html", _("Report (HTML)"))):
            st.link_button(
                label,
                f"{address}.{fmt}{query}",
                icon=":material/description:",
                type="tertiary",
                help=_("This view as a document: filters in words, charts, tables and every source cited."),
            )


# The copy link as a read-only box and a button, not st.code: a code block makes every page load
# Streamlit's 1.56 MB syntax highlighter for one line of plain text. The script is fixed text; the
# link only ever goes into the box's escaped text (it may hold a console query from a link).
_COPY_SCRIPT = """<script>
(() => {
  for (const box of document.querySelectorAll('.atlas-copy-link')) {
    const area = box.querySelector('textarea'), button = box.querySelector('button');
    if (!area || !button || button.dataset.bound) continue;
    button.dataset.bound = '1';
    button.addEventListener('click', async () => {
      area.focus(); area.select();
      let ok = false;
      try { await navigator.clipboard.writeText(area.value); ok = true; }
      catch (e) { try { ok = document.execCommand('copy'); } catch (e2) { ok = false; } }
      button.textContent = ok ? button.dataset.done : button.dataset.failed;
      setTimeout(() => { button.textContent = button.dataset.label; }, 2000);
    });
  }
})();
</script>"""
_COPY_STYLE = (
    "<style>.atlas-copy-link textarea{width:100%;box-sizing:border-box;resize:none;border:1px solid "
    "rgba(49,51,63,.2);border-radius:.5rem;background:#f0f2f6;color:#31333f;padding:.5rem .6rem;"
    "font:0.8rem/1.4 'Source Code Pro',ui-monospace,monospace;word-break:break-all}"
    ".atlas-copy-link button{margin-top:.35rem;padding:.25rem .75rem;border:1px solid rgba(49,51,63,.2);"
    "border-radius:.5rem;background:#fff;color:#31333f;font-size:.85rem;cursor:pointer}"
    ".atlas-copy-link button:hover{border-color:#ff4b4b;color:#ff4b4b}</style>"
)


def copy_link_box(link: str) -> None:
    """The link in a read-only box (select it, or press the button to copy it)."""
    label, copy = html.escape(_("Link to this view"), quote=True), html.escape(_("Copy"), quote=True)
    done, failed = html.escape(_("Copied"), quote=True), html.escape(_("Select the link and copy it"), quote=True)
    rows = min(8, 1 + len(link) // 28)
    st.html(
        f'{_COPY_STYLE}<div class="atlas-copy-link"><textarea readonly rows="{rows}" aria-label="{label}" '
        f'spellcheck="false">{html.escape(link)}</textarea><button type="button" data-label="{copy}" '
        f'data-done="{done}" data-failed="{failed}">{copy}</button></div>{_COPY_SCRIPT}',
        unsafe_allow_javascript=True,
    )


def save_view_ui(
    page: str,
    query: str,
    *,
    what: str = "view",
    placeholder: str = "",
) -> None:
    """A small form that saves the current view (or, `what="query"`, a console query: a view of the
    Explore page) under a name, with a note and who saved it."""
    words = {
        "view": (_("Save this view"), _("Save view"), N_("saving a view")),
        "query": (_("Save this query"), _("Save query"), N_("saving a query")),
    }[what]
    placeholder = placeholder or _("e.g. China-trained researchers in the US")
    with st.expander(words[0]):
        if not access.may_save_view(auth.identity()):
            st.caption(_("Saving needs a signed-in team member: sign in from the sidebar."))
            return
        _save_form(what, words, placeholder, page, query)


def _save_form(what: str, words: tuple[str, str, str], placeholder: str, page: str, query: str) -> None:
    with st.form(f"save_{what}", clear_on_submit=True, border=False):
        name = st.text_input(_("Name"), max_chars=200, placeholder=placeholder)
        note = st.text_area(_("Note"), max_chars=2000, height=80)
        who = auth.identity()
        # team mode: the signed-in identity saves it; local mode: the name typed
        saved_by = who.display if who.team else st.text_input(_("Your name"), max_chars=100)
        if st.form_submit_button(words[1], icon=":material/bookmark_add:"):
            who = auth.identity()  # checked at the moment it acts
            if not access.may_save_view(who):
                auth.refuse(words[2])
                return
            try:
                with cache.writing() as master:
                    slug = views.save_view(master, name, note, page, query, saved_by, who.email)
            except (views.ViewError, db.Busy) as exc:
                st.error(str(exc))
            else:
                st.success(
                    _("Saved. Short link: `?view={slug}` (listed with the saved views on the Overview).").format(
                        slug=slug
                    )
                )


def saved_views_ui(saved) -> None:
    """The saved views with their short links, and deletion behind a confirmation."""
    columns = ["link", "page", "note", "saved_by", "saved_at", "data_version"]
    # only the columns shown leave the server: a hidden column is still sent to every browser, and
    # the saver's address is for admins (the audit log)
    shown = saved.assign(
        link=["?view=" + slug + "#" + name for slug, name in zip(saved.slug, saved.name, strict=True)],
        page=[_(p) for p in saved.page],
    )[columns]
    st.dataframe(
        shown,
        column_order=columns,
        column_config={
            "link": st.column_config.LinkColumn(
                _("View"), display_text=r"#(.+)$", help=_("Opens the saved page and filters")
            ),
            "page": _("Page"),
            "note": _("Note"),
            "saved_by": _("Saved by"),
            "saved_at": st.column_config.DatetimeColumn(_("Saved at (UTC)"), format="YYYY-MM-DD HH:mm"),
            "data_version": st.column_config.NumberColumn(_("Data version"), format="%d"),
        },
        hide_index=True,
        width="stretch",
    )
    with st.expander(_("Delete a saved view")):
        slug = st.selectbox(
            _("Saved view to delete"),
            saved.slug.tolist(),
            index=None,
            key="delete_slug",
            placeholder=_("Choose a view"),
        )
        if slug:
            sure = st.checkbox(
                _("Yes, delete “{name}” for everyone").format(name=md(saved.set_index("slug").loc[slug, "name"])),
                key="delete_sure",
            )
            if st.button(_("Delete"), type="primary", disabled=not sure, key="delete_go"):
                owner = saved.set_index("slug").loc[slug, "saved_by_email"]
                if not access.may_delete_view(auth.identity(), owner if isinstance(owner, str) else None):
                    auth.refuse(N_("deleting a view someone else saved"))
                    return
                who = auth.identity()
                try:
                    with cache.writing() as master:
                        views.delete_view(master, slug)
                        audit.record(master, who.label if who.team else "local analyst", who.email, "delete view", slug)
                except db.Busy as exc:
                    st.error(str(exc))
                    return
                st.rerun()
