"""OpenAlex affiliations as careers: authors, the institutions their papers name (with country,
type and lineage) and the moves between them, as rows of the data model.

The rule (README, "Pull from public sources"): an author's affiliation with an institution is a
stint from the first to the last year their papers name it. Stints are ordered by their first
year; the first is a join from an unknown origin; each later one is a move from the stint before
it when that one had ended by the year it starts (its last year at most the new first year), and a
join with no origin when it had not (a joint appointment: both stints are kept, never moves back
and forth). Every move is at year precision and cites the author's OpenAlex record, certainty
`reported`. OpenAlex affiliations are where papers were written, not employment contracts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from atlas.pull.http import Client, PullError

API = "https://api.openalex.org"
PER_PAGE = 200
PER_SECOND = 8.0  # the documented limit is 10 requests a second
# what an institution's type makes it here (no type says big tech or startup: a company is "other")
KINDS = {"education": "university", "facility": "research_lab", "company": "other"}
_ID = re.compile(r"(?:https?://openalex\.org/)?([IA]\d+)", re.IGNORECASE)
_ORCID = re.compile(r"(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)


def short_id(value: str) -> str:
    """'https://openalex.org/I123' -> 'I123'."""
    m = _ID.fullmatch(value.strip())
    return m[1].upper() if m else ""


@dataclass
class Institution:
    """One institution as OpenAlex gives it."""

    id: str
    name: str
    country: str = ""
    type: str = ""
    ror: str = ""
    lineage: list[str] = field(default_factory=list)  # itself first, then its parents

    @property
    def parent(self) -> str:
        """The id of the institution it belongs to (the next in its lineage), or ''."""
        return next((i for i in self.lineage if i != self.id), "")

    @property
    def kind(self) -> str:
        """The firm kind its type makes it (atlas.model.FIRM_KINDS)."""
        return KINDS.get(self.type, "other")


@dataclass
class Author:
    """One author: names, ids and affiliations {institution id: years}."""

    id: str
    name: str
    orcid: str = ""
    updated: str = ""  # the record's last update (YYYY-MM-DD): the date its rows cite
    years: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Stint:
    institution: str
    first: int
    last: int


@dataclass
class Move:
    author: str
    from_inst: str  # '' for a join from an unknown origin
    to_inst: str
    year: int
    seq: int
    first: int
    last: int


def institution_of(data: dict) -> Institution:
    """An institution object (full or dehydrated) of the API."""
    iid = short_id(str(data.get("id") or ""))
    name = str(data.get("display_name") or "").strip()
    if not iid or not name:
        raise PullError(f"an institution without an id or a name: {str(data)[:120]}")
    return Institution(
        iid,
        name,
        str(data.get("country_code") or "").upper()[:2],
        str(data.get("type") or "").lower(),
        str(data.get("ror") or "").rsplit("/", 1)[-1],
        [short_id(str(i)) for i in data.get("lineage") or [] if short_id(str(i))] or [iid],
    )


def author_of(data: dict, institutions: dict[str, Institution]) -> Author:
    """An author object of the API, its affiliations' institutions added to `institutions`."""
    aid = short_id(str(data.get("id") or ""))
    name = str(data.get("display_name") or "").strip()
    if not aid or not name:
        raise PullError(f"an author without an id or a name: {str(data)[:120]}")
    orcid = _ORCID.fullmatch(str(data.get("orcid") or ""))
    author = Author(aid, name, orcid[1].upper() if orcid else "", str(data.get("updated_date") or "")[:10])
    for aff in data.get("affiliations") or []:
        if not isinstance(aff, dict) or not isinstance(aff.get("institution"), dict):
            raise PullError(f"{aid}: an affiliation without an institution")
        inst = institution_of(aff["institution"])
        institutions.setdefault(inst.id, inst)
        years = [int(y) for y in aff.get("years") or [] if isinstance(y, int) and 1900 <= y <= 2100]
        if years:
            author.years.setdefault(inst.id, []).extend(years)
    return author


def stints(author: Author, since: int = 0) -> list[Stint]:
    """The author's stints (first to last year an institution is named), ordered by first year;
    those ending before `since` left out."""
    out = [Stint(i, min(y), max(y)) for i, y in author.years.items() if max(y) >= since]
    return sorted(out, key=lambda s: (s.first, s.last, s.institution))


def moves(author: Author, since: int = 0) -> list[Move]:
    """The moves of the rule above, in career order."""
    out: list[Move] = []
    ordered = stints(author, since)
    for n, s in enumerate(ordered):
        # the stint begun before this one that lasted longest: the origin if it had ended by the
        # year this one starts, else this one is held beside it (no origin)
        prev = max((p for p in ordered[:n] if p.first < s.first), key=lambda p: (p.last, p.first), default=None)
        origin = prev.institution if prev and prev.last <= s.first else ""
        out.append(Move(author.id, origin, s.institution, s.first, n + 1, s.first, s.last))
    return out


# ---------------------------------------------------------------- fetching


def find_institution(client: Client, text: str) -> Institution:
    """An institution by id (I123 or its URL) or by name: a name OpenAlex's search matches exactly
    (or matches alone) is taken; several are listed, never guessed."""
    iid = short_id(text)
    if iid.startswith("I"):
        return institution_of(client.get_json(f"institutions/{iid}"))
    found = client.get_json("institutions", {"search": text, "per-page": 10}).get("results") or []
    if not found:
        raise PullError(f"no OpenAlex institution matches “{text}”")
    exact = [r for r in found if str(r.get("display_name", "")).casefold() == text.strip().casefold()]
    if len(exact) == 1 or len(found) == 1:
        return institution_of((exact or found)[0])
    listed = "; ".join(
        f"{short_id(str(r.get('id')))} {r.get('display_name')} ({r.get('country_code') or '?'})" for r in found
    )
    raise PullError(f"“{text}” matches several OpenAlex institutions: {listed}. Pass one by its id.")


def authors_at(
    client: Client, institution: str, progress: Callable[[int, int, int], None] | None = None
) -> Iterator[dict]:
    """Every author whose affiliations name `institution`, page by page with a cursor; `progress`
    hears (authors read, pages read, authors the source counts) after each page."""
    cursor, pages, seen = "*", 0, 0
    while cursor:
        data = client.get_json(
            "authors",
            {"filter": f"affiliations.institution.id:{institution}", "per-page": PER_PAGE, "cursor": cursor},
        )
        results, meta = data.get("results"), data.get("meta")
        if not isinstance(results, list) or not isinstance(meta, dict):
            raise PullError(f"authors at {institution}: a page without results or meta")
        pages += 1
        seen += len(results)
        if progress:
            count = meta.get("count")
            progress(seen, pages, max(seen, count if isinstance(count, int) else seen))
        yield from results
        cursor = meta.get("next_cursor") if results else None


def fetch(
    client: Client,
    institutions: list[str],
    authors: list[str],
    progress: Callable[[int, int, int], None] | None = None,
) -> tuple[list[Author], dict[str, Institution]]:
    """The authors of the institutions asked for (and the authors asked for by id or ORCID), with
    every institution their affiliations name and those institutions' parents. `progress` hears
    (authors read, pages read, authors known to come) across the institutions."""
    known: dict[str, Institution] = {}
    found: dict[str, Author] = {}
    done = [0, 0]  # authors and pages of the institutions read before
    last = [0, 0]  # of the institution being read

    def heard(seen: int, pages: int, count: int) -> None:
        last[:] = [seen, pages]
        if progress:
            progress(done[0] + seen, done[1] + pages, done[0] + count)

    for text in institutions:
        inst = find_institution(client, text)
        known[inst.id] = inst
        last[:] = [0, 0]
        for data in authors_at(client, inst.id, heard):
            a = author_of(data, known)
            found[a.id] = a
        done[0] += last[0]
        done[1] += last[1]
    for text in authors:
        orcid = _ORCID.fullmatch(text.strip())
        path = f"authors/orcid:{orcid[1]}" if orcid else f"authors/{short_id(text) or text}"
        a = author_of(client.get_json(path), known)
        found[a.id] = a
    # the parents their lineage names, so each firm's parent is a firm too
    missing = {i.parent for i in known.values() if i.parent} - set(known)
    while missing:
        for iid in sorted(missing):
            known[iid] = institution_of(client.get_json(f"institutions/{iid}"))
        missing = {i.parent for i in known.values() if i.parent} - set(known)
    return list(found.values()), known


# ---------------------------------------------------------------- as rows


def plan_of(authors: list[Author], institutions: dict[str, Institution], since: int = 0):  # noqa: ANN201
    """The pull as a Plan (atlas.pull.plan): a firm per institution named (with its parent), a
    person per author, a source per author's record, and the moves of the rule."""
    from atlas.pull.plan import Entity, Plan

    entities = [
        Entity(
            "firm",
            i.id,
            i.name,
            [f"openalex:{i.id}", *([f"ror:{i.ror}"] if i.ror else [])],
            {"firm_id": "", "name": i.name, "kind": i.kind, "country": i.country, "parent_id": _ref("firm", i.parent)},
        )
        for i in institutions.values()
    ]
    sources, rows = [], []
    for a in authors:
        source_id = f"openalex-{a.id.lower()}"
        entities.append(
            Entity(
                "person",
                a.id,
                a.name,
                [f"openalex:{a.id}", *([f"orcid:{a.orcid}"] if a.orcid else [])],
                {"person_id": "", "name": a.name, "source_id": source_id},
            )
        )
        sources.append(
            {
                "source_id": source_id,
                "title": f"OpenAlex author record: {a.name}",
                "title_zh": f"OpenAlex 作者记录：{a.name}",
                "title_kind": "description",
                "publisher": "OpenAlex",
                "url": f"https://openalex.org/{a.id}",
                "published_on": a.updated,
                "language": "en",
                "kind": "dataset",
            }
        )
        for m in moves(a, since):
            rows.append(
                {
                    "move_id": f"oa-{a.id.lower()}-{m.to_inst.lower()}-{m.year}",
                    "person_id": _ref("person", a.id),
                    "from_firm_id": _ref("firm", m.from_inst),
                    "to_firm_id": _ref("firm", m.to_inst),
                    "moved_on": str(m.year),
                    "move_type": "joined",
                    "source_id": source_id,
                    "certainty": "reported",
                    "note": (
                        f"OpenAlex affiliation: papers name it {m.first}–{m.last} (where papers were written, "
                        "not an employment record)"
                        if m.first != m.last
                        else f"OpenAlex affiliation: papers name it in {m.first} (where papers were written, "
                        "not an employment record)"
                    ),
                    "seq": str(m.seq),
                }
            )
    return Plan(entities, {"sources": sources, "moves": rows})


def _ref(kind: str, key: str) -> str:
    return f"@{kind}:{key}" if key else ""
