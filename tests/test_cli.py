"""The command line: help for every command, and build."""

import argparse

import duckdb
import pytest

from atlas import cli


def _subcommands():
    p = cli.parser()
    action = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return action, p


def test_every_command_has_help():
    action, _ = _subcommands()
    assert action.choices, "no commands"
    helps = {c.dest: c.help for c in action._choices_actions}
    for name in action.choices:
        assert helps.get(name), f"command {name} has no help"


def test_build_command(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert cli.main(["build", "--db", str(path)]) == 0
    assert "people" in capsys.readouterr().out
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from moves").fetchall()[0][0] == 48
    con.close()
    assert cli.main(["build", "--db", str(path), "--if-missing"]) == 0
    assert "not rebuilt" in capsys.readouterr().out


def test_unknown_command_fails():
    with pytest.raises(SystemExit):
        cli.main(["explode"])


def test_load_command_commits_or_rejects(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert cli.main(["build", "--db", str(path)]) == 0
    good = tmp_path / "people.csv"
    good.write_text("person_id,name\nnew-person,New Person\n", encoding="utf-8")
    assert cli.main(["load", str(good), "--db", str(path), "--dry-run"]) == 0
    assert "Would load 1 rows into people" in capsys.readouterr().out
    assert cli.main(["load", str(good), "--db", str(path)]) == 0
    bad = tmp_path / "moves.csv"
    bad.write_text(
        "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
        "m1,ghost,,google,2024-02-30,,joined,leiphone-2023-mu-li-declines-bytedance,reported,\n",
        encoding="utf-8",
    )
    assert cli.main(["load", str(bad), "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column person_id: refers to an unknown people id" in err
    assert "row 2, column moved_on: not a date" in err
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from people").fetchall()[0][0] == 34
    assert con.execute("select count(*) from moves").fetchall()[0][0] == 48
    con.close()


def test_generate_command(tmp_path, capsys):
    out = tmp_path / "gen"
    args = [
        "generate",
        "--out",
        str(out),
        "--people",
        "100",
        "--firms",
        "50",
        "--moves",
        "1000",
        "--rounds",
        "100",
        "--comp",
        "100",
        "--seed",
        "3",
    ]
    assert cli.main(args) == 0
    assert (out / "moves.csv").exists()
    assert "1,000 rows" in capsys.readouterr().out


def test_undo_command_reverses_the_latest_upload_and_says_when_there_is_none(scratch_db, tmp_path, capsys):
    f = tmp_path / "moves.csv"
    f.write_text(
        "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
        "cli-undo-1,mu-li,,openai,2026-02,,joined,,rumor,\n"
    )
    assert cli.main(["load", str(f), "--db", str(scratch_db)]) == 0
    assert cli.main(["undo", "--version", "1", "--db", str(scratch_db)]) == 1  # not the latest
    assert "not the latest upload in effect (2)" in capsys.readouterr().err
    assert cli.main(["undo", "--db", str(scratch_db)]) == 0
    assert "Undid version 2 as data version 3 (moves 1" in capsys.readouterr().out
    con = duckdb.connect(str(scratch_db), read_only=True)
    assert con.execute("select count(*) from move_facts where move_id = 'cli-undo-1'").fetchall() == [(0,)]
    assert con.execute("select count(*) from moves").fetchall() == [(48,)]
    con.close()
