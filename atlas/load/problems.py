"""What a load reports: a problem by file, row and column; the result of a load; the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field

from atlas.i18n import shown


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is (file, spreadsheet row, column) and why."""

    table: str
    line: int | None  # the row number a spreadsheet shows (the header is row 1)
    column: str | None
    value: str | None
    text: str  # why, as made (an atlas.i18n.Text: read in the reader's language of the moment)
    file: str = ""
    unreadable: bool = False  # the file itself cannot be read (its encoding or shape): pick another reading

    @property
    def message(self) -> str:
        """Why, in the reader's language of the moment (kept problems follow a language switch)."""
        return str(shown(self.text))

    def __str__(self) -> str:
        where = self.file or self.table
        if self.line is not None:
            where += f", row {self.line}"
        if self.column:
            where += f", column {self.column}"
        shown = f" (value: {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


@dataclass
class LoadResult:
    """What a load did: the problems found, or the rows committed per table."""

    problems: list[Problem] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    upload_id: int | None = None
    # per table: rows new, changed, unchanged and (replace) removed
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    # (table, row, key, column, old, new) for every field an upsert or replace changes
    diff: list[tuple] = field(default_factory=list)
    # seconds per phase: read, check, compare, write, derive, commit
    timings: dict[str, float] = field(default_factory=dict)
    # rows of each derived table refreshed ({} when they were rebuilt whole)
    derived: dict[str, int] = field(default_factory=dict)
    # what was reported but not refused (rows of one event loaded once, a move within one firm)
    notices: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong (and, unless a dry run, everything was committed)."""
        return not self.problems


class LoadError(Exception):
    """Raised when an input is rejected; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s):\n{lines}{more}")
