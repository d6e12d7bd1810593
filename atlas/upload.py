"""Uploads from the Data page: files as the browser sends them, checked and committed by atlas.load."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from atlas.load import LoadResult, Problem, detect_table, load_files

MAX_FILE_BYTES = 200 * 1024 * 1024  # the same limit as server.maxUploadSize


def to_utf8(data: bytes) -> tuple[bytes | None, str]:
    """The file as UTF-8, and the encoding it was read as (None and a reason if unreadable).

    DuckDB reads UTF-8 only, so UTF-16 (with its BOM) and GB18030/GBK, the usual Chinese
    Excel export, are transcoded here first. A file with NUL bytes and no UTF-16 BOM is
    taken for binary.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "UTF-16"
        except UnicodeDecodeError:
            return None, "starts like UTF-16 but does not decode as UTF-16"
    if b"\x00" in data[:4096]:
        return None, "looks like a binary file, not a CSV"
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            return data.decode(encoding).encode("utf-8"), label
        except UnicodeDecodeError:
            continue
    return None, "is neither UTF-8, UTF-16 nor GB18030/GBK text"


@dataclass
class Upload:
    """The files of one upload, written to a private folder, with the table each one is for."""

    folder: Path
    files: dict[str, Path]  # table -> path
    labels: dict[str, str]  # table -> file name as uploaded
    problems: list[Problem]


def expand_zips(named_files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """A .zip stands for the CSV files inside it (folders and other files are ignored)."""
    out: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for name, data in named_files:
        if not name.lower().endswith(".zip"):
            out.append((name, data))
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                members = [
                    m
                    for m in z.infolist()
                    if not m.is_dir()
                    and m.filename.lower().endswith(".csv")
                    and not Path(m.filename).name.startswith(".")
                ]
                if not members:
                    problems.append(Problem("", None, None, None, "the zip holds no .csv file", name))
                for m in members:
                    if m.file_size > MAX_FILE_BYTES:
                        problems.append(
                            Problem("", None, None, None, f"{LIMIT_MESSAGE} (inside the zip)", f"{name}/{m.filename}")
                        )
                        continue
                    out.append((f"{name}/{Path(m.filename).name}", z.read(m)))
        except (zipfile.BadZipFile, OSError) as exc:
            problems.append(Problem("", None, None, None, f"cannot be opened as a zip: {exc}", name))
    return out, problems


LIMIT_MESSAGE = (
    f"is larger than the {MAX_FILE_BYTES // 2**20} MB upload limit; split it or load it with `python -m atlas load`"
)


def stage_upload(
    named_files: list[tuple[str, bytes]],
    overrides: dict[str, str] | None = None,
    max_bytes: int | None = MAX_FILE_BYTES,
) -> Upload:
    """Write uploaded files to a temporary folder and work out which table each is for.

    `overrides` maps a file name to the table the analyst picked for it; `max_bytes` is the
    per-file limit (None from the command line, which reads files from disk).
    """
    overrides = overrides or {}
    named_files, zip_problems = expand_zips(named_files)
    folder = Path(tempfile.mkdtemp(prefix="atlas-upload-"))
    files: dict[str, Path] = {}
    labels: dict[str, str] = {}
    problems: list[Problem] = list(zip_problems)
    for i, (name, data) in enumerate(named_files):
        if max_bytes is not None and len(data) > max_bytes:
            problems.append(Problem("", None, None, None, LIMIT_MESSAGE, name))
            continue
        text, encoding = to_utf8(data)
        if text is None:
            problems.append(Problem("", None, None, None, f"cannot be read: {encoding}", name))
            continue
        path = folder / f"{i}_{Path(name).name}"
        path.write_bytes(text)
        table = overrides.get(name) or detect_table(path) or detect_table(path.with_name(Path(name).name))
        if table is None:
            problems.append(Problem("", None, None, None, "cannot tell which table this file is for", name))
        elif table in files:
            problems.append(Problem(table, None, None, None, f"a second file for table {table}", name))
        else:
            files[table] = path
            labels[table] = name
    return Upload(folder, files, labels, problems)


def check(con: duckdb.DuckDBPyConnection, upload: Upload, mode: str = "append") -> LoadResult:
    """Validate without writing anything (a dry run): problems, or what would change."""
    if upload.problems or not upload.files:
        return LoadResult(list(upload.problems))
    return load_files(con, upload.files, mode=mode, dry_run=True, labels=upload.labels)


def commit(
    con: duckdb.DuckDBPyConnection, upload: Upload, uploader: str, mode: str = "append", derive: bool = True
) -> LoadResult:
    """Validate again and commit everything in one transaction, or nothing; then (derive)
    rebuild the tables the pages read (see `atlas.load.load_files`)."""
    if upload.problems or not upload.files:
        return LoadResult(list(upload.problems))
    return load_files(
        con, upload.files, mode=mode, uploader=uploader or "data page", labels=upload.labels, derive=derive
    )


def preview(upload: Upload, rows: int = 5) -> dict[str, pd.DataFrame]:
    """The first rows of each file as the analyst wrote them (all text), per table."""
    out = {}
    for table, path in upload.files.items():
        try:
            out[table] = pd.read_csv(path, nrows=rows, dtype=str, sep=None, engine="python", keep_default_na=False)
        except (pd.errors.ParserError, ValueError, OSError):
            continue
    return out


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
