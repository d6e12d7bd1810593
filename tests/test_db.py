"""Building the database and running named queries."""

import shutil

import duckdb
import pytest

from atlas import db, sql
from atlas.load import LoadError


def test_build_is_idempotent(tmp_path):
    path = tmp_path / "a.duckdb"
    db.build(path)
    db.build(path)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from uploads").fetchall() == [(1,)]
    assert con.execute("select count(*) from people").fetchall()[0][0] == 33
    con.close()


def test_failed_build_leaves_previous_database_untouched(tmp_path):
    path = db.build(tmp_path / "a.duckdb")
    before = path.read_bytes()
    bad_seed = tmp_path / "seed"
    shutil.copytree(db.SEED_DIR, bad_seed)
    moves = bad_seed / "moves.csv"
    moves.write_text(
        moves.read_text(encoding="utf-8") + "bad-move,nobody,,google,2023,,joined,x,reported,,,,\n", encoding="utf-8"
    )
    with pytest.raises(LoadError) as err:
        db.build(path, bad_seed)
    assert "unknown people id" in str(err.value)
    assert path.read_bytes() == before
    assert not (tmp_path / "a.duckdb.building").exists()


def test_run_query_binds_parameters(con):
    df = sql.run_query(con, "people_list", {"search": "'; drop table people; --", "limit": 10})
    assert df.empty
    assert con.execute("select count(*) from people").fetchall()[0][0] == 33


def test_run_query_requires_every_parameter_without_a_default(con):
    with pytest.raises(sql.QueryError, match=r"'people_list' needs parameter\(s\) \['limit'\]"):
        sql.run_query(con, "people_list", {"search": ""})


def test_a_declared_default_is_bound_and_nothing_else(con):
    q = sql.query("people_list")
    assert q.defaults == {"search": ""}
    assert q.bind({"limit": 5, "currency": "EUR"}) == {"search": "", "limit": 5}  # no stray key bound
    assert len(sql.run_query(con, "people_list", {"limit": 500})) == 33  # search defaults to everyone


@pytest.mark.parametrize("name", ["../schema", "people_list.sql", "Drop", "nope"])
def test_query_names_are_checked(name):
    with pytest.raises((ValueError, KeyError)):
        sql.query_sql(name)


def test_connect_builds_when_missing(tmp_path):
    path = tmp_path / "new.duckdb"
    con = db.connect(path)
    assert db.data_version(con) == 1
    con.close()
