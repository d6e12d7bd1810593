"""SEC Form D filings as rounds: what a US issuer files within 15 days of first selling shares
under Regulation D, read from EDGAR's filings list (data.sec.gov/submissions/CIK##########.json)
and each Form D or D/A's primary document (primary_doc.xml).

One round per offering (a D and its amendments share a file number; the latest filing of it
stands, so an amendment updates its round and never adds one): the amount sold, or the offering
amount where nothing is sold yet (the note says which); dated by the first sale, else by the
filing; certainty `confirmed` (a filing made under penalty of law); the filing as its source. The
related persons (executive officers, directors, promoters) are people tied to the issuer by an
undated move whose role is their relationship: the filing names them, it does not say since when.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from atlas.pull.http import Client, PullError

DATA_API = "https://data.sec.gov"
ARCHIVES = "https://www.sec.gov"
SEARCH = "https://efts.sec.gov"  # EDGAR full-text search: a company by name
PER_SECOND = 8.0  # the SEC asks for at most 10 requests a second
FORMS = ("D", "D/A")
_US = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
    ]
)


@dataclass
class Filing:
    """One Form D or D/A of the filings list."""

    accession: str
    form: str
    filed: str  # YYYY-MM-DD
    file_number: str
    document: str


@dataclass
class Offering:
    """An offering as its latest filing states it."""

    cik: str
    issuer: str
    country: str
    filing: Filing
    first_sale: str  # YYYY-MM-DD or ''
    offered: float | None
    sold: float | None
    people: list[tuple[str, str]] = field(default_factory=list)  # (name, relationships)


def user_agent_ok(text: str) -> bool:
    """Whether a User-Agent names someone with an e-mail address, as the SEC requires."""
    return bool(re.fullmatch(r"\S.*\s\S+@\S+\.\S+", text.strip()))


@contextmanager
def clients(base_url: str, user_agent: str) -> Iterator[tuple[Client, Client, Client]]:
    """EDGAR's search, data and archive hosts (or `base_url` for all three), under one rate each."""
    with (
        Client(base_url or SEARCH, user_agent=user_agent, per_second=PER_SECOND) as search,
        Client(base_url or DATA_API, user_agent=user_agent, per_second=PER_SECOND) as data,
        Client(base_url or ARCHIVES, user_agent=user_agent, per_second=PER_SECOND) as docs,
    ):
        yield search, data, docs


def cik_of(text: str) -> str:
    """A CIK as ten digits ('320193' -> '0000320193'); '' when the text is not one."""
    digits = text.strip().removeprefix("CIK").strip()
    return digits.zfill(10) if digits.isdigit() and len(digits) <= 10 else ""


# "Anthropic, PBC  (CIK 0001800000)", with any tickers between: "Apple Inc.  (AAPL)  (CIK 0000320193)"
_DISPLAY = re.compile(r"\s*(.*?)\s*(?:\([^()]*\)\s*)?\(CIK (\d{1,10})\)\s*")
_SUFFIX = re.compile(r"\b(inc|incorporated|llc|l\.l\.c|pbc|corp|corporation|co|ltd|limited|lp|l\.p)\b\.?")


def _plain(name: str) -> str:
    """A company name without case, punctuation or its legal form ('Anthropic, PBC' -> 'anthropic')."""
    return " ".join(re.sub(r"[^\w\s]", " ", _SUFFIX.sub(" ", name.casefold())).split())


def find_company(client: Client, text: str) -> str:
    """A company's CIK from its CIK or its name: EDGAR's full-text search for Form D filings that
    name it; the one filer whose name contains it (or the one whose name is it, legal form aside)
    is taken; several are listed, never guessed."""
    cik = cik_of(text)
    if cik:
        return cik
    data = client.get_json("LATEST/search-index", {"q": f'"{text.strip()}"', "forms": "D"})
    hits = (data.get("hits") or {}).get("hits") if isinstance(data.get("hits"), dict) else None
    if not isinstance(hits, list):
        raise PullError(f"EDGAR's search for “{text}” answered without hits")
    found: dict[str, str] = {}
    for hit in hits:
        for shown in ((hit or {}).get("_source") or {}).get("display_names") or []:
            m = _DISPLAY.fullmatch(str(shown))
            if m and _plain(text) in _plain(m[1]):
                found.setdefault(m[2].zfill(10), m[1])
    if not found:
        raise PullError(f"no Form D filer on EDGAR is named “{text}”")
    exact = [c for c, name in found.items() if _plain(name) == _plain(text)]
    if len(found) == 1 or len(exact) == 1:
        return (exact or list(found))[0]
    listed = "; ".join(f"{name} (CIK {int(c)})" for c, name in sorted(found.items(), key=lambda x: x[1]))
    raise PullError(f"“{text}” matches several Form D filers: {listed}. Pass one by its CIK.")


def filings(client: Client, cik: str, since: str = "") -> tuple[str, list[Filing]]:
    """The company's name and its Form D and D/A filings (on or after `since`), oldest first."""
    data = client.get_json(f"submissions/CIK{cik}.json")
    recent = (data.get("filings") or {}).get("recent")
    if not isinstance(recent, dict):
        raise PullError(f"CIK {cik}: the filings list has no recent filings")
    columns = ("accessionNumber", "form", "filingDate", "fileNumber", "primaryDocument")
    lists = [recent.get(c) or [] for c in columns]
    if len({len(v) for v in lists}) != 1:
        raise PullError(f"CIK {cik}: the filings list's columns differ in length")
    out = [
        Filing(str(a), str(f), str(d), str(n), str(doc))
        for a, f, d, n, doc in zip(*lists, strict=True)
        if f in FORMS and (not since or str(d) >= since)
    ]
    return str(data.get("name") or "").strip(), sorted(out, key=lambda x: (x.filed, x.accession))


def _strip(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(el: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if _strip(c.tag) == name), None)
    return el


def _text(el: ET.Element | None, *path: str) -> str:
    found = _find(el, *path)
    return (found.text or "").strip() if found is not None else ""


def _amount(text: str) -> float | None:
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None  # "Indefinite" is no amount


def offering_of(xml: bytes, cik: str, filing: Filing) -> Offering:
    """The primary document of a Form D as an Offering."""
    if b"<!DOCTYPE" in xml[:2000].upper() or b"<!ENTITY" in xml.upper():
        raise PullError(f"{filing.accession}: a document with a DTD or entities is refused")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise PullError(f"{filing.accession}: the primary document is not XML ({exc})") from None
    if _strip(root.tag) != "edgarSubmission":
        raise PullError(f"{filing.accession}: not a Form D submission")
    issuer = _find(root, "primaryIssuer")
    name = _text(issuer, "entityName")
    if not name:
        raise PullError(f"{filing.accession}: the issuer has no name")
    state = _text(issuer, "issuerAddress", "stateOrCountry")
    data = _find(root, "offeringData")
    people = []
    for person in _find(root, "relatedPersonsList") or []:
        first, last = _text(person, "relatedPersonName", "firstName"), _text(person, "relatedPersonName", "lastName")
        full = " ".join(p for p in (first, last) if p)
        roles = ", ".join(
            (r.text or "").strip()
            for r in _find(person, "relatedPersonRelationshipList") or []
            if (r.text or "").strip()
        )
        if full:
            people.append((full, roles))
    return Offering(
        cik=cik,
        issuer=name,
        country="US" if state in _US else "",
        filing=filing,
        first_sale=_text(data, "typeOfFiling", "dateOfFirstSale", "value"),
        offered=_amount(_text(data, "offeringSalesAmounts", "totalOfferingAmount")),
        sold=_amount(_text(data, "offeringSalesAmounts", "totalAmountSold")),
        people=people,
    )


def fetch(
    client: Client,
    ciks: list[str],
    since: str = "",
    archives: Client | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Offering]:
    """Every offering of the companies: the latest filing of each file number, read. `progress`
    hears (documents read, documents to read) as the lists and the documents come in."""
    latest: list[tuple[str, Filing]] = []
    for cik in ciks:
        _name, found = filings(client, cik, since)
        by_offering: dict[str, Filing] = {}
        for f in found:  # oldest first: an amendment replaces what it amends
            by_offering[f.file_number or f.accession] = f
        latest += [(cik, f) for f in by_offering.values()]
    out = []
    for i, (cik, f) in enumerate(latest):
        if progress:
            progress(i, len(latest))
        path = f"Archives/edgar/data/{int(cik)}/{f.accession.replace('-', '')}/{f.document.rsplit('/', 1)[-1]}"
        out.append(offering_of((archives or client).get_bytes(path), cik, f))
    if progress:
        progress(len(latest), len(latest))
    return out


def plan_of(offerings: list[Offering]):  # noqa: ANN201 - an atlas.pull.plan.Plan
    """The offerings as a Plan: a firm per issuer, a round and a source per offering, a person and
    an undated move per related person."""
    from atlas.pull.plan import Entity, Plan

    entities: dict[tuple[str, str], Entity] = {}
    rows: dict[str, list[dict[str, str]]] = {"sources": [], "funding_rounds": []}
    moves: dict[str, dict[str, str]] = {}  # by id: a person named in several filings is one move, the latest
    for o in offerings:
        entities.setdefault(
            ("firm", o.cik),
            Entity(
                "firm",
                o.cik,
                o.issuer,
                [f"cik:{o.cik}"],
                {"firm_id": "", "name": o.issuer, "kind": "other", "country": o.country},
            ),
        )
        f = o.filing
        source_id = f"sec-{f.accession.lower()}"
        rows["sources"].append(
            {
                "source_id": source_id,
                "title": f"SEC Form {f.form} of {o.issuer}, filed {f.filed}",
                "title_zh": f"{o.issuer} 向美国证交会提交的 D 表（{f.form}），{f.filed}",
                "title_kind": "description",
                "publisher": "SEC EDGAR",
                "url": f"{ARCHIVES}/Archives/edgar/data/{int(o.cik)}/{f.accession.replace('-', '')}/",
                "published_on": f.filed,
                "language": "en",
                "kind": "report",
            }
        )
        sold = o.sold is not None and o.sold > 0
        amount = o.sold if sold else o.offered
        rows["funding_rounds"].append(
            {
                "round_id": f"formd-{o.cik}-{re.sub('[^a-z0-9-]', '', (f.file_number or f.accession).lower())}",
                "firm_id": f"@firm:{o.cik}",
                "announced_on": o.first_sale or f.filed,
                "round_type": "other",
                "amount": "" if amount is None else f"{amount:.0f}",
                "currency": "USD",
                "status": "completed",
                "source_id": source_id,
                "certainty": "confirmed",
                "amount_qualifier": "exact" if amount is not None else "",
                "note": (
                    "Form D offering: the amount sold"
                    if sold
                    else "Form D offering: the amount offered; nothing sold yet at the filing"
                )
                + ("" if o.first_sale else "; dated by the filing (no first sale given)")
                + (f"; amended ({f.form})" if f.form == "D/A" else ""),
            }
        )
        for name, roles in o.people:
            key = f"{o.cik}:{name.casefold()}"
            entities.setdefault(
                ("person", key),
                Entity("person", key, name, [], {"person_id": "", "name": name, "source_id": source_id}),
            )
            move_id = f"formd-{o.cik}-{re.sub('[^a-z0-9]+', '-', name.casefold()).strip('-')}"[:80]
            moves[move_id] = {
                "move_id": move_id,
                "person_id": f"@person:{key}",
                "to_firm_id": f"@firm:{o.cik}",
                "role": roles[:200],
                "move_type": "joined",
                "source_id": source_id,
                "certainty": "confirmed",
                "note": f"Named in the Form {f.form} filed {f.filed} ({roles or 'related person'}); "
                "since when is not given",
            }
    rows["moves"] = list(moves.values())
    return Plan(list(entities.values()), rows)
