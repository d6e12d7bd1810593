"""Uploads from the Data page: files as the browser sends them, checked and committed by atlas.load."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from atlas.load import LoadResult, Problem, detect_table, load_files

MAX_FILE_BYTES = 200 * 1024 * 1024  # the same limit as server.maxUploadSize


@dataclass
class Upload:
    """The files of one upload, written to a private folder, with the table each one is for."""

    folder: Path
    files: dict[str, Path]  # table -> path
    labels: dict[str, str]  # table -> file name as uploaded
    problems: list[Problem]


def stage_upload(named_files: list[tuple[str, bytes]], overrides: dict[str, str] | None = None) -> Upload:
    """Write uploaded files to a temporary folder and work out which table each is for."""
    overrides = overrides or {}
    folder = Path(tempfile.mkdtemp(prefix="atlas-upload-"))
    files: dict[str, Path] = {}
    labels: dict[str, str] = {}
    problems: list[Problem] = []
    for i, (name, data) in enumerate(named_files):
        if len(data) > MAX_FILE_BYTES:
            problems.append(Problem("", None, None, None, "is larger than the 200 MB upload limit", name))
            continue
        path = folder / f"{i}_{Path(name).name}"
        path.write_bytes(data)
        table = overrides.get(name) or detect_table(path) or detect_table(path.with_name(Path(name).name))
        if table is None:
            problems.append(Problem("", None, None, None, "cannot tell which table this file is for", name))
        elif table in files:
            problems.append(Problem(table, None, None, None, f"a second file for table {table}", name))
        else:
            files[table] = path
            labels[table] = name
    return Upload(folder, files, labels, problems)


def check(con: duckdb.DuckDBPyConnection, upload: Upload) -> LoadResult:
    """Validate without writing anything (a dry run)."""
    if upload.problems or not upload.files:
        return LoadResult(list(upload.problems))
    return load_files(con, upload.files, mode="append", dry_run=True, labels=upload.labels)


def commit(con: duckdb.DuckDBPyConnection, upload: Upload, uploader: str) -> LoadResult:
    """Validate again and commit everything in one transaction, or nothing."""
    if upload.problems or not upload.files:
        return LoadResult(list(upload.problems))
    return load_files(con, upload.files, mode="append", uploader=uploader or "data page", labels=upload.labels)


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
