"""Issue 41, SEC Form D: `python -m atlas pull formd` against a local server answering in EDGAR's
documented formats (submissions/CIK##########.json; each filing's primary_doc.xml): a round per
offering, an amendment updating its round, an offering with nothing sold yet, the related persons
tied to the issuer, a stored firm and person matched; a second pull changes nothing; undo is exact."""

from __future__ import annotations

import duckdb

from atlas import cli
from tests.source_server import SourceServer
from tests.sources_canned import CIK, D1, D2, DA, TENK, doc_path, form_d, search_hits, serve, submissions


def pull(db, s, *more):
    return cli.main(
        [
            "pull",
            "formd",
            "--company",
            CIK,
            "--user-agent",
            "Talent Atlas test@example.org",
            "--base-url",
            s.url,
            "--db",
            str(db),
            *more,
        ]
    )


def rounds(db):
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute(
            "select round_id, firm_id, strftime(announced_on, '%Y-%m-%d'), amount, certainty, note from funding_rounds "
            "where round_id like 'formd-%' order by 1"
        ).fetchall()


def test_offerings_become_rounds_and_an_amendment_updates_its_round(scratch_db, capsys):
    s = SourceServer()
    try:
        s.answer(f"/submissions/CIK{CIK}.json", submissions(D1, TENK))
        s.answer(f"/submissions/CIK{CIK}.json", submissions(D1, DA, D2, TENK))
        s.answer(doc_path(D1), form_d("2023-05-01", 30_000_000, 12_000_000))
        s.answer(doc_path(DA), form_d("2023-05-01", 30_000_000, 30_000_000, amendment=True))
        s.answer(doc_path(D2), form_d("", 50_000_000, 0))
        assert pull(scratch_db, s, "--create-new") == 0, capsys.readouterr().err
        first = rounds(scratch_db)
        # the stored Boson AI is matched, not duplicated; dated by the first sale
        assert [r[:5] for r in first] == [
            ("formd-0001234567-021-111111", "boson-ai", "2023-05-01", 12_000_000.0, "confirmed")
        ]
        with duckdb.connect(str(scratch_db), read_only=True) as c:
            assert c.execute("select entity_id from aliases where alias = 'cik:0001234567'").fetchone() == ("boson-ai",)
            # Mu Li is the seed's, and the article already tells he founded Boson AI: one move, the article's
            mu = c.execute("select move_id from moves where person_id = 'mu-li' and to_firm_id = 'boson-ai'")
            assert mu.fetchall() == [("mu-li-founds-boson-2023",)]
            ada = c.execute(
                "select m.to_firm_id, m.moved_on, m.role, m.certainty from moves as m join people as p "
                "using (person_id) where p.name = 'Ada Founder'"
            ).fetchall()
            assert ada == [("boson-ai", None, "Director", "confirmed")]  # undated: the filing names her, not since when
        capsys.readouterr()
        # the amendment and a new offering: one round updated, one added, none duplicated
        assert pull(scratch_db, s, "--create-new") == 0, capsys.readouterr().err
        after = rounds(scratch_db)
        assert [r[:4] for r in after] == [
            ("formd-0001234567-021-111111", "boson-ai", "2023-05-01", 30_000_000.0),
            ("formd-0001234567-021-222222", "boson-ai", "2024-03-01", 50_000_000.0),
        ]
        assert "amended" in after[0][5]
        assert "nothing sold yet" in after[1][5] and "dated by the filing" in after[1][5]
        capsys.readouterr()
        assert pull(scratch_db, s, "--create-new") == 0
        assert "Nothing changed" in capsys.readouterr().out
        # undo the second pull: the first's round is back as it was
        assert cli.main(["undo", "--db", str(scratch_db)]) == 0
        assert rounds(scratch_db) == first
    finally:
        s.close()


def test_a_pull_without_a_user_agent_or_with_a_bad_document_writes_nothing(scratch_db, capsys):
    s = SourceServer()
    try:
        serve(s, D1)
        s.answer(doc_path(D1), "<edgarSubmission><primaryIssuer>")  # cut
        assert cli.main(["pull", "formd", "--company", CIK, "--base-url", s.url, "--db", str(scratch_db)]) == 1
        assert "--user-agent" in capsys.readouterr().err
        assert pull(scratch_db, s, "--create-new") == 1
        assert "not XML" in capsys.readouterr().err
        s.answers.clear()
        serve(s, D1)
        s.answer(doc_path(D1), '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><edgarSubmission/>')
        assert pull(scratch_db, s, "--create-new") == 1
        assert "DTD or entities" in capsys.readouterr().err
        assert rounds(scratch_db) == []
    finally:
        s.close()


def test_a_company_by_name_is_found_and_an_ambiguous_name_is_listed(scratch_db, capsys):
    s = SourceServer()
    try:
        serve(s, D1)
        s.answer(doc_path(D1), form_d("2023-05-01", 30_000_000, 12_000_000))
        # "Boson AI": the filer whose name is it (legal form aside) is taken over one whose name only contains it
        s.answer(
            "/LATEST/search-index",
            search_hits(
                ("BOSON AI, INC.  (CIK 0001234567)", CIK),
                ("Boson AI Holdings Fund I, LP  (CIK 0007654321)", "0007654321"),
                ("Some Investor LLC  (CIK 0001111111)", "0001111111"),  # a filing that only mentions it
            ),
            q='"Boson AI"',
            forms="D",
        )
        s.answer(
            "/LATEST/search-index",
            search_hits(
                ("Acme Robotics Holdings Inc  (CIK 0000000011)", "11"), ("Acme Robotics Labs  (CIK 0000000022)", "22")
            ),
            q='"Acme Robotics"',
            forms="D",
        )
        s.answer("/LATEST/search-index", search_hits(), q='"Nobody Corp"', forms="D")
        base = ["pull", "formd", "--user-agent", "Talent Atlas test@example.org", "--base-url", s.url]
        db = ["--db", str(scratch_db), "--create-new"]
        assert cli.main([*base, "--company", "Acme Robotics", *db]) == 1
        err = capsys.readouterr().err
        assert "matches several Form D filers" in err and "CIK 11" in err and "CIK 22" in err
        assert cli.main([*base, "--company", "Nobody Corp", *db]) == 1
        assert "no Form D filer on EDGAR is named “Nobody Corp”" in capsys.readouterr().err
        assert rounds(scratch_db) == []
        assert cli.main([*base, "--company", "Boson AI", *db]) == 0, capsys.readouterr().err
        assert [r[:2] for r in rounds(scratch_db)] == [("formd-0001234567-021-111111", "boson-ai")]
    finally:
        s.close()
