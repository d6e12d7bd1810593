"""The database itself rejects bad values: enums, amounts, dates, a join with no destination.

Ids and references are the loader's to enforce (tests/test_load.py): the schema has no
key or foreign-key indexes, which made large loads several times slower.
"""

import re

import duckdb
import pytest

from atlas import schema
from atlas.load import schema_checks
from atlas.model import TABLES, TABLES_BY_NAME


def _base(con):
    con.execute("insert into sources (source_id, title, publisher) values ('s', 'T', 'P')")
    con.execute("insert into firms (firm_id, name, kind, country) values ('acme', 'Acme', 'big_tech', 'US')")
    con.execute("insert into people (person_id, name) values ('ann', 'Ann')")


BAD_ROWS = [
    (
        "bad move type",
        "insert into moves (move_id, person_id, to_firm_id, move_type, source_id, certainty) "
        "values ('m', 'ann', 'acme', 'poached', 's', 'reported')",
    ),
    (
        "bad certainty",
        "insert into moves (move_id, person_id, to_firm_id, move_type, source_id, certainty) "
        "values ('m', 'ann', 'acme', 'joined', 's', 'maybe')",
    ),
    (
        "a join with no destination",
        "insert into moves (move_id, person_id, move_type, source_id, certainty) "
        "values ('m', 'ann', 'joined', 's', 'reported')",
    ),
    (
        "date without precision",
        "insert into moves (move_id, person_id, to_firm_id, moved_on, move_type, source_id, certainty) "
        "values ('m', 'ann', 'acme', date '2023-01-01', 'joined', 's', 'reported')",
    ),
    ("bad firm kind", "insert into firms (firm_id, name, kind) values ('x', 'X', 'megacorp')"),
    ("lowercase country", "insert into firms (firm_id, name, kind, country) values ('x', 'X', 'other', 'us')"),
    ("own parent", "insert into firms (firm_id, name, kind, parent_id) values ('x', 'X', 'other', 'x')"),
    (
        "negative pay",
        "insert into compensation (comp_id, firm_id, kind, amount_low, amount_high, currency, period, outcome, "
        "reported_on, reported_on_precision, source_id, certainty) values ('c', 'acme', 'package', -1, 5, 'USD', "
        "'one_time', 'offered', date '2023-01-01', 'year', 's', 'reported')",
    ),
    (
        "inverted pay range",
        "insert into compensation (comp_id, firm_id, kind, amount_low, amount_high, currency, period, outcome, "
        "reported_on, reported_on_precision, source_id, certainty) values ('c', 'acme', 'package', 9, 5, 'USD', "
        "'one_time', 'offered', date '2023-01-01', 'year', 's', 'reported')",
    ),
    (
        "negative round",
        "insert into funding_rounds (round_id, firm_id, round_type, amount, currency, status, source_id, certainty) "
        "values ('r', 'acme', 'seed', -5, 'USD', 'completed', 's', 'reported')",
    ),
    (
        "bad round status",
        "insert into funding_rounds (round_id, firm_id, round_type, amount, currency, status, source_id, certainty) "
        "values ('r', 'acme', 'seed', 5, 'USD', 'pending', 's', 'reported')",
    ),
    (
        "fact without a source",
        "insert into moves (move_id, person_id, to_firm_id, move_type, certainty) "
        "values ('m', 'ann', 'acme', 'joined', 'reported')",
    ),
    ("person without an id", "insert into people (name) values ('Another Ann')"),
    (
        "bad degree",
        "insert into education (person_id, institution_id, degree, source_id, certainty) "
        "values ('ann', 'acme', 'diploma', 's', 'reported')",
    ),
]


@pytest.mark.parametrize("why,sql", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_schema_rejects(empty_con, why, sql):
    _base(empty_con)
    with pytest.raises(duckdb.ConstraintException):
        empty_con.execute(sql)


def test_schema_accepts_a_good_move_and_a_departure(empty_con):
    _base(empty_con)
    empty_con.execute(
        "insert into moves (move_id, person_id, to_firm_id, moved_on, moved_on_precision, move_type, source_id, "
        "certainty) values ('m1', 'ann', 'acme', date '2023-03-01', 'month', 'joined', 's', 'confirmed')"
    )
    empty_con.execute(
        "insert into moves (move_id, person_id, from_firm_id, move_type, source_id, certainty) "
        "values ('m2', 'ann', 'acme', 'left', 's', 'rumor')"
    )
    assert empty_con.execute("select count(*) from moves").fetchall() == [(2,)]


def test_schema_is_rerunnable(seed_db_path, tmp_path):
    """Every script really runs again over a database that holds data (not skipped because its
    version is unchanged), restores what it creates, and keeps the data and the undo logs."""
    import shutil

    path = tmp_path / "again.duckdb"
    shutil.copy(seed_db_path, path)
    con = duckdb.connect(str(path))
    try:
        logged = con.execute("select count(*) from undo_moves").fetchall()
        before = con.execute("select count(*) from moves").fetchall()
        con.execute("drop macro fmt_date")  # gone until a script really runs again
        schema.create_schema(con)  # versions unchanged: nothing runs
        assert not con.execute("select * from duckdb_functions() where function_name = 'fmt_date'").fetchall()
        schema.rerun_schema(con)  # every script, changed or not
        assert con.execute("select fmt_date(date '2023-03-07', 'month')").fetchall() == [("2023-03",)]
        assert con.execute("select count(*) from moves").fetchall() == before
        assert con.execute("select count(*) from move_facts").fetchall() == before
        assert con.execute("select count(*) from undo_moves").fetchall() == logged
    finally:
        con.close()


@pytest.mark.parametrize("precision,expected", [("year", "2023"), ("month", "2023-03"), ("day", "2023-03-07")])
def test_fmt_date_keeps_precision(empty_con, precision, expected):
    got = empty_con.execute("select fmt_date(date '2023-03-07', $p)", {"p": precision}).fetchall()[0][0]
    assert got == expected


SQL_TYPES = {
    "text": "VARCHAR",
    "slug": "VARCHAR",
    "enum": "VARCHAR",
    "country": "VARCHAR",
    "currency": "VARCHAR",
    "url": "VARCHAR",
    "int": "INTEGER",
    "number": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
}


@pytest.mark.parametrize("table", [t.name for t in TABLES])
def test_the_model_and_the_schema_agree_column_by_column(empty_con, table):
    """atlas.model (what the loader checks) and queries/schema/base.sql (what the database
    enforces) describe each table twice: same columns, types, required values and choices."""
    t = TABLES_BY_NAME[table]
    stored = {
        name: (dtype, nullable)
        for name, dtype, nullable in empty_con.execute(
            "select column_name, data_type, is_nullable from duckdb_columns() where table_name = $t", {"t": table}
        ).fetchall()
    }
    expected = set()
    for c in t.columns:
        expected.add(c.name)
        dtype, nullable = stored[c.name]
        assert dtype == SQL_TYPES[c.type], (table, c.name, dtype)
        # the loader fills two kinds of empty value, so the table requires them though a file need
        # not: a fact's source_id (the upload cites itself) and a true/false (empty is false)
        required = c.required or c.type == "bool" or (c.name == "source_id" and table not in ("firms", "people"))
        assert nullable == (not required), (table, c.name, "NOT NULL" if not nullable else "nullable")
        if c.type == "date":
            expected.add(f"{c.name}_precision")
        if c.choices:
            checks = [e for e, cols in schema_checks(empty_con, table) if cols == [c.name] and " IN " in e]
            assert len(checks) == 1, (table, c.name)
            assert set(re.findall(r"'([^']*)'", checks[0])) == set(c.choices), (table, c.name, checks[0])
    assert set(stored) == expected, (table, set(stored) ^ expected)
