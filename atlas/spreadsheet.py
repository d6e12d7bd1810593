"""Spreadsheets as uploads: one sheet of an `.xlsx`, `.xlsm`, `.xls` or `.ods` workbook written out as
a UTF-8 CSV, which then goes through every check a CSV does (atlas.csvfile, the mapping, the loader).

Read with python-calamine (Rust's calamine: no macro runs, no formula is evaluated, nothing is
fetched; a cell holds the value the spreadsheet saved). A date cell becomes its ISO date, a whole
number stays whole (60000000, not 60000000.0), an empty row is skipped. The first sheet is read
unless another is named; a workbook that cannot be read, or a sheet it does not have, is a
problem with the reason, and nothing is staged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import BinaryIO

from atlas.i18n import L_

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_CELLS = 20_000_000  # a sheet's rows x columns at most (a 200 MB CSV's worth)
# what a zipped workbook (.xlsx, .xlsm, .ods) may hold once unzipped, checked from its directory before
# anything is read (a workbook of a few kB can unzip to gigabytes): a 200 MB CSV's rows as XML fit
MAX_UNZIPPED = 512 * 2**20


class Unreadable(ValueError):
    """The workbook or the sheet asked for cannot be read; the message says why."""


def is_spreadsheet(name: str) -> bool:
    return Path(name).suffix.lower() in SUFFIXES


def _workbook(raw: BinaryIO):  # noqa: ANN202 - a CalamineWorkbook
    from python_calamine import CalamineWorkbook

    data = raw.read()
    if data[:4] == b"PK\x03\x04":
        _check_unzipped(data)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own errors for a damaged file
        raise Unreadable(L_("it is not a workbook this app can read ({why})").format(why=str(exc)[:200])) from None


def _check_unzipped(data: bytes) -> None:
    """Unreadable when a zipped workbook unzips to more than MAX_UNZIPPED bytes, or cannot be
    unzipped: its directory's sizes first, then every member unzipped once in 1 MB pieces and
    counted (Python's reader stops at the size the directory declares and checks the CRC, so a
    directory that lies is a damaged file), before the workbook reader sees any of it."""
    import zipfile

    why = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(i.file_size for i in z.infolist())
            if total <= MAX_UNZIPPED:
                total = 0
                for info in z.infolist():
                    with z.open(info) as member:
                        while chunk := member.read(1 << 20):
                            total += len(chunk)
                            if total > MAX_UNZIPPED:
                                break
                    if total > MAX_UNZIPPED:
                        break
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        why = str(exc)[:200] or type(exc).__name__
    if why is not None:
        raise Unreadable(L_("it is not a workbook this app can read ({why})").format(why=why))
    if total > MAX_UNZIPPED:
        raise Unreadable(
            L_("it unzips to more than this app reads from one workbook ({limit:,.0f} MB)").format(
                limit=MAX_UNZIPPED / 2**20
            )
        )


def sheet_names(raw: BinaryIO) -> list[str]:
    """The sheets of a workbook, in order."""
    return list(_workbook(raw).sheet_names)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def to_csv(raw: BinaryIO, out: Path, sheet: str | None = None) -> str:
    """Write one sheet of the workbook `raw` (the first, or `sheet`) to `out` as UTF-8 CSV; returns
    the sheet's name. Unreadable saying why."""
    book = _workbook(raw)
    names = list(book.sheet_names)
    if not names:
        raise Unreadable(L_("the workbook has no sheet"))
    chosen = sheet or names[0]
    if chosen not in names:
        raise Unreadable(
            L_("the workbook has no sheet “{sheet}”; its sheets are {sheets}").format(
                sheet=chosen[:60], sheets=", ".join(f"“{n}”" for n in names[:20])
            )
        )
    data = book.get_sheet_by_name(chosen)
    if data.height * max(data.width, 1) > MAX_CELLS:
        raise Unreadable(
            L_("the sheet “{sheet}” has {rows:,} rows of {columns} columns: more than this app reads at once").format(
                sheet=chosen[:60], rows=data.height, columns=data.width
            )
        )
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for row in data.iter_rows():
            values = [_cell(v) for v in row]
            if any(v.strip() for v in values):
                w.writerow(values)
    return chosen
