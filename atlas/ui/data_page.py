"""The Data page's workflow: upload (staged and checked once per content and mode), the preview,
problems, changes and commit; undo of the latest upload; templates and the data dictionary.
"""

from __future__ import annotations

import csv

import pandas as pd
import streamlit as st

from atlas import cache, csvfile, db, load, upload
from atlas.db import SEED_DIR
from atlas.escape import md, short
from atlas.model import TABLES, dictionary, example_csv, template_csv
from atlas.ui.downloads import downloads_ui

UPLOAD_MODES = {
    "append": "Append: new ids only",
    "upsert": "Upsert: add new ids, update existing ones",
    "replace": "Replace: each file becomes its whole table",
}


def upload_ui() -> None:
    """Upload CSV files (or a zip of them): preview, check, see what changes, commit; undo."""
    st.subheader("Upload new data")
    st.caption(
        "One CSV per table (or one .zip of them), recognized by its file name or header, the column names of "
        "the data model; pick the table yourself where it is not. Any encoding a spreadsheet saves (UTF-8, "
        "UTF-16, GB18030/GBK, Big5, Shift-JIS, Windows-1252) is detected, or refused when unsure; comma, "
        f"semicolon, tab or bar. A file with any problem changes nothing. Limit: {upload.MAX_FILE_BYTES // 2**20} "
        "MB per file."
    )
    files = st.file_uploader("CSV or zip files", type=["csv", "zip"], accept_multiple_files=True, key="upload_files")
    if files:
        _upload_flow(files)
    else:
        _drop_staged()  # the analyst removed the files: their staged copies go too
    undo_ui()


def _drop_staged(state=None) -> None:
    state = st.session_state if state is None else state
    staged = state.pop("_staged_upload", None)
    state.pop("_checked_upload", None)
    if staged is not None:
        staged[1].close()


def staged_and_checked(state, con, named: list[tuple[str, bytes]], overrides: dict, encodings: dict, mode: str):
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
    check_key = (key, mode, db.cache_version(con))
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
    with st.spinner("Reading the files and checking every row in DuckDB…"):
        staged, result = staged_and_checked(st.session_state, con, named, overrides, encodings, mode)
    tables = [t.name for t in TABLES]
    codecs = csvfile.codec_names()
    picked_tables: dict[str, str] = {}
    picked_codecs: dict[str, str] = {}
    unreadable = {p.file for p in staged.problems if p.message.startswith("cannot be read")}
    with st.expander("Files, their tables and encodings", expanded=bool(staged.problems)):
        st.dataframe(upload.readings_frame(staged), hide_index=True, width="stretch")
        for i, s in enumerate(staged.staged):
            left, right = st.columns(2)
            with left:
                picked = st.selectbox(
                    md(f"Table of {short(s.name, 60)}"),
                    tables,
                    index=tables.index(s.table) if s.table in tables else None,
                    key=f"upload_table_{i}",
                    placeholder="Pick the table",
                    help="Recognized from the file name or header; change it if it is wrong.",
                )
                if picked and picked != s.table:
                    picked_tables[s.name] = picked
            with right:
                current = encodings.get(s.name)
                codec = st.selectbox(
                    md(f"Encoding of {short(s.name, 60)}"),
                    list(codecs),
                    format_func=codecs.get,
                    index=list(codecs).index(current) if current in codecs else None,
                    key=f"upload_encoding_{i}",
                    placeholder="Detected" if s.name not in unreadable else "Pick the encoding",
                    help="Leave empty to detect it. Pick one when the detection is unsure, then check the preview.",
                )
                if codec:
                    picked_codecs[s.name] = codec
    if picked_tables != {k: v for k, v in overrides.items()} or picked_codecs != encodings:
        st.session_state["_upload_overrides"] = picked_tables
        st.session_state["_upload_encodings"] = picked_codecs
        st.rerun()
    mode = st.radio(
        "Mode",
        list(UPLOAD_MODES),
        format_func=UPLOAD_MODES.get,
        horizontal=True,
        key="upload_mode",
        help="Append refuses ids that exist; upsert updates them field by field; replace also removes the rows "
        "the file no longer has (refused while other data still refers to them). Every commit can be undone.",
    )
    readings = {s.table: s for s in staged.staged if s.path is not None}
    for table, frame in upload.preview(staged).items():
        s = readings.get(table)
        how = f" (read as {s.encoding})" if s else ""
        st.caption(md(f"First rows of {short(staged.labels[table], 80)} → {table}{how}"))
        st.dataframe(frame, width="stretch")

    if result.problems:
        # a whole file's problem (its encoding, its shape) is a sentence to read in full, not a cell
        whole = [p for p in result.problems if p.line is None][:20]
        listed = "".join(f"\n- **{md(short(p.file or p.table, 80))}**: {md(p.message)}" for p in whole)
        st.error(f"{len(result.problems)} problem(s): nothing was written. Fix them and upload again.{listed}")
        report = upload.problems_frame(result.problems)
        st.dataframe(report, hide_index=True, width="stretch")
        downloads_ui("upload_problems", df=report)
        return
    st.success("No problem found. What a commit would change:")
    st.dataframe(
        upload.changes_frame(result),
        column_config={
            c: st.column_config.NumberColumn(c.capitalize(), format="%d")
            for c in ("new", "changed", "unchanged", "removed")
        },
        hide_index=True,
        width="content",
    )
    if result.diff:
        first = " (the first 2,000)" if len(result.diff) >= 2000 else ""
        st.caption(f"Field by field: {len(result.diff):,} change(s){first}, old value beside new.")
        st.dataframe(upload.diff_frame(result), hide_index=True, width="stretch")
    uploader = st.text_input("Your name (recorded with the upload)", max_chars=100, key="uploader")
    if st.button("Commit the upload", type="primary", key="upload_commit"):
        with st.status("Checking again and committing in one transaction…") as progress:

            def step(name: str, result) -> None:  # noqa: ANN001 - a LoadResult
                took = sum(t for k, t in result.timings.items() if k != "derive")
                if name == "committed":
                    progress.update(
                        label=f"Committed as data version {result.upload_id} in {took:,.1f} s. "
                        "Rebuilding the tables the pages read…"
                    )
                else:
                    progress.update(
                        label=f"Committed as data version {result.upload_id} in {took:,.1f} s; the pages' tables "
                        f"rebuilt in {result.timings['derive']:,.1f} s.",
                        state="complete",
                    )

            done = upload.commit(con, staged, uploader, mode, progress=step)
            if not done.ok:
                progress.update(label="Rejected; nothing was written.", state="error")
        if done.ok:
            _drop_staged()  # committed: the copies are no longer needed
            st.success(f"Committed as data version {done.upload_id}. Every page now shows it; undo it below.")
        else:
            st.error("Rejected; nothing was written:")
            st.dataframe(upload.problems_frame(done.problems), hide_index=True, width="stretch")


def undo_ui() -> None:
    """Undo the latest upload in effect, behind a confirmation."""
    con = cache.connection()
    latest = load.undoable_upload(con)
    if latest is None:
        return
    problem = load.undo_problem(con, latest)
    if problem:
        st.caption(md(f"The latest upload (data version {latest}) cannot be undone: {problem}."))
        return
    with st.expander(f"Undo the latest upload (data version {latest})"):
        st.caption(
            "Restores exactly the state before it: the rows it added go, the rows it updated or replaced come "
            "back. The undo is itself recorded in the load history."
        )
        sure = st.checkbox(f"Yes, undo data version {latest}", key="undo_sure")
        if st.button("Undo", disabled=not sure, key="undo_button"):
            result = load.undo(con, latest, st.session_state.get("uploader", "") or "data page")
            if result.ok:
                st.success(f"Version {latest} undone (recorded as version {result.upload_id}).")
            else:
                st.error("; ".join(p.message for p in result.problems))


def dictionary_ui() -> None:
    """Per table: the data dictionary (types, rules, an example row) in full, an empty template
    and a separate example file with one row of the seed data."""
    with st.expander("Templates and data dictionary"):
        table = st.selectbox("Table", [t.name for t in TABLES], key="dict_table")
        example: dict[str, str] = {}
        seed = SEED_DIR / f"{table}.csv"
        if seed.exists():
            with open(seed, encoding="utf-8") as f:
                example = next(csv.DictReader(f), {}) or {}
        # a static table: every rule and example readable in full, wrapped, not cut at a cell's width
        st.table(pd.DataFrame(dictionary(table, example)).set_index("column"))
        with st.container(horizontal=True, gap="small"):
            st.download_button(
                f"Empty template: {table}.csv",
                data=template_csv(table),
                file_name=f"{table}.csv",
                mime="text/csv",
                key="dict_template",
                on_click="ignore",
                icon=":material/download:",
                help="The header alone, ready to fill in",
            )
            if example:
                st.download_button(
                    f"Example: {table}.example.csv",
                    data=example_csv(table, example),
                    file_name=f"{table}.example.csv",
                    mime="text/csv",
                    key="dict_example",
                    on_click="ignore",
                    icon=":material/download:",
                    help="The header and one row of the seed data, to see how a filled row looks."
                    " A separate file: the empty template stays empty, so nothing of the example is loaded by mistake.",
                )
