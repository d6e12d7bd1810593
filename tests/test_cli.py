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
    assert con.execute("select count(*) from moves").fetchall()[0][0] == 49
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
    assert con.execute("select count(*) from moves").fetchall()[0][0] == 49
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
    assert con.execute("select count(*) from moves").fetchall() == [(49,)]
    con.close()


@pytest.fixture
def held_by_a_server(scratch_db):
    """Another process (as a running dashboard does) holding the database read-write."""
    import subprocess
    import sys
    import time

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(120)",
            str(scratch_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    time.sleep(0.2)
    yield scratch_db, holder.pid
    holder.kill()
    holder.wait()


def _run_cli(*args: str):
    import subprocess
    import sys

    from tests.support import ROOT

    return subprocess.run([sys.executable, "-m", "atlas", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_no_writer_replaces_or_writes_a_database_another_process_holds(held_by_a_server, tmp_path):
    """Issue 29: `build` replaced the database under a running dashboard, whose later commits went to
    the deleted file; `undo` and `merge` printed a traceback. Each now refuses, naming the holder,
    and leaves the file as it was."""
    path, pid = held_by_a_server
    inode, size = path.stat().st_ino, path.stat().st_size
    people = tmp_path / "people.csv"
    people.write_text("person_id,name\nheld-person,Held Person\n", encoding="utf-8")
    for args in (
        ["build", "--db", str(path)],
        ["load", str(people), "--db", str(path)],
        ["undo", "--db", str(path)],
        ["merge", "person", "mu-li", "li-mu", "--db", str(path)],
    ):
        done = _run_cli(*args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert f"in use by process {pid}" in done.stderr and "nothing was changed" in done.stderr, args
        assert "Traceback" not in done.stderr, (args, done.stderr)
    assert (path.stat().st_ino, path.stat().st_size) == (inode, size)
    assert not path.with_name(path.name + ".building").exists()


def test_snapshot_writes_the_version_as_the_page_download_holds_it(scratch_db, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["snapshot", "--out", str(out), "--duckdb", "--db", str(scratch_db)]) == 0
    assert "tables as Parquet" in capsys.readouterr().out
    con = duckdb.connect()
    assert con.execute("select count(*) from read_parquet($f)", {"f": str(out / "moves.parquet")}).fetchone()[0] == 49
    cols = con.execute("describe select * from read_parquet($f)", {"f": str(out / "uploads.parquet")}).fetchall()
    assert "uploader_email" not in {c[0] for c in cols}
    assert len(list(out.glob("talent-atlas-v*.duckdb"))) == 1


def test_a_version_too_large_for_the_page_is_not_offered_as_one_download(scratch_db, monkeypatch):
    from atlas import console, db

    monkeypatch.setattr(console, "DOWNLOAD_BYTES", 10_000)
    con = db.connect(scratch_db)
    try:
        assert console.existing_snapshot(con, scratch_db) is None  # nothing copied just to know
        _version, folder = console.snapshot(con, scratch_db)
        assert console.existing_snapshot(con, scratch_db) == folder
        size = console.snapshot_bytes(folder)
        assert size > console.DOWNLOAD_BYTES
        assert "python -m atlas snapshot --out FOLDER" in console.too_large_text(size)
    finally:
        con.close()
