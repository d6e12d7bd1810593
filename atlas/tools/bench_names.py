"""The resolver's benchmark: how often it matches a messy name right, wrongly, or sends it to
review, and how long resolving a 10,000-row file by name takes against a large database.

The generated benchmark data names people "Person 123", which says nothing about names, so this
benchmark builds its own population of realistic names (Chinese names with their pinyin, Western
names, firms with suffixes), deterministic from a seed, loads it through the real loader, and
writes a labelled messy corpus with known truth: swapped name order, Traditional script, pinyin
for a Chinese name, company suffixes added or dropped, one-letter typos, first name only,
duplicates within the file, and names that are genuinely new.
"""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from atlas import names, resolve, upload


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕兰凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽墨沐扬清晟胜鸿宇树超邦华剑涛禹嘉植麟文灏凯岩长虎"  # noqa: E501
FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Donald "
    "Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian "
    "Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia "
    "Ryan Amy Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry "
    "Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel Helen Gregory Debra "
    "Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Diane "
    "Tyler Julie Aaron Joyce Jose Victoria Adam Ruth Nathan Virginia"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
    "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler"
)
FIRM_WORDS = _words(
    "Quantum Neural Deep Vector Tensor Cognitive Signal Bright Blue Red Silver Golden North South East "
    "West Horizon Summit Peak Orbit Stellar Nova Apex Vertex Prism Cipher Logic Matrix Pixel Fusion Pulse "
    "Echo Atlas Beacon Cortex Delta Ember Falcon Glacier Harbor Iris Jade Kinetic Lumen Meridian Nimbus "
    "Onyx Polar Radiant"
)
FIRM_TAILS = ["AI", "Labs", "Robotics", "Systems", "Intelligence", "Research", "Technologies", "Dynamics", "Works"]
SUFFIXES = ["Inc.", "Ltd", "LLC", "Corp.", "Co., Ltd."]


@dataclass
class NameResults:
    people: int = 0
    firms: int = 0
    corpus: int = 0
    # per perturbation: [auto-matched right, auto-matched wrong, sent to review, called new]
    by_case: dict[str, list[int]] = field(default_factory=dict)
    resolve_seconds: float = 0.0
    resolve_rows: int = 0
    resolve_names: int = 0
    build_seconds: float = 0.0
    seed: bool = False
    # the labelled pairs (tests/data/name_pairs.csv) and a file of distinct institutions, on the seed
    labelled: object = None  # a name_pairs.Quality
    institutions: object = None
    # a by-name file of new people into the large database: review ready, then committed
    new_rows: int = 0
    new_names: int = 0
    review_seconds: float = 0.0
    commit_seconds: float = 0.0


def _population(rng: random.Random, n_people: int, n_firms: int) -> tuple[list[tuple], list[tuple]]:
    people, seen = [], set()
    while len(people) < n_people:
        i = len(people)
        if rng.random() < 0.5:
            zh = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            latin = names.pinyin_name(zh)
        else:
            zh, latin = "", f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if rng.random() < 0.3:  # a middle initial makes most Western names unique
            latin = latin.replace(" ", f" {chr(65 + rng.randrange(26))}. ", 1) if not zh else latin
        key = (latin, zh)
        if key in seen and rng.random() < 0.9:
            continue  # a few true namesakes stay: they are the ambiguous cases
        seen.add(key)
        people.append((f"p{i}", latin, zh))
    firms, taken = [], set()
    while len(firms) < n_firms:
        name = f"{rng.choice(FIRM_WORDS)} {rng.choice(FIRM_WORDS)} {rng.choice(FIRM_TAILS)}"
        if name in taken:
            continue
        taken.add(name)
        firms.append((f"f{len(firms)}", name))
    return people, firms


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 6:
        return text + "e"
    i = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # two letters swapped
    if kind < 0.7:
        return text[:i] + text[i + 1 :]  # a letter dropped
    return text[:i] + rng.choice("aeioun") + text[i + 1 :]  # a letter changed


def _corpus(rng: random.Random, people: list[tuple], firms: list[tuple], n: int) -> list[tuple[str, str, str, str]]:
    """(case, kind, written, truth id or '' for a new name)."""
    out = []
    chinese = [p for p in people if p[2]]
    western = [p for p in people if not p[2]]
    for _ in range(n):
        r = rng.random()
        if r < 0.12:
            p = rng.choice(western + chinese)
            given, _, family = p[1].rpartition(" ")
            out.append(("swapped name order", "person", f"{family} {given}", p[0]))
        elif r < 0.24:
            p = rng.choice(chinese)
            out.append(("Traditional script", "person", names.traditional(p[2]), p[0]))
        elif r < 0.36:
            p = rng.choice(chinese)
            given, _, family = p[1].rpartition(" ")
            out.append(("pinyin, surname first, no tones", "person", f"{family.lower()} {given.lower()}", p[0]))
        elif r < 0.48:
            f = rng.choice(firms)
            out.append(("company suffix added", "firm", f"{f[1]} {rng.choice(SUFFIXES)}", f[0]))
        elif r < 0.56:
            f = rng.choice(firms)
            out.append(("case and punctuation", "firm", f[1].upper().replace(" ", "-"), f[0]))
        elif r < 0.72:
            p = rng.choice(western + chinese)
            out.append(("one-letter typo", "person", _typo(rng, p[1]), p[0]))
        elif r < 0.78:
            p = rng.choice(western)
            out.append(("first name only", "person", p[1].split()[0], p[0]))
        elif r < 0.88:
            p = rng.choice(people)
            out.append(("exact name", "person", p[1], p[0]))
        else:
            # a genuinely new person: a name no stored person has
            out.append(("new person", "person", f"{rng.choice(FIRST)} Zzyzx{rng.randrange(10**6)}", ""))
    return out


def _build(db_path: Path, people: list[tuple], firms: list[tuple], folder: Path) -> None:
    from atlas import db

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "people.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["person_id", "name", "name_zh"])
        w.writerows(people)
    with open(folder / "firms.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["firm_id", "name", "kind"])
        w.writerows((fid, name, "ai_startup") for fid, name in firms)
    db_path.unlink(missing_ok=True)
    db.build(db_path, seed_dir=folder)


def run_seed(work: Path, n_corpus: int = 500, seed: int = 7) -> NameResults:
    """The same messy corpus drawn from the seed's own people and firms (their real names)."""
    from atlas import db

    rng = random.Random(seed)
    path = db.build(work / "names_seed.duckdb")
    con = db.connect(path)
    try:
        people = [
            (pid, name, zh or "")
            for pid, name, zh in con.execute("select person_id, name, name_zh from people order by 1").fetchall()
        ]
        firms = con.execute("select firm_id, name from firms order by 1").fetchall()
        res = NameResults(people=len(people), firms=len(firms), corpus=n_corpus, seed=True)
        _measure(con, rng, res, _corpus(rng, people, firms, n_corpus), firms, n_rows=0, work=work)
        from atlas.tools import name_pairs

        res.labelled = name_pairs.evaluate(con, name_pairs.read())
        res.institutions = name_pairs.evaluate(
            con, [name_pairs.Pair("firm", n, "", "distinct") for n in name_pairs.distinct_institutions()]
        )
    finally:
        con.close()
    return res


def _measure(con, rng, res: NameResults, corpus, firms, n_rows: int, work: Path) -> None:  # noqa: ANN001
    decided = {(d.kind, d.name): d for d in resolve.resolve(con, [(kind, text, "", 1) for _, kind, text, _ in corpus])}
    for case, kind, text, truth in corpus:
        d = decided[(kind, names.clean(text))]
        counts = res.by_case.setdefault(case, [0, 0, 0, 0])
        if d.status == "matched":
            counts[0 if d.entity_id == truth else 1] += 1
        elif d.status == "new":
            counts[3] += 1
        else:
            counts[2] += 1
    if not n_rows:
        return
    # speed: a flat file of moves by name, as an analyst would upload it
    people = [c for c in corpus if c[1] == "person"]
    rows = []
    for _ in range(n_rows):
        _, _, text, _ = rng.choice(people)
        rows.append([text, "", rng.choice(firms)[1], f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 10)}"])
    path = work / "moves_by_name.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["person", "from_firm", "to_firm", "moved_on"])
        w.writerows(rows)
    t = time.perf_counter()
    with upload.stage_upload([("moves_by_name.csv", path)], max_bytes=None) as staged:
        plan = upload.plan_names(con, staged)
    res.resolve_seconds = time.perf_counter() - t
    res.resolve_rows = n_rows
    res.resolve_names = len(plan.decisions) if plan else 0


def run(
    n_people: int, n_firms: int, work: Path, n_corpus: int = 2000, n_rows: int = 10_000, seed: int = 7
) -> NameResults:
    """Build the population, measure the resolver's quality on the corpus and its speed on a
    flat file of `n_rows` moves by name."""
    from atlas import db

    rng = random.Random(seed)
    res = NameResults(people=n_people, firms=n_firms, corpus=n_corpus)
    people, firms = _population(rng, n_people, n_firms)
    db_path = work / f"names_{n_people}.duckdb"
    t = time.perf_counter()
    _build(db_path, people, firms, work / f"names_{n_people}_csv")
    res.build_seconds = time.perf_counter() - t
    con = db.connect(db_path)
    try:
        _measure(con, rng, res, _corpus(rng, people, firms, n_corpus), firms, n_rows, work)
        _new_people(con, rng, res, firms, work, n_rows=n_rows, n_names=n_rows // 2)
    finally:
        con.close()
    return res


SYLLABLES = _words("ka lo mi ren tsu vo zel bra ni sha dor en ti vak mu lin ge ros fa hel ul ko rya")


def _new_people(con, rng, res: NameResults, firms, work: Path, n_rows: int, n_names: int) -> None:  # noqa: ANN001
    """A by-name file of `n_rows` moves by `n_names` people no stored name is (two moves each),
    between stored firms: how long until its review is ready, and the commit after the decisions."""
    made: set[str] = set()
    while len(made) < n_names:
        given = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
        family = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        made.add(f"{given} {family}")
    people = sorted(made)
    path = work / "new_people_by_name.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["person", "from_firm", "to_firm", "moved_on"])
        for i in range(n_rows):
            a, b = rng.sample(firms, 2)
            w.writerow([people[i % n_names], a[1], b[1], f"20{10 + (i // n_names) * 5}-0{rng.randrange(1, 10)}"])
    t = time.perf_counter()
    with upload.stage_upload([(path.name, path)], max_bytes=None) as staged:
        plan = upload.plan_names(con, staged)
        res.review_seconds = time.perf_counter() - t
        res.new_rows, res.new_names = n_rows, sum(d.status == "new" for d in plan.decisions)
        resolve.accept(plan.decisions)  # the analyst accepts every proposal (new names as new people)
        t = time.perf_counter()
        done = upload.commit(con, staged, "bench")
        res.commit_seconds = time.perf_counter() - t
    if not done.ok:
        raise RuntimeError(f"the by-name bench file was refused: {done.problems[:3]}")


def report(results: list[NameResults]) -> str:
    lines = [
        "## Names: the resolver (entity resolution)",
        "",
        "A population of realistic names (half Chinese with their pinyin, half Western, firms with company "
        "suffixes; deterministic from a seed) is loaded through the loader, then a labelled messy corpus with known "
        "truth is resolved (`atlas.tools.bench_names`). Only an exact key match is automatic; a near miss, a name "
        "several entries share and a first name alone go to review. Target: no wrong automatic match.",
        "",
        "Reading the tables: a *wrong* automatic match is a typo that spells another stored person's name exactly "
        "(nothing in a name can tell them apart). At a million people, common names have namesakes, so an exact "
        "name is often ambiguous and goes to review; and a typo in a common name has no block to find its "
        "candidates in (a word or prefix shared by over 2,000 names is not used), so it is called new: the review "
        "shows it as new, not as a match.",
        "",
    ]
    for r in results:
        total = [sum(v[i] for v in r.by_case.values()) for i in range(4)]
        n = sum(total)
        population = "the seed's own people and firms" if r.seed else "generated names"
        lines += [
            f"### {r.people:,} people, {r.firms:,} firms ({population}); {r.corpus:,} messy names",
            "",
            "| Case | Matched right | Matched wrong | To review | New |",
            "|---|---|---|---|---|",
        ]
        for case, (right, wrong, review, new) in sorted(r.by_case.items()):
            lines.append(f"| {case} | {right} | {wrong} | {review} | {new} |")
        lines += [
            f"| **all** | **{total[0]} ({total[0] / n:.0%})** | **{total[1]} ({total[1] / n:.1%})** | "
            f"**{total[2]} ({total[2] / n:.0%})** | **{total[3]} ({total[3] / n:.0%})** |",
            "",
        ]
        if r.labelled is not None:
            q, inst = r.labelled, r.institutions
            lines += [
                f"Labelled pairs (`tests/data/name_pairs.csv`, {q.pairs:,} pairs built from the seed, its aliases and "
                f"variants in both scripts): of what the resolver decides alone, **precision {q.precision:.3f}** "
                f"(target ≥ 0.98) and **recall {q.recall:.3f}** (target ≥ 0.95); {q.to_review} names of stored "
                f"entries sent to review; {q.false_prompts} of {q.negatives} names no entry is sent to review "
                f"(**{q.false_prompt_rate:.1%}**). A file of {inst.pairs} distinct institutions: {inst.false_prompts} "
                f"review prompts (**{inst.false_prompt_rate:.1%}**, target ≤ 5%).",
                "",
            ]
        if r.new_rows:
            lines += [
                f"A {r.new_rows:,}-row file of moves by name with {r.new_names:,} new people, into this database: "
                f"review ready in **{r.review_seconds:.1f} s** (target ≤ 10 s), committed in "
                f"**{r.commit_seconds:.1f} s** after the decisions (target ≤ 20 s; the pages' tables with it).",
                "",
            ]
        if r.resolve_rows:
            lines += [
                f"Resolving a {r.resolve_rows:,}-row file of moves by name ({r.resolve_names:,} distinct names: "
                f"read, checked, every name matched): **{r.resolve_seconds:.1f} s** (target ≤ 20 s). Building the "
                f"database: {r.build_seconds:.1f} s.",
                "",
            ]
    return "\n".join(lines)


def write_section(text: str, out: Path, head: str = "## Names: the resolver") -> None:
    """Put a section (by default the names section) into the report, replacing an earlier one
    that starts with `head` (the rest stays)."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if head in old:
        start = old.index(head)
        nxt = old.find("\n## ", start + len(head))
        old = old[:start] + (old[nxt + 1 :] if nxt >= 0 else "")
    out.write_text(old.rstrip() + "\n\n" + text + "\n", encoding="utf-8")
