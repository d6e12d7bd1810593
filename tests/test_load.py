"""The loader: every problem found by row and column, nothing written on rejection."""

from __future__ import annotations

import duckdb
import pytest

from atlas import load
from atlas.model import TABLES
from tests.support import MOVES_HEADER, snapshot, write


def test_good_append_commits_and_records_upload(rw, tmp_path):
    f = write(
        tmp_path,
        "moves.csv",
        MOVES_HEADER + "mu-li-test-2026,mu-li,boson-ai,bytedance,2026-01,Chief scientist,joined,"
        "leiphone-2023-mu-li-declines-bytedance,rumor,\n",
    )
    result = load.load_files(rw, {"moves": f}, mode="append", uploader="test")
    assert result.ok, result.problems
    assert result.row_counts == {"moves": 1}
    row = rw.execute(
        "select fmt_date(moved_on, moved_on_precision), certainty from moves where move_id = 'mu-li-test-2026'"
    ).fetchall()
    assert row == [("2026-01", "rumor")]
    assert rw.execute("select max(upload_id), any_value(tables) from uploads where upload_id > 1").fetchall() == [
        (2, "moves")
    ]


BAD_MOVES = [
    (
        "bad enum",
        "x1,mu-li,,bytedance,2023,,poached,leiphone-2023-mu-li-declines-bytedance,reported,",
        "move_type",
        "not one of",
    ),
    (
        "bad date",
        "x1,mu-li,,bytedance,2023-13-45,,joined,leiphone-2023-mu-li-declines-bytedance,reported,",
        "moved_on",
        "not a date",
    ),
    (
        "unknown person",
        "x1,nobody,,bytedance,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,",
        "person_id",
        "unknown people id",
    ),
    (
        "unknown firm",
        "x1,mu-li,,nowhere-inc,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,",
        "to_firm_id",
        "unknown firms id",
    ),
    ("unknown source", "x1,mu-li,,bytedance,2023,,joined,no-such-article,reported,", "source_id", "unknown sources id"),
    (
        "id already in database",
        "mu-li-joins-aws-2016,mu-li,,bytedance,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,",
        "move_id",
        "already exists",
    ),
    (
        "missing certainty",
        "x1,mu-li,,bytedance,2023,,joined,leiphone-2023-mu-li-declines-bytedance,,",
        "certainty",
        "required value is empty",
    ),
    (
        "join without destination",
        "x1,mu-li,bytedance,,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,",
        "to_firm_id",
        "destination firm is required",
    ),
    (
        "bad id",
        "X 1,mu-li,,bytedance,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,",
        "move_id",
        "not a valid id",
    ),
]


@pytest.mark.parametrize("why,row,column,message", BAD_MOVES, ids=[b[0] for b in BAD_MOVES])
def test_bad_row_is_rejected_with_row_and_column(rw, tmp_path, why, row, column, message):
    good = "ok-1,mu-li,,bytedance,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,\n"
    f = write(tmp_path, "moves.csv", MOVES_HEADER + good + row + "\n")
    before = snapshot(rw)
    result = load.load_files(rw, {"moves": f})
    assert not result.ok
    hits = [p for p in result.problems if p.column == column and message in p.message]
    assert hits, [str(p) for p in result.problems]
    assert hits[0].line == 3  # the spreadsheet row: header 1, good row 2, bad row 3
    assert snapshot(rw) == before


def test_duplicate_ids_within_file(rw, tmp_path):
    row = "dup-1,mu-li,,bytedance,2023,,joined,leiphone-2023-mu-li-declines-bytedance,reported,\n"
    f = write(tmp_path, "moves.csv", MOVES_HEADER + row + row)
    result = load.load_files(rw, {"moves": f})
    assert {(p.line, p.message) for p in result.problems} == {
        (2, "duplicate id within the file"),
        (3, "duplicate id within the file"),
    }


def test_pay_amounts_checked(rw, tmp_path):
    header = (
        "comp_id,person_id,firm_id,kind,amount_low,amount_high,currency,period,outcome,reported_on,"
        "source_id,certainty,amount_text,note\n"
    )
    src = "leiphone-2023-mu-li-declines-bytedance"
    f = write(
        tmp_path,
        "compensation.csv",
        header
        + f"c1,,bytedance,package,-5,10,USD,one_time,offered,2024,{src},rumor,,\n"
        + f"c2,,bytedance,package,90,10,USD,one_time,offered,2024,{src},rumor,,\n"
        + f'c3,,bytedance,package,"100,000,000",1e8,XXX,one_time,offered,2024,{src},rumor,,\n',
    )
    before = snapshot(rw)
    result = load.load_files(rw, {"compensation": f})
    found = {(p.line, p.message) for p in result.problems}
    assert (2, "negative amount") in found
    assert (3, "amount_low is above amount_high") in found
    assert (4, "unknown currency: no exchange rate in fx_rates") in found
    assert len(found) == 3  # 100,000,000 and 1e8 are both valid amounts
    assert snapshot(rw) == before


def test_sql_in_a_name_is_stored_literally(rw, tmp_path):
    name = "'); DROP TABLE people;--"
    f = write(tmp_path, "people.csv", f'person_id,name\nbobby,"{name}"\n')
    result = load.load_files(rw, {"people": f})
    assert result.ok, result.problems
    assert rw.execute("select name from people where person_id = 'bobby'").fetchall() == [(name,)]
    assert rw.execute("select count(*) from people").fetchall() == [(34,)]


def test_same_upload_may_add_what_it_references(rw, tmp_path):
    firms = write(
        tmp_path,
        "firms.csv",
        "firm_id,name,kind,country,parent_id\nnewco,NewCo,ai_startup,US,newco-parent\n"
        "newco-parent,NewCo Holdings,investor,US,\n",
    )
    people = write(tmp_path, "people.csv", "person_id,name\nnew-person,New Person\n")
    moves = write(
        tmp_path,
        "moves.csv",
        MOVES_HEADER + "np-1,new-person,,newco,2025-06-01,,founded,leiphone-2023-mu-li-declines-bytedance,reported,\n",
    )
    result = load.load_files(rw, {"moves": moves, "firms": firms, "people": people})
    assert result.ok, result.problems
    assert result.row_counts == {"firms": 2, "people": 1, "moves": 1}
    assert rw.execute("select parent_id from firms where firm_id = 'newco'").fetchall() == [("newco-parent",)]


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "the file is empty"),
        (MOVES_HEADER, "has a header but no rows"),
        ("move_id,person_id\nx,mu-li\n", "required column is missing"),
        (MOVES_HEADER.strip() + ",shoe_size\n" + "x,mu-li,,bytedance,2023,,joined,s,reported,,42\n", "unknown column"),
    ],
    ids=["empty", "header only", "missing columns", "unknown column"],
)
def test_file_level_problems(rw, tmp_path, content, message):
    f = write(tmp_path, "moves.csv", content)
    before = snapshot(rw)
    result = load.load_files(rw, {"moves": f})
    assert any(message in p.message for p in result.problems), [str(p) for p in result.problems]
    assert snapshot(rw) == before


def test_dry_run_changes_nothing(rw, tmp_path):
    f = write(tmp_path, "people.csv", "person_id,name\ndry-1,Dry Run\n")
    before = snapshot(rw)
    result = load.load_files(rw, {"people": f}, dry_run=True)
    assert result.ok and result.row_counts == {"people": 1}
    assert snapshot(rw) == before


def test_detect_table_from_header(tmp_path):
    f = write(tmp_path, "export (3).csv", MOVES_HEADER + "x,mu-li,,bytedance,2023,,joined,s,reported,\n")
    assert load.detect_table(f) == "moves"
    assert load.detect_table(write(tmp_path, "firms.csv", "firm_id,anything\n")) == "firms"
    # another tool's columns under our file name: no table of ours, a column mapping reads it (issue 33)
    assert load.detect_table(write(tmp_path, "people.csv", "Full Name,Company,Title,Start Date\n")) is None


def test_every_table_has_a_dictionary_and_a_template_that_loads(tmp_path):
    from atlas.model import dictionary, template_csv

    for t in TABLES:
        entries = dictionary(t.name)
        assert [e["column"] for e in entries] == list(t.column_names)
        assert all(e["type"] for e in entries)
        assert template_csv(t.name).strip().split(",") == list(t.column_names)
    moves = {e["column"]: e for e in dictionary("moves")}
    assert moves["move_type"]["allowed"] == "joined, founded, returned, acquihire, left"
    assert moves["person_id"]["allowed"] == "an id in people"
    # a template filled in and uploaded is recognized by its header
    path = tmp_path / "filled.csv"
    path.write_text(template_csv("moves") + "a,mu-li,,bytedance,2026,,joined,s,rumor,\n", encoding="utf-8")
    assert load.detect_table(path) == "moves"


def test_a_loop_of_parents_is_rejected(rw, tmp_path):
    # a -> b -> c -> a and e <-> e2 have no top-most parent; d under Google is fine
    f = write(
        tmp_path,
        "firms.csv",
        "firm_id,name,kind,parent_id\nloop-a,A,other,loop-b\nloop-b,B,other,loop-c\nloop-c,C,other,loop-a\n"
        "fine-d,D,other,google\nloop-e,E,other,loop-e2\nloop-e2,E2,other,loop-e\n",
    )
    result = load.load_files(rw, {"firms": f})
    bad = sorted((p.line, p.column, p.message) for p in result.problems)
    assert bad == [(line, "parent_id", "its parent chain leads back to itself") for line in (2, 3, 4, 6, 7)]
    assert rw.execute("select count(*) from firms where firm_id like 'loop-%'").fetchall() == [(0,)]


def test_an_upsert_that_makes_a_parent_loop_is_rejected(rw, tmp_path):
    # Google Brain's parent is Google: Google under Google Brain would close a loop
    f = write(tmp_path, "firms.csv", "firm_id,name,kind,country,parent_id\ngoogle,Google,big_tech,US,google-brain\n")
    result = load.load_files(rw, {"firms": f}, mode="upsert")
    assert [(p.line, p.value, p.message) for p in result.problems] == [
        (2, "google-brain", "its parent chain leads back to itself")
    ]
    assert rw.execute("select parent_id from firms where firm_id = 'google'").fetchall() == [(None,)]


def test_the_derived_tables_follow_each_load_in_its_own_transaction(scratch_db, tmp_path):
    from atlas import db

    c = duckdb.connect(str(scratch_db))
    before = db.cache_version(c)
    assert before[0] == before[1]  # the seed build left them in step
    f = write(tmp_path, "moves.csv", MOVES_HEADER + "late-1,mu-li,,google,2025-09,,joined,,reported,\n")
    result = load.load_files(c, {"moves": f}, derive=False)
    assert result.ok, result.problems
    # the facts are committed; the pages' tables (and so their cache key) still show the last version
    assert db.cache_version(c) == (result.upload_id, before[1])
    assert c.execute("select count(*) from move_facts where move_id = 'late-1'").fetchall() == [(0,)]
    c.close()
    # as after a crash between the two: connecting rebuilds them
    c = db.connect(scratch_db)
    assert db.cache_version(c) == (result.upload_id, result.upload_id)
    assert c.execute("select to_firm_id from move_facts where move_id = 'late-1'").fetchall() == [("google",)]
    # and a normal load does both
    g = write(tmp_path, "moves.csv", MOVES_HEADER + "late-2,mu-li,google,,2025-10,,left,,reported,\n")
    done = load.load_files(c, {"moves": g})
    assert done.ok and "derive" in done.timings
    assert db.cache_version(c) == (done.upload_id, done.upload_id)
    assert c.execute("select count(*) from person_latest where move_id = 'late-2'").fetchall() == [(1,)]
    c.close()


def test_rows_without_a_source_cite_the_upload_also_when_the_table_was_empty(empty_con, tmp_path):
    # into an empty table the typed rows are a view; the upload's own source reaches it too
    f = write(tmp_path, "firms.csv", "firm_id,name,kind\nacme,Acme,other\n")
    result = load.load_files(empty_con, {"firms": f})
    assert result.ok, result.problems
    assert empty_con.execute("select source_id from firms").fetchall() == [(f"upload-{result.upload_id}",)]
    assert empty_con.execute(
        "select count(*) from sources where source_id = $s", {"s": f"upload-{result.upload_id}"}
    ).fetchall() == [(1,)]


def test_a_by_name_header_wins_over_the_files_name(tmp_path):
    """Issue 33: an analyst calls a file of moves by name moves.csv; its header is read as the flat
    format it is, not refused as the moves table's ("unknown column person")."""
    by_name = write(tmp_path, "moves.csv", "person,from_firm,to_firm,moved_on\nLi Mu,Amazon,Boson AI,2023-03\n")
    assert load.detect_table(by_name) == "moves by name"
    # a moves file by id keeps its table, and so does an empty one (the check says it is empty)
    (tmp_path / "m").mkdir()
    (tmp_path / "e").mkdir()
    assert (
        load.detect_table(
            write(tmp_path, "m/moves.csv", MOVES_HEADER + "x,mu-li,,bytedance,2023,,joined,s,reported,\n")
        )
        == "moves"
    )
    assert load.detect_table(write(tmp_path, "e/moves.csv", "")) == "moves"
