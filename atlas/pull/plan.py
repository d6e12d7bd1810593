"""A pull's rows, ready to load: people and firms matched to the stored ones (first by the
source's own ids kept as aliases, then by name through the resolver and the analyst's review),
written as one CSV per table and loaded as one upsert (atlas.load: checks, one transaction, a
data version, undo)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from atlas import resolve
from atlas.model import ENTITY_KINDS


@dataclass
class Entity:
    """A person or firm of a pull: its name, the source's ids (as aliases), and the row it would
    be stored as if it is new."""

    kind: str  # person or firm
    key: str  # the source's id of it
    name: str
    aliases: list[str]  # 'openalex:A123', 'orcid:…', 'ror:…'
    row: dict[str, str] = field(default_factory=dict)  # its people/firms row when new (ids filled later)
    entity_id: str = ""


@dataclass
class Plan:
    """What a pull would write: entities, and rows per table keyed by the entities' source ids."""

    entities: list[Entity]
    rows: dict[str, list[dict[str, str]]]


def match_by_alias(con: duckdb.DuckDBPyConnection, entities: list[Entity]) -> None:
    """Give every entity a stored id that one of its source ids already names (a second pull
    matches exactly, whatever the name became)."""
    wanted = sorted({a.lower() for e in entities for a in e.aliases})
    if not wanted:
        return
    stored = con.execute(
        "select entity_kind, lower(alias), min(entity_id) from aliases where list_contains($a, lower(alias)) "
        "group by all",
        {"a": wanted},
    ).fetchall()
    found = {(k, a): i for k, a, i in stored}
    for e in entities:
        e.entity_id = next((found[(e.kind, a.lower())] for a in e.aliases if (e.kind, a.lower()) in found), "")


def resolve_names(
    con: duckdb.DuckDBPyConnection, entities: list[Entity], rows: dict[str, list[dict[str, str]]] | None = None
) -> list[resolve.Decision]:
    """The resolver's decisions for the names no source id matched (matched, review, ambiguous,
    new), each with how many of the pull's rows name it (`rows`: the plan's)."""
    from collections import Counter

    uses = Counter(v for table in (rows or {}).values() for r in table for v in r.values() if v.startswith("@"))
    open_ = [e for e in entities if not e.entity_id]
    return resolve.resolve(con, [(e.kind, e.name, "", max(1, uses[f"@{e.kind}:{e.key}"])) for e in open_])


def settle(plan: Plan, decisions: list[resolve.Decision]) -> list[resolve.Decision]:
    """Give each entity its id from the decisions; returns those still undecided (nothing is
    written while any is)."""
    from collections import Counter

    from atlas import names

    by_name = {(d.kind, d.name): d for d in decisions}
    # two of the pull's own entries under one name (two authors called Wei Zhang) are two people:
    # each new one gets its own id, the source's id appended
    shared = Counter((e.kind, names.clean(e.name)) for e in plan.entities if not e.entity_id)
    for e in plan.entities:
        if e.entity_id:
            continue
        d = by_name.get((e.kind, names.clean(e.name)))
        if d is not None and not d.needs_review or d is not None and d.status == "confirmed":
            e.entity_id = d.target
            if d.entity_id is None:  # a new entry: its row is written
                if shared[(e.kind, names.clean(e.name))] > 1:
                    e.entity_id = f"{d.new_id}-{e.key.lower()}"[:60]
                e.row = {**e.row, ("person_id" if e.kind == "person" else "firm_id"): e.entity_id}
                e.row["_new"] = "1"
    return resolve.undecided(decisions)


def table_rows(plan: Plan) -> dict[str, list[dict[str, str]]]:
    """Every table's rows with the entities' ids in place of the source's keys ('@person:A1')."""
    ids = {(e.kind, e.key): e.entity_id for e in plan.entities}
    out: dict[str, list[dict[str, str]]] = {"people": [], "firms": [], "aliases": []}
    for e in plan.entities:
        if e.row.pop("_new", None):
            row = {k: _fill(v, ids) for k, v in e.row.items()}
            out[ENTITY_KINDS[e.kind].table].append(row)
        for alias in e.aliases:
            out["aliases"].append({"entity_kind": e.kind, "entity_id": e.entity_id, "alias": alias, "origin": "pull"})
    for table, rows in plan.rows.items():
        out.setdefault(table, []).extend({k: _fill(v, ids) for k, v in r.items()} for r in rows)
    # a firm's parent first: the loader checks a new firm's parent among stored and new firms alike
    return {t: r for t, r in out.items() if r}


_REF = re.compile(r"@(person|firm):(.+)")


def _fill(value: str, ids: dict[tuple[str, str], str]) -> str:
    m = _REF.fullmatch(value or "")
    return ids.get((m[1], m[2]), "") if m else value


def write(rows: dict[str, list[dict[str, str]]], folder: Path) -> dict[str, Path]:
    """One CSV per table in `folder`; {table: path}."""
    files = {}
    for table, table_rows_ in rows.items():
        header = list(dict.fromkeys(k for r in table_rows_ for k in r))
        path = folder / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
            w.writeheader()
            w.writerows(table_rows_)
        files[table] = path
    return files


def drop_told_moves(con: duckdb.DuckDBPyConnection, rows: dict[str, list[dict[str, str]]]) -> int:
    """One move told by two sources counts once. A pulled move of a person into a firm that another
    source already tells (a stored move of the same person into the same firm, dated within a year
    of it or undated) is left out: the stored one stands, with its own source and precision; the
    pull adds what no other source tells. A move the pull itself stored before (the same move_id)
    is kept, so a repeat changes nothing. Returns how many were left out."""
    moves = rows.get("moves") or []
    if not moves:
        return 0
    wanted = [(m["move_id"], m["person_id"], m.get("to_firm_id", ""), m.get("moved_on", "")) for m in moves]
    told = con.execute(
        """
        select w.move_id
        from (select unnest($ids) as move_id, unnest($people) as person_id, unnest($firms) as to_firm_id,
                     unnest($years) as y) as w
        where not exists (select 1 from moves as s where s.move_id = w.move_id)
          and exists (
            select 1 from moves as s
            where s.person_id = w.person_id and s.to_firm_id = w.to_firm_id
              and (s.moved_on is null or w.y = '' or abs(year(s.moved_on) - try_cast(left(w.y, 4) as integer)) <= 1)
          )
        """,
        {
            "ids": [w[0] for w in wanted],
            "people": [w[1] for w in wanted],
            "firms": [w[2] for w in wanted],
            "years": [w[3] or "" for w in wanted],
        },
    ).fetchall()
    dropped = {r[0] for r in told}
    rows["moves"] = [m for m in moves if m["move_id"] not in dropped]
    if not rows["moves"]:
        rows.pop("moves")
    return len(dropped)
