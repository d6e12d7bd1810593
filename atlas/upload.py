"""Uploads from the Data page and the command line: untrusted files checked, staged once, committed by atlas.load.

Each file (or each CSV inside a zip) is read by `atlas.csvfile`: its encoding is detected or
refused, every row is checked for its shape, and a canonical UTF-8 copy is written to a private
folder. That folder is removed when the upload is closed (after a commit, when the analyst
removes the files, when the session or the process ends): see `Upload.close`.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import weakref
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb
import pandas as pd

from atlas import byname, csvfile, mapping, sandbox, spreadsheet
from atlas.i18n import L_, N_
from atlas.load import LoadResult, Problem, detect_table, history_records, load_files

MAX_FILE_BYTES = 200 * 1024 * 1024  # the same limit as server.maxUploadSize
MAX_ZIP_TOTAL = 1024 * 1024 * 1024  # all members of one zip, uncompressed
MAX_ZIP_FILES = 64  # CSV files in one zip: one per table, a few times over
MAX_ZIP_ENTRIES = 1_000  # every entry of its directory, folders and other files included
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of one member; CSV text compresses 5-20x
TEMP_PREFIX = "atlas-upload-"

LIMIT_MESSAGE = N_("is larger than the {mb} MB upload limit; split it or load it with `python -m atlas load`")


def _limit_message() -> str:
    return L_(LIMIT_MESSAGE).format(mb=MAX_FILE_BYTES // 2**20)


Source = bytes | Path


@dataclass
class StagedFile:
    """One file of an upload as it was read: its name as uploaded, table, encoding and problems."""

    name: str
    table: str | None = None
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0
    path: Path | None = None  # the canonical copy, when it could be read
    header: list[str] = field(default_factory=list)  # its columns as the file names them
    mapping: str = ""  # the name of the saved column mapping it was read through ("" for none or one not saved)
    mapped: bool = False  # read through a column mapping (atlas.mapping)
    raw_path: Path | None = None  # the canonical copy with the file's own columns (what a mapping reads)
    sheet: str = ""  # a workbook's sheet that was read


@dataclass
class Upload:
    """The files of one upload, staged in a private folder, with the table each one is for."""

    folder: Path
    files: dict[str, Path]  # table -> canonical copy
    labels: dict[str, str]  # table -> file name as uploaded
    problems: list[Problem]
    staged: list[StagedFile] = field(default_factory=list)  # every file, readable or not, in upload order
    names: byname.NamePlan | None = None  # the names it uses and their decisions (see plan_names)

    def __post_init__(self) -> None:
        # removed when the upload is closed, garbage-collected (a session ends) or at process exit
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.folder), True)

    def close(self) -> None:
        """Remove the staged copies (an upload cannot be checked or committed after this)."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fingerprint(
    named_files: list[tuple[str, bytes]],
    overrides: dict[str, str],
    encodings: dict[str, str],
    mappings: dict[str, mapping.Mapping] | None = None,
    sheets: dict[str, str] | None = None,
) -> str:
    """A key for one upload's content and choices: the same files and picks are staged once."""
    h = hashlib.sha256()
    for name, data in named_files:
        h.update(name.encode("utf-8", "replace") + b"\0" + hashlib.sha256(data).digest())
    h.update(repr(sorted(overrides.items())).encode() + repr(sorted(encodings.items())).encode())
    for name, m in sorted((mappings or {}).items()):
        h.update(name.encode("utf-8", "replace") + m.to_json().encode())
    h.update(repr(sorted((sheets or {}).items())).encode())
    return h.hexdigest()


def _open(source: Source) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115 - caller closes


def _size(source: Source) -> int:
    return len(source) if isinstance(source, bytes) else source.stat().st_size


def _zip_members(name: str, source: Source, folder: Path, problems: list[Problem]) -> list[tuple[str, Path]]:
    """The CSV files inside a zip, each streamed to a file of its own within the limits.

    The directory is checked first, before anything is staged: how many entries and CSV files it
    lists and their declared size together. Sizes are then counted again as the bytes come out
    (a directory can lie); a member that is encrypted, compressed with an unsupported method or
    damaged is a problem.
    """
    out: list[tuple[str, Path]] = []
    try:
        with _open(source) as raw, zipfile.ZipFile(raw) as z:
            entries = z.infolist()
            members = [
                m
                for m in entries
                if not m.is_dir() and m.filename.lower().endswith(".csv") and not Path(m.filename).name.startswith(".")
            ]
            refusal = _directory_refusal(len(entries), members)
            if refusal:
                problems.append(Problem("", None, None, None, refusal, name))
                return out
            if not members:
                problems.append(Problem("", None, None, None, L_("the zip holds no .csv file"), name))
            total = 0
            for i, m in enumerate(members):
                label = f"{name}/{Path(m.filename).name}"
                if m.flag_bits & 0x1:
                    message = L_("is encrypted: zip it again without a password")
                    problems.append(Problem("", None, None, None, message, label))
                    continue
                if m.file_size > MAX_FILE_BYTES:
                    problems.append(Problem("", None, None, None, _limit_message() + L_(" (inside the zip)"), label))
                    continue
                if m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1) and m.file_size > 1 << 20:
                    problems.append(Problem("", None, None, None, _ratio_message(m.file_size, m.compress_size), label))
                    continue
                target = folder / f"zip{i}.raw"
                problem = _extract(z, m, target, MAX_ZIP_TOTAL - total)
                if problem:
                    target.unlink(missing_ok=True)
                    problems.append(Problem("", None, None, None, problem, label))
                    if "together" in problem:
                        break
                    continue
                total += target.stat().st_size
                out.append((label, target))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        problems.append(Problem("", None, None, None, L_("cannot be opened as a zip: {exc}").format(exc=exc), name))
    return out


def _directory_refusal(n_entries: int, members: list[zipfile.ZipInfo]) -> str | None:
    """Why a zip is refused from its directory alone (nothing staged yet), or None."""
    if n_entries > MAX_ZIP_ENTRIES or len(members) > MAX_ZIP_FILES:
        return L_(
            "holds {n:,} files ({csv:,} of them CSV); an upload takes at most {most} CSV files, one per table: "
            "zip only the tables' files. Nothing was read from it."
        ).format(n=n_entries, csv=len(members), most=MAX_ZIP_FILES)
    declared = sum(m.file_size for m in members)
    if declared > MAX_ZIP_TOTAL:
        return L_(
            "its CSV files come to {mb:,} MB uncompressed, by its own directory; an upload takes at most {x:,} MB. "
            "Nothing was read from it."
        ).format(mb=declared // 2**20, x=MAX_ZIP_TOTAL // 2**20)
    return None


def _ratio_message(size: int, compressed: int) -> str:
    return L_(
        "expands {ratio:,.0f} times ({mb:,.0f} MB from {zipped:,.2f} MB), more than the {limit} "
        "times a CSV file does: refused as a possible zip bomb"
    ).format(ratio=size / max(compressed, 1), mb=size / 2**20, zipped=compressed / 2**20, limit=MAX_ZIP_RATIO)


def _extract(z: zipfile.ZipFile, m: zipfile.ZipInfo, target: Path, room: int) -> str | None:
    """Stream one member to `target`; a problem message if it breaks a limit or cannot be read."""
    limit = min(MAX_FILE_BYTES, room)
    written = 0
    try:
        with z.open(m) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > MAX_FILE_BYTES:
                    return _limit_message() + L_(" (inside the zip)")
                if written > limit:
                    return L_("the zip's files together are larger than {x:,} MB uncompressed").format(
                        x=MAX_ZIP_TOTAL // 2**20
                    )
                if written > MAX_ZIP_RATIO * max(m.compress_size, 1) and written > 1 << 20:
                    return _ratio_message(written, m.compress_size)
                dst.write(chunk)
    except NotImplementedError:
        method = {12: "bzip2", 14: "lzma", 9: "deflate64", 99: "AES encryption"}.get(m.compress_type, m.compress_type)
        return L_("uses a compression method this app cannot read ({method}): zip it again with plain deflate").format(
            method=method
        )
    except RuntimeError as exc:  # zipfile raises this for an encrypted member without a password
        return L_("cannot be read: {exc}; zip it again without a password").format(exc=exc)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        return L_("is damaged and cannot be decompressed ({exc})").format(exc=exc)
    return None


def sweep_orphans() -> list[Path]:
    """Remove the upload folders of processes that no longer run (killed before they could
    clean up: a crash, an out-of-memory kill); returns what was removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*-*"):
        pid = folder.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if not pid.isascii() or not pid.isdigit() or sandbox.alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def stage_upload(
    named_files: list[tuple[str, Source]],
    overrides: dict[str, str] | None = None,
    max_bytes: int | None = MAX_FILE_BYTES,
    encodings: dict[str, str] | None = None,
    mappings: dict[str, mapping.Mapping] | None = None,
    sheets: dict[str, str] | None = None,
    progress=None,  # noqa: ANN001 - called with a phase ("mapping") as each file is read through its mapping
) -> Upload:
    """Read uploaded files into a private folder and work out which table each is for.

    `named_files` are (name, bytes) from the browser or (name, path) from the command line;
    `overrides` maps a file name to the table the analyst picked for it, `encodings` to the
    encoding they picked (codec names of `csvfile.codec_names`), `mappings` to the column mapping
    that reads it (another tool's export), `sheets` to the sheet of a workbook to read (the first
    when none is named); `max_bytes` is the per-file limit (None from the command line). Close the
    upload (or use it as a context manager) to remove the folder.
    """
    overrides = overrides or {}
    sheets = sheets or {}
    encodings = encodings or {}
    mappings = mappings or {}
    sweep_orphans()
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    upload = Upload(folder, {}, {}, [])
    expanded: list[tuple[str, Source]] = []
    for name, source in named_files:
        if name.lower().endswith(".zip"):
            expanded += _zip_members(name, source, folder, upload.problems)
        else:
            expanded.append((name, source))
    for i, (name, source) in enumerate(expanded):
        staged = StagedFile(name)
        upload.staged.append(staged)
        if max_bytes is not None and _size(source) > max_bytes:
            upload.problems.append(Problem("", None, None, None, _limit_message(), name))
            continue
        out = folder / f"{i}.csv"
        if spreadsheet.is_spreadsheet(name):
            # a workbook: its sheet as a UTF-8 CSV first, then the same checks as any CSV
            sheet_csv = folder / f"{i}.sheet.csv"
            try:
                with _open(source) as raw:
                    staged.sheet = spreadsheet.to_csv(raw, sheet_csv, sheets.get(name))
            except spreadsheet.Unreadable as exc:
                upload.problems.append(Problem("", None, None, None, L_("cannot be read: {exc}").format(exc=exc), name))
                continue
            source = sheet_csv
        with _open(source) as raw:
            reading, problems = csvfile.canonicalize(raw, out, name, encodings.get(name))
        if staged.sheet:
            source.unlink(missing_ok=True)
            reading.encoding = L_("sheet “{sheet}”").format(sheet=staged.sheet)
        if isinstance(source, Path) and source.parent == folder:
            source.unlink(missing_ok=True)  # a zip member's raw copy: the canonical one replaces it
        staged.encoding, staged.delimiter, staged.rows = reading.encoding, reading.delimiter, reading.rows
        staged.header = list(reading.written_header)
        table = overrides.get(name) or detect_table(Path(name), reading.header)
        if not problems and name in mappings:
            # another tool's columns, read as ours through the analyst's mapping
            chosen = mappings[name]
            if progress is not None:
                progress("mapping")
            mapped = folder / f"{i}.mapped.csv"
            problems = mapping.apply(out, mapped, chosen, name)
            staged.raw_path = out  # kept: the mapping step previews and suggests from it
            out, table = mapped, chosen.target
            staged.mapping, staged.mapped = chosen.name, True
        staged.table = table
        if problems:
            out.unlink(missing_ok=True)
            upload.problems += [
                Problem(table or "", p.line, p.column, p.value, p.text, name, p.unreadable) for p in problems
            ]
            continue
        staged.path = out
        staged.raw_path = staged.raw_path or out
        if table is None:
            if mapping.foreign(staged.header):
                message = L_("its columns are not ours: map them (the Data page, or --mapping on the command line)")
            else:
                message = L_("cannot tell which table this file is for")
            upload.problems.append(Problem("", None, None, None, message, name))
        elif table in upload.files:
            upload.problems.append(
                Problem(table, None, None, None, L_("a second file for table {table}").format(table=table), name)
            )
        else:
            upload.files[table] = out
            upload.labels[table] = name
    return upload


def plan_names(con: duckdb.DuckDBPyConnection, upload: Upload) -> byname.NamePlan | None:
    """Resolve the names the upload uses (flat files, names in id columns): the decisions the
    analyst reviews before the dry run. Problems with names as written join the upload's."""
    if upload.names is None and upload.files and not upload.problems:
        upload.names = byname.plan(con, upload.files, upload.labels)
        upload.problems += upload.names.problems
    return upload.names


def _files_for_load(con: duckdb.DuckDBPyConnection, upload: Upload, mode: str) -> byname.Applied | list[Problem]:
    """The per-table files to load: as uploaded, or with the names replaced by their decisions;
    or the problems that stop them."""
    plan = plan_names(con, upload)
    if upload.problems:
        return list(upload.problems)
    if plan is None or (not plan.decisions and not plan.flat):
        return byname.Applied(upload.files, upload.labels, [], {})
    if mode == "replace" and plan.flat:
        message = L_("a file by name adds or updates rows (append or upsert); it cannot replace a table")
        return [Problem("", None, None, None, message, upload.labels.get(k, k)) for k in plan.flat]
    return byname.apply(con, upload.files, upload.labels, plan, upload.folder)


_EVENT_ID_COLUMNS = {f.table: f.id_column for f in byname.FLAT_FORMATS.values()}


def _in_words(result: LoadResult, applied: byname.Applied) -> LoadResult:
    """The result with the generated ids of a file by name told as the events they stand for
    (an analyst never wrote "m-c8e98f79c371"), and what the names step reported beside it."""
    problems = []
    for p in result.problems:
        # a round's investors carry the round's generated id (and its row): told as the round
        table = "funding_rounds" if p.table == "round_investors" and "round_id" in (p.column or "") else p.table
        event = applied.events.get((table, p.line)) if p.line is not None else None
        if event is not None and p.table == "round_investors" and table == "funding_rounds":
            investor = p.value.split("\x1f")[-1] if p.value else ""
            text = L_("this investor ({investor}) of the round is already stored").format(investor=investor)
            if getattr(p.text, "msgid", "") == "duplicate id within the file":
                text = L_("this investor ({investor}) is named twice for the round").format(investor=investor)
            problems.append(Problem(p.table, p.line, None, event, text, p.file))
            continue
        if event is not None and p.column == _EVENT_ID_COLUMNS.get(p.table):
            text = L_("this event is already stored (load in upsert mode to update it)")
            if getattr(p.text, "msgid", "") == "duplicate id within the file":
                text = L_("the same event as another row of the file")
            p = Problem(p.table, p.line, None, event, text, p.file)
        problems.append(p)
    result.problems = problems
    result.notices = applied.notices + result.notices
    return result


def check(
    con: duckdb.DuckDBPyConnection,
    upload: Upload,
    mode: str = "append",
    progress: Callable[[str, LoadResult], None] | None = None,
) -> LoadResult:
    """Validate without writing anything (a dry run): problems, or what would change. `progress`
    hears "names" once the names are applied, then each phase of the check (atlas.load)."""
    if upload.problems or not upload.files:
        return LoadResult(list(upload.problems))
    applied = _files_for_load(con, upload, mode)
    if isinstance(applied, list):
        return LoadResult(applied)
    if progress:
        progress("names", LoadResult())
    result = load_files(con, applied.files, mode=mode, dry_run=True, labels=applied.labels, progress=progress)
    return _in_words(result, applied)


def commit(
    con: duckdb.DuckDBPyConnection,
    upload: Upload,
    uploader: str,
    mode: str = "append",
    progress: Callable[[str, LoadResult], None] | None = None,
    uploader_email: str = "",
) -> LoadResult:
    """Validate again and commit everything in one transaction, or nothing; then rebuild the
    tables the pages read (see `atlas.load.load_files`; `progress` hears each step). The one
    commit path of the Data page and the command line."""
    if upload.problems or not upload.files:
        return LoadResult(list(upload.problems))
    applied = _files_for_load(con, upload, mode)
    if isinstance(applied, list):
        return LoadResult(applied)
    decisions = history_records(upload.names.decisions if upload.names else [])
    result = load_files(
        con,
        applied.files,
        mode=mode,
        uploader=uploader or "data page",
        labels=applied.labels,
        progress=progress,
        name_decisions=decisions or None,
        uploader_email=uploader_email,
    )
    return _in_words(result, applied)


def preview(upload: Upload, rows: int = 5) -> dict[str, pd.DataFrame]:
    """The first rows of each file as the analyst wrote them (all text), per table."""
    out = {}
    for table, path in upload.files.items():
        try:
            frame = pd.read_csv(path, nrows=rows, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError):
            continue
        out[table] = frame.drop(columns=[csvfile.ROW_COLUMN]).set_axis(frame[csvfile.ROW_COLUMN].rename("row"))
    return out


def readings_frame(upload: Upload) -> pd.DataFrame:
    """Each file with the table it is for and how it was read (encoding, delimiter, rows)."""
    delimiters = {",": L_("comma"), ";": L_("semicolon"), "\t": L_("tab"), "|": L_("bar")}
    return pd.DataFrame(
        [
            {
                "file": s.name,
                "table": s.table or "",
                "encoding": s.encoding or L_("not read"),
                "delimiter": delimiters.get(s.delimiter, ""),
                "rows": s.rows,
            }
            for s in upload.staged
        ],
        columns=["file", "table", "encoding", "delimiter", "rows"],
    )


def changes_frame(result: LoadResult) -> pd.DataFrame:
    """Rows new, changed, unchanged and removed per table, from a dry run or a commit."""
    return pd.DataFrame(
        [{"table": t, **c} for t, c in result.changes.items()],
        columns=["table", "new", "changed", "unchanged", "removed"],
    )


def diff_frame(result: LoadResult) -> pd.DataFrame:
    """The field-level diff: which field of which row changes from what to what."""
    return pd.DataFrame(result.diff, columns=["table", "row", "key", "column", "old", "new"])


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as a table an analyst can download and fix in a spreadsheet."""
    return pd.DataFrame(
        [
            {
                "file": p.file or p.table,
                "table": p.table,
                "row": p.line,
                "column": p.column,
                "value": p.value,
                "problem": p.message,
            }
            for p in problems
        ],
        columns=["file", "table", "row", "column", "value", "problem"],
    )
