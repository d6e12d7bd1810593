"""Validate CSV files against the data model and commit them in one transaction; undo a load.

Everything runs inside DuckDB: each file is read once into a staging table of text columns
(`stage`), every rule is one SQL check over it (`rules`), the rows are typed, compared and
written per mode with an undo log (`write`), all in one transaction (`commit`), after which
the pages' derived tables are rebuilt in a transaction of their own (`derived`); `undo`
reverses the latest load; `merge` folds one person or firm into another (logged for undo like a
load). Values are only ever bound as parameters; the column names that
appear in the generated SQL come from `atlas.model`, never from a file.
"""

from atlas.load.commit import history_records, load_files
from atlas.load.derived import refresh_derived_committed
from atlas.load.merge import merge
from atlas.load.problems import LoadError, LoadResult, Problem
from atlas.load.rules import check_staged, schema_checks, schema_checks_to_evaluate
from atlas.load.stage import detect_table, stage_file
from atlas.load.undo import finish_undo, undo, undo_problem, undoable_upload
from atlas.load.values import MAX_YEAR, MIN_YEAR
from atlas.load.write import MODES, WRITE_LOCK
from atlas.model import TABLES

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "MODES",
    "TABLES",
    "WRITE_LOCK",
    "LoadError",
    "LoadResult",
    "Problem",
    "check_staged",
    "detect_table",
    "finish_undo",
    "history_records",
    "load_files",
    "merge",
    "refresh_derived_committed",
    "schema_checks",
    "schema_checks_to_evaluate",
    "stage_file",
    "undo",
    "undo_problem",
    "undoable_upload",
]
