"""Issue 39: real exports load as they come. Crunchbase's funding export (Mac Roman, CR-only line
ends), an H-1B salary file and CSrankings' affiliation changes, read from ../shared/data (never
copied here; the tests that need them skip, saying so, where that folder is absent), and the rules
each repair needed, each on a small file of its own."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import duckdb
import pytest

from atlas import cli, csvfile, mapping, resolve, upload
from atlas.mapvalues import fold, unit_of
from tests.support import ROOT

DATA = ROOT.parent / "shared" / "data"
ROUNDS, PAY, MOVES = DATA / "real_rounds.csv", DATA / "real_pay.csv", DATA / "real_moves.csv"
needs_data = pytest.mark.skipif(
    not ROUNDS.exists(), reason=f"the real files are not beside the clone ({DATA} is absent): skipped, not passed"
)


def _sample(path):
    with upload.stage_upload([(path.name, path)], max_bytes=None) as staged:
        s = staged.staged[0]
        header, rows = mapping.read_sample(s.raw_path or s.path)
        return s.encoding, s.rows, s.header or header, rows


# ---------------------------------------------------------------- encodings as files come


@needs_data
def test_crunchbases_mac_roman_file_with_cr_line_ends_reads_right():
    with open(ROUNDS, "rb") as raw:
        assert csvfile.choose_encoding(raw).codec == "mac_roman"
    encoding, rows, header, _rows = _sample(ROUNDS)
    assert encoding.startswith("Mac Roman") and rows == 31_679
    assert header[:2] == ["company_permalink", "company_name"]


def test_each_western_table_is_told_from_the_other_by_its_words():
    words = "name,city\nMiaSolé,Bogotá\nJack and Jake’s,Montréal\nRenée Müller,Zürich\n"
    for codec, end in (("mac_roman", "\r"), ("cp1252", "\r\n"), ("cp1252", "\n"), ("mac_roman", "\n")):
        raw = io.BytesIO(words.replace("\n", end).encode(codec))
        assert csvfile.choose_encoding(raw).codec == codec, (codec, end)


def test_two_plausible_readings_are_refused_with_the_cells_that_differ(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes("name\nÉcole Polytechnique\nÉcole Normale\n".encode("cp1252"))
    with upload.stage_upload([(path.name, path)]) as staged:
        said = str(staged.problems[0])
    assert "“École Polytechnique”, “École Normale”" in said and "“…cole Polytechnique”" in said
    # the command line takes every encoding the detection names
    for codec in csvfile.AUTO:
        assert codec in csvfile.codec_names()
    with upload.stage_upload([(path.name, path)], encodings={path.name: "cp1252"}) as staged:
        assert not [p for p in staged.problems if p.unreadable]
        assert mapping.read_sample(staged.staged[0].raw_path)[1][0]["name"] == "École Polytechnique"


# ---------------------------------------------------------------- headers as tools write them


def test_headers_fold_alike_with_their_units_set_apart():
    for name in ("raised_amount_usd", "raisedAmountUSD", "Raised Amount (USD)", "RAISED_AMOUNT_USD"):
        assert fold(name) == "raised amount usd"
        assert unit_of(name) == ("raised amount", "USD")
    assert fold("WAGE_RATE_OF_PAY_FROM") == "wage rate of pay from" and unit_of("company_name") == ("company name", "")


@needs_data
def test_the_crunchbase_file_is_suggested_as_rounds_in_usd():
    _enc, _n, header, rows = _sample(ROUNDS)
    m = mapping.suggest(header, rows)
    assert m.target == "rounds by name"
    assert m.columns == {
        "firm": "company_name",
        "round_type": "funding_round_type",
        "amount": "raised_amount_usd",
        "announced_on": "funded_at",
    }
    assert m.constants == {"currency": "USD"} and not m.missing(header)


@needs_data
def test_the_h1b_file_is_suggested_as_yearly_base_salaries_dated_by_their_submission():
    _enc, _n, header, rows = _sample(PAY)
    m = mapping.suggest(header, rows)
    assert m.target == "pay by name"
    assert m.columns == {"firm": "employer", "amount_low": "base salary", "reported_on": "submit date"}
    assert m.constants == {"kind": "base_salary", "period": "per_year"}
    assert m.missing(header) == ["currency"]  # the file never names it: the one thing the analyst gives


def test_other_tools_headers_are_suggested_as_ours():
    lca = ["CASE_STATUS", "RECEIVED_DATE", "EMPLOYER_NAME", "JOB_TITLE", "WAGE_RATE_OF_PAY_FROM", "WAGE_UNIT_OF_PAY"]
    rows = [dict(zip(lca, ["Certified", "10/02/2020", "Google LLC", "Engineer", "55.5", "Hour"], strict=True))]
    m = mapping.suggest(lca, rows)
    assert m.target == "pay by name"
    assert m.columns["firm"] == "EMPLOYER_NAME" and m.columns["amount_low"] == "WAGE_RATE_OF_PAY_FROM"
    assert m.columns["period"] == "WAGE_UNIT_OF_PAY" and m.columns["reported_on"] == "RECEIVED_DATE"
    pitchbook = ["Companies", "Deal Date", "Deal Size", "Deal Type", "Lead Partner"]
    rows = [dict(zip(pitchbook, ["Reka AI", "2024-06-27", "60", "Early Stage VC", "Nvidia"], strict=True))]
    m = mapping.suggest(pitchbook, rows)
    assert m.target == "rounds by name"
    assert (m.columns["firm"], m.columns["announced_on"], m.columns["round_type"]) == (
        "Companies",
        "Deal Date",
        "Deal Type",
    )
    # a format whose required columns are missing is never picked when another fits: one column of
    # names alone is no file of moves (person, to_firm and moved_on are needed)
    assert mapping.suggest(
        ["company_name", "funded_at"], [{"company_name": "x", "funded_at": "2012-01-01"}]
    ).target != ("moves by name")


# ---------------------------------------------------------------- what a mapping can say


def test_a_mapping_gives_constants_units_and_value_maps(tmp_path):
    path = tmp_path / "lca.csv"
    path.write_text(
        "EMPLOYER_NAME,WAGE_RATE_OF_PAY_FROM,WAGE_UNIT_OF_PAY,RECEIVED_DATE,ROUND\n"
        "Google LLC,50,Hour,10/02/2012,post-ipo\n"
        "Nvidia Corp,150000,Year,10/25/2012,crowdfunding\n",
        encoding="utf-8",
    )
    with upload.stage_upload([(path.name, path)]) as staged:
        header, rows = mapping.read_sample(staged.staged[0].raw_path)
    m = mapping.suggest(header, rows)
    m.constants["currency"] = "USD"
    out = tmp_path / "out.csv"
    with upload.stage_upload([(path.name, path)]) as staged:
        assert mapping.apply(staged.staged[0].raw_path, out, m, path.name) == []
    with open(out, encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [(r["amount_low"], r["period"], r["currency"], r["reported_on"]) for r in got] == [
        ("104000", "per_year", "USD", "2012-10-02"),  # 50 an hour, 2,080 hours a year
        ("150000", "per_year", "USD", "2012-10-25"),
    ]
    assert "per hour x 2080" in got[0]["note"]
    # a value map, and an unknown round type read as other with its words kept: never a refusal
    rounds = mapping.Mapping(
        "rounds by name",
        {"firm": "EMPLOYER_NAME", "round_type": "ROUND"},
        constants={"currency": "USD"},
        values={"round_type": {"post ipo": "other"}},
    )
    with upload.stage_upload([(path.name, path)]) as staged:
        assert mapping.apply(staged.staged[0].raw_path, out, rounds, path.name) == []
    with open(out, encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [(r["round_type"], r["note"]) for r in got] == [("other", "post-ipo"), ("other", "crowdfunding")]
    # saved and read back whole, constants and value maps included
    again = mapping.Mapping.from_json(rounds.to_json())
    assert (again.constants, again.values) == (rounds.constants, rounds.values)


def test_a_date_column_is_read_in_one_order_decided_by_all_its_values(tmp_path):
    # 10/02/2012 alone could be either; the column's 10/25/2012, 600 rows further, says month first
    lines = ["employer,base salary,submit date"] + ["acme inc,1000,10/02/2012"] * 600 + ["acme inc,1000,10/25/2012"]
    path = tmp_path / "pay.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = mapping.Mapping("pay by name", {"firm": "employer", "amount_low": "base salary", "reported_on": "submit date"})
    m.constants = {"currency": "USD", "kind": "base_salary"}
    out = tmp_path / "out.csv"
    with upload.stage_upload([(path.name, path)]) as staged:
        assert mapping.apply(staged.staged[0].raw_path, out, m, path.name) == []
    with open(out, encoding="utf-8") as f:
        dates = {r["reported_on"] for r in csv.DictReader(f)}
    assert dates == {"2012-10-02", "2012-10-25"}
    # and the suggestion proposes such a column as the date, judged as a column
    with upload.stage_upload([(path.name, path)]) as staged:
        header, rows = mapping.read_sample(staged.staged[0].raw_path, 1000)
    assert mapping.suggest(header, rows).columns["reported_on"] == "submit date"


# ---------------------------------------------------------------- no false matches at scale


ISSUE_PAIRS = [  # the near misses the issue found, each wrong
    ("Netli", "intel"),
    ("Intela", "intel"),
    ("Intelen", "intel"),
    ("Coherex Medical", "cohere"),
    ("Cohera Medical", "cohere"),
    ("Moonshoot", "moonshot-ai"),
    ("Moonshado", "moonshot-ai"),
    ("Metago", "meta"),
    ("Metara", "meta"),
    ("Inflection", "inflection-ai"),
]
SAME = {("Amazon", "amazon"), ("Google", "google"), ("Nvidia", "nvidia"), ("Facebook", "meta")}


@needs_data
def test_the_crunchbase_names_against_the_seed_make_no_false_match(con):
    """A labelled set drawn from the file: every pair of one of its company names and a seed firm
    that share a distinctive word or the first four letters (551 pairs), and the issue's ten; same
    only for Amazon, Google, Nvidia and Facebook (Meta)."""
    from atlas import names

    raw = ROUNDS.read_bytes().decode("mac_roman")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    latest: dict[str, str] = {}
    for r in rows:
        latest[r["company_name"]] = max(latest.get(r["company_name"], ""), r["funded_at"])
    seed = con.execute("select firm_id, name from firms").fetchall()
    key = lambda n: names.latin_key(n, True)  # noqa: E731
    pairs = set()
    for n in latest:
        kn = key(n)
        wn = set(kn.split()) - names.GENERIC_WORDS
        for fid, fname in seed:
            kf = key(fname)
            if wn & (set(kf.split()) - names.GENERIC_WORDS) or (len(kn) >= 4 and kn[:4] == kf[:4]):
                pairs.add((n, fid))
    pairs |= set(ISSUE_PAIRS) | SAME
    assert len(pairs) >= 200
    names_ = sorted({n for n, _ in pairs})
    decisions = resolve.resolve(
        con,
        [("firm", n, "", 1) for n in names_],
        latest={("firm", n): latest.get(n, "") for n in names_},
    )
    said = {d.name: d for d in decisions}
    predicted = {(n, fid) for n, fid in pairs if said[names.clean(n)].entity_id == fid}
    true_positive = predicted & SAME
    precision = len(true_positive) / len(predicted) if predicted else 1.0
    recall = len(true_positive) / len(SAME)
    assert precision == 1.0, sorted(predicted - SAME)
    assert recall == 1.0, sorted(SAME - predicted)
    # what goes to review is few, and nothing is proposed where a shared prefix is all there is
    reviewed = sorted(d.name for d in decisions if d.status == "review")
    assert len(reviewed) <= 3, reviewed
    for n, fid in ISSUE_PAIRS:
        assert said[n].entity_id != fid, n


def test_a_firm_founded_after_the_event_is_never_its_match(rw):
    # Reka was founded in 2023-03: a 2010 round of a firm called Reka is another Reka's
    decisions = resolve.resolve(rw, [("firm", "Reka", "", 1)], latest={("firm", "Reka"): "2010-05-01"})
    assert decisions[0].status == "review" and decisions[0].entity_id is None
    assert "founded after" in decisions[0].rule
    later = resolve.resolve(rw, [("firm", "Reka", "", 1)], latest={("firm", "Reka"): "2024-06-27"})
    assert later[0].status == "matched" and later[0].entity_id == "reka"
    near = resolve.resolve(rw, [("firm", "Reka Labs", "", 1)], latest={("firm", "Reka Labs"): "2009"})
    assert near[0].entity_id != "reka" and all(c.entity_id != "reka" for c in near[0].candidates)


# ---------------------------------------------------------------- the whole path, from the command line


@pytest.fixture
def fresh_db(seed_db_path, tmp_path):
    path = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, path)
    return path


def _count(path, sql: str) -> int:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(sql).fetchone()[0]


@needs_data
def test_the_rounds_load_from_the_command_line_with_the_suggestion(fresh_db, tmp_path, capsys):
    review = tmp_path / "review.csv"
    args = ["load", str(ROUNDS), "--db", str(fresh_db), "--mapping", "suggested", "--create-new"]
    assert cli.main([*args, "--review-out", str(review)]) == 1
    out = capsys.readouterr()
    assert "the suggested mapping, rounds by name" in out.out and "currency = USD (every row)" in out.out
    with open(review, encoding="utf-8") as f:
        sent = list(csv.DictReader(f))
    assert sorted(r["name"] for r in sent) == ["Inflection", "Moonshoot"]
    assert all(r["match"] == "" and r["new_id"] for r in sent)  # no match pre-filled: as written, they are new
    before = _count(fresh_db, "select count(*) from funding_rounds")
    assert cli.main([*args, "--decisions", str(review)]) == 0
    out = capsys.readouterr().out
    assert _count(fresh_db, "select count(*) from funding_rounds") - before == 31_679 - 63
    import re

    folded = [int(n) - 1 for n in re.findall(r"(\d+) rows are the same row of the file, every column alike", out)]
    assert sum(folded) == 63  # Crunchbase's own exact repeats, each reported with its rows
    with duckdb.connect(str(fresh_db), read_only=True) as c:
        for name in ("MiaSolé", "Jack and Jake’s", "Qualtré"):
            assert c.execute("select count(*) from firms where name = $n", {"n": name}).fetchone()[0] == 1, name
        assert c.execute("select count(*) from funding_rounds where firm_id = 'meta'").fetchone()[0] >= 10
        assert c.execute("select count(*) from firms where firm_id in ('inflection', 'moonshoot')").fetchone()[0] == 2
        notes = dict(
            c.execute("select note, count(*) from funding_rounds where round_type = 'other' group by 1").fetchall()
        )
        assert notes["post-ipo"] == 42 and notes["crowdfunding"] == 30


@needs_data
def test_the_h1b_file_loads_yearly_base_salaries_with_only_its_exact_repeats_folded(fresh_db, capsys):
    args = ["load", str(PAY), "--db", str(fresh_db), "--mapping", "suggested", "--create-new"]
    assert cli.main([*args, "--constant", "currency=USD"]) == 0
    capsys.readouterr()
    with duckdb.connect(str(fresh_db), read_only=True) as c:
        rows = c.execute(
            "select count(*), count(distinct kind), any_value(kind), any_value(period), any_value(currency) "
            "from compensation where comp_id like 'p-%'"
        ).fetchone()
        assert rows == (4_999 - 127, 1, "base_salary", "per_year", "USD")
        assert c.execute(
            "select amount_low, cast(reported_on as varchar) from compensation c join firms f using (firm_id) "
            "where f.name = 'mcafee inc' and amount_low = 133328"
        ).fetchall() == [(133328.0, "2012-10-25")]


@needs_data
def test_the_moves_file_loads_as_before(fresh_db, capsys):
    assert cli.main(["load", str(MOVES), "--db", str(fresh_db), "--create-new"]) == 1
    assert "5 name(s) need a decision" in capsys.readouterr().err


def test_a_spreadsheet_loads_through_the_same_checks(fresh_db, tmp_path, capsys):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["This workbook's rounds are on the next sheet"])
    sheet = book.create_sheet("Rounds")
    sheet.append(["Organization Name", "Funding Type", "Money Raised", "Currency", "Announced Date"])
    sheet.append(["Quiet Harbor Robotics", "Seed", 2500000, "EUR", dt.datetime(2025, 3, 12)])
    sheet.append(["Reka AI", "Series A", 60000000.0, "USD", dt.datetime(2024, 6, 27)])
    path = tmp_path / "rounds.xlsx"
    book.save(path)
    args = ["load", str(path), "--db", str(fresh_db), "--mapping", "suggested", "--create-new"]
    assert cli.main([*args, "--sheet", "Nope"]) == 1
    assert "the workbook has no sheet “Nope”; its sheets are “Read me”, “Rounds”" in capsys.readouterr().err
    assert cli.main([*args, "--sheet", "Rounds"]) == 0
    assert "read as sheet “Rounds”, 2 row(s) for rounds by name" in capsys.readouterr().out
    with duckdb.connect(str(fresh_db), read_only=True) as c:
        got = c.execute(
            "select f.name, r.amount, r.currency, cast(r.announced_on as varchar) from funding_rounds r "
            "join firms f using (firm_id) where r.round_id like 'r-%' order by 1"
        ).fetchall()
    assert got == [
        ("Quiet Harbor Robotics", 2500000.0, "EUR", "2025-03-12"),
        ("Reka AI", 60000000.0, "USD", "2024-06-27"),
    ]


def test_a_workbook_that_unzips_to_gigabytes_or_is_damaged_is_refused(tmp_path):
    import tracemalloc
    import zipfile

    from atlas import spreadsheet

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(spreadsheet.MAX_UNZIPPED // 2**20 + 8):
                member.write(b"<" * 2**20)
    assert bomb.stat().st_size < 2 * 2**20  # a small file
    tracemalloc.start()
    with upload.stage_upload([(bomb.name, bomb)]) as staged:
        said = str(staged.problems[0])
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "it unzips to more than this app reads from one workbook (512 MB)" in said
    assert peak < 64 * 2**20  # counted in pieces, never held
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with upload.stage_upload([(damaged.name, damaged)]) as staged:
        assert "it is not a workbook this app can read" in str(staged.problems[0])
    fake = tmp_path / "fake.xls"
    fake.write_bytes(b"name\nnot a workbook\n")
    with upload.stage_upload([(fake.name, fake)]) as staged:
        assert "it is not a workbook this app can read" in str(staged.problems[0])
