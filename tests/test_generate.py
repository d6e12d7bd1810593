"""The synthetic dataset: deterministic, valid through the real load path, realistically shaped."""

import hashlib

import duckdb
import pytest

from atlas import db, generate, load, schema, sql

TINY = generate.Sizes(people=500, firms=200, moves=5_000, rounds=500, comp=500, sources=50)


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    counts = generate.generate(out, TINY, seed=7)
    return out, counts


def test_same_seed_same_files(generated, tmp_path):
    out, _ = generated
    generate.generate(tmp_path, TINY, seed=7)
    assert _digest(tmp_path) == _digest(out)
    other = tmp_path / "other"
    generate.generate(other, TINY, seed=8)
    assert _digest(other)["moves.csv"] != _digest(out)["moves.csv"]


def test_generated_data_loads_cleanly_and_has_shape(generated):
    out, counts = generated
    assert counts["moves"] == 5_000 and counts["people"] == 500 and counts["firms"] == 200
    con = duckdb.connect()
    schema.create_schema(con)
    result = load.load_files(con, db.seed_files(out), mode="append")
    assert result.ok, [str(p) for p in result.problems[:5]]
    # power law: the 5% biggest firms take a large share of arrivals
    share = con.execute(
        "with n as (select to_firm_id, count(*) c from moves where to_firm_id is not null group by 1) "
        "select sum(c) filter (where c >= (select quantile_cont(c, 0.95) from n)) / sum(c) from n"
    ).fetchall()[0][0]
    assert share > 0.3
    kinds = dict(con.execute("select certainty, count(*) from moves group by 1").fetchall())
    assert kinds.get("rumor", 0) > 0
    precisions = {r[0] for r in con.execute("select distinct moved_on_precision from moves").fetchall()}
    assert precisions == {"day", "month", "year", None}
    assert con.execute("select count(distinct currency) from compensation").fetchall()[0][0] >= 4
    assert con.execute("select count(*) from firms where parent_id is not null").fetchall()[0][0] > 0
    boomerangs = sql.run_query(
        con,
        "boomerangs",
        {
            "level": "firm",
            "start_year": 2000,
            "end_year": 2026,
            "include_undated": True,
            "min_certainty": "rumor",
            "kinds": [],
            "countries": [],
            "search": "",
            "limit": 10,
        },
    )
    assert len(boomerangs) > 0
    con.close()
