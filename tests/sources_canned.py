"""Canned answers in OpenAlex's and EDGAR's documented formats (written from their documentation,
not copied), for the pull's tests and its browser test: an institution under a parent, authors
with affiliation years, one of them in the seed (Yi Tay); a Form D, its amendment and a later
offering of Boson AI (in the seed), naming Mu Li (in the seed) and a new director.

`python -m tests.sources_canned` serves them all on a local port, for trying the Data page's pull
by hand: ATLAS_OPENALEX_URL and ATLAS_EDGAR_URL set to the address it prints."""

from __future__ import annotations

from tests.source_server import SourceServer

ORG = "https://openalex.org/"


def inst(iid, name, kind, country, lineage=None, ror=""):
    return {
        "id": ORG + iid,
        "ror": f"https://ror.org/{ror}" if ror else None,
        "display_name": name,
        "country_code": country,
        "type": kind,
        "lineage": [ORG + i for i in (lineage or [iid])],
    }


LAB = inst("I1", "Example AI Lab", "company", "US", ["I1", "I9"], ror="0lab")
CORP = inst("I9", "Example Corp", "company", "US")
UNI = inst("I2", "Example University", "education", "SG")
STARTUP = inst("I3", "Other Startup", "company", "FR")


def author(aid, name, affiliations, orcid=None):
    return {
        "id": ORG + aid,
        "orcid": f"https://orcid.org/{orcid}" if orcid else None,
        "display_name": name,
        "updated_date": "2026-11-30T04:05:06.123456",
        "affiliations": [{"institution": i, "years": sorted(y, reverse=True)} for i, y in affiliations],
    }


# Yi Tay is in the seed: matched by name, not duplicated
TAY = author("A1", "Yi Tay", [(UNI, range(2015, 2019)), (LAB, range(2019, 2023))])
ADA = author("A2", "Ada Example", [(STARTUP, [2020, 2021]), (LAB, [2021, 2022, 2023])], orcid="0000-0002-1825-0097")
BO = author("A3", "Bo Joint", [(UNI, range(2016, 2024)), (LAB, range(2019, 2023))])  # a joint appointment


def page(results, next_cursor):
    return {
        "meta": {"count": 3, "db_response_time_ms": 5, "page": None, "per_page": 200, "next_cursor": next_cursor},
        "results": results,
    }


def authors_query(cursor):
    return {"filter": "affiliations.institution.id:I1", "per-page": 200, "cursor": cursor}


def openalex_source(s: SourceServer) -> None:
    """Institution I1 (with its parent I9) and its three authors on two cursor pages, a 429 and a
    500 on the way."""
    # the institution: first a 429 (Retry-After: 0), then the answer
    s.answer("/institutions/I1", {"error": "slow down"}, status=429, headers={"Retry-After": "0"})
    s.answer("/institutions/I1", LAB)
    s.answer("/institutions/I9", CORP)
    s.answer("/authors", page([TAY, ADA], "c2"), **authors_query("*"))
    # the second page: a 500 first, retried
    s.answer("/authors", {"error": "boom"}, status=500, headers={"Retry-After": "0"}, **authors_query("c2"))
    s.answer("/authors", page([BO], None), **authors_query("c2"))


CIK = "0001234567"


def submissions(*filings):
    cols = ("accessionNumber", "filingDate", "form", "fileNumber", "primaryDocument")
    recent = {c: [f[i] for f in filings] for i, c in enumerate(cols)}
    return {"cik": CIK.lstrip("0"), "name": "BOSON AI, INC.", "filings": {"recent": recent, "files": []}}


D1 = ("0001234567-23-000001", "2023-05-10", "D", "021-111111", "primary_doc.xml")
DA = ("0001234567-23-000002", "2023-09-01", "D/A", "021-111111", "primary_doc.xml")
D2 = ("0001234567-24-000001", "2024-03-01", "D", "021-222222", "primary_doc.xml")
TENK = ("0001234567-24-000009", "2024-04-01", "10-K", "001-999999", "report.htm")


def form_d(first_sale, offered, sold, amendment=False):
    sale = f"<value>{first_sale}</value>" if first_sale else "<yetToOccur>true</yetToOccur>"
    return f"""<?xml version="1.0"?>
<edgarSubmission>
  <schemaVersion>X0708</schemaVersion>
  <submissionType>{"D/A" if amendment else "D"}</submissionType>
  <testOrLive>LIVE</testOrLive>
  <primaryIssuer>
    <cik>{CIK}</cik>
    <entityName>Boson AI</entityName>
    <issuerAddress><street1>1 Example Way</street1><city>Santa Clara</city><stateOrCountry>CA</stateOrCountry>
      <stateOrCountryDescription>CALIFORNIA</stateOrCountryDescription><zipCode>95054</zipCode></issuerAddress>
    <entityType>Corporation</entityType>
  </primaryIssuer>
  <relatedPersonsList>
    <relatedPersonInfo>
      <relatedPersonName><firstName>Mu</firstName><lastName>Li</lastName></relatedPersonName>
      <relatedPersonRelationshipList><relationship>Executive Officer</relationship>
        <relationship>Director</relationship></relatedPersonRelationshipList>
    </relatedPersonInfo>
    <relatedPersonInfo>
      <relatedPersonName><firstName>Ada</firstName><lastName>Founder</lastName></relatedPersonName>
      <relatedPersonRelationshipList><relationship>Director</relationship></relatedPersonRelationshipList>
    </relatedPersonInfo>
  </relatedPersonsList>
  <offeringData>
    <industryGroup><industryGroupType>Other Technology</industryGroupType></industryGroup>
    <typeOfFiling><newOrAmendment><isAmendment>{str(amendment).lower()}</isAmendment></newOrAmendment>
      <dateOfFirstSale>{sale}</dateOfFirstSale></typeOfFiling>
    <offeringSalesAmounts><totalOfferingAmount>{offered}</totalOfferingAmount>
      <totalAmountSold>{sold}</totalAmountSold><totalRemaining>0</totalRemaining></offeringSalesAmounts>
  </offeringData>
</edgarSubmission>
"""


def doc_path(filing):
    return f"/Archives/edgar/data/{int(CIK)}/{filing[0].replace('-', '')}/{filing[4]}"


def serve(s, *filings):
    s.answer(f"/submissions/CIK{CIK}.json", submissions(*filings))


def search_hits(*shown):
    """EDGAR full-text search's answer: one hit per filing, each naming its filers."""
    return {
        "hits": {
            "total": {"value": len(shown), "relation": "eq"},
            "hits": [
                {"_id": f"000123456{i}-23-00000{i}:primary_doc.xml", "_source": {"ciks": [c], "display_names": [n]}}
                for i, (n, c) in enumerate(shown)
            ],
        }
    }


def formd_source(s: SourceServer) -> None:
    """Boson AI by name and by CIK: its first Form D and a later offering with nothing sold yet."""
    s.answer(f"/submissions/CIK{CIK}.json", submissions(D1, D2, TENK))
    s.answer(doc_path(D1), form_d("2023-05-01", 30_000_000, 12_000_000))
    s.answer(doc_path(D2), form_d("", 50_000_000, 0))
    s.answer("/LATEST/search-index", search_hits(("BOSON AI, INC.  (CIK 0001234567)", CIK)), q='"Boson AI"', forms="D")


if __name__ == "__main__":
    import time

    server = SourceServer()
    openalex_source(server)
    formd_source(server)
    print(f"ATLAS_OPENALEX_URL={server.url} ATLAS_EDGAR_URL={server.url}", flush=True)
    while True:
        time.sleep(3600)
