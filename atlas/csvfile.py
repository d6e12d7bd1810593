"""Reading an untrusted CSV file: its encoding, its delimiter and its rows, checked before the loader sees it.

A file from an analyst may be UTF-8, UTF-16 (with or without a byte-order mark) or a legacy
Windows encoding (Simplified or Traditional Chinese, Japanese, Korean, Western European).
Legacy encodings decode almost any bytes without an error, so "it decoded" proves nothing:
each candidate's reading is scored by how common its characters are in the language of that
encoding (measured with the encodings' own tables: a character in the first, most frequent
level of GB2312, Big5 or JIS X 0208 is common), and charset-normalizer's measure of mess
drops readings full of symbols and control characters. A reading is accepted only when it
is clearly ahead of every other; otherwise the file is refused with the candidates named and
what each makes of the first non-ASCII value, so the analyst can pick one or re-save as UTF-8.

The rows are then parsed with Python's csv module, strictly: every row must have as many
fields as the header, no field may exceed `MAX_FIELD_CHARS`, a quote must be closed, no NUL
character may appear anywhere. A file that passes is written out in a canonical form (UTF-8,
comma-separated, a leading `_row` column with the row number a spreadsheet shows) which
`atlas.load.stage_file` reads without sniffing, so every later problem names the real row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from atlas.i18n import L_, N_
from atlas.load import Problem

CHUNK = 1 << 20
MAX_FIELD_CHARS = 1_000_000  # one value; a note is a few hundred characters
MAX_PROBLEMS = 1_000  # structural problems listed per file; more are counted
SAMPLE_LINES = 4_000  # non-ASCII lines kept to tell a legacy encoding
SAMPLE_BYTES = 512 * 1024
ROW_COLUMN = "_row"  # the first column of a canonical file
# a mapped file's last column: its row's every value as the other tool's file gives it, as one key, so
# two rows are one event only when the whole of them agrees (two H-1B filings of one employer, salary
# and day in other cities are two filings; a row given twice is one)
ORIGIN_COLUMN = "_origin"
DELIMITERS = (",", ";", "\t", "|")

UTF8 = "UTF-8"
# Legacy encodings an analyst's spreadsheet may be saved in: Python codec -> name shown.
LEGACY = {
    "gb18030": "GB18030/GBK (Simplified Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "cp932": "Shift-JIS (Japanese)",
    "cp949": "EUC-KR (Korean)",
    "cp1252": "Windows-1252/Latin-1 (Western European)",
    "mac_roman": "Mac Roman (Excel for Mac's “CSV (Macintosh)”)",
}
# Tried when a file is not UTF-8. Korean is not: its common syllables (the 2,350 of KS X 1001)
# take up the very byte ranges where Chinese and Japanese text falls, so a Korean reading of
# those files looks as plausible as the right one. A Korean file is read when the analyst picks it.
AUTO = ("gb18030", "big5", "cp932", "cp1252", "mac_roman")
LATIN = ("cp1252", "mac_roman")  # one byte a letter: told apart by whether their letters make words
# punctuation a Western text uses beside its letters (quotes, dashes, the ellipsis, marks)
_LATIN_PUNCT = set("“”‘’–—…•™©®°€£¥§¶·«»¿¡\u00a0")
RESAVE = N_("re-save it as “CSV UTF-8” (Excel: Save As → CSV UTF-8; LibreOffice: Character set → Unicode (UTF-8))")


class Refused(Exception):
    """The file cannot be read safely; the message says why and what to do."""


@dataclass
class Reading:
    """How a file was read: the encoding (codec and the name shown), the delimiter, the header."""

    codec: str
    encoding: str
    delimiter: str = ""  # known once the header is read
    header: list[str] = field(default_factory=list)  # lower case, as the loader compares columns
    written_header: list[str] = field(default_factory=list)  # as the file writes them (a mapping shows these)
    rows: int = 0


# ---------------------------------------------------------------- encodings


def _weight(ch: str, codec: str) -> float:
    """How usual `ch` is in text written in `codec`'s language: 1 common, 0 never in real text."""
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Co", "Cn", "Cs"):
        return 0.0
    if codec in LATIN:
        if ch.isalpha() and ("\u00c0" <= ch <= "\u024f"):
            return 1.0  # an accented letter (its case against its neighbours is judged in `score`)
        if ch in _LATIN_PUNCT:
            return 0.9  # Jake’s, Avocado™, Info®: as usual in names as a letter
        return 0.5 if ch in "¢±²³µ¹º¼½¾" else 0.1
    if ch.isascii():
        return 1.0
    if codec == "gb18030":
        level = _level(ch, "gb2312", common=(0xB0, 0xD7), rare=(0xD8, 0xF7), symbols=(0xA1, 0xA3))
        if level == 0.0 and "\u4e00" <= ch <= "\u9fff" and _encodes(ch, "gbk"):
            # a character GBK added to GB2312 (镕, 喆, 彧): rarer, but in real names and as usual
            # in a GBK file as a rare GB2312 one
            return 0.5
        return level
    if codec == "big5":
        return _level(ch, "big5", common=(0xA4, 0xC6), rare=(0xC9, 0xF9), symbols=(0xA1, 0xA3))
    if codec == "cp932":
        if "\u3040" <= ch <= "\u30ff":  # hiragana and katakana
            return 1.0
        if "\uff61" <= ch <= "\uff9f":  # half-width katakana: what other encodings turn into
            return 0.2
        return _level(ch, "shift_jis", common=(0x88, 0x98), rare=(0x99, 0xEA), symbols=(0x81, 0x84))
    if codec == "cp949":
        if "\uac00" <= ch <= "\ud7a3":  # Hangul syllables: the 2,350 of KS X 1001 are common
            try:
                ch.encode("euc_kr")
                return 1.0
            except UnicodeEncodeError:
                return 0.2
        return 0.2
    return 0.0


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _level(ch: str, codec: str, common: tuple[int, int], rare: tuple[int, int], symbols: tuple[int, int]) -> float:
    try:
        b = ch.encode(codec)
    except UnicodeEncodeError:
        return 0.0
    if len(b) != 2:
        return 0.3
    if common[0] <= b[0] <= common[1] or symbols[0] <= b[0] <= symbols[1]:
        return 1.0
    return 0.5 if rare[0] <= b[0] <= rare[1] else 0.2


def score(text: str, codec: str) -> float:
    """The mean usualness of the non-ASCII characters of `text` read as `codec` (1.0: no such character).

    In Western European text an accented letter sits inside a word of ASCII letters (Renée,
    Müller); a run of several non-ASCII characters is what a Chinese or Japanese file looks like
    when read as Windows-1252, so in that reading each character of a run counts less. And a
    one-byte Western table reading the other's bytes makes letters that make no word: a capital
    right after a small letter (Mac Roman's MiaSolé read as Windows-1252 is `MiaSolŽ`, Jake’s is
    `JakeÕs`; Windows-1252's Renée read as Mac Roman is `RenÈe`) or a symbol where a letter goes
    (`Bogot‡`); such a character counts as unusual.
    """
    total = 0.0
    n = 0
    run = 0
    weights: list[float] = []
    latin = codec in LATIN
    before = " "
    for ch in text + "\n":
        if not ch.isascii():
            w = _weight(ch, codec)
            if latin and ch.isupper() and before.isalpha() and before.islower():
                w = 0.1  # a capital after a small letter inside a word (MiaSolŽ, JakeÕs): the wrong table
            weights.append(w)
            run += 1
            before = ch
            continue
        if run:
            damp = 1.0 if not latin or run == 1 else 0.5 if run == 2 else 0.2
            total += damp * sum(weights)
            n += run
            weights, run = [], 0
        before = ch
    return total / n if n else 1.0


def _utf8_score(text: str) -> float:
    """How usual a UTF-8 reading is: each character as usual as in the language it fits best."""
    chars = [ch for ch in text if not ch.isascii()]
    if not chars:
        return 1.0
    return sum(max(_weight(ch, c) for c in AUTO) for ch in chars) / len(chars)


def _mess(text: str) -> float:
    """charset-normalizer's measure of mess (0 clean, 1 garbage) of a decoded text."""
    from charset_normalizer.md import mess_ratio

    return mess_ratio(text, maximum_threshold=1.0)


def _mess_of_lines(text: str, group: int = 5, groups: int = 80) -> float:
    """The mess of a sample, averaged over groups of its lines: one line garbled at its source
    (a name already mojibake in the file) weighs as one line, not as the whole sample."""
    lines = text.split("\n")
    parts = ["\n".join(lines[i : i + group]) for i in range(0, len(lines), group)][:groups]
    return sum(_mess(p) for p in parts) / len(parts) if parts else 0.0


@dataclass
class Candidate:
    codec: str
    text: str
    score: float


def detect_legacy(lines: list[bytes]) -> Candidate:
    """The legacy encoding of these (non-UTF-8) lines, or Refused naming the candidates."""
    sample = b"\n".join(lines)
    found: list[Candidate] = []
    for codec in AUTO:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        s = score(text, codec)
        if _mess_of_lines(text) > 0.3:
            s *= 0.5
        found.append(Candidate(codec, text, s))
    # readings that give the same text are one candidate (Latin-1 and Windows-1252 often do)
    distinct: dict[str, Candidate] = {}
    for c in sorted(found, key=lambda c: -c.score):
        distinct.setdefault(c.text, c)
    ranked = list(distinct.values())
    if ranked and ranked[0].score >= 0.75 and (len(ranked) == 1 or ranked[1].score <= ranked[0].score - 0.25):
        return ranked[0]
    shown = []
    cells = _differing_cells(lines, [c.codec for c in ranked[:4]])
    for c in ranked[:4]:
        values = "”, “".join(cells.get(c.codec, []))
        shown.append(L_("{x} reads “{value}”").format(x=LEGACY[c.codec], value=values))
    if not shown:
        raise Refused(
            L_("its encoding is not UTF-8, UTF-16 or a known legacy encoding; {RESAVE}").format(RESAVE=L_(RESAVE))
        )
    raise Refused(
        L_("its encoding is uncertain: it is not UTF-8, and it could be ")
        + L_("; or ").join(shown)
        + L_(". Pick the encoding that shows the names right, or {RESAVE}").format(RESAVE=L_(RESAVE))
    )


def _differing_cells(lines: list[bytes], codecs: list[str], most: int = 3) -> dict[str, list[str]]:
    """Up to `most` cells that read differently under these encodings, as each reads them: what the
    analyst compares to pick one."""
    out: dict[str, list[str]] = {c: [] for c in codecs}
    seen: set[bytes] = set()
    for line in lines:
        for cell in re.split(rb"[,;\t|]", line):
            cell = cell.strip()
            if cell in seen or cell.isascii():
                continue
            seen.add(cell)
            readings = {c: cell.decode(c, errors="replace")[:40] for c in codecs}
            if len(set(readings.values())) > 1:
                for c in codecs:
                    out[c].append(readings[c])
            if len(seen) >= most or all(len(v) >= most for v in out.values()):
                return out
    return out


@dataclass
class _Scan:
    utf8_ok: bool = True
    first_bad_line: int = 0
    utf8_lines: list[tuple[int, bytes]] = field(default_factory=list)  # non-ASCII lines valid as UTF-8
    other_lines: list[tuple[int, bytes]] = field(default_factory=list)  # non-ASCII lines that are not
    size: int = 0


def _lines(raw: BinaryIO, end: bytes = b"\n") -> Iterator[bytes]:
    """The file's lines (with their ends), read in chunks: memory stays bounded by the longest line.
    `end`: b"\r" for a file whose lines end in CR alone (Excel for Mac's CSV)."""
    carry = b""
    while chunk := raw.read(CHUNK):
        carry += chunk
        parts = carry.split(end)
        carry = parts.pop()
        for p in parts:
            yield p + end
        if len(carry) > 4 * MAX_FIELD_CHARS * 4:  # one line far beyond any field: the parser will name it
            yield carry
            carry = b""
    if carry:
        yield carry


def _scan(raw: BinaryIO, end: bytes = b"\n") -> _Scan:
    """One pass over a file that is not UTF-16: NUL bytes, UTF-8 validity, and a sample of non-ASCII lines."""
    scan = _Scan()
    for number, line in enumerate(_lines(raw, end), start=1):
        scan.size += len(line)
        if b"\x00" in line:
            raise Refused(
                L_("line {number} holds a NUL byte: this is a binary file, not a CSV text file").format(number=number)
            )
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            if len(scan.utf8_lines) < SAMPLE_LINES:
                scan.utf8_lines.append((number, line))
        except UnicodeDecodeError:
            if scan.utf8_ok:
                scan.utf8_ok, scan.first_bad_line = False, number
            if len(scan.other_lines) < SAMPLE_LINES and sum(len(b) for _, b in scan.other_lines) < SAMPLE_BYTES:
                scan.other_lines.append((number, line))
    return scan


def _utf16(head: bytes) -> str | None:
    """'utf-16' (a byte-order mark), 'utf-16-le' or 'utf-16-be' (ASCII text with every other byte NUL), or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even = sample[0::2].count(0) / len(sample[0::2])
        odd = sample[1::2].count(0) / len(sample[1::2])
        if odd > 0.6 and even < 0.1:
            return "utf-16-le"
        if even > 0.6 and odd < 0.1:
            return "utf-16-be"
    return None


def choose_encoding(raw: BinaryIO, codec: str | None = None) -> Reading:
    """Work out how to decode the file (`codec` forces one); Refused if that cannot be done with confidence."""
    head = raw.read(8192)
    raw.seek(0)
    if not head.strip(b" \t\r\n") or head in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise Refused(L_("the file is empty"))
    if codec:
        name = LEGACY.get(codec, codec.upper())
        return Reading(codec, name)
    utf16 = _utf16(head)
    if utf16:
        return Reading(utf16, "UTF-16" + ("" if utf16 == "utf-16" else f" ({utf16[-2:].upper()}, no byte-order mark)"))
    if head.startswith(b"\xef\xbb\xbf"):
        raw.seek(3)
    # lines that end in CR alone (Excel for Mac's "CSV (Macintosh)"): the text reader takes them as
    # they are (universal newlines), and so does this scan
    scan = _scan(raw, b"\r" if b"\r" in head and b"\n" not in head else b"\n")
    raw.seek(0)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise Refused(L_("the file is empty"))
    if scan.utf8_ok:
        return Reading("utf-8-sig", UTF8)
    best = detect_legacy([b for _, b in scan.other_lines])
    # a file that is part UTF-8 and part something else: no single reading is right
    # (a line counts as UTF-8 only where that reading is usual text: a name garbled at its source may
    # happen to be valid UTF-8 of stray combining marks, as `Pan̬ve` in Crunchbase's export)
    utf8_rows = [
        n
        for n, b in scan.utf8_lines
        if (u := _utf8_score(b.decode("utf-8"))) >= 0.5 and u > score(b.decode(best.codec, "replace"), best.codec)
    ]
    if utf8_rows:
        other = [n for n, _ in scan.other_lines]
        raise Refused(
            L_(
                "it mixes encodings: line(s) {x} are UTF-8 while line(s) {x2} are {x3}; {RESAVE} after "
                "fixing those lines"
            ).format(x=_list(utf8_rows), x2=_list(other), x3=LEGACY[best.codec], RESAVE=L_(RESAVE))
        )
    return Reading(best.codec, LEGACY[best.codec])


def _list(numbers: list[int], shown: int = 5) -> str:
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (L_(" and {n} more").format(n=len(numbers) - shown) if len(numbers) > shown else "")


# ---------------------------------------------------------------- rows


def _delimiter(header_line: str) -> str:
    """The delimiter of a file, from its header alone (a ragged row further down cannot change it)."""
    counts = {d: next(csv.reader([header_line], delimiter=d), []) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (len(counts[d]), d == ","))


def canonicalize(raw: BinaryIO, out: Path, label: str, codec: str | None = None) -> tuple[Reading, list[Problem]]:
    """Check every row of `raw` and write it to `out` in the canonical form; problems if any.

    On a problem the output may be partial; the caller removes it.
    """
    try:
        reading = choose_encoding(raw, codec)
    except Refused as exc:
        return Reading("", ""), [
            Problem("", None, None, None, L_("cannot be read: {exc}").format(exc=exc), label, unreadable=True)
        ]
    text = io.TextIOWrapper(raw, encoding=reading.codec, errors="strict", newline="")
    problems: list[Problem] = []
    n_problems = 0
    lines: _counting | None = None
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        first = text.readline()
        while first.strip() == "" and first:
            first = text.readline()
        if not first.strip().lstrip("\ufeff"):
            raise Refused(L_("the file is empty"))
        if "\x00" in first:
            raise Refused(L_("the header holds a NUL character: this is a binary file, not a CSV text file"))
        reading.delimiter = _delimiter(first)
        header = next(csv.reader([first], delimiter=reading.delimiter, strict=True), [])
        reading.written_header = [h.strip().lstrip("\ufeff").strip() for h in header]
        reading.header = [h.lower() for h in reading.written_header]
        seen: set[str] = set()
        for h in reading.header:
            key = h.lower()
            if key in seen:
                problems.append(Problem("", 1, h, None, L_("this column appears twice in the header"), label))
            seen.add(key)
        width = len(header)
        lines = _counting(text)
        reader = csv.reader(lines, delimiter=reading.delimiter, strict=True)
        with open(out, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow([ROW_COLUMN, *reading.header])
            row = 1
            while True:
                start = lines.line + 2  # the physical line where this row starts (the header is line 1)
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    row += 1
                    n_problems += 1
                    problems.append(Problem("", row, None, None, _csv_reason(str(exc), start), label))
                    break  # the parser cannot find where the next row starts
                row += 1
                if not fields or fields == [""]:
                    continue  # a blank line
                bad = _row_problem(fields, width, start, row)
                if bad:
                    n_problems += 1
                    if len(problems) < MAX_PROBLEMS:
                        problems.append(Problem("", row, None, None, bad, label))
                    continue
                writer.writerow([row, *fields])
        reading.rows = row - 1
    except UnicodeDecodeError as exc:
        where = L_(" near line {x}").format(x=lines.line + 2) if lines is not None else ""
        return reading, [
            Problem(
                "",
                None,
                None,
                None,
                L_("cannot be read as {encoding}{where}: {reason}; {RESAVE}").format(
                    encoding=reading.encoding, where=where, reason=exc.reason, RESAVE=L_(RESAVE)
                ),
                label,
                unreadable=True,
            )
        ]
    except Refused as exc:
        return reading, [
            Problem("", None, None, None, L_("cannot be read: {exc}").format(exc=exc), label, unreadable=True)
        ]
    finally:
        text.detach()
    if n_problems > len(problems):
        problems.append(
            Problem("", None, None, None, L_("… and {x} more such rows").format(x=n_problems - len(problems)), label)
        )
    return reading, problems


class _counting:
    """The text's lines, counting them (csv.reader's line_num is per reader, not reset-safe)."""

    def __init__(self, text: io.TextIOBase):
        self._text = text
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._text.readline()
        if not line:
            raise StopIteration
        self.line += 1
        if "\x00" in line:
            raise Refused(
                L_("line {x} holds a NUL character: this is a binary file, not a CSV text file").format(x=self.line + 1)
            )
        return line


def _row_problem(fields: list[str], width: int, line: int, row: int) -> str | None:
    at = L_(" (line {line} of the file)").format(line=line) if line != row else ""
    if len(fields) != width:
        return L_("this row has {n} fields but the header has {width}{at}").format(n=len(fields), width=width, at=at)
    return None


def _csv_reason(message: str, line: int) -> str:
    if "field larger than field limit" in message:
        return L_("a value longer than {MAX_FIELD_CHARS:,} characters starts on line {line} of the file").format(
            MAX_FIELD_CHARS=MAX_FIELD_CHARS, line=line
        )
    if "unexpected end of data" in message or "EOF" in message:
        return L_("a quote opened on line {line} of the file is never closed").format(line=line)
    return L_("cannot be parsed from line {line} of the file: {message}").format(line=line, message=message)


def codec_names() -> dict[str, str]:
    """The encodings an analyst may pick by hand: codec -> name shown."""
    return {"utf-8-sig": UTF8, "utf-16": "UTF-16", **LEGACY}
