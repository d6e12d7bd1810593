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
    assert con.execute("select count(*) from moves").fetchall()[0][0] == 45
    con.close()
    assert cli.main(["build", "--db", str(path), "--if-missing"]) == 0
    assert "not rebuilt" in capsys.readouterr().out


def test_unknown_command_fails():
    with pytest.raises(SystemExit):
        cli.main(["explode"])
