"""The Data page's mapping step: a file with another tool's columns (a funding export, a people
export) mapped to one of our formats, previewed as it would load, saved by name and used again.

The analyst's mappings live in the session (`session.UPLOAD_MAPPINGS`: file name -> mapping) and are part
of the upload's fingerprint, so a changed mapping stages the file anew; the stage itself
(`atlas.upload.stage_upload`) reads the file through it, so the checks, the names' review and the
commit see the file in our format. A saved mapping made for the same columns is used on its own.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from atlas import access, cache, csvfile, db, mapping
from atlas.escape import md, short
from atlas.i18n import N_, _
from atlas.ui import auth, session

PREVIEW_ROWS = 5

TARGET_WORDS = {
    "moves by name": N_("moves by name (one row per move: person, firms, date)"),
    "pay by name": N_("pay by name (one row per pay figure)"),
    "rounds by name": N_("rounds by name (one row per funding round)"),
}


def chosen() -> dict[str, mapping.Mapping]:
    """The mappings the analyst chose for this upload's files."""
    return session.UPLOAD_MAPPINGS.setdefault({})


def forget(names: set[str]) -> None:
    """Drop the mappings of files no longer in the upload."""
    mappings, auto = session.UPLOAD_MAPPINGS.get({}), session.UPLOAD_MAPPINGS_AUTO.get(set())
    for name in [n for n in mappings if n not in names]:
        del mappings[name]
    auto.intersection_update(names)


def waiting(staged, problems: list) -> bool:  # noqa: ANN001 - an upload.Upload, its problems
    """True when the only problems are files whose columns wait for their mapping (the step above
    says what to do: no error to repeat it)."""
    names = {s.name for s in staged.staged if needs_step(s) and not s.mapped}
    return bool(problems) and all(p.line is None and not p.table and p.file in names for p in problems)


def needs_step(s) -> bool:  # noqa: ANN001 - an upload.StagedFile
    """A file read through a mapping, or one whose columns are not ours."""
    return s.raw_path is not None and (s.mapped or (s.table is None and mapping.foreign(s.header)))


def apply_saved(staged) -> bool:  # noqa: ANN001 - an upload.Upload
    """Use, on its own, a saved mapping made for exactly the columns of a file not mapped yet (once
    per file: after the analyst takes it off, it stays off). True when one was taken (rerun)."""
    con = cache.connection()
    done = session.UPLOAD_MAPPINGS_AUTO.setdefault(set())
    taken = False
    for s in staged.staged:
        if needs_step(s) and not s.mapped and s.name not in chosen() and s.name not in done:
            done.add(s.name)
            fitting = mapping.saved_fitting(con, s.header)
            if fitting is not None:
                chosen()[s.name] = fitting
                taken = True
    return taken


def mapping_ui(staged) -> None:  # noqa: ANN001 - an upload.Upload
    """The mapping step of every file that needs one."""
    saved = session.MAPPING_SAVED.pop()
    if saved:
        st.success(saved, icon=":material/bookmark_added:")
    for i, s in enumerate(staged.staged):
        if needs_step(s):
            _file_step(i, s)


def _file_step(i: int, s) -> None:  # noqa: ANN001 - an upload.StagedFile
    current = chosen().get(s.name)
    title = _("Columns of {file}").format(file=short(s.name, 60))
    st.markdown(f"**{md(title)}**")
    if current is not None:
        how = (
            _("Read as {target} through the saved mapping “{name}”.")
            if current.name
            else _("Read as {target} through your mapping.")
        )
        st.caption(md(how.format(target=_(TARGET_WORDS.get(current.target, current.target)), name=current.name)))
    else:
        st.caption(
            _(
                "Its columns are not ours: say which of its columns fills each of ours. The suggestion comes from "
                "the columns' names and values; check it against the preview, then use it. Save it by name to use "
                "it again: a file with the same columns is then read with it on its own."
            )
        )
    header, sample = mapping.read_sample(s.raw_path)
    written = s.header or header
    with st.expander(_("Mapping of {file}").format(file=short(s.name, 60)), expanded=current is None):
        base = _start_from(i, written, sample, current)
        edited = _editor(i, written, base)
        _preview(s, edited)
        _actions(i, s, edited, current)


def _start_from(i: int, header: list[str], sample: list[dict[str, str]], current) -> mapping.Mapping:  # noqa: ANN001
    """The mapping the editor starts from: the one in use, a saved one the analyst picks, or the suggestion."""
    con = cache.connection()
    saved = mapping.saved(con, header)
    options = ["", *(m.name for m in saved)]
    start = st.selectbox(
        _("Start from"),
        options,
        format_func=lambda n: n or (_("the mapping in use") if current is not None else _("the suggestion")),
        key=f"map_start_{i}",
        help=_("The saved mappings, those made for these very columns first."),
    )
    lower = {h.lower(): h for h in header}
    rows = [{lower.get(k, k): v for k, v in r.items()} for r in sample]
    if start:
        m = next(m for m in saved if m.name == start)
        return mapping.Mapping(m.target, m.columns, m.name, list(header))
    if current is not None:
        return current
    return mapping.suggest(header, rows)


def _editor(i: int, header: list[str], base: mapping.Mapping) -> mapping.Mapping:
    """A format, and one of the file's columns (or none) for each of our columns."""
    token = hashlib.sha1(
        repr((base.target, sorted(base.columns.items()), sorted(base.constants.items()), base.name)).encode()
    ).hexdigest()[:10]
    target = st.selectbox(
        _("Load it as"),
        mapping.TARGETS,
        index=mapping.TARGETS.index(base.target),
        format_func=lambda t: _(TARGET_WORDS[t]) if t in TARGET_WORDS else _("table {table}").format(table=t),
        key=f"map_target_{i}_{token}",
    )
    start = base.columns if target == base.target else mapping.suggest_for(target, header, [])[0].columns
    options = [mapping.NOT_MAPPED, *header]
    columns: dict[str, str] = {}
    fields = mapping.fields(target)
    grid = st.columns(3)
    for j, f in enumerate(fields):
        theirs = start.get(f.name, "")
        index = options.index(theirs) if theirs in options else 0
        with grid[j % 3]:
            picked = st.selectbox(
                f"{f.name} *" if f.required else f.name,
                options,
                index=index,
                format_func=lambda h: h or _("— not in the file —"),
                key=f"map_col_{i}_{token}_{target}_{f.name}",
                help=_("Required.") if f.required else None,
            )
        if picked:
            columns[f.name] = picked
    st.caption(md(_("Columns marked * are required. A column of the file that fills none of ours is not loaded.")))
    implied = base.constants if target == base.target else mapping.suggest_for(target, header, [])[0].constants
    constants = _constants_ui(i, token, target, fields, columns, implied)
    values = base.values if target == base.target else {}
    if values:
        shown = "; ".join(
            f"{ours}: " + ", ".join(f"{w} → {v}" for w, v in list(words.items())[:8]) for ours, words in values.items()
        )
        st.caption(
            md(_("Their words read as ours: {words} (the words as written are kept in the note).").format(words=shown))
        )
    open_choices = [f.name for f in fields if f.name in columns and "other" in f.choices]
    if open_choices:
        st.caption(
            md(
                _("A word of {columns} that is none of ours reads as “other”, the word kept in the note.").format(
                    columns=", ".join(open_choices)
                )
            )
        )
    same = columns == base.columns and constants == base.constants
    return mapping.Mapping(target, columns, base.name if same else "", list(header), constants, values)


def _constants_ui(
    i: int, token: str, target: str, fields: list, columns: dict[str, str], implied: dict[str, str]
) -> dict[str, str]:
    """A value for every row, for each of our columns the file has not (a currency its amount's name
    gives, a salary's kind and period), proposed where the names say it, chosen here otherwise."""
    wanted = [
        f
        for f in fields
        if f.name not in columns and (f.required or f.name in implied or f.name in ("currency", "period", "kind"))
    ]
    if not wanted:
        return {}
    st.markdown("**" + _("The same for every row") + "**")
    st.caption(_("For our columns the file has no column for: what every row is (leave empty where it varies)."))
    out: dict[str, str] = {}
    grid = st.columns(3)
    for j, f in enumerate(wanted):
        start = implied.get(f.name, "")
        with grid[j % 3]:
            label = f"{f.name} *" if f.required else f.name
            key = f"map_const_{i}_{token}_{target}_{f.name}"
            if f.choices:
                options = ["", *f.choices]
                value = st.selectbox(
                    label, options, index=options.index(start) if start in options else 0, key=key,
                    format_func=lambda v: v or _("— not the same for every row —"),
                )  # fmt: skip
            elif f.type == "currency":
                value = st.text_input(label, value=start, max_chars=3, key=key, placeholder="USD").strip().upper()
            else:
                value = st.text_input(label, value=start, max_chars=200, key=key).strip()
        if value:
            out[f.name] = value
    return out


def _preview(s, m: mapping.Mapping) -> None:  # noqa: ANN001 - an upload.StagedFile
    """The first rows as they would load, and what in them cannot be read."""
    missing = m.missing(s.header)
    if missing:
        st.warning(_("Still to map: {columns}.").format(columns=md(", ".join(missing))), icon=":material/edit_note:")
        return
    with tempfile.TemporaryDirectory(prefix="atlas-map-") as tmp:
        head = Path(tmp) / "head.csv"
        with open(s.raw_path, encoding="utf-8", newline="") as src, open(head, "w", encoding="utf-8") as dst:
            for n, line in enumerate(csv.reader(src)):
                if n > PREVIEW_ROWS:
                    break
                csv.writer(dst, lineterminator="\n").writerow(line)
        out = Path(tmp) / "mapped.csv"
        problems = mapping.apply(head, out, m, s.name)
        frame = pd.read_csv(out, dtype=str, keep_default_na=False) if out.exists() else pd.DataFrame()
    frame = frame.drop(columns=[csvfile.ORIGIN_COLUMN], errors="ignore")  # the row's own key, not a column of ours
    st.caption(_("The first rows as they would load:"))
    if not frame.empty:
        st.dataframe(frame.set_index(csvfile.ROW_COLUMN).rename_axis(_("row")), width="stretch")
    if problems:
        where = _("row {row}, column {column}")
        listed = "".join(
            "\n- "
            + where.format(row=p.line, column=md(p.column or ""))
            + f": “{md(short(p.value or '', 60))}” {md(p.message)}"
            for p in problems[:10]
        )
        st.warning(_("In these rows, what cannot be read:") + listed, icon=":material/warning:")


def _actions(i: int, s, m: mapping.Mapping, current) -> None:  # noqa: ANN001
    left, middle, right = st.columns([1, 1, 1])
    complete = not m.missing(s.header)
    with left:
        if st.button(_("Use this mapping"), type="primary", key=f"map_use_{i}", disabled=not complete):
            chosen()[s.name] = m
            st.rerun()
        if current is not None and st.button(_("Stop using it"), key=f"map_drop_{i}"):
            chosen().pop(s.name, None)
            st.rerun()
    with middle:
        name = st.text_input(_("Save it as"), max_chars=100, key=f"map_name_{i}", placeholder=_("e.g. Funding export"))
        if st.button(_("Save the mapping"), key=f"map_save_{i}", disabled=not complete):
            _save(s, m, name)
    with right:
        st.download_button(
            _("Download it (JSON)"),
            m.to_json(),
            file_name=f"{Path(s.name).stem}-mapping.json",
            mime="application/json",
            key=f"map_download_{i}",
            help=_("For the command line: python -m atlas load FILE --mapping this.json"),
        )


def _save(s, m: mapping.Mapping, name: str) -> None:  # noqa: ANN001 - an upload.StagedFile
    who = auth.identity()  # checked at the moment it acts, on the server
    if not access.may_upload(who, "append"):
        auth.refuse(N_("saving a column mapping"))
        return
    saved_by = who.display if who.team else (st.session_state.get("uploader") or _("data page"))
    try:
        with cache.writing() as master:
            saved_name = mapping.save(master, m, name, saved_by)
    except (ValueError, db.Busy) as exc:
        st.error(md(str(exc)))
        return
    chosen()[s.name] = mapping.Mapping(m.target, m.columns, saved_name, m.header)
    session.MAPPING_SAVED.value = _("Saved as “{name}”: a file with the same columns is read with it.").format(
        name=md(saved_name)  # anyone's words: text, never a link or an image
    )
    st.rerun()
