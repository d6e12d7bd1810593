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
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from atlas import csvfile
from atlas.i18n import L_
from atlas.load.problems import Problem
from atlas.mapvalues import (  # noqa: F401 - parse_date, parse_amount, day_first: read as mapping.* too
    CHOICE_WORDS,
    PER_YEAR,
    SYNONYMS,
    amount_or_none,
    choice_or_none,
    date_or_none,
    day_first,
    fold,
    parse_amount,
    parse_date,
    unit_of,
)
from atlas.model import FLAT_FORMATS, TABLES, TABLES_BY_NAME

NOT_MAPPED = ""
ORIGIN_COLUMN = csvfile.ORIGIN_COLUMN
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


@dataclass
class Mapping:
    """How a file reads as ours, for one format: which of its columns fills each of ours, what a
    column the file lacks is for every row (`constants`: currency USD, period per_year), and what
    its words for a choice are in ours (`values`: post-ipo -> other)."""

    target: str
    columns: dict[str, str]  # our column -> their column (absent: not in the file)
    name: str = ""  # the name it is saved under, if any
    header: list[str] = field(default_factory=list)  # the file's header it was made for
    constants: dict[str, str] = field(default_factory=dict)  # our column -> the value of every row
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our column -> {their word (folded): ours}

    def stored(self) -> dict:
        """What is saved (the columns, and the constants and value maps when there are any)."""
        out: dict = {"columns": self.columns}
        if self.constants:
            out["constants"] = self.constants
        if self.values:
            out["values"] = self.values
        return out

    def to_json(self) -> str:
        return json.dumps(
            {"name": self.name, "target": self.target, "header": self.header, **self.stored()},
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
        constants, values = data.get("constants", {}), data.get("values", {})
        if not isinstance(constants, dict) or not texts(constants.values()):
            raise ValueError(L_("a mapping's constants are our columns with a text each"))
        if not isinstance(values, dict) or not all(isinstance(v, dict) and texts(v.values()) for v in values.values()):
            raise ValueError(L_("a mapping's values are our columns, each with their words and ours"))
        ours = {f.name for f in fields(data["target"])}
        unknown = sorted((set(data["columns"]) | set(constants) | set(values)) - ours)
        if unknown:
            raise ValueError(
                L_("the mapping names columns {target} does not have: {columns}").format(
                    target=data["target"], columns=", ".join(unknown)
                )
            )
        return cls(
            data["target"],
            {str(k): str(v) for k, v in data["columns"].items() if v},
            str(name or ""),
            list(header),
            {str(k): str(v) for k, v in constants.items() if str(v).strip()},
            {str(k): {fold(w): str(x) for w, x in v.items()} for k, v in values.items() if v},
        )

    def missing(self, header: list[str]) -> list[str]:
        """Our required columns the mapping fills neither from a column nor with a constant, and
        their columns it names the file lacks."""
        out = [
            f.name
            for f in fields(self.target)
            if f.required and not self.columns.get(f.name) and not self.constants.get(f.name)
        ]
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
    """How surely their column's name is ours: 1 the same, 0.95 down a synonym, less for a near
    spelling of one (the whole name compared, so `company name` is not `name`), else 0."""
    from rapidfuzz import fuzz

    t, _unit = unit_of(theirs)
    if t == fold(ours):
        return 1.0
    names = SYNONYMS.get(ours, [])
    if t in names:
        return 0.95 - 0.01 * names.index(t)  # the list is in order of likelihood
    best = max([fuzz.ratio(t, s) for s in [fold(ours), *names]] or [0])
    return 0.7 * best / 100 if best >= 88 else 0.0


def _value_score(f: Field, values: list[str]) -> float:
    """How well a column's sample values fit one of our columns (1 all, 0 none; 0.5 when unknown).
    A date column is read as a column: its day-month order from all its values."""
    values = [v for v in values if v.strip()]
    if not values:
        return 0.5
    if f.type == "date":
        # 10/02/2012 is a date either way: the order is settled by the whole column when it is read
        order = day_first(values)
        orders = [order] if order is not None else [False, True]
        ok = sum(any(date_or_none(v, o) is not None for o in orders) for v in values)
    elif f.type == "number":
        ok = sum(amount_or_none(v) is not None for v in values)
    elif f.type == "currency":
        ok = sum(bool(re.fullmatch(r"[A-Za-z]{3}", v.strip())) for v in values)
    elif f.choices:
        ok = sum(choice_or_none(f.name, f.choices, v) is not None for v in values)
        if "other" in f.choices:  # an unknown word reads as other: the column fits by its known words
            ok = max(ok, len(values) // 2 + 1) if ok else 0
    else:
        ok = sum(date_or_none(v) is None and amount_or_none(v) is None for v in values)
    return ok / len(values)


def suggest_for(target: str, header: list[str], rows: list[dict[str, str]]) -> tuple[Mapping, float]:
    """The likeliest of their columns for each of ours in `target` (each of theirs used once), the
    constants their names imply, and how well the whole mapping fits (the sum of its columns' scores)."""
    scored = []
    for f in fields(target):
        for h in header:
            name = _name_score(f.name, h)
            if name <= 0:
                continue
            fit = _value_score(f, [r.get(h, "") for r in rows[:MAX_SAMPLE]])
            if fit < 0.5:
                continue
            scored.append((name * (0.5 + fit / 2), f.name, h))
    columns: dict[str, str] = {}
    used: set[str] = set()
    total = 0.0
    for score, ours, theirs in sorted(scored, reverse=True):
        if ours not in columns and theirs not in used:
            columns[ours] = theirs
            used.add(theirs)
            total += score
    m = Mapping(target, columns, header=list(header))
    m.constants = _implied(m, rows)
    m.values = _unknown_choices(m, rows)
    return m, total


def _implied(m: Mapping, rows: list[dict[str, str]]) -> dict[str, str]:
    """What the file's names say for a column it lacks: the currency its amount's name gives
    (`raised_amount_usd`), a pay figure's kind and period from the amount's name (a base salary is
    yearly); `stated` is kept out of these: only what the names state."""
    ours = {f.name for f in fields(m.target)}
    out: dict[str, str] = {}
    amount = m.columns.get("amount") or m.columns.get("amount_low") or ""
    if "currency" in ours and "currency" not in m.columns:
        units = [unit_of(h)[1] for h in ([amount] if amount else []) + m.header if unit_of(h)[1]]
        if units:
            out["currency"] = units[0]
    name = unit_of(amount)[0]
    if "kind" in ours and "kind" not in m.columns and name:
        kind = next((v for w, v in CHOICE_WORDS["kind"].items() if w in name.split() or w == name), "")
        if kind or "wage" in name:
            out["kind"] = kind or "base_salary"
    if "period" in ours and "period" not in m.columns and out.get("kind") == "base_salary":
        out["period"] = "per_year"  # a salary is a yearly figure unless a unit column says otherwise
    return out


def _unknown_choices(m: Mapping, rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """For each choice column with an `other`, the file's words (in the rows read) that are none of
    ours, proposed as other (the words are kept in the note)."""
    out: dict[str, dict[str, str]] = {}
    for f in fields(m.target):
        theirs = m.columns.get(f.name)
        if not theirs or "other" not in f.choices:
            continue
        words = {fold(r.get(theirs, "")) for r in rows if r.get(theirs, "").strip()}
        unknown = sorted(w for w in words if choice_or_none(f.name, f.choices, w) is None)
        if unknown:
            out[f.name] = {w: "other" for w in unknown[:50]}
    return out


def suggest(header: list[str], rows: list[dict[str, str]]) -> Mapping:
    """The format a file's columns most likely are, and its mapping, judged on the whole header:
    a format whose required columns are all filled (by a column or a constant) before any that
    is not, then the one whose columns fit best together."""
    best, best_key = None, None
    for target in TARGETS:
        m, total = suggest_for(target, header, rows)
        required = [f for f in fields(target) if f.required]
        filled = sum(1 for f in required if f.name in m.columns or f.name in m.constants)
        key = (filled == len(required), filled / max(len(required), 1), round(total, 6), target in FLAT_FORMATS)
        if best_key is None or key > best_key:
            best, best_key = m, key
    return best


# ---------------------------------------------------------------- applying a mapping


def _column_orders(path: Path, mapping: Mapping, ours: list[Field]) -> dict[str, bool | None]:
    """Each date column's day-month order, decided by all its values (one pass over the file)."""
    dates = [f for f in ours if f.type == "date"]
    if not dates:
        return {}
    firsts = {f.name: [False, False] for f in dates}
    with open(path, encoding="utf-8", newline="") as src:
        reader = csv.reader(src)
        index = {h.strip().lower(): i for i, h in enumerate(next(reader))}
        at = {f.name: index[mapping.columns[f.name].strip().lower()] for f in dates}
        for values in reader:
            for name, i in at.items():
                if i < len(values) and (o := day_first([values[i]])) is not None:
                    firsts[name][0 if o else 1] = True
    return {name: (a if a != b else None) for name, (a, b) in firsts.items()}


def apply(path: Path, out: Path, mapping: Mapping, label: str) -> list[Problem]:
    """Write the staged file `path` to `out` in our format (the canonical shape: its row number
    first, then our columns); every value that cannot be read is a problem (row, their column)."""
    header, _sample = read_sample(path, 1)
    problems = [
        Problem("", None, None, None, L_("the mapping needs the column “{column}”").format(column=c), label)
        for c in mapping.missing(header)
    ]
    if problems:
        return problems
    targets = fields(mapping.target)
    # a currency column first: an amount's sign is checked against it
    ours = sorted((f for f in targets if mapping.columns.get(f.name)), key=lambda f: f.type != "currency")
    order = _column_orders(path, mapping, ours)
    note = next((f for f in targets if f.name == "note"), None)
    constant = {}
    for f in targets:
        if mapping.constants.get(f.name) and not mapping.columns.get(f.name):
            try:
                constant[f.name], _extra = _converted(f, mapping.constants[f.name], None, {}, {})
            except ValueError as exc:
                return [Problem(mapping.target, None, f.name, mapping.constants[f.name], exc.args[0], label)]
    columns = [f.name for f in targets if mapping.columns.get(f.name) or f.name in constant]
    for extra in ("note", "currency"):
        if extra in {f.name for f in targets} and extra not in columns:
            columns.append(extra)
    columns.append(ORIGIN_COLUMN)
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
            row = {c: constant.get(c, "") for c in columns}
            notes = []
            for f in ours:
                col = mapping.columns[f.name]
                at = index[col.strip().lower()]
                value = values[at].strip() if at < len(values) else ""
                if not value:
                    continue
                try:
                    row[f.name], extra = _converted(f, value, order.get(f.name), row, mapping.values.get(f.name, {}))
                except ValueError as exc:
                    problems.append(Problem(mapping.target, int(line), col, value, exc.args[0], label))
                    if len(problems) >= 1000:
                        return problems
                    continue
                if extra:
                    notes.append(extra)
            if row.get("period") in PER_YEAR:
                notes.append(_yearly(row))
            if notes and note is not None:
                row["note"] = "; ".join(x for x in [row.get("note", ""), *notes] if x)
            row[ORIGIN_COLUMN] = hashlib.sha1("\x1f".join(values[1:]).encode("utf-8")).hexdigest()[:16]
            w.writerow([line, *(row[c] for c in columns)])
    return problems


def _yearly(row: dict[str, str]) -> str:
    """A wage by the hour, week or month made yearly in `row`; what it was, for the note."""
    unit, factor = row["period"], PER_YEAR[row["period"]]
    was = []
    for c in ("amount_low", "amount_high"):
        if row.get(c):
            was.append(row[c])
            value = float(row[c]) * factor
            row[c] = f"{value:.0f}" if value == int(value) else f"{value:.2f}"
    row["period"] = "per_year"
    return f"{'-'.join(was)} {row.get('currency', '')} per {unit} x {factor}".replace("  ", " ")


def _converted(
    f: Field, value: str, day_first_: bool | None, row: dict[str, str], words: dict[str, str]
) -> tuple[str, str]:
    """One value in our format, and what of it goes to the note ('' for nothing). A choice is read
    through the mapping's own words first; a word that is none of ours is `other` (kept in the
    note) where the column has an other, and a problem where it has not."""
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
        choice = choice_or_none(f.name, f.choices, value, words)
        if choice is None and "other" in f.choices:
            choice = "other"
        if choice is None or (choice not in f.choices and not (f.name == "period" and choice in PER_YEAR)):
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
        "columns": json.dumps(mapping.stored(), ensure_ascii=False),
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
            out.append(_stored(r.target, r.columns, r.name, []))
    return out


def saved_fitting(con: duckdb.DuckDBPyConnection, header: list[str]) -> Mapping | None:
    """The newest saved mapping made for exactly this layout of columns, if any."""
    from atlas import sql

    rows = sql.run_query(con, "mappings_list", {"header_key": header_key(header)})
    for r in rows.itertuples():
        if r.fits and r.target in TARGETS:
            return _stored(r.target, r.columns, r.name, list(header))
    return None


def _stored(target: str, text: str, name: str, header: list[str]) -> Mapping:
    """A saved mapping as stored: its columns alone (saved before constants), or its columns,
    constants and value maps."""
    data = json.loads(text)
    if isinstance(data.get("columns"), dict):
        return Mapping(target, data["columns"], name, header, data.get("constants", {}), data.get("values", {}))
    return Mapping(target, data, name, header)


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
