"""The Data page's workflow: upload (staged and checked once per content and mode), the preview,
problems, changes and commit; undo of the latest upload; templates and the data dictionary.
"""

from __future__ import annotations

import csv
import functools
import io

import pandas as pd
import streamlit as st

from atlas import access, cache, csvfile, db, i18n, labels, spreadsheet, upload
from atlas.db import SEED_DIR
from atlas.escape import md, short
from atlas.i18n import N_, _
from atlas.labels import Labels
from atlas.model import TABLES, dictionary, example_csv, template_csv
from atlas.ui import alerts_ui, auth, mapping_step, session
from atlas.ui.data_history import audit_ui, merge_ui, undo_ui  # noqa: F401
from atlas.ui.downloads import downloads_ui
from atlas.ui.names_review import FLAT_NAMES, names_decided, names_review_ui  # noqa: F401

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
            "One CSV or spreadsheet (.xlsx, .xls, .ods) per table, or one .zip of them, recognized by its file name "
            "or header; another tool's export (Crunchbase, PitchBook, LinkedIn, the Department of Labor's) is mapped "
            "to ours, with a suggestion. Names work wherever ids do, and a file of moves, pay figures or rounds by "
            "name (one row per event, as you keep them) is matched to the people and firms stored, with a review of "
            "every name before anything is written. Any encoding a spreadsheet saves (UTF-8, UTF-16, GB18030/GBK, "
            "Big5, Shift-JIS, Windows-1252, Mac Roman) is detected, or refused when unsure; comma, semicolon, tab or "
            "bar. A file with any problem changes nothing. Limit: {mb} MB per file."
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
    committed = session.COMMITTED_MESSAGE.get()
    # a new uploader after each commit (its key carries the count): the committed files do not stay
    # in it, to be checked again on the next rerun as ids that already exist
    _uploader_words()
    files = st.file_uploader(
        _("CSV, spreadsheet or zip files"),
        type=["csv", "zip", "xlsx", "xlsm", "xls", "ods"],
        accept_multiple_files=True,
        key=f"upload_files_{session.UPLOAD_GENERATION.get(0)}",
    )
    if committed and not files:
        st.success(committed, icon=":material/check_circle:")
    if files:
        session.COMMITTED_MESSAGE.pop()
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
    staged = session.STAGED_UPLOAD.pop(state=state)
    session.CHECKED_UPLOAD.pop(state=state)
    if staged is not None:
        staged[1].close()


# each step of a check or a commit: how far along it is, and what comes next
PHASES = {
    "reading": (0.03, N_("Reading the files…")),
    "mapping": (0.08, N_("Reading the file's columns as ours (its mapping)…")),
    "matching": (0.15, N_("Matching the names to the people and firms stored…")),
    "names": (0.35, N_("Reading the rows into DuckDB…")),
    "read": (0.5, N_("Checking every row…")),
    "check": (0.7, N_("Comparing with the stored rows…")),
    "compare": (0.8, N_("Writing…")),
    "write": (0.85, N_("Refreshing the pages' tables…")),
    "derive": (0.97, N_("Committing…")),
}


def progress_bar():  # noqa: ANN201 - a callable for atlas.load's progress
    """A progress bar the steps of a check or a commit move along; returns (hear, done)."""
    bar = st.empty()

    def hear(phase: str, _result=None) -> None:  # noqa: ANN001
        if phase in PHASES:
            value, words = PHASES[phase]
            bar.progress(value, text=_(words))

    return hear, bar.empty


def staged_and_checked(
    state,
    con,
    named: list[tuple[str, bytes]],
    overrides: dict,
    encodings: dict,
    mode: str,
    review=None,
    mappings=None,
    progress=None,
    sheets=None,
):
    """The upload staged once per content and choices, and checked once per staging, mode and
    data version; kept in `state` (the session's) across the page's reruns.

    A new file, table pick or encoding pick stages anew and removes the previous copies; the
    copies also go after a commit, when the files are removed, and when the session ends
    (the Upload is then garbage-collected) or the server stops.
    """
    key = upload.fingerprint(named, overrides, encodings, mappings, sheets)
    held = session.STAGED_UPLOAD.get(state=state)
    hear = progress or (lambda phase, result=None: None)
    if held is None or held[0] != key or held[1].closed:
        _drop_staged(state)
        hear("reading")
        held = (
            key,
            upload.stage_upload(
                named, overrides, encodings=encodings, mappings=mappings, sheets=sheets, progress=progress
            ),
        )
        session.STAGED_UPLOAD.put(held, state=state)
    staged = held[1]
    if staged.names is None:
        hear("matching")
    plan = upload.plan_names(con, staged)
    if review is not None and plan is not None and plan.decisions and not review(staged):
        return staged, None  # the names wait for the analyst's decisions: nothing is checked yet
    decided = tuple((d.kind, d.name, d.target, d.status) for d in plan.decisions) if plan else ()
    check_key = (key, mode, db.cache_version(con), decided)
    checked = session.CHECKED_UPLOAD.get(state=state)
    if checked is None or checked[0] != check_key:
        checked = (check_key, upload.check(con, staged, mode, progress=progress))
        session.CHECKED_UPLOAD.put(checked, state=state)
    return staged, checked[1]


def _sheet_pick(i: int, s, data: dict[str, bytes], sheets: dict[str, str]) -> dict[str, str]:  # noqa: ANN001
    """A workbook's sheet to read (the first unless another is picked)."""
    try:
        names = spreadsheet.sheet_names(io.BytesIO(data[s.name]))
    except spreadsheet.Unreadable:
        return {}
    if len(names) < 2:
        return {}
    current = sheets.get(s.name, names[0])
    picked = st.selectbox(
        md(_("Sheet of {file}").format(file=short(s.name, 60))),
        names,
        index=names.index(current) if current in names else 0,
        key=f"upload_sheet_{i}",
        help=_("The workbook's first sheet is read unless you pick another."),
    )
    return {s.name: picked} if picked != names[0] else {}


def _upload_flow(files) -> None:
    named = [(f.name, f.getvalue()) for f in files]
    overrides = session.UPLOAD_OVERRIDES.get({})
    encodings = session.UPLOAD_ENCODINGS.get({})
    sheets = session.UPLOAD_SHEETS.get({})
    mode = st.session_state.get("upload_mode", "append")
    con = cache.connection()
    mapping_step.forget({f.name for f in files})
    hear, done = progress_bar()
    staged, result = staged_and_checked(
        st.session_state,
        con,
        named,
        overrides,
        encodings,
        mode,
        review=names_decided,
        mappings=dict(mapping_step.chosen()),
        progress=hear,
        sheets=sheets,
    )
    done()
    if mapping_step.apply_saved(staged):
        st.rerun()  # a saved mapping made for these columns: read the file with it
    from atlas.byname import FLAT_FORMATS

    tables = [t.name for t in TABLES] + list(FLAT_FORMATS)
    codecs = csvfile.codec_names()
    picked_tables: dict[str, str] = {}
    picked_codecs: dict[str, str] = {}
    picked_sheets: dict[str, str] = {}
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
            if spreadsheet.is_spreadsheet(s.name):
                picked_sheets.update(_sheet_pick(i, s, dict(named), sheets))
    mapping_step.mapping_ui(staged)
    if picked_tables != dict(overrides) or picked_codecs != encodings or picked_sheets != sheets:
        session.UPLOAD_OVERRIDES.value = picked_tables
        session.UPLOAD_ENCODINGS.value = picked_codecs
        session.UPLOAD_SHEETS.value = picked_sheets
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
    notices_ui(result.notices)
    if mapping_step.waiting(staged, result.problems):
        st.info(_("Map the file's columns above and use the mapping: its rows are then checked here."))
        return
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
        with st.status(_("Checking again and committing in one transaction…"), expanded=True) as progress:
            hear, _clear = progress_bar()

            def step(name: str, result) -> None:  # noqa: ANN001 - a LoadResult
                if name != "committed":
                    hear(name)
                    return
                _clear()
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
            if done.ok:
                alerts_ui.after_load()  # the watchlists' e-mails, in the background
            if not done.ok:
                progress.update(label=_("Rejected; nothing was written."), state="error")
        if done.ok:
            _drop_staged()  # committed: the copies are no longer needed
            message = _("Committed as data version {version}. Every page now shows it; undo it below.").format(
                version=done.upload_id
            )
            st.success(message)
            session.COMMITTED_MESSAGE.value = message
            session.UPLOAD_GENERATION.value = session.UPLOAD_GENERATION.get(0) + 1
        else:
            st.error(_("Rejected; nothing was written:"))
            report = upload.problems_frame(done.problems)
            st.dataframe(report, hide_index=True, width="stretch", column_config=headers(report))


def notices_ui(notices: list) -> None:
    """What the check reports without refusing: rows of one event loaded once, a move within one firm."""
    if not notices:
        return
    st.warning(
        _("{n} note(s) on the rows: they load as said below; fix the file if that is not what it means.").format(
            n=len(notices)
        ),
        icon=":material/info:",
    )
    report = upload.problems_frame(notices).rename(columns={"problem": "note"})
    st.dataframe(report, hide_index=True, width="stretch", column_config=headers(report))
    downloads_ui("upload_notes", df=report)


def headers(df) -> dict:
    """A frame's column headers in the reader's language (labels.COLUMNS), for st.dataframe."""
    return {c: labels.COLUMNS[c] for c in df.columns if c in labels.COLUMNS}


def dictionary_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """A data dictionary (model.dictionary, byname.flat_dictionary) as a table with its headers in
    the reader's language; the column names themselves are the CSV's, the same in every language."""
    frame = pd.DataFrame(rows).set_index("column")
    frame.index.name = labels.COLUMNS["column"]
    return frame.rename(columns={c: labels.COLUMNS[c] for c in frame.columns if c in labels.COLUMNS})


@functools.lru_cache(maxsize=64)
def _table_dictionary(table: str, language: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A table's dictionary in `language`, and its example row (the seed's first): the same for the
    process's life, made once per table and language (formatted again on every run, it was a tenth
    of a warm Data view, profiled)."""
    example: dict[str, str] = {}
    seed = SEED_DIR / f"{table}.csv"
    if seed.exists():
        with open(seed, encoding="utf-8") as f:
            example = next(csv.DictReader(f), {}) or {}
    return dictionary_frame(dictionary(table, example)), example


@functools.lru_cache(maxsize=16)
def _flat_dictionary(name: str, language: str) -> pd.DataFrame:
    """A file format by name's dictionary in `language`, made once per format and language."""
    from atlas import byname

    return dictionary_frame(byname.flat_dictionary(name))


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
            st.table(_flat_dictionary(table, i18n.language()))
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
        frame, example = _table_dictionary(table, i18n.language())
        # a static table: every rule and example readable in full, wrapped, not cut at a cell's width
        st.table(frame)
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
