"""Upsert, replace, the field-level diff, undo, and the upload as a source of last resort."""

from __future__ import annotations

from atlas import load, schema
from tests.support import MOVES_HEADER, snapshot, write

PEOPLE_HEADER = "person_id,name,name_zh,known_for,origin_country,source_id\n"
MU_LI = "mu-li,Mu Li,李沐,Author of the MXNet deep-learning framework; co-founder of Boson AI,CN,"
SRC = "leiphone-2023-mu-li-declines-bytedance"


def people_file(tmp_path, *rows):
    return write(tmp_path, "people.csv", PEOPLE_HEADER + "".join(r + "\n" for r in rows))


def test_upsert_dry_run_counts_and_field_diff_then_commit(rw, tmp_path):
    before = snapshot(rw)
    f = people_file(
        tmp_path,
        MU_LI.replace(",CN,", ",US,") + SRC,  # changed: origin country
        "jia-yangqing,Yangqing Jia,贾扬清,Author of Caffe,CN," + "ignored-source",  # see below
        "new-person,New Person,,,FR,",  # new, no source: the upload becomes its source
    )
    # jia-yangqing's row names a source that does not exist: rejected whole
    bad = load.load_files(rw, {"people": f}, mode="upsert", dry_run=True)
    assert not bad.ok and any(p.column == "source_id" and p.line == 3 for p in bad.problems)
    f = people_file(tmp_path, MU_LI.replace(",CN,", ",US,") + SRC, "new-person,New Person,,,FR,")
    dry = load.load_files(rw, {"people": f}, mode="upsert", dry_run=True)
    assert dry.ok, dry.problems
    assert dry.changes["people"] == {"new": 1, "changed": 1, "unchanged": 0, "removed": 0}
    assert [(d[3], d[4], d[5]) for d in dry.diff] == [("origin_country", "CN", "US")]
    assert dry.diff[0][2] == "mu-li" and dry.diff[0][1] == 2  # the key and the spreadsheet row
    assert snapshot(rw) == before  # a dry run writes nothing
    done = load.load_files(rw, {"people": f}, mode="upsert", uploader="Ana")
    assert done.ok, done.problems
    assert rw.execute("select origin_country from people where person_id = 'mu-li'").fetchall() == [("US",)]
    # the row without a source cites the upload itself
    src = rw.execute("select source_id from people where person_id = 'new-person'").fetchall()[0][0]
    assert src == f"upload-{done.upload_id}"
    assert rw.execute("select title, publisher from sources where source_id = $s", {"s": src}).fetchall() == [
        (f"Upload {done.upload_id}: people.csv", "Ana")
    ]


def test_append_refuses_existing_ids_that_upsert_accepts(rw, tmp_path):
    f = people_file(tmp_path, MU_LI + SRC)
    append = load.load_files(rw, {"people": f}, mode="append", dry_run=True)
    assert [p.message for p in append.problems] == ["id already exists in the database"]
    upsert = load.load_files(rw, {"people": f}, mode="upsert", dry_run=True)
    assert upsert.ok and upsert.changes["people"] == {"new": 0, "changed": 0, "unchanged": 1, "removed": 0}


def test_undo_restores_exactly_the_state_before_an_upsert(rw, tmp_path):
    before = snapshot(rw)
    version_before = rw.execute("select max(upload_id) from uploads").fetchall()[0][0]
    f = people_file(tmp_path, MU_LI.replace(",CN,", ",US,") + SRC, "new-person,New Person,,,FR,")
    done = load.load_files(rw, {"people": f}, mode="upsert", uploader="Ana")
    assert done.ok
    assert load.undoable_upload(rw) == done.upload_id
    undone = load.undo(rw, done.upload_id, "Ana")
    assert undone.ok, undone.problems
    after = snapshot(rw)
    for table, rows in before.items():
        assert after[table] == rows, table  # every fact table back as it was, the upload's source gone too
    assert rw.execute("select max(upload_id) from uploads").fetchall()[0][0] == version_before + 2
    assert rw.execute("select mode, file_names from uploads order by upload_id desc limit 1").fetchall() == [
        ("undo", f"undo of version {done.upload_id}")
    ]
    # the seed build cannot be undone; nothing else is in effect
    assert load.undoable_upload(rw) is None


def test_undo_only_the_latest_upload_in_effect(rw, tmp_path):
    one = load.load_files(rw, {"people": people_file(tmp_path, "p-one,One,,,FR,")}, mode="append")
    two = load.load_files(rw, {"people": people_file(tmp_path, "p-two,Two,,,FR,")}, mode="append")
    refused = load.undo(rw, one.upload_id)
    assert not refused.ok and "undo the later ones first" in refused.problems[0].message
    assert load.undo(rw, two.upload_id).ok
    assert load.undo(rw, one.upload_id).ok
    assert rw.execute("select count(*) from people where person_id in ('p-one', 'p-two')").fetchall() == [(0,)]


def test_replace_removes_rows_missing_from_the_file_and_undo_brings_them_back(rw, tmp_path):
    before = snapshot(rw)
    rounds = rw.execute("select count(*) from round_investors").fetchall()[0][0]
    assert rounds == 9
    header = "round_id,investor_id,is_lead\n"
    keep = rw.execute("select round_id, investor_id, is_lead from round_investors order by 1, 2 limit 2").fetchall()
    f = write(
        tmp_path, "round_investors.csv", header + "".join(f"{r},{i},{str(lead).lower()}\n" for r, i, lead in keep)
    )
    dry = load.load_files(rw, {"round_investors": f}, mode="replace", dry_run=True)
    assert dry.ok, dry.problems
    assert dry.changes["round_investors"] == {"new": 0, "changed": 0, "unchanged": 2, "removed": 7}
    done = load.load_files(rw, {"round_investors": f}, mode="replace")
    assert done.ok, done.problems
    assert rw.execute("select count(*) from round_investors").fetchall() == [(2,)]
    # the file had no role column: the kept rows keep their stored role (an empty cell would clear it)
    assert rw.execute("select count(*) from round_investors where role is not null").fetchall() == [(2,)]
    assert load.undo(rw, done.upload_id).ok
    after = snapshot(rw)
    assert all(after[t] == rows for t, rows in before.items())


def test_replace_refuses_to_remove_what_others_still_refer_to(rw, tmp_path):
    before = snapshot(rw)
    f = people_file(tmp_path, MU_LI + SRC)  # every other person would go, but moves refer to them
    result = load.load_files(rw, {"people": f}, mode="replace")
    assert not result.ok
    assert any("still refers to it" in p.message and p.value == "yi-tay" for p in result.problems)
    assert snapshot(rw) == before


def test_upsert_of_a_move_updates_it_and_rebuilds_the_derived_tables(rw, tmp_path):
    row = rw.execute(
        "select move_id, person_id, coalesce(from_firm_id, ''), to_firm_id, fmt_date(moved_on, moved_on_precision), "
        "coalesce(role, ''), move_type, source_id from moves where person_id = 'yi-tay' and to_firm_id = 'reka'"
    ).fetchall()[0]
    # the seed says confirmed, with a note; the upload says rumor and keeps the note
    line = ",".join(row) + ",rumor,His own blog post\n"
    f = write(tmp_path, "moves.csv", MOVES_HEADER + line)
    done = load.load_files(rw, {"moves": f}, mode="upsert")
    assert done.ok, done.problems
    assert done.changes["moves"] == {"new": 0, "changed": 1, "unchanged": 0, "removed": 0}
    assert [(d[3], d[4], d[5]) for d in done.diff] == [("certainty", "confirmed", "rumor")]
    certainty = rw.execute("select certainty from move_facts where move_id = $m", {"m": row[0]}).fetchall()
    assert certainty == [("rumor",)]


def test_undo_of_an_append_with_new_firms_people_and_moves(rw, tmp_path):
    before = snapshot(rw)
    firms = write(
        tmp_path,
        "firms.csv",
        "firm_id,name,name_zh,kind,country,parent_id,founded_on,source_id\n"
        "new-parent,New Parent,,big_tech,US,,2020,\nnew-lab,New Lab,,research_lab,US,new-parent,2021,\n",
    )
    people = people_file(tmp_path, "new-person,New Person,,,FR,")
    moves = write(tmp_path, "moves.csv", MOVES_HEADER + "new-move,new-person,bytedance,new-lab,2026,,joined,,rumor,\n")
    done = load.load_files(rw, {"firms": firms, "people": people, "moves": moves}, mode="append")
    assert done.ok, done.problems
    assert rw.execute("select count(*) from move_facts where move_id = 'new-move'").fetchall() == [(1,)]
    undone = load.undo(rw, done.upload_id)
    assert undone.ok, undone.problems
    after = snapshot(rw)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert rw.execute("select count(*) from move_facts where move_id = 'new-move'").fetchall() == [(0,)]
    # the derived firm levels follow the firms table: no trace of the undone firms
    assert rw.execute("select count(*) from firm_levels where firm_id like 'new-%'").fetchall() == [(0,)]
    n_firms = rw.execute("select count(*) from firms").fetchall()
    assert rw.execute("select count(*) from firm_levels").fetchall() == n_firms


def test_undo_of_the_first_load_into_empty_tables(tmp_path):
    # Into an empty table the undo log keeps one marker, not every key; undo empties it again.
    import duckdb

    from atlas import db

    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    try:
        schema.create_schema(con)
        files = {k: v for k, v in db.seed_files().items() if k != "cpi"}
        done = load.load_files(con, files, mode="append")
        assert done.ok, done.problems
        n_moves = con.execute("select count(*) from moves").fetchall()[0][0]
        assert n_moves > 40
        # one marker for the rows and one saying the log is complete
        assert con.execute("select undo_action, count(*) from undo_moves group by all order by 1").fetchall() == [
            ("inserted_all", 1),
            ("logged", 1),
        ]
        undone = load.undo(con, done.upload_id)
        assert undone.ok, undone.problems
        for table in files:
            assert con.execute(f"select count(*) from {table}").fetchall() == [(0,)], table
        for derived in ("move_facts", "firm_levels", "boomerang_trips", "investments"):
            assert con.execute(f"select count(*) from {derived}").fetchall() == [(0,)], derived
        # and the same files load again, as the first upload after the undo
        again = load.load_files(con, files, mode="append")
        assert again.ok, again.problems
        assert con.execute("select count(*) from moves").fetchall() == [(n_moves,)]
    finally:
        con.close()


def append_one_move(con, tmp_path) -> None:
    """Upload 2: one new move, appended."""
    from tests.support import MOVES_HEADER

    f = tmp_path / "moves.csv"
    f.write_text(
        MOVES_HEADER + "m-new,mu-li,boson-ai,bytedance,2026-01,,joined,leiphone-2023-mu-li-declines-bytedance,rumor,\n"
    )
    assert load.load_files(con, {"moves": f}, mode="append").ok


def test_a_schema_change_keeps_the_undo_log_and_undo_restores_exactly(scratch_db, tmp_path):
    """Editing the schema (even a comment) once dropped every undo log on the next connect;
    the undo then reported success while restoring nothing."""
    from atlas import db
    from tests.support import snapshot

    con = db.connect(scratch_db, build_if_missing=False)
    before = snapshot(con)
    append_one_move(con, tmp_path)
    people = tmp_path / "people.csv"
    people.write_text(
        "person_id,name,name_zh,known_for,origin_country,source_id\n"
        "mu-li,Mu Li,李沐,MXNet,US,leiphone-2023-mu-li-declines-bytedance\n"
    )
    assert load.load_files(con, {"people": people}, mode="upsert").ok
    # every schema file "edited": the next connect re-runs them all
    con.execute("update atlas_meta set value = 'edited' where key like 'schema%'")
    con.close()
    con = db.connect(scratch_db, build_if_missing=False)
    try:
        assert load.undo_problem(con, 3) is None
        assert load.undo(con, 3).ok
        assert load.undo(con, 2).ok
        assert snapshot(con) == before  # exactly the state before both uploads
    finally:
        con.close()


def test_an_undo_whose_log_is_gone_refuses_and_changes_nothing(scratch_db, tmp_path):
    from atlas import db
    from tests.support import snapshot

    con = db.connect(scratch_db, build_if_missing=False)
    append_one_move(con, tmp_path)
    con.execute("drop table undo_moves")  # what an older version did on a schema change
    after = snapshot(con)
    try:
        problem = load.undo_problem(con, 2)
        assert problem == "its undo log of moves is missing; it cannot be undone exactly"
        result = load.undo(con, 2)
        assert not result.ok and "version 2 cannot be undone" in result.problems[0].message
        assert snapshot(con) == after and db.data_version(con) == 2
    finally:
        con.close()


def test_an_undo_log_whose_table_changed_shape_refuses(scratch_db, tmp_path):
    from atlas import db

    con = db.connect(scratch_db, build_if_missing=False)
    append_one_move(con, tmp_path)
    con.execute("alter table moves add column confidence double")  # the base schema grew a column
    try:
        assert "the columns of moves changed" in load.undo_problem(con, 2)
        assert not load.undo(con, 2).ok
        assert con.execute("select count(*) from moves where move_id = 'm-new'").fetchall() == [(1,)]
    finally:
        con.close()
