"""Step 4, commit: one load end to end (stage, rules, write, commit in one transaction, then the derived
tables); the one path the Data page, the command line and the seed build share.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from atlas.i18n import L_
from atlas.load.derived import refresh_for
from atlas.load.problems import LoadResult, Problem
from atlas.load.rules import check_staged, currency_rules, replace_problems
from atlas.load.stage import drop_stage, row_count, stage_file
from atlas.load.write import (
    MODES,
    WRITE_LOCK,
    field_diff,
    next_upload_id,
    pause_point,
    remove_missing,
    summarize_changes,
    typed_rows,
    undo_table,
    write_rows,
)
from atlas.model import TABLES, TABLES_BY_NAME


def load_files(
    con: duckdb.DuckDBPyConnection,
    files: Mapping[str, Path],
    *,
    mode: str = "append",
    uploader: str = "cli",
    dry_run: bool = False,
    labels: Mapping[str, str] | None = None,
    derive: bool = True,
    progress: Callable[[str, LoadResult], None] | None = None,
    name_decisions: list[dict] | None = None,
    uploader_email: str = "",
) -> LoadResult:
    """Validate `files` (table name -> CSV path) and, if all is well, commit them atomically.

    mode: append (new ids only), upsert (insert or update by id), replace (each file becomes
    its table), or build (the seed). On any problem nothing is written and the problems are
    returned; the database is changed only by a successful commit, in one transaction with
    its `uploads` record and the undo log that can restore the state before it.

    The tables the pages read are brought up to date in the same transaction (derive=True):
    refreshed for the rows the upload touched (`atlas.load.derived`), or rebuilt whole by a
    replace or a build, so no reader ever sees the new facts beside the old derived tables.
    `progress` hears each phase as it ends (read, check, compare, write, derive) and "committed"
    when the transaction has committed (the Data page's progress bar shows them).
    Only the benchmark and a repair test pass derive=False: the facts are committed alone, and
    `db.connect` rebuilds the derived tables it finds behind.
    """
    with WRITE_LOCK:
        result = _load_files(
            con,
            files,
            progress=progress,
            mode=mode,
            uploader=uploader,
            dry_run=dry_run,
            labels=labels or {},
            decisions=name_decisions,
            email=uploader_email,
            derive=derive,
        )
        if result.upload_id is not None and progress:
            progress("committed", result)
        return result


def _load_files(  # noqa: ANN202 - see load_files
    con,
    files,
    *,
    mode,
    uploader,
    dry_run,
    labels,
    decisions=None,
    email="",
    derive=True,
    progress=None,  # noqa: ANN001
) -> LoadResult:
    if mode not in (*MODES, "build"):
        raise ValueError(f"mode must be one of {MODES}")
    unknown = [name for name in files if name not in TABLES_BY_NAME]
    if unknown:
        return LoadResult([Problem(n, None, None, None, L_("not a table of the data model")) for n in unknown])
    cur = con.cursor()
    result = LoadResult()
    clock = _Clock(result.timings, (lambda phase: progress(phase, result)) if progress else None)
    # the files' checksum for the uploads record, computed beside the load (hashlib lets
    # other threads run while it hashes)
    stop_hashing = threading.Event()
    digest = _HASHER.submit(_sha256, [Path(files[t.name]) for t in TABLES if t.name in files], stop_hashing)
    try:
        order = [t for t in TABLES if t.name in files]
        staged: set[str] = set()
        # staged into this cursor's temp tables before the transaction: committed, their rows'
        # ids are their positions in the file (inside a transaction they are not)
        for t in order:
            file_problems = stage_file(cur, t, Path(files[t.name]), labels.get(t.name, ""))
            result.problems.extend(file_problems)
            if not file_problems:
                staged.add(t.name)
        clock.lap("read")
        cur.execute("begin transaction")
        for t in order:
            if t.name in staged:
                result.problems.extend(check_staged(cur, t, staged, mode, labels.get(t.name, "")))
        for sql in currency_rules(staged):
            for r in cur.execute(sql).fetchall():
                message = L_("unknown currency: no exchange rate in fx_rates")
                result.problems.append(Problem(r[0], r[1], r[2], r[3], message, labels.get(r[0], "")))
        clock.lap("check")
        upload_id = next_upload_id(cur)
        upload_source = f"upload-{upload_id}"
        if not result.problems:
            for t in order:
                typed_rows(cur, t, upload_source, materialize=row_count(cur, t.name) > 0, mode=mode)
                result.changes[t.name] = summarize_changes(cur, t, mode)
                if mode in ("upsert", "replace"):
                    result.diff += field_diff(cur, t)
            if mode == "replace":
                result.problems += replace_problems(cur, order, staged)
        clock.lap("compare")
        if result.problems or dry_run:
            if dry_run:
                result.row_counts = {t: row_count(cur, f"stage_{t}") for t in staged}
            cur.execute("rollback")
            return result
        # one label per file, each said once (a pull labels every table with what it asked for)
        names = ", ".join(dict.fromkeys(labels.get(t.name, Path(files[t.name]).name) for t in order))
        unsourced = [t.name for t in order if t.name != "sources" and "source_id" in t.column_names]
        if any(
            cur.execute(f"select count(*) from typed_{name} where source_id = $s", {"s": upload_source}).fetchall()[0][
                0
            ]
            for name in unsourced
        ):
            # the upload itself is the source of the rows that named none
            cur.execute(
                "insert into sources "
                "(source_id, title, publisher, published_on, published_on_precision, kind, title_kind) "
                "values ($id, $title, $who, current_date, 'day', 'upload', 'description')",
                {"id": upload_source, "title": f"Upload {upload_id}: {names}", "who": uploader},
            )
            undo_table(cur, TABLES_BY_NAME["sources"])
            cur.execute(
                "insert into undo_sources (undo_upload_id, undo_action, source_id) values ($u, 'inserted', $id)",
                {"u": upload_id, "id": upload_source},
            )
        for t in order:
            write_rows(cur, t, mode, upload_id)
            result.row_counts[t.name] = row_count(cur, f"typed_{t.name}")
        if mode == "replace":
            for t in reversed(order):
                remove_missing(cur, t, upload_id)
        if "aliases" in staged:
            # the aliases a review confirmed say which upload they came from
            cur.execute("update aliases set origin = 'upload ' || $id where origin = 'upload'", {"id": upload_id})
        clock.lap("write")
        cur.execute(
            "insert into uploads "
            "(upload_id, uploader, mode, file_names, sha256, row_counts, tables, name_decisions, uploader_email) "
            "values ($id, $uploader, $mode, $files, $sha, $counts, $tables, $names, nullif($email, ''))",
            {
                "id": upload_id,
                "uploader": uploader,
                "mode": mode,
                "files": names,
                "sha": digest.result(),
                "counts": json.dumps(result.changes if mode != "build" else result.row_counts),
                "tables": ", ".join(t.name for t in order),
                "names": json.dumps(decisions, ensure_ascii=False) if decisions else None,
                "email": email or "",
            },
        )
        if derive:
            # the pages' tables in the same transaction: for what this upload touched, or whole
            result.derived = refresh_for(cur, upload_id, full=mode in ("replace", "build"))
            clock.lap("derive")
        result.upload_id = upload_id
        pause_point("commit")
        cur.execute("commit")
        clock.lap("commit")
    except duckdb.Error as exc:
        # A constraint the checks above did not anticipate: still all or nothing.
        with contextlib.suppress(duckdb.TransactionException):  # failed while staging, before it began
            cur.execute("rollback")
        result.problems.append(Problem("", None, None, None, L_("rejected by the database: {exc}").format(exc=exc)))
    finally:
        stop_hashing.set()  # a rejected or dry-run upload needs no checksum
        for t in TABLES:
            drop_stage(cur, t)
        cur.close()
    return result


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atlas-sha256")


def _sha256(paths: list[Path], stop: threading.Event) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            while not stop.is_set() and (chunk := f.read(1 << 20)):
                digest.update(chunk)
    return digest.hexdigest()


class _Clock:
    """Seconds per phase of a load, into `timings`."""

    def __init__(self, timings: dict[str, float], hear: Callable[[str], None] | None = None):
        self.timings = timings
        self.hear = hear
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now
        if self.hear:
            self.hear(phase)


def history_records(decisions: list) -> list[dict]:  # atlas.resolve.Decision
    """The decisions as the load history records them (atlas.load's name_decisions): each name,
    the entry it became, how, and whether the load created that entry."""
    return [
        {
            "kind": d.kind,
            "name": d.name,
            "entity": d.target,
            "status": d.status,
            "rule": d.rule,
            "score": d.score,
            "created": d.entity_id is None,
        }
        for d in decisions
    ]
