"""The Data page's workflow: upload (staged and checked once per content and mode), the preview,
problems, changes and commit; undo of the latest upload; templates and the data dictionary.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
import streamlit as st

from atlas import access, cache, csvfile, db, fetch, i18n, labels, load, resolve, upload
from atlas.db import SEED_DIR
from atlas.escape import md, short
from atlas.i18n import N_, _
from atlas.labels import Labels
from atlas.model import TABLES, dictionary, example_csv, template_csv
from atlas.ui import auth
from atlas.ui.downloads import downloads_ui

UPLOAD_MODES = Labels(
    {
        "append": N_("Append: new ids only"),
        "upsert": N_("Upsert: add new ids, update existing ones"),
        "replace": N_("Replace: each file becomes its whole table"),
    }
)
# what a refusal names (atlas.ui.auth.refuse): the English words are logged, the reader reads them translated
UPLOAD_REFUSALS = {
    "append": N_("an append upload"),
    "upsert": N_("an upsert upload"),
    "replace": N_("a replace upload"),
}


def upload_ui() -> None:
    """Upload CSV files (or a zip of them): preview, check, see what changes, commit; undo."""
    st.subheader(_("Upload new data"))
    st.caption(
        _(
            "One CSV per table (or one .zip of them), recognized by its file name or header, the column names of "
            "the data model; pick the table yourself where it is not. Names work wherever ids do, and a file of "
            "moves, pay figures or rounds by name (one row per event, as you keep them) is matched to the people "
            "and firms stored, with a review of every name before anything is written. Any encoding a spreadsheet "
            "saves (UTF-8, UTF-16, GB18030/GBK, Big5, Shift-JIS, Windows-1252) is detected, or refused when unsure; "
            "comma, semicolon, tab or bar. A file with any problem changes nothing. Limit: {mb} MB per file."
        ).format(mb=upload.MAX_FILE_BYTES // 2**20)
    )
    who = auth.identity()
    if not access.may_upload(who, "append"):
        st.info(
            _("Uploads, merges and undo need the editor role; {who} reads as a {role}.").format(
                who=md(who.label), role=_(who.role) if who.role else _("guest")
            ),
            icon=":material/lock:",
        )
        return
    committed = st.session_state.get("_committed_message")
    # a new uploader after each commit (its key carries the count): the committed files do not stay
    # in it, to be checked again on the next rerun as ids that already exist
    _uploader_words()
    files = st.file_uploader(
        _("CSV or zip files"),
        type=["csv", "zip"],
        accept_multiple_files=True,
        key=f"upload_files_{st.session_state.get('_upload_generation', 0)}",
    )
    if committed and not files:
        st.success(committed, icon=":material/check_circle:")
    if files:
        st.session_state.pop("_committed_message", None)
        _upload_flow(files)
    else:
        _drop_staged()  # the analyst removed the files: their staged copies go too
    merge_ui()
    undo_ui()
    audit_ui()


def _uploader_words() -> None:
    """Streamlit's uploader writes its button and its limit in English whatever the page's
    language; in another language both are drawn from the catalog instead (CSS content, so the
    widget itself is untouched and a screen reader reads the button's label as before)."""
    if i18n.language() == i18n.DEFAULT:
        return
    button = _("Upload").replace('"', "")
    limit = _("Up to {mb} MB per file • CSV, ZIP").format(mb=upload.MAX_FILE_BYTES // 2**20).replace('"', "")
    zone = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"]'
    st.html(
        f'<style>{zone} p{{display:none}}{zone}::after{{content:"{button}"}}{hint} span{{display:none}}'
        f'{hint} > div::after{{content:"{limit}";font-size:0.875rem;opacity:0.6}}</style>'
    )


def _drop_staged(state=None) -> None:
    state = st.session_state if state is None else state
    staged = state.pop("_staged_upload", None)
    state.pop("_checked_upload", None)
    if staged is not None:
        staged[1].close()


def staged_and_checked(
    state, con, named: list[tuple[str, bytes]], overrides: dict, encodings: dict, mode: str, review=None
):
    """The upload staged once per content and choices, and checked once per staging, mode and
    data version; kept in `state` (the session's) across the page's reruns.

    A new file, table pick or encoding pick stages anew and removes the previous copies; the
    copies also go after a commit, when the files are removed, and when the session ends
    (the Upload is then garbage-collected) or the server stops.
    """
    key = upload.fingerprint(named, overrides, encodings)
    held = state.get("_staged_upload")
    if held is None or held[0] != key or held[1].closed:
        _drop_staged(state)
        state["_staged_upload"] = (key, upload.stage_upload(named, overrides, encodings=encodings))
    staged = state["_staged_upload"][1]
    plan = upload.plan_names(con, staged)
    if review is not None and plan is not None and plan.decisions and not review(staged):
        return staged, None  # the names wait for the analyst's decisions: nothing is checked yet
    decided = tuple((d.kind, d.name, d.target, d.status) for d in plan.decisions) if plan else ()
    check_key = (key, mode, db.cache_version(con), decided)
    checked = state.get("_checked_upload")
    if checked is None or checked[0] != check_key:
        checked = (check_key, upload.check(con, staged, mode))
        state["_checked_upload"] = checked
    return staged, checked[1]


def _upload_flow(files) -> None:
    named = [(f.name, f.getvalue()) for f in files]
    overrides = st.session_state.get("_upload_overrides", {})
    encodings = st.session_state.get("_upload_encodings", {})
    mode = st.session_state.get("upload_mode", "append")
    con = cache.connection()
    with st.spinner(_("Reading the files, matching their names and checking every row in DuckDB…")):
        staged, result = staged_and_checked(
            st.session_state, con, named, overrides, encodings, mode, review=names_decided
        )
    from atlas.byname import FLAT_FORMATS

    tables = [t.name for t in TABLES] + list(FLAT_FORMATS)
    codecs = csvfile.codec_names()
    picked_tables: dict[str, str] = {}
    picked_codecs: dict[str, str] = {}
    unreadable = {p.file for p in staged.problems if p.unreadable}
    with st.expander(_("Files, their tables and encodings"), expanded=bool(staged.problems)):
        readings = upload.readings_frame(staged)
        st.dataframe(readings, hide_index=True, width="stretch", column_config=headers(readings))
        for i, s in enumerate(staged.staged):
            left, right = st.columns(2)
            with left:
                picked = st.selectbox(
                    md(_("Table of {file}").format(file=short(s.name, 60))),
                    tables,
                    index=tables.index(s.table) if s.table in tables else None,
                    key=f"upload_table_{i}",
                    placeholder=_("Pick the table"),
                    help=_("Recognized from the file name or header; change it if it is wrong."),
                )
                if picked and picked != s.table:
                    picked_tables[s.name] = picked
            with right:
                current = encodings.get(s.name)
                codec = st.selectbox(
                    md(_("Encoding of {file}").format(file=short(s.name, 60))),
                    list(codecs),
                    format_func=codecs.get,
                    index=list(codecs).index(current) if current in codecs else None,
                    key=f"upload_encoding_{i}",
                    placeholder=_("Detected") if s.name not in unreadable else _("Pick the encoding"),
                    help=_("Leave empty to detect it. Pick one when the detection is unsure, then check the preview."),
                )
                if codec:
                    picked_codecs[s.name] = codec
    if picked_tables != {k: v for k, v in overrides.items()} or picked_codecs != encodings:
        st.session_state["_upload_overrides"] = picked_tables
        st.session_state["_upload_encodings"] = picked_codecs
        st.rerun()
    # replace is an admin's (the commit checks it again: a mode forced into the session changes nothing)
    modes = [m for m in UPLOAD_MODES if access.may_upload(auth.identity(), m)]
    mode = st.radio(
        _("Mode"),
        modes,
        format_func=i18n.bound(UPLOAD_MODES.get),
        horizontal=True,
        key="upload_mode",
        help=_(
            "Append refuses ids that exist; upsert updates them field by field; replace also removes the rows "
            "the file no longer has (refused while other data still refers to them). Every commit can be undone."
        ),
    )
    readings = {s.table: s for s in staged.staged if s.path is not None}
    for table, frame in upload.preview(staged).items():
        s = readings.get(table)
        how = _(" (read as {encoding})").format(encoding=s.encoding) if s else ""
        st.caption(
            md(_("First rows of {file} → {table}").format(file=short(staged.labels[table], 80), table=table) + how)
        )
        st.dataframe(frame, width="stretch")

    if staged.names is not None and staged.names.decisions:
        names_review_ui(staged)
    if result is None:
        return  # the names are waiting for the analyst's decisions
    if result.problems:
        # a whole file's problem (its encoding, its shape) is a sentence to read in full, not a cell
        whole = [p for p in result.problems if p.line is None][:20]
        listed = "".join(f"\n- **{md(short(p.file or p.table, 80))}**: {md(p.message)}" for p in whole)
        st.error(
            _("{n} problem(s): nothing was written. Fix them and upload again.").format(n=len(result.problems)) + listed
        )
        report = upload.problems_frame(result.problems)
        st.dataframe(report, hide_index=True, width="stretch", column_config=headers(report))
        downloads_ui("upload_problems", df=report)
        return
    st.success(_("No problem found. What a commit would change:"))
    st.dataframe(
        upload.changes_frame(result),
        column_config={
            "table": _("Table"),
            **{
                c: st.column_config.NumberColumn(labels.COLUMNS[c], format="%d")
                for c in ("new", "changed", "unchanged", "removed")
            },
        },
        hide_index=True,
        width="content",
    )
    if result.diff:
        first = _(" (the first 2,000)") if len(result.diff) >= 2000 else ""
        st.caption(
            _("Field by field: {n} change(s){first}, old value beside new.").format(
                n=f"{len(result.diff):,}", first=first
            )
        )
        diff = upload.diff_frame(result)
        st.dataframe(diff, hide_index=True, width="stretch", column_config=headers(diff))
    who = auth.identity()
    if who.team:
        uploader = who.display  # the signed-in identity, never a typed name
        st.caption(_("Recorded as uploaded by {who}.").format(who=md(who.display)))
    else:
        uploader = st.text_input(_("Your name (recorded with the upload)"), max_chars=100, key="uploader")
    if st.button(_("Commit the upload"), type="primary", key="upload_commit"):
        who = auth.identity()  # checked at the moment it acts, on the server
        if not access.may_upload(who, mode):
            auth.refuse(UPLOAD_REFUSALS[mode])
            return
        with st.status(_("Checking again and committing in one transaction…")) as progress:

            def step(name: str, result) -> None:  # noqa: ANN001 - a LoadResult
                took = sum(result.timings.values())
                derive = result.timings.get("derive", 0.0)
                progress.update(
                    label=_(
                        "Committed as data version {version} in {took} s, the pages' tables with it ({derive} s of it)."
                    ).format(version=result.upload_id, took=f"{took:,.1f}", derive=f"{derive:,.1f}"),
                    state="complete",
                )

            try:
                with cache.writing() as master:
                    done = upload.commit(master, staged, uploader, mode, progress=step, uploader_email=who.email)
            except db.Busy as exc:
                progress.update(label=_("Not committed; nothing was written."), state="error")
                st.error(str(exc), icon=":material/hourglass:")
                return
            cache.pin_snapshot()  # the rest of this run shows the new version
            if not done.ok:
                progress.update(label=_("Rejected; nothing was written."), state="error")
        if done.ok:
            _drop_staged()  # committed: the copies are no longer needed
            message = _("Committed as data version {version}. Every page now shows it; undo it below.").format(
                version=done.upload_id
            )
            st.success(message)
            st.session_state["_committed_message"] = message
            st.session_state["_upload_generation"] = st.session_state.get("_upload_generation", 0) + 1
        else:
            st.error(_("Rejected; nothing was written:"))
            report = upload.problems_frame(done.problems)
            st.dataframe(report, hide_index=True, width="stretch", column_config=headers(report))


STATUS_WORDS = Labels(
    {
        "matched": N_("matched"),
        "review": N_("check: near miss"),
        "ambiguous": N_("check: several match"),
        "new": N_("new"),
        "confirmed": N_("confirmed by you"),
    }
)
# the files by name (atlas.byname.FLAT_FORMATS), as the dictionary's picker names them
FLAT_NAMES = Labels(
    {"moves by name": N_("moves by name"), "pay by name": N_("pay by name"), "rounds by name": N_("rounds by name")}
)
KIND_WORDS = Labels({"person": N_("person"), "firm": N_("firm")})


def headers(df) -> dict:
    """A frame's column headers in the reader's language (labels.COLUMNS), for st.dataframe."""
    return {c: labels.COLUMNS[c] for c in df.columns if c in labels.COLUMNS}


def dictionary_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """A data dictionary (model.dictionary, byname.flat_dictionary) as a table with its headers in
    the reader's language; the column names themselves are the CSV's, the same in every language."""
    frame = pd.DataFrame(rows).set_index("column")
    frame.index.name = labels.COLUMNS["column"]
    return frame.rename(columns={c: labels.COLUMNS[c] for c in frame.columns if c in labels.COLUMNS})


def _option(kind: str, entity_id: str, label: str) -> str:
    return f"{label} · {KIND_WORDS.get(kind, kind)} {entity_id}"


def names_decided(staged) -> bool:  # noqa: ANN001 - an upload.Upload
    """Every name matched automatically or decided by the analyst."""
    return not any(d.needs_review and d.status != "confirmed" for d in staged.names.decisions)


def names_review_ui(staged) -> bool:  # noqa: ANN001 - an upload.Upload
    """The names of an upload with their decisions, in one editable table; True once they are
    decided (every name matched automatically, or the analyst confirmed the table)."""
    plan = staged.names
    decisions = plan.decisions
    st.markdown(_("#### Names in the upload"))
    counts = resolve.review_counts(decisions)
    st.caption(
        _(
            "{n} distinct name(s): {matched} matched to a stored person or firm, {new} new, {review} with "
            "candidates to check, {confirmed} decided by you. Change any decision in the table: pick another "
            "entry, or “New …” with the id it gets. Matches you confirm are kept as aliases, so the next file "
            "with the same spelling matches on its own."
        ).format(
            n=f"{len(decisions):,}",
            matched=f"{counts['matched']:,}",
            new=f"{counts['new']:,}",
            review=f"{counts['review']:,}",
            confirmed=f"{counts['confirmed']:,}",
        )
    )
    new_entry = {"person": _("New person"), "firm": _("New firm")}
    options: dict[str, tuple[str, str | None]] = {
        new_entry["person"]: ("person", None),
        new_entry["firm"]: ("firm", None),
    }
    for d in decisions:
        for c in d.candidates:
            options[_option(d.kind, c.entity_id, c.label)] = (d.kind, c.entity_id)
    labels_of = {(d.kind, c.entity_id): c.label for d in decisions for c in d.candidates}
    for d in decisions:  # an id the analyst typed is an option too
        if d.entity_id and (d.kind, d.entity_id) not in labels_of:
            labels_of[(d.kind, d.entity_id)] = d.entity_id
            options[_option(d.kind, d.entity_id, d.entity_id)] = (d.kind, d.entity_id)
    frame = pd.DataFrame(
        [
            {
                "kind": KIND_WORDS.get(d.kind, d.kind),
                "name": d.name + (f" / {d.name_zh}" if d.name_zh and d.name_zh != d.name else ""),
                "rows": d.rows,
                "status": STATUS_WORDS.get(d.status, d.status),
                "decision": _option(d.kind, d.entity_id, labels_of.get((d.kind, d.entity_id), d.entity_id))
                if d.entity_id
                else new_entry[d.kind],
                "new_id": d.new_id if not d.entity_id else "",
                "other_id": "",
                "why": f"{resolve.rule_words(d.rule)} ({d.score:.0f})" if d.rule else _("no stored name is close"),
                "candidates": "; ".join(
                    f"{c.label} [{c.entity_id}] {c.score:.0f}" + (f": {c.detail}" if c.detail else "")
                    for c in d.candidates
                ),
            }
            for d in decisions
        ]
    )
    edited = st.data_editor(
        frame,
        column_config={
            "kind": st.column_config.TextColumn(_("Kind"), disabled=True, width="small"),
            "name": st.column_config.TextColumn(_("Name in the file"), disabled=True),
            "rows": st.column_config.NumberColumn(_("Rows"), disabled=True, width="small"),
            "status": st.column_config.TextColumn(_("Status"), disabled=True),
            "decision": st.column_config.SelectboxColumn(
                _("Decision"),
                options=list(options),
                required=True,
                width="large",
                help=_("The stored entry the name stands for, or a new one"),
            ),
            "new_id": st.column_config.TextColumn(
                _("New id"), help=_("The id a new entry gets (lowercase letters, digits, '.', '_', '-')"), max_chars=60
            ),
            "other_id": st.column_config.TextColumn(
                _("Or another id"),
                help=_(
                    "The id of a stored person or firm that is not among the candidates (e.g. dario-amodei): "
                    "it wins over the decision"
                ),
                max_chars=60,
            ),
            "why": st.column_config.TextColumn(_("Why (score)"), disabled=True, width="medium"),
            "candidates": st.column_config.TextColumn(_("Candidates"), disabled=True, width="large"),
        },
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        height=min(600, 35 * (len(frame) + 1) + 3),
        key=f"names_review_{id(staged)}",
    )
    problems = []
    changed = False
    for d, row in zip(decisions, edited.itertuples(), strict=True):
        kind, entity_id = options.get(row.decision, (d.kind, d.entity_id))
        other = str(row.other_id or "").strip()
        if other:
            table, col = ("people", "person_id") if d.kind == "person" else ("firms", "firm_id")
            known = (
                cache.connection()
                .cursor()
                .execute(f"select count(*) from {table} where {col} = $id", {"id": other})
                .fetchall()[0][0]
            )
            if not known:
                problems.append(
                    _("No {kind} has the id “{id}” (for “{name}”).").format(
                        kind=KIND_WORDS[d.kind], id=other, name=d.name
                    )
                )
                continue
            kind, entity_id = d.kind, other
        if kind != d.kind:
            problems.append(
                _("“{name}” is a {kind}: pick a {kind} for it, not a {other}.").format(
                    name=d.name, kind=KIND_WORDS[d.kind], other=KIND_WORDS[kind]
                )
            )
            continue
        new_id = str(row.new_id or "").strip()
        if entity_id is None and not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,59}", new_id or d.new_id):
            problems.append(
                _("The new id of “{name}” must be lowercase letters, digits, '.', '_' or '-'.").format(name=d.name)
            )
            continue
        if entity_id != d.entity_id or (entity_id is None and new_id and new_id != d.new_id):
            changed = True
            d.entity_id, d.status, d.rule, d.score = entity_id, "confirmed", N_("chosen in the review"), 100.0
            if entity_id is None:
                d.new_id = new_id or d.new_id
    for p in problems:
        st.error(p)
    if changed:
        st.rerun()
    if problems:
        return False
    if names_decided(staged):
        return True
    if st.button(_("Use these decisions"), type="primary", key="names_confirm"):
        for d in decisions:
            if d.needs_review:
                d.status = "confirmed"
        st.rerun()
    st.info(_("Check the names marked “check”, then press **Use these decisions** to see what a commit would change."))
    return False


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
            from atlas import merge

            by = who.display if who.team else "data page"
            try:
                with cache.writing() as master:
                    done = merge.merge(master, kind, keep, drop, by, who.email)
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


def audit_ui() -> None:
    """Admins: who did what and when, with the data version; downloadable."""
    if not access.allowed(auth.identity(), "audit"):
        return
    with st.expander(_("Audit log")):
        log = cache.query_fresh("audit_log", limit=10_000)
        log[["email", "detail"]] = log[["email", "detail"]].fillna("—")
        log = labels.localize(log, ["action", "detail"])
        st.caption(
            _(
                "The latest {n} events: loads, undos, merges, saved and deleted views, and refused attempts, "
                "each with who and the data version at the time."
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
    done = st.session_state.pop("_undone_message", None)
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
                st.session_state["_undone_message"] = _(
                    "Version {version} undone (recorded as version {undo})."
                ).format(version=latest, undo=result.upload_id)
                st.rerun()
            else:
                st.error(_("; ").join(p.message for p in result.problems))


def dictionary_ui() -> None:
    """Per table (and per flat format by name): the data dictionary (types, rules, an example row)
    in full, an empty template and a separate example file with one row."""
    from atlas import byname

    with st.expander(_("Templates and data dictionary")):
        choices = [t.name for t in TABLES] + list(byname.FLAT_FORMATS)
        table = st.selectbox(
            _("Table or file by name"),
            choices,
            format_func=i18n.bound(lambda t: FLAT_NAMES.get(t, t)),
            key="dict_table",
            help=_(
                "The tables take ids; the files by name (moves, pay, rounds) take names as you keep them, and the "
                "upload matches the names to people and firms, with a review before anything is written."
            ),
        )
        if table in byname.FLAT_FORMATS:
            fmt = byname.FLAT_FORMATS[table]
            st.caption(
                _(
                    "One row per event, with names instead of ids; recognized by its header whatever the file is "
                    "called. Required: {required}. It fills the {table} table; the names are matched to stored people "
                    "and firms (or become new ones) in a review before the dry run."
                ).format(required=", ".join(fmt.required), table=fmt.table)
            )
            st.table(dictionary_frame(byname.flat_dictionary(table)))
            file_name = table.replace(" ", "_")
            with st.container(horizontal=True, gap="small"):
                st.download_button(
                    _("Empty template: {file}").format(file=f"{file_name}.csv"),
                    data=byname.flat_csv(table),
                    file_name=f"{file_name}.csv",
                    mime="text/csv",
                    key="dict_template",
                    on_click="ignore",
                    icon=":material/download:",
                )
                st.download_button(
                    _("Example: {file}").format(file=f"{file_name}.example.csv"),
                    data=byname.flat_csv(table, example=True),
                    file_name=f"{file_name}.example.csv",
                    mime="text/csv",
                    key="dict_example",
                    on_click="ignore",
                    icon=":material/download:",
                )
            return
        example: dict[str, str] = {}
        seed = SEED_DIR / f"{table}.csv"
        if seed.exists():
            with open(seed, encoding="utf-8") as f:
                example = next(csv.DictReader(f), {}) or {}
        # a static table: every rule and example readable in full, wrapped, not cut at a cell's width
        st.table(dictionary_frame(dictionary(table, example)))
        with st.container(horizontal=True, gap="small"):
            st.download_button(
                _("Empty template: {file}").format(file=f"{table}.csv"),
                data=template_csv(table),
                file_name=f"{table}.csv",
                mime="text/csv",
                key="dict_template",
                on_click="ignore",
                icon=":material/download:",
                help=_("The header alone, ready to fill in"),
            )
            if example:
                st.download_button(
                    _("Example: {file}").format(file=f"{table}.example.csv"),
                    data=example_csv(table, example),
                    file_name=f"{table}.example.csv",
                    mime="text/csv",
                    key="dict_example",
                    on_click="ignore",
                    icon=":material/download:",
                    help=_(
                        "The header and one row of the seed data, to see how a filled row looks. A separate file: "
                        "the empty template stays empty, so nothing of the example is loaded by mistake."
                    ),
                )
