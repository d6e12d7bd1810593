"""Uploads by name: flat files of events as analysts keep them, and names in id columns.

A **flat file** has one row per event with names, not ids (`FLAT_FORMATS`: moves, pay figures,
rounds), recognized by its header. A per-table file may also give a name where an id is
expected (`person_id`, `to_firm_id`, ...): a value that is not a stored id and does not look
like one (an id is lowercase letters, digits, '.', '_' and '-') is a name.

`plan` lists every distinct name with its decision (`atlas.resolve`); `apply` writes, into the
upload's private folder, the per-table files the loader reads: the flat rows as table rows
with ids, the names of id columns replaced by ids, the new people, firms and sources, and the
aliases the analyst confirmed. The loader then checks and commits them as one upload, so a
problem in any row still changes nothing, and an undo removes the entities and aliases too.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from atlas import csvfile, names
from atlas.i18n import L_, N_
from atlas.load.problems import Problem
from atlas.model import (  # noqa: F401 - its interface
    ENTITY_KINDS,
    FLAT_FORMATS,
    SOURCE_COLUMNS,
    TABLES_BY_NAME,
    FlatFormat,
    detect_flat,
)
from atlas.resolve import Decision, resolve

# id columns of the per-table files that may hold a name, and what they name
NAME_COLUMNS = {
    "firms": {"parent_id": "firm"},
    "education": {"person_id": "person", "institution_id": "firm"},
    "moves": {"person_id": "person", "from_firm_id": "firm", "to_firm_id": "firm"},
    "compensation": {"person_id": "person", "firm_id": "firm"},
    "funding_rounds": {"firm_id": "firm"},
    "round_investors": {"investor_id": "firm"},
}
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
MAX_INVESTORS = 50


def _rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a canonical file (atlas.csvfile): its spreadsheet row under `_row`, values trimmed."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        for values in reader:
            yield {h: v.strip() for h, v in zip(header, values, strict=False)}


def _investors(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;；、\n]", value or "") if v.strip()][:MAX_INVESTORS]


def _looks_like_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


def _stored_ids(con: duckdb.DuckDBPyConnection, kind: str, values: set[str]) -> set[str]:
    table, col = ENTITY_KINDS[kind].table, ENTITY_KINDS[kind].id_column
    if not values:
        return set()
    rows = con.execute(
        f"select {col} from {table} where {col} in (select unnest($v::varchar[]))", {"v": sorted(values)}
    ).fetchall()
    return {r[0] for r in rows}


@dataclass
class NamePlan:
    """The names of an upload with their decisions, and the problems with names as written."""

    decisions: list[Decision]
    problems: list[Problem]
    flat: dict[str, str]  # table key of the upload -> flat format name

    @property
    def needs_review(self) -> list[Decision]:
        return [d for d in self.decisions if d.needs_review]


# the date of a by-name file's event (a firm founded after it cannot be the firm it names)
EVENT_DATE = {"moves": "moved_on", "compensation": "reported_on", "funding_rounds": "announced_on"}


def plan(con: duckdb.DuckDBPyConnection, files: dict[str, Path], labels: dict[str, str]) -> NamePlan:
    """Every distinct name the upload's files use, resolved; empty when they use ids only."""
    uploaded_ids = {"person": set(), "firm": set()}
    for kind, entity in ENTITY_KINDS.items():
        table, col = entity.table, entity.id_column
        if table in files:
            uploaded_ids[kind] |= {r.get(col, "") for r in _rows(files[table])}
    counts: dict[tuple[str, str], list] = {}
    problems: list[Problem] = []
    flat: dict[str, str] = {}
    latest: dict[tuple[str, str], str] = {}  # the latest event date that names each firm

    def add(kind: str, name: str, zh: str, table: str, line: str, column: str, when: str = "") -> None:
        problem = names.name_problem(name)
        if problem:
            problems.append(
                Problem(table, int(line) if line.isdigit() else None, column, name, problem, labels.get(table, ""))
            )
            return
        entry = counts.setdefault((kind, names.clean(name)), [0, ""])
        entry[0] += 1
        entry[1] = entry[1] or zh
        if when:
            key = (kind, names.clean(name))
            latest[key] = max(latest.get(key, ""), when)

    for key, path in files.items():
        fmt = FLAT_FORMATS.get(key)
        if fmt:
            flat[key] = fmt.name
            dated = EVENT_DATE.get(fmt.table, "")
            for row in _rows(path):
                for col, (kind, zh_col) in fmt.refs.items():
                    value = row.get(col, "")
                    if not value:
                        continue
                    parts = _investors(value) if col in ("investors", "lead_investor") else [value]
                    for part in parts:
                        zh = row.get(zh_col, "") if zh_col else ""
                        when = row.get(dated, "") if dated else ""
                        add(kind, part, zh, key, row.get(csvfile.ROW_COLUMN, ""), col, when)
            continue
        columns = NAME_COLUMNS.get(key, {})
        if not columns:
            continue
        # only values that are no stored or uploaded id and do not look like one are names
        candidates: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for row in _rows(path):
            for col, kind in columns.items():
                value = row.get(col, "")
                if value and not _looks_like_id(value) and value not in uploaded_ids[kind]:
                    candidates.setdefault((kind, value), []).append((row.get(csvfile.ROW_COLUMN, ""), col))
        stored = {k: _stored_ids(con, k, {v for kk, v in candidates if kk == k}) for k in ("person", "firm")}
        for (kind, value), uses in candidates.items():
            if value in stored[kind]:
                continue
            for line, col in uses:
                add(kind, value, "", key, line, col)
    items = [(kind, name, zh, n) for (kind, name), (n, zh) in counts.items()]
    taken = {k: set(v) for k, v in uploaded_ids.items()}
    return NamePlan(resolve(con, items, taken, latest=latest) if items else [], problems, flat)


def _hash_id(prefix: str, values: list[str]) -> str:
    return f"{prefix}-" + hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()[:12]


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([csvfile.ROW_COLUMN, *header])
        for r in rows:
            w.writerow([r.get(csvfile.ROW_COLUMN, "0"), *(r.get(h, "") for h in header)])


def _source_for(con: duckdb.DuckDBPyConnection, row: dict[str, str], new_sources: dict[str, dict]) -> str:
    """The source a flat row names (by address, title, or publisher and date), created if new; ''
    when it names none (the upload then cites itself)."""
    title, url, publisher, date = (row.get(c, "") for c in SOURCE_COLUMNS)
    if not (title or url or publisher):
        return ""
    for sql, value in (
        ("select source_id from sources where url = $v limit 1", url),
        ("select source_id from sources where title = $v limit 1", title),
    ):
        if value:
            found = con.execute(sql, {"v": value}).fetchall()
            if found:
                return found[0][0]
    if publisher and date:
        found = con.execute(
            "select source_id from sources "
            "where publisher = $p and fmt_date(published_on, published_on_precision) = $d limit 1",
            {"p": publisher, "d": date},
        ).fetchall()
        if found:
            return found[0][0]
    sid = _hash_id("src", [title, url, publisher, date])
    if sid not in new_sources:
        host = re.sub(r"^https?://(www\.)?([^/]+).*$", r"\2", url) if url else ""
        new_sources[sid] = {
            csvfile.ROW_COLUMN: row.get(csvfile.ROW_COLUMN, "0"),
            "source_id": sid,
            "title": title or ", ".join(x for x in (publisher or host, date) if x),
            "publisher": publisher or host or "not given",
            "url": url,
            "published_on": date,
            "kind": "article",
            "title_kind": "headline" if title else "description",
        }
    return sid


@dataclass
class Applied:
    """What `apply` wrote: the per-table files and their labels, what it reports without refusing
    (repeated events collapsed, moves within one entity), and each flat row's event in words."""

    files: dict[str, Path]
    labels: dict[str, str]
    notices: list[Problem]
    events: dict[tuple[str, int], str]  # (table, spreadsheet row) -> the event as written


def _event_words(fmt: FlatFormat, row: dict[str, str]) -> str:
    """A flat row's event as the analyst wrote it (never its generated id): "Hervé Lombaert, Inria → ICL, 2020"."""
    parts = []
    for c in fmt.id_fields:
        value = row.get(c, "")
        if c == "to_firm" and parts and row.get("from_firm"):
            parts[-1] = f"{parts[-1]} → {value}"
        elif value:
            parts.append(value)
    return ", ".join(parts)


def apply(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, Path],
    labels: dict[str, str],
    name_plan: NamePlan,
    folder: Path,
) -> Applied:
    """The per-table files the loader reads, with every name replaced by its decided id.

    Rows of a flat file that are one event once their names are decided (the same person, firms,
    date and kind: "Hervé Lombaert" and "Herve Lombaert") become one row, the first; the others
    are reported with their row numbers. A move whose origin and destination are one entity is
    reported (kept: a move within one firm is the analyst's call)."""
    job = _Applying(con, labels, name_plan)
    for key, path in files.items():
        fmt = FLAT_FORMATS.get(key)
        if fmt:
            job.flat_file(key, path, fmt)
        elif NAME_COLUMNS.get(key) and any(name_plan.decisions):
            job.names_in_id_columns(key, path, NAME_COLUMNS[key])
        else:
            job.out[key], job.out_labels[key] = path, labels.get(key, key)
    job.new_entities_and_aliases()
    job.write(files, folder)
    return Applied(job.out, job.out_labels, job.notices, job.events)


class _Applying:
    """One application of a name plan: the rows per table it makes, their labels and its notes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, labels: dict[str, str], name_plan: NamePlan) -> None:
        self.con, self.labels, self.name_plan = con, labels, name_plan
        self.target = {(d.kind, d.name): d.target for d in name_plan.decisions}
        self.entity_name: dict[tuple[str, str], str] = {}  # an entity's name: its first spelling in the file
        for d in name_plan.decisions:
            self.entity_name.setdefault((d.kind, d.target), d.name)
        self.notices: list[Problem] = []
        self.events: dict[tuple[str, int], str] = {}
        self.out: dict[str, Path] = {}
        self.out_labels: dict[str, str] = {}
        self.table_rows: dict[str, list[dict[str, str]]] = {}
        self.new_sources: dict[str, dict] = {}
        self.investors: list[dict[str, str]] = []

    def id_of(self, kind: str, name: str) -> str:
        return self.target.get((kind, names.clean(name)), "") if name else ""

    # ------------------------------------------------------------ a flat file (one row per event)

    def flat_file(self, key: str, path: Path, fmt: FlatFormat) -> None:
        rows = self.table_rows.setdefault(fmt.table, [])
        first_of: dict[str, dict[str, str]] = {}
        repeats: dict[str, list[str]] = {}
        for row in _rows(path):
            new = self.row_of(fmt, row)
            line = new[csvfile.ROW_COLUMN]
            if line.isdigit():
                self.events[(fmt.table, int(line))] = _event_words(fmt, row)
            event_id = new[fmt.id_column]
            if event_id in first_of:
                repeats.setdefault(event_id, [first_of[event_id][csvfile.ROW_COLUMN]]).append(line)
                continue  # the same event again: one row, reported below
            first_of[event_id] = row | {csvfile.ROW_COLUMN: line}
            if fmt.table == "moves" and new["from_firm_id"] and new["from_firm_id"] == new["to_firm_id"]:
                self.same_firm_notice(key, fmt, row, new, line)
            new["source_id"] = _source_for(self.con, row, self.new_sources)
            rows.append(new)
            if fmt.table == "funding_rounds":
                self.investors_of(row, new)
        for event_id, lines in repeats.items():
            self.repeat_notice(key, fmt, first_of[event_id], lines)
        self.out_labels[fmt.table] = self.labels.get(key, key)

    def row_of(self, fmt: FlatFormat, row: dict[str, str]) -> dict[str, str]:
        """A flat row as the table's row: its own columns, the names as ids, the event's id."""
        new = {csvfile.ROW_COLUMN: row.get(csvfile.ROW_COLUMN, "0")}
        # the flat columns that are the table's own (not names, not sources) pass through
        for col in (c for c in fmt.columns if c in TABLES_BY_NAME[fmt.table].column_names):
            new[col] = row.get(col, "") or fmt.defaults.get(col, "")
        if fmt.table == "moves":
            new["person_id"] = self.id_of("person", row.get("person", ""))
            new["from_firm_id"] = self.id_of("firm", row.get("from_firm", ""))
            new["to_firm_id"] = self.id_of("firm", row.get("to_firm", ""))
        elif fmt.table == "compensation":
            new["person_id"] = self.id_of("person", row.get("person", ""))
            new["firm_id"] = self.id_of("firm", row.get("firm", ""))
            new["amount_high"] = new["amount_high"] or new["amount_low"]
        else:
            new["firm_id"] = self.id_of("firm", row.get("firm", ""))
        ids = [new.get(c + "_id", "") if c in fmt.refs else new.get(c, "") for c in fmt.id_fields]
        if row.get(csvfile.ORIGIN_COLUMN):
            ids.append(row[csvfile.ORIGIN_COLUMN])  # another tool's row: one event only if all of it agrees
        new[fmt.id_column] = _hash_id(fmt.id_prefix, ids)
        return new

    def same_firm_notice(self, key: str, fmt: FlatFormat, row: dict, new: dict, line: str) -> None:
        same = self.entity_name.get(("firm", new["to_firm_id"]), row.get("to_firm", ""))
        self.notices.append(
            Problem(
                fmt.table,
                int(line) if line.isdigit() else None,
                "to_firm",
                row.get("to_firm", ""),
                L_(
                    "the move leaves and joins the same firm ({firm}: “{origin}” and “{destination}” "
                    "are one entry); it is kept as written; fix the row if the firms differ"
                ).format(firm=same, origin=row.get("from_firm", ""), destination=row.get("to_firm", "")),
                self.labels.get(key, key),
            )
        )

    def investors_of(self, row: dict[str, str], new: dict[str, str]) -> None:
        """A round's investors (and its leads) as round_investors rows."""
        leads = {self.id_of("firm", n) for n in _investors(row.get("lead_investor", ""))}
        named = _investors(row.get("investors", "")) + _investors(row.get("lead_investor", ""))
        for investor in dict.fromkeys(self.id_of("firm", n) for n in named):
            self.investors.append(
                {
                    csvfile.ROW_COLUMN: new[csvfile.ROW_COLUMN],
                    "round_id": new["round_id"],
                    "investor_id": investor,
                    "is_lead": "true" if investor in leads else "false",
                    "role": "investor",
                }
            )

    def repeat_notice(self, key: str, fmt: FlatFormat, first: dict[str, str], lines: list[str]) -> None:
        self.notices.append(
            Problem(
                fmt.table,
                int(lines[0]) if lines[0].isdigit() else None,
                None,
                _event_words(fmt, first),
                (
                    L_("{n} rows are the same row of the file, every column alike (rows {rows}): loaded once")
                    if first.get(csvfile.ORIGIN_COLUMN)
                    else L_(
                        "{n} rows are one event once their names are matched (rows {rows}): loaded once, as row {first}"
                    )
                ).format(n=len(lines), rows=", ".join(lines), first=lines[0]),
                self.labels.get(key, key),
            )
        )

    # ------------------------------------------------------------ a table's file with names in its id columns

    def names_in_id_columns(self, key: str, path: Path, columns: dict[str, str]) -> None:
        rows = []
        for row in _rows(path):
            for col, kind in columns.items():
                mapped = self.target.get((kind, names.clean(row.get(col, "")))) if row.get(col) else None
                if mapped and not _looks_like_id(row[col]):
                    row[col] = mapped
            rows.append(row)
        self.table_rows.setdefault(key, []).extend(rows)
        self.out_labels[key] = self.labels.get(key, key)

    # ------------------------------------------------------------ what the decisions add

    def new_entities_and_aliases(self) -> None:
        """The new entities, and the spellings the analyst confirmed as aliases."""
        if self.investors:
            self.table_rows.setdefault("round_investors", []).extend(self.investors)
            self.out_labels.setdefault("round_investors", self.out_labels.get("funding_rounds", "rounds"))
        made: set[tuple[str, str]] = set()
        aliases: list[dict[str, str]] = []
        for d in self.name_plan.decisions:
            if d.entity_id is None and (d.kind, d.new_id) not in made:
                made.add((d.kind, d.new_id))
                latin = d.name if not names.has_han(d.name) else (names.pinyin_name(d.name) or d.name)
                zh = d.name if names.has_han(d.name) else d.name_zh
                if d.kind == "person":
                    self.table_rows.setdefault("people", []).append(
                        {"person_id": d.new_id, "name": latin, "name_zh": zh}
                    )
                else:
                    self.table_rows.setdefault("firms", []).append(
                        {"firm_id": d.new_id, "name": latin, "name_zh": zh, "kind": "other"}
                    )
                self.out_labels.setdefault(ENTITY_KINDS[d.kind].table, "new entities of this upload")
            elif d.entity_id and d.status != "matched":
                # confirmed in the review: the next file with this spelling matches on its own
                aliases.append(
                    {
                        "entity_kind": d.kind,
                        "entity_id": d.entity_id,
                        "alias": d.name,
                        "language": "zh" if names.has_han(d.name) else "",
                        "origin": "upload",
                    }
                )
        new_firms = sum(1 for kind, _id in made if kind == "firm")
        if new_firms:
            self.notices.append(
                Problem(
                    "firms",
                    None,
                    None,
                    None,
                    L_(
                        "{n} new firm(s) are created as kind “other” with no country: the kind and country filters "
                        "leave them out until both are set (a firms file in upsert mode with firm_id, kind and country)"
                    ).format(n=f"{new_firms:,}"),
                    "new entities of this upload",
                )
            )
        if aliases:
            self.table_rows.setdefault("aliases", []).extend(aliases)
            self.out_labels.setdefault("aliases", "aliases confirmed in the review")
        if self.new_sources:
            self.table_rows.setdefault("sources", []).extend(self.new_sources.values())
            self.out_labels.setdefault("sources", "sources named in the upload")

    def write(self, files: dict[str, Path], folder: Path) -> None:
        """One file per table the rows fill, in `folder`; the files no name touched as they are."""
        for table, rows in self.table_rows.items():
            if table in files and table not in FLAT_FORMATS and table not in NAME_COLUMNS:
                rows = [*_rows(files[table]), *rows]  # an uploaded people or firms file, plus the new entries
            path = folder / f"byname_{table}.csv"
            # only the columns some row has: an absent column keeps its stored values in an upsert
            _write(path, [c for c in TABLES_BY_NAME[table].column_names if any(c in r for r in rows)], rows)
            self.out[table] = path
        for key, path in files.items():
            if key not in FLAT_FORMATS and key not in self.out:
                self.out[key], self.out_labels[key] = path, self.labels.get(key, key)


# What each column of a flat file means (the data dictionary shows it), and one example row each.
FLAT_HELP = {
    "person": N_(
        "the person, by name in English or Chinese, either order or script (Li Mu, Mu Li, 李沐; 賈揚清 = 贾扬清)"
    ),
    "person_zh": N_("the person's Chinese name, when the person column has the English one"),
    "from_firm": N_(
        "the firm left, by name (company suffixes like Inc. or 有限公司 are ignored); empty for a first job"
    ),
    "to_firm": N_("the firm joined, by name"),
    "firm": N_("the firm, by name"),
    "investors": N_("the investors by name, separated by ; (or 、)"),
    "lead_investor": N_("the lead investor(s) by name"),
    "moved_on": N_("date: YYYY, YYYY-MM or YYYY-MM-DD"),
    "reported_on": N_("date: YYYY, YYYY-MM or YYYY-MM-DD"),
    "announced_on": N_("date: YYYY, YYYY-MM or YYYY-MM-DD"),
    "source_title": N_("the article's headline; a source with this title, address, or publisher and date is reused"),
    "source_url": N_("the article's address (http:// or https://)"),
    "source_publisher": N_("who published it"),
    "source_date": N_("when it was published: YYYY, YYYY-MM or YYYY-MM-DD"),
}
FLAT_EXAMPLES = {
    "moves by name": {
        "person": "Li Mu", "person_zh": "李沐", "from_firm": "Amazon Inc.", "to_firm": "Boson.ai",
        "moved_on": "2023-03", "role": "co-founder", "move_type": "founded", "certainty": "reported",
        "source_publisher": "钛媒体创投家", "source_date": "2023",
    },
    "pay by name": {
        "person": "Shengjia Zhao", "firm": "Meta Superintelligence Labs", "kind": "signing_bonus",
        "amount_low": "100000000", "currency": "USD", "period": "one_time", "outcome": "offered",
        "reported_on": "2025-07", "certainty": "rumor",
    },
    "rounds by name": {
        "firm": "Reka AI", "announced_on": "2024", "round_type": "series", "amount": "60000000", "currency": "USD",
        "investors": "Nvidia; Snowflake", "lead_investor": "", "status": "completed", "certainty": "reported",
    },
}  # fmt: skip


def flat_dictionary(name: str) -> list[dict[str, str]]:
    """The data dictionary of a flat format: each column, whether required, its default, what it holds."""
    from atlas.model import TYPE_NAMES

    fmt = FLAT_FORMATS[name]
    table = TABLES_BY_NAME[fmt.table]
    out = []
    for c in fmt.columns:
        if c in FLAT_HELP:
            meaning = L_(FLAT_HELP[c])
        elif c in table.column_names:
            col = table.column(c)
            meaning = ", ".join(col.choices) if col.choices else L_(TYPE_NAMES[col.type])
        else:
            meaning = ""
        default = fmt.defaults.get(c, "")
        out.append(
            {
                "column": c,
                "required": L_("yes") if c in fmt.required else L_("no"),
                "holds": meaning,
                "default": default,
                "example": FLAT_EXAMPLES[name].get(c, ""),
            }
        )
    return out


def flat_csv(name: str, example: bool = False) -> str:
    """A flat format's empty template, or (example=True) its header and one example row."""
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    columns = FLAT_FORMATS[name].columns
    w.writerow(columns)
    if example:
        w.writerow([FLAT_EXAMPLES[name].get(c, "") for c in columns])
    return out.getvalue()
