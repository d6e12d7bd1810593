"""Uploads and search by name: the keys names fold to, the resolver's decisions on the seed,
flat files by name end to end, the command line's decisions, merging and undoing."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from atlas import byname, cli, load, names, resolve, upload
from atlas.load import detect_table, merge
from atlas.load.merge import ENTITY, REFERENCES

# A name-only spreadsheet as an analyst keeps it: either name order, Traditional script, company
# suffixes, one typo, two new people (one written in Chinese and in pinyin), a new firm.
MOVES_BY_NAME = """person,person_zh,from_firm,to_firm,moved_on,role,move_type,certainty,source_title,source_url,source_publisher,source_date
Li Mu,,Amazon Inc.,Boson.ai,2023-03,co-founder,founded,reported,Li Mu starts Boson,https://example.com/boson,Example News,2023-03-10
賈揚清,,Alibaba Group,Lepton AI,2023-03,founder,founded,reported,,,,
Yangqing Jai,,Google Deepmind,字节跳动科技有限公司,2024-05,,joined,rumor,,,,
王小明,,OpenAI Inc.,Moonshot AI,2025-01,researcher,joined,reported,,,,
Xiaoming Wang,王小明,Moonshot AI,Google,2025-06,,joined,reported,,,,
Sarah Kimball,,,Anthropic,2024-11,,joined,reported,,,,
"""  # noqa: E501


def _file(tmp_path: Path, text: str, name: str = "my moves.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- keys ---------------------------------------------------------------------------------------


def test_name_order_case_width_and_script_fold_to_one_key():
    assert names.latin_key("Li Mu") == names.latin_key("mu  LI") == names.latin_key("Ｍｕ Ｌｉ") == "li mu"
    assert names.zh_key("賈揚清") == names.zh_key("贾扬清") == "贾扬清"
    assert names.pinyin_key("賈揚清") == names.latin_key("Yangqing Jia") == names.latin_key("Jia Yangqing")
    assert names.pinyin_key("李沐") == names.latin_key("Mu Li")
    assert names.latin_key("Timothée Lacroix") == "lacroix timothee"


def test_company_suffixes_are_ignored_for_firms_only():
    assert names.latin_key("OpenAI, Inc.", firm=True) == names.latin_key("OpenAI", firm=True) == "openai"
    assert names.latin_key("Acme Co", firm=False) == "acme co"
    assert names.zh_key("字节跳动科技有限公司", firm=True) == names.zh_key("字节跳动", firm=True) == "字节跳动"


def test_sql_keys_agree_with_python_keys_on_every_seed_name(con):
    rows = con.execute(
        "select name, latin_key(name, false), name_zh, zh_key(name_zh, false) from people "
        "union all select name, latin_key(name, true), name_zh, zh_key(name_zh, true) from firms"
    ).fetchall()
    firms = {r[0] for r in con.execute("select name from firms").fetchall()}
    assert len(rows) > 70
    for name, sql_latin, zh, sql_zh in rows:
        assert names.latin_key(name, firm=name in firms) == sql_latin, name
        if zh:
            assert names.zh_key(zh, firm=name in firms) == sql_zh, zh


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("   ", "empty"), ("---", "no letter"), ("x" * 201, "longer than 200")],
)
def test_names_that_cannot_be_matched_say_why(text, problem):
    assert problem in names.name_problem(text)


# --- the resolver on the seed -------------------------------------------------------------------


def test_the_resolver_knows_the_seed_names(con):
    items = [
        ("person", "Li Mu", "", 1),
        ("person", "賈揚清", "", 1),
        ("person", "jia yangqing", "", 1),
        ("firm", "Google Deepmind", "", 1),
        ("firm", "OpenAI Inc.", "", 1),
        ("firm", "字节跳动科技有限公司", "", 1),
        ("firm", "DeepMind", "", 1),
        ("person", "Aidan Gome", "", 1),
    ]
    got = {(d.kind, d.name): d for d in resolve.resolve(con, items)}
    expected = {
        ("person", "Li Mu"): ("mu-li", "same name, words in another order"),
        ("person", "賈揚清"): ("jia-yangqing", "same name in Simplified Chinese"),
        ("person", "jia yangqing"): ("jia-yangqing", "same name"),
        ("firm", "Google Deepmind"): ("google-deepmind", "same name"),
        ("firm", "OpenAI Inc."): ("openai", "without the company suffix"),
        ("firm", "字节跳动科技有限公司"): ("bytedance", "without the company suffix"),
        ("firm", "DeepMind"): ("google-deepmind", "alias"),
        ("person", "Aidan Gome"): ("aidan-gomez", "alias"),
    }
    for key, (entity_id, rule) in expected.items():
        d = got[key]
        assert (d.status, d.entity_id, d.score) == ("matched", entity_id, 100.0), key
        assert rule in d.rule, (key, d.rule)


def test_a_typo_is_proposed_for_review_never_matched_silently(con):
    d = resolve.resolve(con, [("person", "Yangqing Jai", "", 1)])[0]
    assert d.status == "review" and d.needs_review
    assert d.entity_id == "jia-yangqing" and 85 <= d.score < 100
    assert "near miss" in d.rule and "Google Brain" in d.candidates[0].detail


def test_new_names_of_one_upload_that_are_one_person_get_one_id(con):
    got = resolve.resolve(con, [("person", "王小明", "", 1), ("person", "Xiaoming Wang", "王小明", 1)])
    assert [d.status for d in got] == ["new", "new"]
    assert got[0].new_id == got[1].new_id == "xiaoming-wang"


def test_a_name_two_entries_share_is_ambiguous(rw, tmp_path):
    people = _file(tmp_path, "person_id,name\nmu-li-2,Mu Li\n", "people.csv")
    with upload.stage_upload([("people.csv", people)]) as staged:
        assert upload.commit(rw, staged, "test").ok
    d = resolve.resolve(rw, [("person", "Li Mu", "", 1)])[0]
    assert d.status == "ambiguous" and d.entity_id is None
    assert {c.entity_id for c in d.candidates} == {"mu-li", "mu-li-2"}


def test_search_finds_any_spelling(con):
    assert resolve.search_text(con, "Li Mu") == "Mu Li"
    assert resolve.search_text(con, "李沐") == "Mu Li"
    assert resolve.search_text(con, "賈揚清") == "Yangqing Jia"
    assert resolve.search_text(con, "jia yangqing") == "Yangqing Jia"
    # words the entry's own name holds stay as typed: the substring search finds it, and every entry
    # whose name holds them (issue 40: "Meta" rewritten to "Meta (Facebook)" lost its lab)
    assert resolve.search_text(con, "deepmind") == "deepmind"
    assert resolve.search_text(con, "Reka") == "Reka"
    assert resolve.search_text(con, "Meta") == "Meta"
    assert resolve.search_text(con, "li") == "li"  # a part of a name stays a substring search


# --- recognizing files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "header", "table"),
    [
        ("anything.csv", ["person", "to_firm", "moved_on", "from_firm"], "moves by name"),
        ("pay.csv", ["firm", "kind", "amount_low", "currency", "reported_on"], "pay by name"),
        ("people (2).csv", ["person_id", "name"], "people"),
        ("2024_moves.csv", ["move_id", "person_id"], "moves"),
        ("Moves - Sheet1.csv", ["move_id"], "moves"),
        ("export.csv", ["person_id", "name", "name_zh"], "people"),
    ],
)
def test_files_are_recognized_by_header_or_name(file_name, header, table):
    assert detect_table(Path(file_name), header) == table


def test_a_semicolon_file_is_recognized_by_its_header(rw, tmp_path):
    path = _file(tmp_path, "person_id;name;name_zh\nwang-xiaoming;Xiaoming Wang;王小明\n", "export.csv")
    with upload.stage_upload([("export.csv", path)]) as staged:
        assert staged.files.keys() == {"people"}
        assert upload.commit(rw, staged, "test").ok


# --- flat files by name, end to end -------------------------------------------------------------


def _people_ids(con) -> set[str]:
    return {r[0] for r in con.execute("select person_id from people").fetchall()}


def test_a_name_only_file_is_reviewed_committed_and_matches_next_time(rw, tmp_path):
    path = _file(tmp_path, MOVES_BY_NAME)
    with upload.stage_upload([("my moves.csv", path)]) as staged:
        plan = upload.plan_names(rw, staged)
        by = {(d.kind, d.name): d for d in plan.decisions}
        assert {d.name for d in plan.needs_review} == {
            "Lepton AI",
            "Yangqing Jai",
            "王小明",
            "Xiaoming Wang",
            "Sarah Kimball",
        }
        by[("person", "Yangqing Jai")].status = "confirmed"  # the analyst confirms the proposed match
        result = upload.commit(rw, staged, "analyst")
    assert result.ok, result.problems
    moves = rw.execute(
        "select person_id, from_firm_id, to_firm_id from moves where move_id like 'm-%' order by moved_on, person_id"
    ).fetchall()
    assert moves == [
        ("jia-yangqing", "alibaba", "lepton-ai"),
        ("mu-li", "amazon", "boson-ai"),
        ("jia-yangqing", "google-deepmind", "bytedance"),
        ("sarah-kimball", None, "anthropic"),
        ("xiaoming-wang", "openai", "moonshot-ai"),
        ("xiaoming-wang", "moonshot-ai", "google"),
    ]
    assert rw.execute("select name, name_zh from people where person_id = 'xiaoming-wang'").fetchall() == [
        ("Xiaoming Wang", "王小明")
    ]
    assert rw.execute("select kind from firms where firm_id = 'lepton-ai'").fetchall() == [("other",)]
    # the source the rows named, created; rows naming none cite the upload
    src = rw.execute(
        "select s.title, s.publisher, s.url from moves m join sources s using (source_id) where m.person_id = 'mu-li' "
        "and m.move_id like 'm-%'"
    ).fetchall()
    assert src == [("Li Mu starts Boson", "Example News", "https://example.com/boson")]
    assert rw.execute("select entity_id, alias, origin from aliases where origin like 'upload%'").fetchall() == [
        ("jia-yangqing", "Yangqing Jai", f"upload {result.upload_id}")
    ]
    # the same names again: every one matches on its own, nothing to review
    with upload.stage_upload([("again.csv", path)]) as staged:
        plan = upload.plan_names(rw, staged)
        assert plan.needs_review == []
        assert {d.entity_id for d in plan.decisions if d.kind == "person"} == {
            "mu-li",
            "jia-yangqing",
            "xiaoming-wang",
            "sarah-kimball",
        }
    # undo removes the moves, the people and firm created, and the alias
    undone = load.undo(rw, result.upload_id, "analyst")
    assert undone.ok, undone.problems
    assert "xiaoming-wang" not in _people_ids(rw) and "sarah-kimball" not in _people_ids(rw)
    assert rw.execute("select count(*) from aliases where origin like 'upload%'").fetchall() == [(0,)]
    assert rw.execute("select count(*) from moves where move_id like 'm-%'").fetchall() == [(0,)]


def test_names_in_id_columns_are_resolved(rw, tmp_path):
    path = _file(
        tmp_path,
        "move_id,person_id,from_firm_id,to_firm_id,moved_on,move_type,source_id,certainty\n"
        "x1,Li Mu,Amazon,Google DeepMind,2025-02,joined,,reported\n",
        "moves.csv",
    )
    with upload.stage_upload([("moves.csv", path)]) as staged:
        assert upload.plan_names(rw, staged).needs_review == []
        assert upload.commit(rw, staged, "test").ok
    assert rw.execute("select person_id, from_firm_id, to_firm_id from moves where move_id = 'x1'").fetchall() == [
        ("mu-li", "amazon", "google-deepmind")
    ]


def test_an_unknown_id_that_looks_like_an_id_is_still_an_unknown_id(rw, tmp_path):
    path = _file(
        tmp_path,
        "move_id,person_id,to_firm_id,moved_on,move_type,source_id,certainty\nx2,mu-lli,google,2025-02,joined,,reported\n",
        "moves.csv",
    )
    with upload.stage_upload([("moves.csv", path)]) as staged:
        result = upload.check(rw, staged)
    assert [p.message for p in result.problems] == ["refers to an unknown people id"]


def test_bad_names_are_row_problems_and_nothing_changes(rw, tmp_path):
    before = rw.execute("select count(*) from moves").fetchall()
    path = _file(tmp_path, "person,to_firm,moved_on\n---,Google,2024\nYi Tay,Google,2024\n")
    with upload.stage_upload([("bad.csv", path)]) as staged:
        result = upload.commit(rw, staged, "test")
    assert not result.ok
    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (2, "person", "the name has no letter or digit")
    ]
    assert rw.execute("select count(*) from moves").fetchall() == before


def test_a_flat_file_cannot_replace_a_table(rw, tmp_path):
    path = _file(tmp_path, "person,to_firm,moved_on\nYi Tay,Google,2024\n")
    with upload.stage_upload([("m.csv", path)]) as staged:
        result = upload.check(rw, staged, "replace")
    assert "cannot replace a table" in result.problems[0].message


def test_pay_and_rounds_by_name(rw, tmp_path):
    pay = _file(
        tmp_path,
        "person,firm,kind,amount_low,amount_high,currency,period,outcome,reported_on\n"
        "Shengjia Zhao,Meta Superintelligence Labs,signing_bonus,100000000,,USD,one_time,offered,2025-07\n",
        "pay.csv",
    )
    rounds = _file(
        tmp_path,
        "firm,announced_on,round_type,amount,currency,investors,lead_investor\n"
        "Boson.ai,2025-01,series,50000000,USD,Nvidia; Amazon Inc.,Nvidia\n",
        "rounds.csv",
    )
    with upload.stage_upload([("pay.csv", pay), ("rounds.csv", rounds)]) as staged:
        assert set(staged.files) == {"pay by name", "rounds by name"}
        assert upload.plan_names(rw, staged).needs_review == []
        result = upload.commit(rw, staged, "test")
    assert result.ok, result.problems
    assert rw.execute(
        "select person_id, firm_id, amount_low, amount_high from compensation where comp_id like 'p-%'"
    ).fetchall() == [("shengjia-zhao", "meta-superintelligence-labs", 1e8, 1e8)]
    assert sorted(
        rw.execute(
            "select i.investor_id, i.is_lead from round_investors i join funding_rounds r using (round_id) "
            "where r.firm_id = 'boson-ai' and r.round_id like 'r-%'"
        ).fetchall()
    ) == [("amazon", False), ("nvidia", True)]


# --- the command line ---------------------------------------------------------------------------


def test_cli_lists_undecided_names_then_loads_with_a_decisions_file(scratch_db, tmp_path, capsys):
    path = _file(tmp_path, MOVES_BY_NAME)
    review = tmp_path / "review.csv"
    count = "select count(*) from moves"
    before = duckdb.connect(str(scratch_db), read_only=True).execute(count).fetchall()
    assert cli.main(["load", str(path), "--db", str(scratch_db), "--review-out", str(review)]) == 1
    err = capsys.readouterr().err
    assert "5 name(s) need a decision; nothing changed" in err and "'Yangqing Jai': review: jia-yangqing" in err
    with duckdb.connect(str(scratch_db), read_only=True) as c:
        assert c.execute(count).fetchall() == before
    with open(review, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # a proposal is not pre-filled as the match (issue 39): the file as written makes new entries only
    jai = next(r for r in rows if r["name"] == "Yangqing Jai")
    assert (jai["match"], jai["proposed"]) == ("", "jia-yangqing") and jai["new_id"]
    # the analyst takes the proposal, and sends Sarah Kimball to an existing person instead of a new one
    for r in rows:
        if r["name"] == "Yangqing Jai":
            r["match"], r["new_id"] = r["proposed"], ""
        if r["name"] == "Sarah Kimball":
            r["match"], r["new_id"] = "dario-amodei", ""
    with open(review, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert cli.main(["load", str(path), "--db", str(scratch_db), "--decisions", str(review)]) == 0
    with duckdb.connect(str(scratch_db), read_only=True) as c:
        assert c.execute(
            "select person_id from moves where to_firm_id = 'anthropic' and move_id like 'm-%'"
        ).fetchall() == [("dario-amodei",)]
        assert ("dario-amodei", "Sarah Kimball") in c.execute("select entity_id, alias from aliases").fetchall()


def test_cli_create_new_accepts_new_names_but_not_near_misses(scratch_db, tmp_path, capsys):
    path = _file(tmp_path, MOVES_BY_NAME)
    assert cli.main(["load", str(path), "--db", str(scratch_db), "--create-new"]) == 1
    assert "1 name(s) need a decision" in capsys.readouterr().err  # the typo still needs a person to decide


# --- merging ------------------------------------------------------------------------------------


def _state(con) -> dict[str, list]:
    return {
        t: sorted(map(str, con.execute(f"select * from {t}").fetchall()))
        for t in ("people", "firms", "moves", "education", "compensation", "round_investors", "aliases")
    }


@pytest.mark.parametrize(
    ("kind", "keep", "drop"), [("person", "jia-yangqing", "mu-li"), ("firm", "google", "google-brain")]
)
def test_merge_moves_every_fact_and_undo_restores_exactly(rw, kind, keep, drop):
    before = _state(rw)
    table, col = ENTITY[kind]
    result = merge(rw, kind, keep, drop, "analyst")
    assert result.ok, result.problems
    assert rw.execute(f"select count(*) from {table} where {col} = $d", {"d": drop}).fetchall() == [(0,)]
    for t, c in REFERENCES[kind]:
        assert rw.execute(f"select count(*) from {t} where {c} = $d", {"d": drop}).fetchall() == [(0,)], (t, c)
    name = rw.execute(
        "select alias from aliases where entity_id = $k and origin = $o", {"k": keep, "o": f"merge {result.upload_id}"}
    ).fetchall()
    assert name, "the dropped entry's name is an alias of the kept one"
    assert load.undo(rw, result.upload_id, "analyst").ok
    assert _state(rw) == before


def test_merge_refuses_unknown_ids_and_itself(rw):
    assert "no person" in merge(rw, "person", "mu-li", "nobody", "x").problems[0].message
    assert "itself" in merge(rw, "person", "mu-li", "mu-li", "x").problems[0].message


def test_flat_formats_are_documented():
    for fmt in byname.FLAT_FORMATS.values():
        assert set(fmt.required) <= set(fmt.columns)
        assert set(fmt.refs) <= set(fmt.columns)


def test_the_upload_record_keeps_every_name_decision(rw, tmp_path):
    import json

    path = _file(tmp_path, "person,to_firm,moved_on\nLi Mu,Google DeepMind,2025-02\n")
    with upload.stage_upload([("m.csv", path)]) as staged:
        result = upload.commit(rw, staged, "test")
    assert result.ok, result.problems
    stored = json.loads(
        rw.execute("select name_decisions from uploads where upload_id = $u", {"u": result.upload_id}).fetchall()[0][0]
    )
    assert {(d["name"], d["entity"], d["status"], d["score"]) for d in stored} == {
        ("Li Mu", "mu-li", "matched", 100.0),
        ("Google DeepMind", "google-deepmind", "matched", 100.0),
    }
    assert all(d["rule"] for d in stored)


def test_one_set_of_rules_takes_the_analysts_decisions(con):
    """The Data page's review and the command line's --decisions take a decision the same way."""
    d = resolve.Decision("person", "Li Mu?", status="review", new_id="li-mu-2")
    assert "no-such-person" in str(resolve.choose(con, d, match="no-such-person"))
    assert "lowercase" in str(resolve.choose(con, d, new_id="Not An Id!"))
    assert (d.status, d.entity_id) == ("review", None)  # a refused decision changes nothing
    assert resolve.choose(con, d, match="mu-li") is None
    assert (d.status, d.target) == ("confirmed", "mu-li") and resolve.undecided([d]) == []
    new = resolve.Decision("firm", "Brand New Lab", status="new", new_id="brand-new-lab")
    check = resolve.Decision("firm", "Gooogle", status="review", entity_id="google")
    resolve.accept([new, check], new_only=True)  # --create-new: the new names only
    assert resolve.undecided([new, check]) == [check]
