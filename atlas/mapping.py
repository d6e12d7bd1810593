"""Column mapping: a file with its own column names (an export from another tool) read as ours.

A **mapping** says which of the file's columns fills each of ours for one format (a flat format
such as "rounds by name", or a table), and is saved by name to be used again. `suggest` proposes
one from the column names (a list of the names other tools use) and the values (dates, amounts,
currency codes); `apply` rewrites a staged file in our format, parsing what other tools write:

- dates: 2024-06-12, 2024/6/12, Jun 12, 2024, 12 June 2024, June 2024, 2024年6月12日, a spreadsheet's
  day number, a timestamp; 6/12/2024 by the order the column's other dates show (ambiguous: refused)
- amounts: $1.2B, 1.2 billion, US$ 60 million, €500M, 60,000,000, 3000万, 1.5亿; the currency a
  symbol names fills the currency column where the file gives none
- choices: "Series B" is a series round, "Pre-Seed" a seed round (the words as written are kept
  in the note)

Every value that cannot be read is a problem with its row and the file's column, and the file
is not loaded; nothing is guessed silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from atlas import csvfile
from atlas.i18n import L_
from atlas.load.problems import Problem
from atlas.model import FLAT_FORMATS, TABLES, TABLES_BY_NAME

NOT_MAPPED = ""
MAX_SAMPLE = 200  # rows read to suggest a mapping and infer a column's date order


@dataclass(frozen=True)
class Field:
    """One of our columns a mapping can fill."""

    name: str
    type: str  # text, date, number, currency, enum, ...
    required: bool
    choices: tuple[str, ...] = ()


def fields(target: str) -> list[Field]:
    """Our columns of a format (a flat format's name or a table's)."""
    if target in FLAT_FORMATS:
        fmt = FLAT_FORMATS[target]
        table = TABLES_BY_NAME[fmt.table]
        out = []
        for c in fmt.columns:
            col = table.column(c) if c in table.column_names else None
            kind = col.type if col else ("date" if c == "source_date" else "text")
            out.append(Field(c, kind, c in fmt.required, col.choices if col else ()))
        return out
    table = TABLES_BY_NAME[target]
    return [Field(c.name, c.type, c.required, c.choices) for c in table.columns]


TARGETS = [*FLAT_FORMATS, *(t.name for t in TABLES)]

# the names other tools give our columns (compared folded: lower case, words only)
SYNONYMS: dict[str, list[str]] = {
    "person": ["full name", "name", "person name", "researcher", "employee", "author", "people name", "member"],
    "person_zh": ["chinese name", "name zh", "中文名", "姓名"],
    "from_firm": ["previous company", "from company", "former employer", "previous employer", "from",
                  "from organization", "from institution", "old affiliation", "previous affiliation", "left"],
    "to_firm": ["company", "company name", "current company", "employer", "organization", "organisation",
                "new company", "to", "to company", "institution", "affiliation", "new affiliation", "joined"],
    "firm": ["organization name", "organisation name", "company name", "company", "organization", "startup",
             "employer", "firm name"],
    "moved_on": ["start date", "started on", "date joined", "joined on", "move date", "date", "started", "since"],
    "role": ["title", "job title", "position", "role", "job"],
    "round_type": ["funding type", "round type", "round", "investment type", "stage", "series", "funding round"],
    "amount": ["money raised", "amount raised", "raised", "funding amount", "amount", "round size",
               "money raised in usd"],
    "currency": ["money raised currency", "currency", "currency code", "amount currency"],
    "announced_on": ["announced date", "announced on", "date announced", "announcement date", "date", "close date"],
    "lead_investor": ["lead investors", "lead investor", "lead", "leads"],
    "investors": ["investors", "investor names", "all investors", "participants"],
    "valuation": ["post money valuation", "valuation", "pre money valuation"],
    "amount_low": ["amount", "pay", "salary", "compensation", "total compensation", "offer", "value"],
    "amount_high": ["amount high", "max", "upper"],
    "kind": ["pay type", "type", "component", "kind"],
    "reported_on": ["reported on", "report date", "date"],
    "source_url": ["url", "link", "source", "source url", "article"],
    "source_title": ["headline", "article title", "source title"],
    "source_publisher": ["publisher", "outlet", "source name"],
    "note": ["notes", "note", "comment", "comments", "description"],
}  # fmt: skip

# choices as other tools write them, per column (folded words -> our value)
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "round_type": {
        "pre seed": "seed", "seed": "seed", "angel": "seed", "seed round": "seed",
        "series unknown": "series", "venture series unknown": "series", "venture": "series",
        "corporate round": "strategic", "strategic": "strategic", "strategic investment": "strategic",
        "acquisition": "acquisition", "m a": "acquisition", "merger": "acquisition", "acqui hire": "acquihire",
        "debt financing": "other", "grant": "other", "private equity": "other", "convertible note": "other",
        "post ipo equity": "other", "secondary market": "other", "undisclosed": "other",
        "non equity assistance": "other",
    },
    "move_type": {"hired": "joined", "joined": "joined", "founder": "founded", "co founder": "founded",
                  "rejoined": "returned", "departed": "left"},
}  # fmt: skip
_SERIES = re.compile(r"^(venture )?series [a-z]\d?\+?$")


def fold(text: str) -> str:
    """A column name or choice folded for comparison: lower case, words only."""
    return " ".join(re.sub(r"[^\w]+", " ", (text or "").lower()).split())


@dataclass
class Mapping:
    """Which column of a file fills each of ours, for one format."""

    target: str
    columns: dict[str, str]  # our column -> their column (absent: not in the file)
    name: str = ""  # the name it is saved under, if any
    header: list[str] = field(default_factory=list)  # the file's header it was made for

    def to_json(self) -> str:
        return json.dumps(
            {"name": self.name, "target": self.target, "columns": self.columns, "header": self.header},
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        """A mapping as `to_json` writes it; ValueError saying what is wrong otherwise."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(L_("the mapping is not JSON: {exc}").format(exc=exc)) from None
        except RecursionError:
            raise ValueError(L_("the mapping is not JSON as this page writes it: it is nested too deep")) from None
        if not isinstance(data, dict) or data.get("target") not in TARGETS or not isinstance(data.get("columns"), dict):
            raise ValueError(L_("a mapping is a JSON object with a target (a format) and columns (ours: theirs)"))
        header, name = data.get("header", []), data.get("name", "")
        texts = lambda values: all(isinstance(v, str) for v in values)  # noqa: E731
        if not isinstance(header, list) or not texts(header):
            raise ValueError(L_("a mapping's header is a list of the file's column names, each a text"))
        if not (name is None or isinstance(name, str)) or not texts(v for v in data["columns"].values() if v):
            raise ValueError(L_("a mapping's name and each of its columns (ours: theirs) are texts"))
        ours = {f.name for f in fields(data["target"])}
        unknown = sorted(set(data["columns"]) - ours)
        if unknown:
            raise ValueError(
                L_("the mapping names columns {target} does not have: {columns}").format(
                    target=data["target"], columns=", ".join(unknown)
                )
            )
        columns = {str(k): str(v) for k, v in data["columns"].items() if v}
        return cls(data["target"], columns, str(name or ""), list(header))

    def missing(self, header: list[str]) -> list[str]:
        """Our required columns the mapping leaves empty, and their columns it names the file lacks."""
        out = [f.name for f in fields(self.target) if f.required and not self.columns.get(f.name)]
        have = {h.strip().lower() for h in header}
        out += [theirs for theirs in self.columns.values() if theirs and theirs.strip().lower() not in have]
        return out


def foreign(header: list[str]) -> bool:
    """True when a header has a column no format of ours has (another tool's export)."""
    ours = {f.name for target in TARGETS for f in fields(target)}
    return bool({h.strip().lower().lstrip("\ufeff") for h in header} - ours)


def header_key(header: list[str]) -> str:
    """What identifies a file's layout: its column names, folded and sorted."""
    return "|".join(sorted(fold(h) for h in header))


def read_sample(path: Path, n: int = MAX_SAMPLE) -> tuple[list[str], list[dict[str, str]]]:
    """The header and first rows of a staged (canonical) file, without its row-number column."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])[1:]
        rows = []
        for values in reader:
            rows.append(dict(zip(header, values[1:], strict=False)))
            if len(rows) >= n:
                break
    return header, rows


# ---------------------------------------------------------------- suggestions


def _name_score(ours: str, theirs: str) -> float:
    from rapidfuzz import fuzz

    t = fold(theirs)
    if t == fold(ours):
        return 1.0
    names = SYNONYMS.get(ours, [])
    if t in names:
        return 0.95 - 0.01 * names.index(t)  # the list is in order of likelihood
    best = max([fuzz.token_set_ratio(t, s) for s in [fold(ours), *names]] or [0])
    return 0.7 * best / 100 if best >= 80 else 0.0


def _value_score(f: Field, values: list[str]) -> float:
    """How well a column's sample values fit one of our columns (1 all, 0 none; 0.5 when unknown)."""
    values = [v for v in values if v.strip()][:50]
    if not values:
        return 0.5
    if f.type == "date":
        ok = sum(_date_or_none(v) is not None for v in values)
    elif f.type == "number":
        ok = sum(_amount_or_none(v) is not None for v in values)
    elif f.type == "currency":
        ok = sum(bool(re.fullmatch(r"[A-Za-z]{3}", v.strip())) for v in values)
    elif f.choices:
        ok = sum(_choice_or_none(f, v) is not None for v in values)
    else:
        ok = sum(_date_or_none(v) is None and _amount_or_none(v) is None for v in values)
    return ok / len(values)


def suggest_for(target: str, header: list[str], rows: list[dict[str, str]]) -> Mapping:
    """The likeliest of their columns for each of ours in `target` (each of theirs used once)."""
    scored = []
    for f in fields(target):
        for h in header:
            name = _name_score(f.name, h)
            if name <= 0:
                continue
            fit = _value_score(f, [r.get(h, "") for r in rows])
            if fit < 0.5:
                continue
            scored.append((name * (0.5 + fit / 2), f.name, h))
    columns: dict[str, str] = {}
    used: set[str] = set()
    for _score, ours, theirs in sorted(scored, reverse=True):
        if ours not in columns and theirs not in used:
            columns[ours] = theirs
            used.add(theirs)
    return Mapping(target, columns, header=list(header))


def suggest(header: list[str], rows: list[dict[str, str]]) -> Mapping:
    """The format a file's columns most likely are, and its mapping: the format whose required
    columns the file fills best, then the one it fills most of."""
    best, best_key = None, None
    for target in TARGETS:
        m = suggest_for(target, header, rows)
        required = [f for f in fields(target) if f.required]
        filled = sum(1 for f in required if f.name in m.columns)
        key = (filled == len(required), filled / max(len(required), 1), len(m.columns), target in FLAT_FORMATS)
        if best_key is None or key > best_key:
            best, best_key = m, key
    return best


# ---------------------------------------------------------------- values

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
            ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
            ("nov", "november"), ("dec", "december"),
        ]
    )
    for m in names
}  # fmt: skip
_ISO = re.compile(
    r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.I,  # a timestamp's time is dropped
)
_ZH = re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?")
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_WORDY = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})")


class _NotADay(ValueError):
    pass


def _ymd(y: int, m: int | None, d: int | None) -> str:
    try:
        if m is None:
            return f"{y:04d}"
        if d is None:
            dt.date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return dt.date(y, m, d).isoformat()
    except ValueError:
        raise _NotADay(L_("is not a day of the calendar")) from None


def parse_date(text: str, day_first: bool | None = None) -> str:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD; ValueError saying why not. `day_first`: how to read
    12/6/2024 (None: only when the numbers leave no doubt)."""
    t = " ".join(text.strip().lower().split())
    if m := _ISO.fullmatch(t):
        return _ymd(int(m[1]), m[2] and int(m[2]), m[3] and int(m[3]))
    if m := _ZH.fullmatch(t.replace(" ", "")):
        return _ymd(int(m[1]), m[2] and int(m[2]), m[3] and int(m[3]))
    if m := _SLASHED.fullmatch(t):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a > 12 or (day_first and b <= 12):
            return _ymd(y, b, a)
        if b > 12 or day_first is False or a == b:
            return _ymd(y, a, b)
        raise ValueError(
            L_(
                "could be day {a} of month {b} or day {b} of month {a}: the column's other dates do not say which"
            ).format(a=a, b=b)
        )
    if (m := _WORDY.fullmatch(t)) and _MONTHS.get(m[2]):
        day = m[1] or m[3]
        return _ymd(int(m[4]), _MONTHS[m[2]], int(day) if day else None)
    if re.fullmatch(r"\d{5}(\.0+)?", t) and 20000 <= float(t) <= 60000:  # a spreadsheet's day number
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(t)))).isoformat()
    raise ValueError(L_("is not a date this app can read (write YYYY-MM-DD, YYYY-MM or YYYY)"))


def _date_or_none(text: str) -> str | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def day_first(values: list[str]) -> bool | None:
    """How a column writes 12/6/2024: day first when one of its dates has a day above 12 first,
    month first when one has it second, None when none says."""
    firsts, seconds = False, False
    for v in values:
        if m := _SLASHED.fullmatch(v.strip()):
            firsts |= int(m[1]) > 12
            seconds |= int(m[2]) > 12
    if firsts != seconds:
        return firsts
    return None


CURRENCY_SIGNS = [
    ("us$", "USD"), ("usd", "USD"), ("hk$", "HKD"), ("hkd", "HKD"), ("ca$", "CAD"), ("c$", "CAD"), ("a$", "AUD"),
    ("s$", "SGD"), ("cn¥", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("jp¥", "JPY"), ("jpy", "JPY"), ("eur", "EUR"),
    ("gbp", "GBP"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("元", "CNY"), ("¥", "CNY"), ("₩", "KRW"),
    ("₹", "INR"),
]  # fmt: skip
_SCALES = [
    ("trillion", 1e12), ("billion", 1e9), ("million", 1e6), ("thousand", 1e3), ("bn", 1e9), ("mm", 1e6),
    ("mn", 1e6), ("b", 1e9), ("m", 1e6), ("k", 1e3), ("t", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3),
]  # fmt: skip
_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")


def parse_amount(text: str) -> tuple[str, str]:
    """An amount as a plain number, and the currency its symbol names ('' when none); ValueError
    saying why not. "$1.2B" -> ("1200000000", "USD"), "3000万" -> ("30000000", "")."""
    t = " ".join(text.strip().lower().split())
    currency = ""
    for sign, code in CURRENCY_SIGNS:
        if t.startswith(sign) or t.endswith(sign):
            currency = code
            t = (t[len(sign) :] if t.startswith(sign) else t[: -len(sign)]).strip()
            break
    if re.fullmatch(r"[\d.,]+\s*[-–~]\s*[\d.,]+\s*[^\d\s]*", t):
        raise ValueError(L_("is a range: map its low and high ends to two columns"))
    scale = 1.0
    for word, factor in _SCALES:
        if t.endswith(word) and _NUMBER.fullmatch(t[: -len(word)].strip()):
            scale, t = factor, t[: -len(word)].strip()
            break
    if not _NUMBER.fullmatch(t):
        raise ValueError(L_("is not an amount this app can read (for example 60000000, $60,000,000, 1.2B, 3000万)"))
    value = float(t.replace(",", "")) * scale
    if value < 0:
        raise ValueError(L_("is negative"))
    return (f"{value:.0f}" if value == int(value) else f"{value:.6g}"), currency


def _amount_or_none(text: str) -> str | None:
    try:
        return parse_amount(text)[0]
    except ValueError:
        return None


def _choice_or_none(f: Field, text: str) -> str | None:
    t = fold(text)
    if t.replace(" ", "_") in f.choices:
        return t.replace(" ", "_")
    words = CHOICE_WORDS.get(f.name, {})
    if t in words:
        return words[t]
    if f.name == "round_type" and _SERIES.fullmatch(t):
        return "series"
    return None


# ---------------------------------------------------------------- applying a mapping


def apply(path: Path, out: Path, mapping: Mapping, label: str) -> list[Problem]:
    """Write the staged file `path` to `out` in our format (the canonical shape: its row number
    first, then our columns); every value that cannot be read is a problem (row, their column)."""
    header, sample = read_sample(path)
    problems = [
        Problem("", None, None, None, L_("the mapping needs the column “{column}”").format(column=c), label)
        for c in mapping.missing(header)
    ]
    if problems:
        return problems
    # a currency column first: an amount's sign is checked against it
    ours = sorted(
        (f for f in fields(mapping.target) if mapping.columns.get(f.name)), key=lambda f: f.type != "currency"
    )
    order = {f.name: day_first([r.get(mapping.columns[f.name], "") for r in sample]) for f in ours if f.type == "date"}
    note = next((f for f in fields(mapping.target) if f.name == "note"), None)
    columns = [f.name for f in fields(mapping.target) if mapping.columns.get(f.name)]
    if note and "note" not in columns:
        columns.append("note")
    if "currency" in {f.name for f in fields(mapping.target)} and "currency" not in columns:
        columns.append("currency")
    with (
        open(path, encoding="utf-8", newline="") as src,
        open(out, "w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.reader(src)
        theirs = next(reader)
        index = {h.strip().lower(): i for i, h in enumerate(theirs)}
        w = csv.writer(dst, lineterminator="\n")
        w.writerow([csvfile.ROW_COLUMN, *columns])
        for values in reader:
            line = values[0]
            row = {c: "" for c in columns}
            notes = []
            for f in ours:
                col = mapping.columns[f.name]
                at = index[col.strip().lower()]
                value = values[at].strip() if at < len(values) else ""
                if not value:
                    continue
                try:
                    row[f.name], extra = _converted(f, value, order.get(f.name), row)
                except ValueError as exc:
                    problems.append(Problem(mapping.target, int(line), col, value, exc.args[0], label))
                    if len(problems) >= 1000:
                        return problems
                    continue
                if extra:
                    notes.append(extra)
            if notes and note is not None:
                row["note"] = "; ".join(x for x in [row.get("note", ""), *notes] if x)
            w.writerow([line, *(row[c] for c in columns)])
    return problems


def _converted(f: Field, value: str, day_first_: bool | None, row: dict[str, str]) -> tuple[str, str]:
    """One value in our format, and what of it goes to the note ('' for nothing)."""
    if f.type == "date":
        return parse_date(value, day_first_), ""
    if f.type == "number":
        amount, currency = parse_amount(value)
        if currency and "currency" in row:
            if row["currency"] and row["currency"].upper() != currency:
                raise ValueError(
                    L_("its sign says {sign}, its currency column {column}").format(
                        sign=currency, column=row["currency"]
                    )
                )
            row["currency"] = row["currency"] or currency
        return amount, ""
    if f.type == "currency":
        code = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(L_("is not a three-letter currency code (USD, CNY, EUR)"))
        return code, ""
    if f.choices:
        choice = _choice_or_none(f, value)
        if choice is None:
            raise ValueError(L_("is not one of: {choices}").format(choices=", ".join(f.choices)))
        return choice, ("" if fold(value).replace(" ", "_") == choice else f"{value}")
    if f.name in ("investors", "lead_investor"):
        return "; ".join(p.strip() for p in re.split(r"[,;；、\n]", value) if p.strip()), ""
    return value, ""


# ---------------------------------------------------------------- saved mappings

_NAME = re.compile(r"\S.{0,99}", re.S)


def save(con: duckdb.DuckDBPyConnection, mapping: Mapping, name: str, saved_by: str) -> str:
    """Save `mapping` under `name` (replacing one of that name); ValueError saying why not."""
    from atlas import sql

    name = " ".join((name or "").split())
    if not _NAME.fullmatch(name):
        raise ValueError(L_("Give the mapping a name (at most 100 characters)."))
    if not (saved_by or "").strip():
        raise ValueError(L_("Say who is saving it."))
    missing = mapping.missing(mapping.header or list(mapping.columns.values()))
    if missing:
        raise ValueError(L_("The mapping still lacks: {columns}.").format(columns=", ".join(missing)))
    params = {
        "name": name,
        "target": mapping.target,
        "columns": json.dumps(mapping.columns, ensure_ascii=False),
        "header_key": header_key(mapping.header),
        "saved_by": saved_by.strip()[:200],
    }
    return str(sql.run_query(con, "save_mapping", params).iloc[0, 0])


def saved(con: duckdb.DuckDBPyConnection, header: list[str] | None = None) -> list[Mapping]:
    """The saved mappings, those made for this header first."""
    from atlas import sql

    rows = sql.run_query(con, "mappings_list", {"header_key": header_key(header or [])})
    out = []
    for r in rows.itertuples():
        if r.target in TARGETS:
            out.append(Mapping(r.target, json.loads(r.columns), r.name))
    return out


def saved_fitting(con: duckdb.DuckDBPyConnection, header: list[str]) -> Mapping | None:
    """The newest saved mapping made for exactly this layout of columns, if any."""
    from atlas import sql

    rows = sql.run_query(con, "mappings_list", {"header_key": header_key(header)})
    for r in rows.itertuples():
        if r.fits and r.target in TARGETS:
            return Mapping(r.target, json.loads(r.columns), r.name, list(header))
    return None


def load_named(con: duckdb.DuckDBPyConnection | None, text: str) -> Mapping:
    """What `--mapping` names: a JSON file (as the Data page downloads it), or a saved mapping's name."""
    path = Path(text)
    if path.suffix.lower() == ".json" or path.is_file():
        try:
            return Mapping.from_json(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise ValueError(L_("cannot read {path}: {why}").format(path=text, why=exc.strerror)) from None
    for m in saved(con) if con is not None else []:
        if m.name == text:
            return m
    raise ValueError(L_("no saved mapping is called “{name}” and no such file exists").format(name=text))
