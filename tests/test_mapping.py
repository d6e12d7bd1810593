"""Issue 33: any spreadsheet's columns mapped. Other tools' exports (a funding export, a people
export) suggested a mapping from their names and values, read with their dates and amounts,
refused by row and column where a value cannot be read, saved by name and used again, on the
Data page's path and the command line's."""

from __future__ import annotations

import re

import duckdb
import pytest

from atlas import cli, mapping, resolve, upload
from tests.support import write

# a funding export and a people export as other tools write them
FUNDING = """Organization Name,Funding Type,Money Raised,Money Raised Currency,Announced Date,Lead Investors
Reka AI,Series A,"$60,000,000",USD,"Jun 27, 2024","Nvidia, Snowflake"
Moonshot AI,Venture - Series Unknown,1B,USD,2024-02-19,Alibaba
Quiet Harbor Robotics,Seed,€2.5M,EUR,12 March 2025,
"""
PEOPLE = """Full Name,Company,Title,Start Date
Mu Li,Boson AI,Chief Scientist,Mar 2023
Ada Quist,OpenAI,Research Scientist,2024-11-04
李磊,ByteDance,Researcher,2016年5月
"""


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2024-06-12", "2024-06-12"),
        ("2024/6/12", "2024-06-12"),
        ("Jun 12, 2024", "2024-06-12"),
        ("12 June 2024", "2024-06-12"),
        ("June 2024", "2024-06"),
        ("2024", "2024"),
        ("2024年6月12日", "2024-06-12"),
        ("2024-06-12T10:00:00Z", "2024-06-12"),
        ("45455", "2024-06-12"),  # a spreadsheet's day number
        ("13/06/2024", "2024-06-13"),
        ("6/13/2024", "2024-06-13"),
    ],
)
def test_dates_as_other_tools_write_them(text, date):
    assert mapping.parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2024-02-30", "is not a day of the calendar"),
        ("6/5/2024", "could be day 6 of month 5 or day 5 of month 6"),
        ("last spring", "is not a date this app can read"),
    ],
)
def test_dates_that_cannot_be_read_say_why(text, why):
    with pytest.raises(ValueError, match=why):
        mapping.parse_date(text)


def test_a_columns_other_dates_say_which_comes_first():
    assert mapping.day_first(["13/06/2024", "6/5/2024"]) is True
    assert mapping.parse_date("6/5/2024", day_first=True) == "2024-05-06"
    assert mapping.day_first(["6/13/2024", "6/5/2024"]) is False
    assert mapping.day_first(["6/5/2024"]) is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$1.2B", "1200000000", "USD"),
        ("1.2 billion", "1200000000", ""),
        ("US$ 60 million", "60000000", "USD"),
        ("€500M", "500000000", "EUR"),
        ("60,000,000", "60000000", ""),
        ("3000万", "30000000", ""),
        ("1.5亿", "150000000", ""),
        ("250k", "250000", ""),
    ],
)
def test_amounts_as_other_tools_write_them(text, amount, currency):
    assert mapping.parse_amount(text) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "why"), [("10-20M", "is a range"), ("about a lot", "is not an amount"), ("1.2.3", "is not an amount")]
)
def test_amounts_that_cannot_be_read_say_why(text, why):
    with pytest.raises(ValueError, match=why):
        mapping.parse_amount(text)


def _sample(text: str) -> tuple[list[str], list[dict[str, str]]]:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    return list(rows[0]), rows


def test_the_mapping_is_suggested_from_names_and_values():
    header, rows = _sample(FUNDING)
    m = mapping.suggest(header, rows)
    assert m.target == "rounds by name"
    assert m.columns == {
        "firm": "Organization Name",
        "round_type": "Funding Type",
        "amount": "Money Raised",
        "currency": "Money Raised Currency",
        "announced_on": "Announced Date",
        "lead_investor": "Lead Investors",
    }
    header, rows = _sample(PEOPLE)
    m = mapping.suggest(header, rows)
    assert (m.target, m.columns) == (
        "moves by name",
        {"person": "Full Name", "to_firm": "Company", "role": "Title", "moved_on": "Start Date"},
    )


def _funding_mapping() -> mapping.Mapping:
    header, rows = _sample(FUNDING)
    return mapping.suggest(header, rows)


def test_a_funding_export_loads_through_its_mapping(rw, tmp_path):
    path = write(tmp_path, "organizations-funding.csv", FUNDING)
    with upload.stage_upload([(path.name, path)]) as plain:
        assert plain.staged[0].table is None
        assert [p.message for p in plain.problems] == [
            "its columns are not ours: map them (the Data page, or --mapping on the command line)"
        ]
    with upload.stage_upload([(path.name, path)], mappings={path.name: _funding_mapping()}) as staged:
        assert not staged.problems and staged.staged[0].table == "rounds by name" and staged.staged[0].mapped
        plan = upload.plan_names(rw, staged)
        assert {d.name: d.status for d in plan.decisions}["Quiet Harbor Robotics"] == "new"
        resolve.accept(plan.decisions, new_only=True)
        done = upload.commit(rw, staged, "analyst")
    assert done.ok, done.problems
    rounds = rw.execute(
        """select f.name, r.announced_on::varchar, r.round_type, r.amount, r.currency, r.note
           from funding_rounds r join firms f using (firm_id) where r.round_id like 'r-%' order by f.name"""
    ).fetchall()
    assert rounds == [
        ("Moonshot AI", "2024-02-19", "series", 1e9, "USD", "Venture - Series Unknown"),
        ("Quiet Harbor Robotics", "2025-03-12", "seed", 2.5e6, "EUR", None),
        ("Reka AI", "2024-06-27", "series", 6e7, "USD", "Series A"),
    ]
    leads = rw.execute(
        """select f.name from round_investors i join funding_rounds r using (round_id)
           join firms f on f.firm_id = i.investor_id where r.round_id like 'r-%' and i.is_lead order by 1"""
    ).fetchall()
    assert leads == [("Alibaba",), ("Nvidia",), ("Snowflake",)]
    # the same export again: every round and its investors told as the round, no generated id
    with upload.stage_upload([(path.name, path)], mappings={path.name: _funding_mapping()}) as staged:
        again = upload.check(rw, staged)
    said = "\n".join(str(p) for p in again.problems)
    assert len(again.problems) == 3 + 3 and not re.search(r"\br-[0-9a-f]{12}\b", said), said
    assert "Reka AI, 2024-06-27, series, 60000000, USD" in said
    assert "this investor (nvidia) of the round is already stored" in said


def test_values_that_cannot_be_read_are_refused_by_row_and_their_column(rw, tmp_path):
    bad = FUNDING.replace('"Jun 27, 2024"', "soon").replace("1B", "a lot").replace("Seed", "Bake sale")
    path = write(tmp_path, "funding.csv", bad)
    before = rw.execute("select count(*) from funding_rounds").fetchall()
    with upload.stage_upload([(path.name, path)], mappings={path.name: _funding_mapping()}) as staged:
        found = {(p.line, p.column, p.value) for p in staged.problems}
        # a round type that is none of ours reads as other, its words in the note (issue 39): never a refusal
        assert found == {(2, "Announced Date", "soon"), (3, "Money Raised", "a lot")}
        assert not upload.commit(rw, staged, "analyst").ok
    assert rw.execute("select count(*) from funding_rounds").fetchall() == before


def test_a_saved_mapping_is_used_again_by_name_and_by_its_columns(rw, tmp_path):
    m = _funding_mapping()
    assert mapping.save(rw, m, "Funding export", "analyst") == "Funding export"
    header, _ = _sample(FUNDING)
    again = mapping.saved_fitting(rw, header)
    assert again is not None and (again.name, again.target, again.columns) == ("Funding export", m.target, m.columns)
    assert mapping.saved_fitting(rw, ["Something", "Else"]) is None
    with pytest.raises(ValueError, match="lacks: firm"):
        mapping.save(rw, mapping.Mapping("rounds by name", {"round_type": "Funding Type"}, header=header), "x", "a")
    with pytest.raises(ValueError, match="Give the mapping a name"):
        mapping.save(rw, m, "   ", "analyst")


def test_the_command_line_takes_a_mapping_file_or_a_saved_name(scratch_db, tmp_path, capsys):
    people = write(tmp_path, "people.csv", PEOPLE)
    count = "select count(*) from moves"
    with duckdb.connect(str(scratch_db), read_only=True) as c:
        before = c.execute(count).fetchall()[0][0]
    # without a mapping: refused, saying how to load it
    assert cli.main(["load", str(people), "--db", str(scratch_db), "--create-new"]) == 1
    assert "its columns are not ours: map them" in capsys.readouterr().err
    # a mapping file as the Data page downloads it
    header, rows = _sample(PEOPLE)
    saved = write(tmp_path, "people-mapping.json", mapping.suggest(header, rows).to_json())
    assert cli.main(["load", str(people), "--db", str(scratch_db), "--mapping", str(saved), "--create-new"]) == 0
    out = capsys.readouterr().out
    assert "for moves by name through the given mapping" in out and "Loaded 3 rows into moves" in out
    with duckdb.connect(str(scratch_db), read_only=True) as c:
        assert c.execute(count).fetchall()[0][0] == before + 3
        moves = c.execute(
            """select p.name, f.name, m.role, m.moved_on::varchar from moves m join people p using (person_id)
               join firms f on f.firm_id = m.to_firm_id where m.move_id like 'm-%' order by p.name"""
        ).fetchall()
    assert moves == [
        ("Ada Quist", "OpenAI", "Research Scientist", "2024-11-04"),
        ("Lei Li", "ByteDance", "Researcher", "2016-05-01"),
        ("Mu Li", "Boson AI", "Chief Scientist", "2023-03-01"),
    ]
    # an unknown name or a broken file: refused before anything is read
    assert cli.main(["load", str(people), "--db", str(scratch_db), "--mapping", "nothing saved"]) == 1
    assert "no saved mapping is called “nothing saved”" in capsys.readouterr().err
    broken = write(tmp_path, "broken.json", '{"target": "moves by name", "columns": {"nope": "Full Name"}}')
    assert cli.main(["load", str(people), "--db", str(scratch_db), "--mapping", str(broken)]) == 1
    assert "the mapping names columns moves by name does not have: nope" in capsys.readouterr().err
