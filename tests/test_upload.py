"""Uploads as the Data page receives them: table detection, checks, all-or-nothing commit."""

import pytest

from atlas import upload

MOVES = (
    "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
    "up-1,mu-li,boson-ai,bytedance,2026-02,Chief scientist,joined,leiphone-2023-mu-li-declines-bytedance,rumor,\n"
)


def test_check_then_commit(rw):
    staged = upload.stage_upload([("my export.csv", MOVES.encode())])
    assert staged.files.keys() == {"moves"} and not staged.problems
    checked = upload.check(rw, staged)
    assert checked.ok and checked.row_counts == {"moves": 1}
    assert rw.execute("select count(*) from moves").fetchall() == [(45,)]  # a check writes nothing
    done = upload.commit(rw, staged, "Ana")
    assert done.ok and done.upload_id == 2
    assert rw.execute("select uploader, file_names from uploads where upload_id = 2").fetchall() == [
        ("Ana", "my export.csv")
    ]


def test_bad_upload_reports_rows_and_writes_nothing(rw):
    bad = MOVES.replace("mu-li,", "nobody,").replace("2026-02", "2026-13")
    staged = upload.stage_upload([("moves.csv", bad.encode()), ("notes.csv", b"hello,world\n1,2\n")])
    result = upload.check(rw, staged)
    report = upload.problems_frame(result.problems)
    assert "cannot tell which table this file is for" in set(report.problem)
    assert rw.execute("select count(*) from moves").fetchall() == [(45,)]
    only_moves = upload.stage_upload([("moves.csv", bad.encode())])
    report = upload.problems_frame(upload.check(rw, only_moves).problems)
    assert set(zip(report.row, report.column, strict=True)) == {(2, "person_id"), (2, "moved_on")}
    assert not upload.commit(rw, only_moves, "Ana").ok
    assert rw.execute("select count(*) from moves").fetchall() == [(45,)]


PEOPLE = "person_id,name,name_zh\nnew-zh,Zhang San,张三\n"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (PEOPLE.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + PEOPLE.encode("utf-8"), "UTF-8"),
        (PEOPLE.encode("utf-16"), "UTF-16"),
        (PEOPLE.encode("gb18030"), "GB18030/GBK"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "gb18030"],
)
def test_encodings_analysts_have(rw, data, encoding):
    text, used = upload.to_utf8(data)
    assert used == encoding
    staged = upload.stage_upload([("people.csv", data)])
    assert upload.commit(rw, staged, "Li").ok
    assert rw.execute("select name_zh from people where person_id = 'new-zh'").fetchall() == [("张三",)]


def test_semicolon_and_quoted_newlines_and_amount_formats(rw):
    data = b'person_id;name;known_for\nsemi-1;Semi Colon;"two\nlines"\n'
    staged = upload.stage_upload([("people.csv", data)])
    assert upload.commit(rw, staged, "Li").ok
    assert rw.execute("select known_for from people where person_id = 'semi-1'").fetchall() == [("two\nlines",)]


def test_binary_garbage_is_refused_with_the_file_named(rw):
    staged = upload.stage_upload([("photo.csv", bytes(range(256)) * 10)])
    report = upload.problems_frame(upload.check(rw, staged).problems)
    assert report.file.tolist() == ["photo.csv"]
    assert "binary" in report.problem.iloc[0]
