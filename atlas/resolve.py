"""Entity resolution: the names in an upload (or a search) matched to the people and firms stored.

Each distinct name is folded into keys (`atlas.names`) and looked up in DuckDB against the
same keys of every stored name, Chinese name and alias (`latin_key`, `zh_key`): a key shared
with exactly one entity is a match, with the rule that matched; shared with several, the name
is ambiguous. A name no key matches gets near-miss candidates (blocked in DuckDB by a shared
word or prefix, scored with rapidfuzz) and is sent to review, or is new. Nothing is guessed
silently: only an exact key match is automatic, and every decision carries its rule and score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from atlas import names
from atlas.i18n import L_, N_, _
from atlas.model import ENTITY_KINDS
from atlas.similarity import WordWeights, shares_a_word, weighted_score, zh_score

KINDS = ("person", "firm")
NEAR_MISS = 80  # candidates scoring at least this are shown for review
LIKELY = 90  # a single candidate this close (and clear of the next) is proposed in the review
MAX_CANDIDATES = 5
MAX_BLOCK = 2000  # a word or key prefix shared by more stored names than this is no block
SMALL_BLOCK = 50  # a name with at most this many blocked pairs has every one of them scored

# matched: one entity by an exact key (automatic); review: near-miss candidates, the analyst
# decides (the best proposed when it is clear); ambiguous: an exact key shared by several
# entities; new: nothing close, an entity will be created
STATUSES = ("matched", "review", "ambiguous", "new")


@dataclass
class Candidate:
    entity_id: str
    label: str
    score: float
    rule: str
    detail: str = ""


@dataclass
class Decision:
    """What one distinct name of an upload stands for."""

    kind: str  # person or firm
    name: str  # as written in the file
    name_zh: str = ""  # a Chinese name given beside it (person_zh), if any
    rows: int = 0  # rows of the upload that use it
    status: str = "new"
    entity_id: str | None = None  # the entity it resolves to (chosen, or proposed for review)
    new_id: str = ""  # the id a new entity gets
    rule: str = ""
    score: float = 0.0
    candidates: list[Candidate] = field(default_factory=list)
    latest: str = ""  # the latest date of the upload's events that name it (YYYY, YYYY-MM or YYYY-MM-DD)

    @property
    def needs_review(self) -> bool:
        return self.status != "matched"

    @property
    def target(self) -> str:
        """The id the name's rows get: the entity chosen, or the new entity's id."""
        return self.entity_id or self.new_id


# ---------------------------------------------------------------- the analyst's decisions
# One set of rules for the Data page's review and the command line's --decisions / --create-new.

NEW_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")  # the ids the loader accepts for a new entry
_TABLE_OF = {k: (e.table, e.id_column) for k, e in ENTITY_KINDS.items()}


def entity_exists(con: duckdb.DuckDBPyConnection, kind: str, entity_id: str) -> bool:
    """Whether a person (or firm) with this id is stored."""
    table, col = _TABLE_OF[kind]
    return bool(con.execute(f"select count(*) from {table} where {col} = $id", {"id": entity_id}).fetchall()[0][0])


def choose(
    con: duckdb.DuckDBPyConnection, d: Decision, *, match: str | None = None, new_id: str | None = None
) -> str | None:
    """The analyst's decision for one name: the stored entry `match` (checked to exist), or a new
    entry with `new_id` (checked to be an id). Returns why it cannot be taken (nothing changes),
    or None once `d` holds it."""
    if match:
        if not entity_exists(con, d.kind, match):
            return L_("No {kind} has the id “{id}” (for “{name}”).").format(
                kind=L_(KIND_WORDS[d.kind]), id=match, name=d.name
            )
        d.entity_id = match
    else:
        if not NEW_ID.fullmatch(new_id or d.new_id):
            return L_("The new id of “{name}” must be lowercase letters, digits, '.', '_' or '-'.").format(name=d.name)
        d.entity_id, d.new_id = None, new_id or d.new_id
    d.status, d.rule, d.score = "confirmed", N_("chosen in the review"), 100.0
    return None


def accept(decisions: list[Decision], *, new_only: bool = False) -> None:
    """Take every proposal as it stands (`new_only`: only the new names, each a new entry)."""
    for d in decisions:
        if d.needs_review and (d.status == "new" or not new_only):
            d.status = "confirmed"


def accept_above(con: duckdb.DuckDBPyConnection, decisions: list[Decision], score: float) -> int:
    """Take, for every name still to check, its best candidate when it scores at least `score` and
    is clear of the next one; returns how many were taken."""
    taken = 0
    for d in undecided(decisions):
        if d.status != "review" or not d.candidates:
            continue
        best = d.candidates[0]
        clear = len(d.candidates) == 1 or d.candidates[1].score < best.score - 5
        if best.score >= score and clear and choose(con, d, match=best.entity_id) is None:
            d.score = best.score
            taken += 1
    return taken


def reject_candidate(decisions: list[Decision], kind: str, entity_id: str) -> int:
    """The analyst says `entity_id` is none of the names still to check: it leaves their candidates
    (a name left with none is new); returns how many names it left."""
    left = 0
    for d in undecided(decisions):
        if d.kind != kind or not any(c.entity_id == entity_id for c in d.candidates):
            continue
        d.candidates = [c for c in d.candidates if c.entity_id != entity_id]
        left += 1
        if d.entity_id == entity_id:
            d.entity_id = None
        if d.candidates:
            d.score, d.rule = d.candidates[0].score, d.candidates[0].rule
        elif d.status == "review":
            d.status, d.score, d.rule = "new", 0.0, N_("its candidate was rejected by you")
    return left


def undecided(decisions: list[Decision]) -> list[Decision]:
    """The names still waiting for the analyst."""
    return [d for d in decisions if d.needs_review and d.status != "confirmed"]


KIND_WORDS = {"person": N_("person"), "firm": N_("firm")}


def review_counts(decisions: list[Decision]) -> dict[str, int]:
    """The names of an upload split one way, so the parts add up to the whole: matched on their
    own, new (no stored entry is near), with candidates to check, and decided by the analyst."""
    counts = {"matched": 0, "new": 0, "review": 0, "confirmed": 0}
    for d in decisions:
        counts[d.status if d.status in counts else "review"] += 1
    return counts


def _index_sql() -> str:
    """Every stored name, Chinese name and alias with its key (one row each)."""
    return """
    create or replace temp table name_index as
    select 'person' as kind, person_id as id, display_name(name, name_zh) as label, 'latin' as keykind,
           latin_key(name, false) as key, 'name' as via, name as text from people
    union all
    select 'person', person_id, display_name(name, name_zh), 'zh', zh_key(name_zh, false), 'Chinese name', name_zh
    from people where name_zh is not null and name_zh <> ''
    union all
    select 'firm', firm_id, display_name(name, name_zh), 'latin', latin_key(name, true), 'name', name from firms
    union all
    select 'firm', firm_id, display_name(name, name_zh), 'zh', zh_key(name_zh, true), 'Chinese name', name_zh
    from firms where name_zh is not null and name_zh <> ''
    union all
    select a.entity_kind, a.entity_id, coalesce(display_name(p.name, p.name_zh), display_name(f.name, f.name_zh)),
           case when regexp_matches(a.alias, '\\p{Han}') then 'zh' else 'latin' end,
           case when regexp_matches(a.alias, '\\p{Han}') then zh_key(a.alias, a.entity_kind = 'firm')
                else latin_key(a.alias, a.entity_kind = 'firm') end,
           'alias', a.alias
    from aliases as a
    left join people as p on a.entity_kind = 'person' and p.person_id = a.entity_id
    left join firms as f on a.entity_kind = 'firm' and f.firm_id = a.entity_id
    ;
    -- the words of each latin name run together (spaces and hyphens inside a name aside); a
    -- person's both given name and family name first
    insert into name_index
    select kind, id, label, 'compact', compact_key(text, kind = 'firm'), via, text
    from name_index where keykind = 'latin'
    union
    select kind, id, label, 'compact', raw_compact_key(text), via, text
    from name_index where keykind = 'latin' and kind = 'firm'
    union
    select kind, id, label, 'compact', compact_key_family_first(text), via, text
    from name_index where keykind = 'latin' and kind = 'person'
    """


_QUOTED_RULES = (
    (re.compile(r"^alias “(?P<name>.*)”$"), N_("alias “{name}”")),
    (re.compile(r"^near miss: close to the alias “(?P<name>.*)”$"), N_("near miss: close to the alias “{name}”")),
    (re.compile(r"^near miss: close to the name “(?P<name>.*)”$"), N_("near miss: close to the name “{name}”")),
    (
        re.compile(r"^near miss: close to the name_zh “(?P<name>.*)”$"),
        N_("near miss: close to the Chinese name “{name}”"),
    ),
    (re.compile(r"^the same name as “(?P<name>.*)” in this upload$"), N_("the same name as “{name}” in this upload")),
)


def rule_words(rule: str) -> str:
    """A match rule (as stored with the upload, in English) in the reader's language."""
    for pattern, message in _QUOTED_RULES:
        if m := pattern.match(rule or ""):
            return _(message).format(name=m["name"])
    return _(rule) if rule else rule


def _rule(base: str, via: str, written: str, stored: str) -> str:
    """The rule in words, from the key's rule and what it matched (name, Chinese name, alias)."""
    if via == "alias":
        return f"alias “{stored}”"
    if base.startswith("same name") and via == "name":
        same = " ".join(names.clean(written).lower().split()) == " ".join(names.clean(stored).lower().split())
        if same:
            return "same name"
        if names.latin_key(written) == names.latin_key(stored) and written.split() != stored.split():
            order = sorted(written.lower().split()) == sorted(stored.lower().split())
            return N_("same name, words in another order") if order else base
    return base


def resolve(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[tuple[str, str, str, int]],
    taken: dict[str, set[str]] | None = None,
    exact_only: bool = False,
    latest: dict[tuple[str, str], str] | None = None,
) -> list[Decision]:
    """Decide every distinct (kind, name, name_zh, rows) of `items` (rows: how many rows use it).

    `taken` are ids already used per kind (besides the stored ones) that new ids must avoid.
    `exact_only`: only the exact matches (a search box), no near misses, details or new ids.
    `latest`: per (kind, name) the latest date of the events that name it: a firm founded after
    it is never the name's match (a 2010 round is not the round of a firm founded in 2022).
    """
    merged: dict[tuple[str, str], Decision] = {}
    for kind, name, name_zh, rows in items:
        key = (kind, names.clean(name))
        if key in merged:
            merged[key].rows += rows
            merged[key].name_zh = merged[key].name_zh or names.clean(name_zh or "")
        else:
            merged[key] = Decision(kind, names.clean(name), names.clean(name_zh or ""), rows)
    decisions = list(merged.values())
    if not decisions:
        return []
    for (kind, name), when in (latest or {}).items():
        if (kind, names.clean(name)) in merged:
            d = merged[(kind, names.clean(name))]
            d.latest = max(d.latest, when)
    probes = []
    for i, d in enumerate(decisions):
        for text in (d.name, d.name_zh):
            if text:
                for keykind, key, rule in names.keys(text, d.kind):
                    probes.append((i, d.kind, keykind, key, rule, text))
    cur = con.cursor()
    try:
        cur.execute(_index_sql())
        probe = pd.DataFrame(probes, columns=["i", "kind", "keykind", "key", "rule", "written"])
        cur.register("probe", probe)
        by_i: dict[int, list[tuple]] = {}
        # the Chinese keys first (a mixed name, Meta超级智能实验室, is its Chinese name, not "Meta"),
        # then the latin ones; the words run together only for a name both leave unmatched
        for keykinds in (("zh",), ("latin",), ("compact",)):
            for row in cur.execute(
                """select p.i, s.id, any_value(s.label), arg_min(p.rule, prio), arg_min(s.via, prio),
                          arg_min(s.text, prio), arg_min(p.written, prio)
                   from (select *, row_number() over () as probe_order from probe) p
                   join name_index s on s.kind = p.kind and s.keykind = p.keykind and s.key = p.key,
                   lateral (select case s.via when 'name' then 0 when 'Chinese name' then 1 else 2 end * 1000
                                   + p.probe_order as prio)
                   where list_contains($kinds, p.keykind) and not list_contains($done, p.i)
                   group by p.i, s.id""",
                {"kinds": list(keykinds), "done": sorted(by_i)},
            ).fetchall():
                by_i.setdefault(row[0], []).append(row)
        for i, d in enumerate(decisions):
            hits = by_i.get(i, [])
            if len(hits) == 1:
                _i, eid, label, rule, via, stored, written = hits[0]
                d.status, d.entity_id, d.score = "matched", eid, 100.0
                d.rule = _rule(rule, via, written, stored)
                d.candidates = [Candidate(eid, label, 100.0, d.rule)]
            elif hits:
                d.status, d.score = "ambiguous", 100.0
                d.rule = N_("the same name belongs to several entries")
                d.candidates = [Candidate(h[1], h[2], 100.0, _rule(h[3], h[4], h[6], h[5])) for h in hits]
        unmatched = [i for i, d in enumerate(decisions) if d.status == "new"]
        if exact_only:
            cur.unregister("probe")
            cur.execute("drop table if exists name_index")
            return decisions
        if unmatched:
            _near_misses(cur, probe[probe["i"].isin(unmatched)], decisions)
        for d in decisions:
            if d.status == "new" and d.kind == "person" and not names.has_han(d.name) and len(d.name.split()) == 1:
                # "David" alone: a first name or a surname names nobody for sure, never a new person silently
                d.status, d.rule = "review", N_("one word only: a first name or a surname alone")
        _not_before_founding(cur, decisions)
        _details(cur, decisions)
        _new_ids(cur, decisions, taken or {})
        _one_entity_per_key(probe, decisions)
        cur.unregister("probe")
        cur.execute("drop table if exists name_index")
    finally:
        cur.close()
    return decisions


def _near_misses(cur: duckdb.DuckDBPyConnection, probe: pd.DataFrame, decisions: list[Decision]) -> None:
    """Candidates for names no key matched: blocked in DuckDB (a shared word of two letters or
    more that is not a generic one, or the same first four letters of the key), scored by
    `weighted_score` with each word weighed by how rare it is among the stored names and the file."""
    cur.register("unmatched", probe[probe["keykind"] != "compact"])
    generic = sorted(names.GENERIC_WORDS)
    pairs = cur.execute(
        f"""
        with u as (select distinct i, kind, keykind, key from unmatched),
        stored_words as (
            select kind, id, label, key, via, text, unnest(string_split(key, ' ')) as w
            from name_index where keykind = 'latin'
        ),
        -- a word or prefix shared by thousands of names (wang, li, john) tells nothing: not a block
        word_df as (select kind, w, count(*) as n from stored_words group by all),
        words as (
            select distinct i, kind, key, unnest(string_split(key, ' ')) as w from u where keykind = 'latin'
        ),
        by_word as (
            select w.i, s.id, s.label, s.key as skey, w.key as ukey, s.via, s.text, 'latin' as keykind
            from words w
            join word_df d on d.kind = w.kind and d.w = w.w and d.n <= {MAX_BLOCK}
            join stored_words s on s.kind = w.kind and s.w = w.w
            where length(w.w) >= 2 and not list_contains($generic, w.w)
        ),
        prefixed as (select *, left(key, 4) as p from name_index where keykind <> 'compact'),
        prefix_df as (select kind, keykind, p, count(*) as n from prefixed group by all),
        by_prefix as (
            select u.i, s.id, s.label, s.key, u.key, s.via, s.text, u.keykind
            from u
            join prefix_df d on d.kind = u.kind and d.keykind = u.keykind and d.p = left(u.key, 4)
                and d.n <= {MAX_BLOCK}
            join prefixed s on s.kind = u.kind and s.keykind = u.keykind and s.p = left(u.key, 4)
            where length(u.key) >= 4
        ),
        -- two letters swapped (Kuasihou, Zheijang): the same letters in another order
        letters as (
            select kind, w, array_to_string(list_sort(string_split(w, '')), '') as sorted_w
            from (select distinct kind, w from stored_words where length(w) >= 4)
        ),
        by_letters as (
            select w.i, s.id, s.label, s.key, w.key, s.via, s.text, 'latin'
            from words w
            join letters l on l.kind = w.kind and l.w <> w.w
                and l.sorted_w = array_to_string(list_sort(string_split(w.w, '')), '')
            join stored_words s on s.kind = l.kind and s.w = l.w
            where length(w.w) >= 4
        ),
        pairs as (select * from by_word union select * from by_prefix union select * from by_letters)
        -- a close spelling of the whole key, or a block small enough to score every pair of
        select * exclude (n) from (select *, count(*) over (partition by i) as n from pairs)
        where n <= {SMALL_BLOCK} or jaro_winkler_similarity(skey, ukey) >= 0.75
        """,
        {"generic": generic},
    ).fetchall()
    cur.unregister("unmatched")
    # how rare each word is: among the stored names of its kind and the names of this file
    file_words = {(d.kind, w) for d in decisions for w in set(names.latin_key(d.name, d.kind == "firm").split())}
    used = sorted({w for _, w in file_words} | {w for p in pairs for w in p[3].split()})
    stored_df = {
        (kind, w): n
        for kind, w, n in cur.execute(
            """select kind, w, count(*) from (
                   select kind, unnest(string_split(key, ' ')) as w from name_index where keykind = 'latin')
               where list_contains($w, w) group by all""",
            {"w": used},
        ).fetchall()
    }
    totals = dict(cur.execute("select kind, count(*) from name_index where keykind = 'latin' group by kind").fetchall())
    file_df: dict[tuple[str, str], int] = {}
    for k in file_words:
        file_df[k] = file_df.get(k, 0) + 1
    n_file = {k: sum(1 for d in decisions if d.kind == k) for k in KINDS}
    weights = WordWeights(stored_df, file_df, {k: totals.get(k, 0) + n_file[k] for k in KINDS})
    best: dict[int, dict[str, Candidate]] = {}
    for i, eid, label, skey, ukey, via, stored, keykind in pairs:
        kind = decisions[i].kind
        score = weighted_score(ukey, skey, kind, weights) if keykind == "latin" else zh_score(ukey, skey)
        if score < NEAR_MISS:
            continue
        found = best.setdefault(i, {})
        if eid not in found or found[eid].score < score:
            what = f"alias “{stored}”" if via == "alias" else f"{via} “{stored}”"
            found[eid] = Candidate(eid, label, round(score, 1), f"near miss: close to the {what}")
    for i, found in best.items():
        d = decisions[i]
        ranked = sorted(found.values(), key=lambda c: -c.score)[:MAX_CANDIDATES]
        d.candidates, d.status = ranked, "review"
        d.score, d.rule = ranked[0].score, ranked[0].rule
        clear = len(ranked) == 1 or ranked[1].score < ranked[0].score - 5
        if ranked[0].score >= LIKELY and clear and (d.kind == "person" or shares_a_word(d.name, ranked[0].label)):
            d.entity_id = ranked[0].entity_id  # proposed, for the analyst to confirm


def _after(founded: str, event: str) -> bool:
    """Whether a firm founded on `founded` came after an event on `event`, at the coarser of the
    two dates' precisions (founded 2023-03 is after 2010-05-01, not after 2023)."""
    n = min(len(founded), len(event))
    return bool(founded and event) and founded[:n] > event[:n]


def _not_before_founding(cur: duckdb.DuckDBPyConnection, decisions: list[Decision]) -> None:
    """A firm founded after every event that names a written firm is none of its candidates: an
    exact name goes to review, unproposed; a near miss is dropped (new if none is left). A firm
    whose founding is not on record but whose first fact is more than two years after those
    events is kept as a candidate and never proposed (a 2010 round of an "Inflection" is not
    Inflection AI's, first on record in 2023)."""
    ids = sorted({c.entity_id for d in decisions if d.kind == "firm" and d.latest for c in d.candidates})
    if not ids:
        return
    known = {
        fid: (founded or "", first or "")
        for fid, founded, first in cur.execute(
            """select f.firm_id, cast(f.founded_on as varchar),
                      cast(least(
                          (select min(m.moved_on) from moves m where f.firm_id in (m.from_firm_id, m.to_firm_id)),
                          (select min(r.announced_on) from funding_rounds r where r.firm_id = f.firm_id)
                      ) as varchar)
               from firms f where list_contains($ids, f.firm_id)""",
            {"ids": ids},
        ).fetchall()
    }
    for d in decisions:
        if d.kind != "firm" or not d.latest:
            continue
        late = {c.entity_id for c in d.candidates if _after(known.get(c.entity_id, ("", ""))[0], d.latest)}
        if d.entity_id and d.status == "review" and d.entity_id not in late:
            first = known.get(d.entity_id, ("", ""))[1]
            if first[:4].isdigit() and d.latest[:4].isdigit() and int(first[:4]) - int(d.latest[:4]) > 2:
                d.entity_id = None  # a candidate still, for the analyst; never the proposal
        if not late:
            continue
        rule = N_("founded after the events that name it")
        if d.status == "matched":
            d.status, d.entity_id, d.rule = "review", None, rule
            d.candidates[0].detail = rule
            continue
        d.candidates = [c for c in d.candidates if c.entity_id not in late]
        if d.entity_id in late:
            d.entity_id = None
        if not d.candidates and d.status == "review":
            d.status, d.score, d.rule = "new", 0.0, N_("its only candidates were founded after the events that name it")


def _details(cur: duckdb.DuckDBPyConnection, decisions: list[Decision]) -> None:
    """What tells candidates apart: a person's firms and years, a firm's kind, country and parent."""
    people = sorted({c.entity_id for d in decisions if d.kind == "person" for c in d.candidates})
    firms = sorted({c.entity_id for d in decisions if d.kind == "firm" for c in d.candidates})
    detail: dict[tuple[str, str], str] = {}
    if people:
        for pid, firm_names, first, last in cur.execute(
            """select m.person_id, string_agg(distinct f.name, ', ' order by f.name), min(year(m.moved_on)),
                      max(year(m.moved_on))
               from moves m left join firms f on f.firm_id in (m.from_firm_id, m.to_firm_id)
               where m.person_id in (select unnest($ids::varchar[])) group by m.person_id""",
            {"ids": people},
        ).fetchall():
            years = f"{first}–{last}" if first and last and first != last else str(first or "")
            detail[("person", pid)] = "; ".join(x for x in (firm_names or "", years) if x)
    if firms:
        for fid, kind, country, parent in cur.execute(
            """select f.firm_id, f.kind, f.country, p.name from firms f left join firms p on p.firm_id = f.parent_id
               where f.firm_id in (select unnest($ids::varchar[]))""",
            {"ids": firms},
        ).fetchall():
            detail[("firm", fid)] = ", ".join(
                x for x in (kind.replace("_", " "), country, parent and f"part of {parent}") if x
            )
    for d in decisions:
        for c in d.candidates:
            c.detail = detail.get((d.kind, c.entity_id), "")


def _new_ids(cur: duckdb.DuckDBPyConnection, decisions: list[Decision], taken: dict[str, set[str]]) -> None:
    """A readable, unused id for each name that may become a new entity."""
    wanted = {(d.kind, names.slug(d.name)) for d in decisions}
    used: dict[str, set[str]] = {k: set(taken.get(k, set())) for k in KINDS}
    for kind, (table, col) in _TABLE_OF.items():
        prefixes = sorted({s for k, s in wanted if k == kind})
        if prefixes:
            used[kind] |= {
                r[0]
                for r in cur.execute(
                    f"select {col} from {table} "
                    f"where list_contains($p::varchar[], regexp_replace({col}, '-[0-9]+$', ''))",
                    {"p": prefixes},
                ).fetchall()
            }
    for d in decisions:
        base = names.slug(d.name)
        new_id, n = base, 1
        while new_id in used[d.kind]:
            n += 1
            new_id = f"{base}-{n}"
        used[d.kind].add(new_id)
        d.new_id = new_id


def _one_entity_per_key(probe: pd.DataFrame, decisions: list[Decision]) -> None:
    """New names of one upload that share a key (王小明 and "Xiaoming Wang") become one entity."""
    first: dict[tuple[str, str, str], int] = {}
    for row in probe.itertuples():
        d = decisions[row.i]
        if d.status != "new":
            continue
        k = (d.kind, row.keykind, row.key)
        j = first.setdefault(k, row.i)
        if j != row.i:
            d.new_id = decisions[j].new_id
            d.rule = f"the same name as “{decisions[j].name}” in this upload"


def decisions_frame(decisions: list[Decision]) -> pd.DataFrame:
    """One row per distinct name: what the review table and the CLI's CSV show."""
    return pd.DataFrame(
        [
            {
                "kind": d.kind,
                "name": d.name,
                "name_zh": d.name_zh,
                "rows": d.rows,
                "status": d.status,
                # a proposal is not a match: the file is safe to load as written (new where not matched)
                "match": d.entity_id if d.status == "matched" else "",
                "proposed": d.entity_id if d.status != "matched" else "",
                "new_id": d.new_id,
                "rule": d.rule,
                "score": d.score,
                "candidates": " | ".join(
                    f"{c.entity_id}: {c.label} ({c.score:.0f}; {c.detail})"
                    if c.detail
                    else f"{c.entity_id}: {c.label} ({c.score:.0f})"
                    for c in d.candidates
                ),
            }
            for d in decisions
        ],
        columns=[
            "kind",
            "name",
            "name_zh",
            "rows",
            "status",
            "match",
            "new_id",
            "proposed",
            "rule",
            "score",
            "candidates",
        ],
    )


def search_text(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """What a search box looks for: the stored name of the one entity the text names exactly
    ("Li Mu" -> "Mu Li", "賈揚清" -> "Yangqing Jia", an alias -> its entity) where the text as typed
    would not find it; else the text ("Meta", "deepmind" stay: each is in its entry's name)."""
    text = names.clean(text)
    if not text or names.name_problem(text):
        return text
    # exact keys only: a near-miss search over a million names is the review's work, not a search box's
    found = [
        (d.kind, d.entity_id)
        for d in resolve(con, [(k, text, "", 1) for k in KINDS], exact_only=True)
        if d.status == "matched"
    ]
    if len(found) != 1:
        return text
    kind, eid = found[0]
    table, col = _TABLE_OF[kind]
    row = con.execute(f"select name from {table} where {col} = $id", {"id": eid}).fetchall()
    if not row or names.clean(text).lower() in row[0][0].lower():
        # the typed words already find the entry as written (a search is a substring search):
        # rewritten, "Meta" would narrow to "Meta (Facebook)" and lose Meta Superintelligence Labs
        return text
    return row[0][0]
