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
    assert rw.execute("select count(*) from moves").fetchall() == [(49,)]  # a check writes nothing
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
    assert "its columns are not ours: map them (the Data page, or --mapping on the command line)" in set(report.problem)
    assert rw.execute("select count(*) from moves").fetchall() == [(49,)]
    only_moves = upload.stage_upload([("moves.csv", bad.encode())])
    report = upload.problems_frame(upload.check(rw, only_moves).problems)
    assert set(zip(report.row, report.column, strict=True)) == {(2, "person_id"), (2, "moved_on")}
    assert not upload.commit(rw, only_moves, "Ana").ok
    assert rw.execute("select count(*) from moves").fetchall() == [(49,)]


PEOPLE = "person_id,name,name_zh,known_for\n"
# (file text, encoding, the name shown for it): a corpus of what analysts' spreadsheets are saved in
LATIN = PEOPLE + "renee-muller,Renée Müller,,“Déjà vu” – naïve façade\n"
CJK_SIMPLIFIED = PEOPLE + "".join(
    f"zh-{i},Person {i},{name},\n" for i, name in enumerate(["王测试", "张三", "李沐", "贾扬清", "吴恩达", "王小川"])
)
CJK_TRADITIONAL = PEOPLE + "wang-test,Wang Test,王測試,\nchen-ta,Chen Ta,陳大文,\n"
JAPANESE = PEOPLE + "yamada,Yamada Taro,山田太郎,東京大学の研究者\n"
CORPUS = [
    (PEOPLE + "zh-san,Zhang San,张三,\n", "utf-8", "UTF-8"),
    (PEOPLE + "zh-san,Zhang San,张三,\n", "utf-8-sig", "UTF-8"),
    (CJK_SIMPLIFIED, "utf-16", "UTF-16"),
    (CJK_SIMPLIFIED, "utf-16-le", "UTF-16 (LE, no byte-order mark)"),
    (CJK_SIMPLIFIED, "utf-16-be", "UTF-16 (BE, no byte-order mark)"),
    (CJK_SIMPLIFIED, "gbk", "GB18030/GBK (Simplified Chinese)"),
    (CJK_SIMPLIFIED + "emoji,Emoji,𠀀测试,\n", "gb18030", "GB18030/GBK (Simplified Chinese)"),
    (CJK_SIMPLIFIED, "gb2312", "GB18030/GBK (Simplified Chinese)"),
    # names with characters GBK added to GB2312 (镕, 喆, 彧): refused as "uncertain" before issue 29
    (
        PEOPLE + "zhu-rj,Zhu Rongji,朱镕基,\nwang-z,Wang Zhe,王喆,\nli-y,Li Yu,李彧,\n",
        "gbk",
        "GB18030/GBK (Simplified Chinese)",
    ),
    (CJK_TRADITIONAL, "big5", "Big5 (Traditional Chinese)"),
    (JAPANESE, "shift_jis", "Shift-JIS (Japanese)"),
    (LATIN, "cp1252", "Windows-1252/Latin-1 (Western European)"),
    (PEOPLE + "renee-muller,Renée Müller,,Zürich\n", "latin-1", "Windows-1252/Latin-1 (Western European)"),
]


@pytest.mark.parametrize("text,codec,shown", CORPUS, ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(CORPUS)])
def test_the_encoding_corpus_loads_as_written(rw, text, codec, shown):
    with upload.stage_upload([("people.csv", text.encode(codec))]) as staged:
        assert not staged.problems, staged.problems
        assert [s.encoding for s in staged.staged] == [shown]
        assert upload.commit(rw, staged, "Li").ok
    ids = [line.split(",")[0] for line in text.splitlines()[1:]]
    sql = "select person_id, coalesce(name_zh, name) from people where list_contains($ids, person_id)"
    stored = dict(rw.execute(sql, {"ids": ids}).fetchall())
    expected = {line.split(",")[0]: (line.split(",")[2] or line.split(",")[1]) for line in text.splitlines()[1:]}
    assert stored == expected


@pytest.mark.parametrize(
    "data,named",
    [
        # too short to tell GB18030 from Big5: both readings are named, with what each shows
        ((PEOPLE + "li-mu,Mu Li,李沐,\n").encode("gb18030"), ["GB18030/GBK (Simplified Chinese) reads “李沐”", "Big5"]),
        # part UTF-8, part Windows-1252: no single reading is right
        (
            (PEOPLE + "li-mu,Mu Li,李沐,\n").encode() + "renee,Renée Müller,,\n".encode("cp1252"),
            ["mixes encodings", "line(s) 2 are UTF-8", "line(s) 3 are Windows-1252"],
        ),
        (
            (PEOPLE + "li-mu,Mu Li,李沐,\n").encode() + "wang,Wang,王测试,\n".encode("gbk"),
            ["mixes encodings", "line(s) 3 are GB18030/GBK"],
        ),
    ],
    ids=["short-gb18030", "utf8+cp1252", "utf8+gbk"],
)
def test_an_uncertain_encoding_is_refused_with_the_candidates_named(rw, data, named):
    with upload.stage_upload([("people.csv", data)]) as staged:
        [problem] = staged.problems
        assert problem.file == "people.csv" and problem.message.startswith("cannot be read: ")
        for text in named:
            assert text in problem.message
        assert "UTF-8" in problem.message  # how to re-save it
        assert not staged.files


def test_the_analyst_can_pick_the_encoding_of_an_uncertain_file(rw):
    data = (PEOPLE + "li-mu2,Mu Li,李沐,\n").encode("gb18030")
    with upload.stage_upload([("people.csv", data)], encodings={"people.csv": "gb18030"}) as staged:
        assert not staged.problems and upload.commit(rw, staged, "Li").ok
    assert rw.execute("select name_zh from people where person_id = 'li-mu2'").fetchall() == [("李沐",)]


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


def test_the_data_page_stages_and_checks_once_per_content_and_mode(rw, monkeypatch):
    """Every rerun of the Data page with a file attached once staged and checked it all again."""
    from atlas.ui import data_page as ui

    staged_calls, checked_calls = [], []
    stage, check = upload.stage_upload, upload.check
    monkeypatch.setattr(upload, "stage_upload", lambda *a, **k: staged_calls.append(1) or stage(*a, **k))
    monkeypatch.setattr(upload, "check", lambda *a, **k: checked_calls.append(1) or check(*a, **k))
    state: dict = {}
    named = [("moves.csv", MOVES.encode())]
    for _ in range(3):  # three reruns of the page, nothing changed
        staged, result = ui.staged_and_checked(state, rw, named, {}, {}, "append")
        assert result.ok
    assert (len(staged_calls), len(checked_calls)) == (1, 1)
    ui.staged_and_checked(state, rw, named, {}, {}, "upsert")  # another mode: checked again, not staged
    assert (len(staged_calls), len(checked_calls)) == (1, 2)
    folder = staged.folder
    ui.staged_and_checked(state, rw, [("moves.csv", MOVES.replace("up-1", "up-2").encode())], {}, {}, "upsert")
    assert (len(staged_calls), len(checked_calls)) == (2, 3)
    assert not folder.exists()  # the previous content's copies are gone
    ui._drop_staged(state)
    assert state == {}
