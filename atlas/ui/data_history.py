"""The Data page's history of loads: undo of the latest upload, the merge of two entries, and the
audit log (admins)."""

from __future__ import annotations

import collections
import threading

import pandas as pd
import streamlit as st

from atlas import access, cache, db, fetch, i18n, labels, load, sql
from atlas.escape import md
from atlas.i18n import N_, _, ngettext
from atlas.ui import auth, session
from atlas.ui.downloads import downloads_ui
from atlas.ui.names_review import KIND_WORDS


def merge_ui() -> None:
    """Merge two entries that are one person or firm (recorded and undoable like an upload)."""
    with st.expander(_("Merge duplicates")):
        st.caption(
            _(
                "Two entries that are one person (or firm), say one created by an upload: every fact of the second "
                "moves to the first, its names become aliases of the first, and it goes. Undo it below like an upload."
            )
        )
        kind = st.radio(
            _("Kind"), ["person", "firm"], format_func=i18n.bound(KIND_WORDS.get), horizontal=True, key="merge_kind"
        )
        c1, c2 = st.columns(2)
        keep, keep_names = _entity_picker(c1, kind, _("Keep"), "merge_keep", _("The entry that stays"))
        drop, drop_names = _entity_picker(c2, kind, _("Merge into it"), "merge_drop", _("The duplicate that goes"))
        names_of = {**keep_names, **drop_names}
        if st.button(_("Merge"), disabled=not (keep and drop) or keep == drop, key="merge_button"):
            who = auth.identity()
            if not access.allowed(who, "merge"):
                auth.refuse(N_("merging entries"))
                return
            from atlas.load import merge

            by = who.display if who.team else "data page"
            try:
                with cache.writing() as master:
                    done = merge(master, kind, keep, drop, by, who.email)
            except db.Busy as exc:
                st.error(str(exc), icon=":material/hourglass:")
                return
            cache.pin_snapshot()  # the rest of this run shows the new version
            if done.ok:
                st.success(
                    _("Merged {drop} into {keep} as data version {version}.").format(
                        drop=names_of[drop], keep=names_of[keep], version=done.upload_id
                    )
                )
            else:
                st.error(_("Refused; nothing changed: ") + _("; ").join(p.message for p in done.problems))


AUDIT_ROWS = 10_000  # the latest events the log shows (and its download holds)
_audit_kept: collections.OrderedDict[tuple, pd.DataFrame] = collections.OrderedDict()
_audit_lock = threading.Lock()


def _audit_log() -> pd.DataFrame:
    """The audit log as shown, read and localized again only when what it reads changed (its mark:
    a few counts and latest entries; saved views and refusals write no data version) or in another
    language or database: read and formatted on every run, it was a sixth of a warm Data view."""
    cur = cache.connection().cursor()  # one row of numbers: fetched as a tuple, no frame made
    try:
        mark = cur.execute(sql.query_sql("audit_mark")).fetchone()
    finally:
        cur.close()
    key = (str(db.db_path()), cache.version(), mark, i18n.language())
    with _audit_lock:
        log = _audit_kept.get(key)
    if log is None:
        log = cache.query_fresh("audit_log", limit=AUDIT_ROWS)
        log[["email", "detail"]] = log[["email", "detail"]].fillna("—")
        log = labels.localize(log, ["action", "detail"])
        with _audit_lock:
            _audit_kept[key] = log
            while len(_audit_kept) > 8:
                _audit_kept.popitem(last=False)
    return log.copy(deep=False)


def audit_ui() -> None:
    """Admins: who did what and when, with the data version; downloadable."""
    if not access.allowed(auth.identity(), "audit"):
        return
    with st.expander(_("Audit log")):
        log = _audit_log()
        st.caption(
            ngettext(
                "The latest {n} event: loads, undos, merges, saved and deleted views, and refused attempts, "
                "each with who and the data version at the time.",
                "The latest {n} events: loads, undos, merges, saved and deleted views, and refused attempts, "
                "each with who and the data version at the time.",
                len(log),
            ).format(n=f"{len(log):,}")
        )
        st.dataframe(
            log,
            column_config={
                "happened_at": st.column_config.DatetimeColumn(_("When (UTC)"), format="YYYY-MM-DD HH:mm:ss"),
                "who": _("Who"),
                "email": _("E-mail"),
                "action": _("What"),
                "detail": _("Detail"),
                "data_version": st.column_config.NumberColumn(_("Data version"), format="%d"),
            },
            hide_index=True,
            width="stretch",
        )
        downloads_ui("audit_log", df=log)


PICKER_LIMIT = 200  # options a merge picker sends: a search narrows a million people to these


def _entity_picker(col, kind: str, label: str, key: str, placeholder: str) -> tuple[str | None, dict[str, str]]:  # noqa: ANN001 - a column
    """A person or firm picked by searching its name or id: the picker lists at most PICKER_LIMIT
    matches (the most active first), never every entry (a million options would stall the page)."""
    text = col.text_input(_("{label}: find by name or id").format(label=label), key=f"{key}_q", max_chars=200)
    chosen = st.session_state.get(key) or ""  # kept among the options while the search changes
    options = fetch.entity_options(kind, text.strip(), chosen, PICKER_LIMIT)
    names_of = dict(zip(options["id"], options["label"], strict=True))
    if len(options) >= PICKER_LIMIT:
        col.caption(_("The first {n} matches; type more of the name to narrow them.").format(n=PICKER_LIMIT))
    picked = col.selectbox(
        label,
        list(names_of),
        index=None,
        format_func=lambda i: f"{names_of[i]} · {i}",
        key=key,
        placeholder=placeholder,
    )
    return picked, names_of


def undo_ui() -> None:
    """Undo the latest upload in effect, behind a confirmation."""
    done = session.UNDONE_MESSAGE.pop()
    if done:  # the undo of the run before: said once, above the panel as it is now
        st.success(done)
    con = cache.connection()
    latest = load.undoable_upload(con)
    if latest is None:
        return
    problem = load.undo_problem(con, latest)
    if problem:
        st.caption(
            md(
                _("The latest upload (data version {version}) cannot be undone: {problem}.").format(
                    version=latest, problem=problem
                )
            )
        )
        return
    with st.expander(_("Undo the latest upload (data version {version})").format(version=latest)):
        st.caption(
            _(
                "Restores exactly the state before it: the rows it added go, the rows it updated or replaced come "
                "back. The undo is itself recorded in the load history."
            )
        )
        # keyed by the version: after an undo the box of the next one starts unticked
        sure = st.checkbox(_("Yes, undo data version {version}").format(version=latest), key=f"undo_sure_{latest}")
        if st.button(_("Undo"), disabled=not sure, key="undo_button"):
            who = auth.identity()
            owner = (
                con.cursor()
                .execute("select uploader_email from uploads where upload_id = $u", {"u": latest})
                .fetchall()[0][0]
            )
            if not access.may_undo(who, owner):
                auth.refuse(N_("undoing an upload someone else made"))
                return
            uploader = who.display if who.team else st.session_state.get("uploader", "") or "data page"
            try:
                with cache.writing() as master:
                    result = load.undo(master, latest, uploader, who.email)
            except db.Busy as exc:
                st.error(str(exc), icon=":material/hourglass:")
                return
            cache.pin_snapshot()  # the rest of this run shows the new version
            if result.ok:
                # the panel is drawn again for what is now the latest upload: never the one just undone
                session.UNDONE_MESSAGE.value = _("Version {version} undone (recorded as version {undo}).").format(
                    version=latest, undo=result.upload_id
                )
                st.rerun()
            else:
                st.error(_("; ").join(p.message for p in result.problems))
