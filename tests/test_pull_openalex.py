"""Issue 41, OpenAlex: `python -m atlas pull openalex` against a local server answering in the
documented format (/institutions/{id}, /institutions?search=, /authors?filter=affiliations.
institution.id:…&cursor=…, with meta.next_cursor): several pages, a 429 and a 500 retried, a
malformed answer, an empty result, an ambiguous name, an author already stored; a second pull
changes nothing; undo removes it exactly. No test reaches the internet."""

from __future__ import annotations

import duckdb
import pytest

from atlas import cli
from atlas.pull import openalex
from atlas.pull.http import Client, PullError
from tests.source_server import SourceServer
from tests.sources_canned import BO, CORP, LAB, STARTUP, author, authors_query, inst, openalex_source, page


@pytest.fixture
def source():
    s = SourceServer()
    openalex_source(s)
    yield s
    s.close()


def pull(db, source, *more):
    return cli.main(["pull", "openalex", "--base-url", source.url, "--db", str(db), *more])


def counts(db):
    with duckdb.connect(str(db), read_only=True) as c:
        return dict(
            c.execute(
                "select 'people', count(*) from people union all select 'firms', count(*) from firms "
                "union all select 'moves', count(*) from moves union all select 'aliases', count(*) from aliases "
                "union all select 'sources', count(*) from sources union all select 'uploads', count(*) from uploads"
            ).fetchall()
        )


def test_a_pull_loads_authors_institutions_and_moves_by_the_rule(scratch_db, source, capsys):
    before = counts(scratch_db)
    assert pull(scratch_db, source, "--institution", "I1", "--create-new") == 0, capsys.readouterr().err
    after = counts(scratch_db)
    assert after["people"] == before["people"] + 2  # Ada and Bo; Yi Tay is the seed's
    assert after["firms"] == before["firms"] + 4 and after["sources"] == before["sources"] + 3
    with duckdb.connect(str(scratch_db), read_only=True) as c:
        tay = c.execute("select entity_id from aliases where alias = 'openalex:A1'").fetchone()
        assert tay == ("yi-tay",)
        ids = dict(c.execute("select alias, entity_id from aliases where alias like 'openalex:I%'").fetchall())
        firms = {
            r[0]: r[1:]
            for r in c.execute(
                "select firm_id, kind, country, parent_id from firms where firm_id in "
                "(select entity_id from aliases where alias like 'openalex:I%')"
            ).fetchall()
        }
        assert firms[ids["openalex:I1"]] == ("other", "US", ids["openalex:I9"])  # a company: kind other; its parent
        assert firms[ids["openalex:I2"]][:2] == ("university", "SG")
        got = c.execute(
            "select a.alias, m.from_firm_id, m.to_firm_id, year(m.moved_on), m.moved_on_precision, m.certainty "
            "from moves as m join aliases as a on a.entity_kind = 'person' and a.entity_id = m.person_id "
            "and a.alias like 'openalex:A%' where m.source_id like 'openalex-%' order by 1, 4"
        ).fetchall()
        name = {v: k.removeprefix("openalex:") for k, v in ids.items()}
        moves = [(a.removeprefix("openalex:"), name.get(f), name[t], y, p, cert) for a, f, t, y, p, cert in got]
        assert moves == [
            ("A1", None, "I2", 2015, "year", "reported"),
            ("A1", "I2", "I1", 2019, "year", "reported"),  # the university's last year: 2018
            ("A2", None, "I3", 2020, "year", "reported"),
            ("A2", "I3", "I1", 2021, "year", "reported"),  # both named in 2021: the start's year
            ("A3", None, "I2", 2016, "year", "reported"),
            ("A3", None, "I1", 2019, "year", "reported"),  # still at the university: a joint appointment
        ]
        assert c.execute("select count(*) from aliases where alias = 'orcid:0000-0002-1825-0097'").fetchone() == (1,)
        source_row = c.execute("select publisher, url, published_on, kind from sources where source_id = 'openalex-a2'")
        assert source_row.fetchone()[:2] == ("OpenAlex", "https://openalex.org/A2")
    # the 429 and the 500 were each retried once
    paths = [p for p, _ in source.requests]
    assert paths.count("/institutions/I1") == 2 and paths.count("/authors") == 3


def test_a_second_identical_pull_changes_nothing_and_undo_removes_the_first_exactly(scratch_db, source, capsys):
    before = counts(scratch_db)
    assert pull(scratch_db, source, "--institution", "I1", "--create-new") == 0
    pulled = counts(scratch_db)
    with duckdb.connect(str(scratch_db), read_only=True) as c:
        # the load history says what was pulled, by whom, from where
        history = c.execute("select uploader, mode, file_names from uploads order by upload_id desc limit 1").fetchone()
    assert history[0].endswith(" pull openalex") and history[1:] == ("upsert", "OpenAlex: I1")
    capsys.readouterr()
    assert pull(scratch_db, source, "--institution", "I1", "--create-new") == 0
    assert "Nothing changed" in capsys.readouterr().out
    assert counts(scratch_db) == pulled  # no data version either
    assert cli.main(["undo", "--db", str(scratch_db)]) == 0
    after = counts(scratch_db)
    assert {k: v for k, v in after.items() if k != "uploads"} == {k: v for k, v in before.items() if k != "uploads"}


def test_a_dry_run_says_what_it_would_add_and_writes_nothing(scratch_db, source, capsys):
    before = counts(scratch_db)
    assert pull(scratch_db, source, "--institution", "I1", "--create-new", "--dry-run") == 0
    assert "Would add 6 and change 0 row(s) of moves" in capsys.readouterr().out
    assert counts(scratch_db) == before


def test_new_names_wait_for_a_decision(scratch_db, source, capsys, tmp_path):
    before = counts(scratch_db)
    review = tmp_path / "review.csv"
    assert pull(scratch_db, source, "--institution", "I1", "--review-out", str(review)) == 1
    err = capsys.readouterr().err
    assert "need a decision; nothing changed" in err and "'Ada Example'" in err
    assert counts(scratch_db) == before
    assert "Ada Example" in review.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "body,said",
    [(b'{"meta": {"next_cursor": null}, "results": [', "not JSON"), (b"[1, 2]", "not a JSON object")],
)
def test_a_malformed_answer_stops_the_pull_and_writes_nothing(scratch_db, body, said, capsys):
    s = SourceServer()
    try:
        s.answer("/institutions/I1", LAB)
        s.answer("/authors", body, **authors_query("*"))
        before = counts(scratch_db)
        assert pull(scratch_db, s, "--institution", "I1", "--create-new") == 1
        assert said in capsys.readouterr().err
        assert counts(scratch_db) == before
    finally:
        s.close()


def test_an_empty_result_pulls_nothing(scratch_db, capsys):
    s = SourceServer()
    try:
        s.answer("/institutions/I1", LAB)
        s.answer("/institutions/I9", CORP)
        s.answer("/authors", page([], None), **authors_query("*"))
        before = counts(scratch_db)
        assert pull(scratch_db, s, "--institution", "I1") == 0
        assert "Nothing to pull" in capsys.readouterr().out
        assert counts(scratch_db) == before
    finally:
        s.close()


def test_an_ambiguous_institution_name_is_listed_not_guessed(scratch_db, capsys):
    s = SourceServer()
    try:
        s.answer("/institutions", page([LAB, STARTUP], None), **{"search": "Example", "per-page": 10})
        assert pull(scratch_db, s, "--institution", "Example") == 1
        err = capsys.readouterr().err
        assert "matches several OpenAlex institutions" in err and "I1 Example AI Lab (US)" in err and "I3" in err
        s.answer("/institutions", page([LAB, STARTUP], None), **{"search": "Example AI Lab", "per-page": 10})
        with Client(s.url, user_agent="test") as client:
            assert openalex.find_institution(client, "Example AI Lab").id == "I1"  # an exact name is taken
    finally:
        s.close()


def test_the_client_honours_retry_after_and_gives_up_with_a_clear_error():
    s = SourceServer()
    waits: list[float] = []
    try:
        s.answer("/x", {}, status=429, headers={"Retry-After": "2"})
        s.answer("/x", {"ok": True})
        with Client(s.url, user_agent="test", per_second=1000, sleep=waits.append) as client:
            assert client.get_json("x") == {"ok": True}
        assert 2.0 in waits
        s.answer("/down", {}, status=503)
        with (
            Client(s.url, user_agent="test", per_second=1000, retries=2, sleep=waits.append) as client,
            pytest.raises(PullError, match="answered 503 after 3 tries"),
        ):
            client.get_json("down")
    finally:
        s.close()


def test_the_rule_keeps_a_joint_appointment_as_two_stints():
    known: dict = {}
    bo = openalex.author_of(BO, known)
    got = [(m.from_inst, m.to_inst, m.year) for m in openalex.moves(bo)]
    assert got == [("", "I2", 2016), ("", "I1", 2019)]
    assert [(m.to_inst, m.year) for m in openalex.moves(bo, since=2024)] == []  # ended before 2024


def test_two_new_authors_of_one_name_are_two_people(scratch_db, capsys):
    s = SourceServer()
    try:
        s.answer("/institutions/I3", STARTUP)
        twins = [author("A7", "Wei Example", [(STARTUP, [2021])]), author("A8", "Wei Example", [(STARTUP, [2022])])]
        s.answer(
            "/authors", page(twins, None), filter="affiliations.institution.id:I3", **{"per-page": 200, "cursor": "*"}
        )
        assert pull(scratch_db, s, "--institution", "I3", "--create-new") == 0, capsys.readouterr().err
        with duckdb.connect(str(scratch_db), read_only=True) as c:
            ids = c.execute(
                "select alias, entity_id from aliases where alias in ('openalex:A7', 'openalex:A8') order by 1"
            ).fetchall()
        assert len({i for _, i in ids}) == 2, ids
    finally:
        s.close()


def test_a_move_an_article_already_tells_counts_once(scratch_db, capsys):
    """Yi Tay's move into Google Brain is the article's (2019); OpenAlex names Google Brain on his
    papers from 2020: the article's move stands, the pull adds only his stint at a new lab."""
    brain = inst("I5", "Google Brain", "company", "US")
    lab = inst("I6", "Another Lab", "company", "US")
    s = SourceServer()
    try:
        s.answer("/institutions/I5", brain)
        tay = author("A1", "Yi Tay", [(brain, range(2020, 2023)), (lab, [2025])])
        s.answer(
            "/authors", page([tay], None), filter="affiliations.institution.id:I5", **{"per-page": 200, "cursor": "*"}
        )
        assert pull(scratch_db, s, "--institution", "I5", "--create-new") == 0, capsys.readouterr().err
        assert "1 move(s) another source already tells were left out" in capsys.readouterr().out
        with duckdb.connect(str(scratch_db), read_only=True) as c:
            into_brain = c.execute(
                "select move_id from moves where person_id = 'yi-tay' and to_firm_id = 'google-brain'"
            ).fetchall()
            assert into_brain == [("yi-tay-joins-google-brain-2019",)]  # the article's, not a second one
            assert c.execute("select entity_id from aliases where alias = 'openalex:I5'").fetchone() == (
                "google-brain",
            )
            pulled = c.execute(
                "select from_firm_id, year(moved_on) from moves where source_id = 'openalex-a1'"
            ).fetchall()
            assert pulled == [("google-brain", 2025)]  # the new lab: the one move no other source tells
    finally:
        s.close()
