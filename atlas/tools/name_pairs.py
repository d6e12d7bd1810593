"""The resolver's labelled set: name pairs with known truth, and how the resolver does on them.

`build` draws the pairs from a seed database: every stored person, firm and alias written as
analysts write them (either order, case, accents, hyphens and spaces inside a name, company
suffixes, abbreviations, Chinese in both scripts, pinyin), each labelled with the entry it is;
and names that are someone or something else, labelled new: another given name with the same
family name, another university of the same shape ("Hunan University" beside "Zhejiang
University"), a lab of the same company. `tests/data/name_pairs.csv` is its output, checked by
hand and kept with the tests; `python -m atlas.tools.name_pairs` writes it again.

`evaluate` resolves the written names against a database and counts, per pair, what the
resolver decided alone (a match or a new entry) and what it sent to review: precision and
recall of its own decisions, and how many review prompts a new name costs.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from atlas import names, resolve

PAIRS_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "name_pairs.csv"
COLUMNS = ["kind", "written", "truth", "case"]

OTHER_GIVEN = ["Meiying", "Xiaoming", "Jianguo", "Wei", "Jing", "Emily", "Michael", "Hao", "Sophie", "Lukas"]
OTHER_FAMILY = ["Zhao", "Huang", "Chen", "Schmidt", "Garcia", "Nakamura", "Kim", "Okafor", "Novak", "Silva"]
PLACES = [
    "Hunan", "Leiden", "Fudan", "Nanjing", "Wuhan", "Sichuan", "Harvard", "Princeton", "Oxford", "Cambridge",
    "Toronto", "Montreal", "Tokyo", "Kyoto", "Seoul", "Delhi", "Sydney", "Melbourne", "Edinburgh", "Zurich",
    "Munich", "Vienna", "Madrid", "Lisbon", "Helsinki", "Oslo", "Warsaw", "Prague", "Cairo", "Nairobi",
]  # fmt: skip
PATTERNS = [
    "{p} University", "University of {p}", "{p} Institute of Technology", "{p} Normal University",
    "{p} University of Science and Technology", "{p} Polytechnic University", "{p} Medical College",
    "{p} Academy of Sciences", "{p} AI Lab", "{p} Research Institute",
]  # fmt: skip
ABBREVIATE = {"University": "Univ.", "Institute": "Inst.", "Technology": "Tech.", "Laboratories": "Labs"}


# pairs from real files (issue 33): shared generic words, a given name that is another person's
# family name, spaces inside a name, an abbreviated university
HAND_WRITTEN = [
    ("firm", "Hunan University", "", "another institution of the same shape"),
    ("firm", "Leiden University", "", "another institution of the same shape"),
    ("person", "Meiying Zhang", "", "same given name, another family name"),
    ("person", "Yiming Zhao", "", "same given name, another family name"),
    ("firm", "Google Deep Mind", "google-deepmind", "space inside a word"),
    ("firm", "Univ. of California, Berkeley", "uc-berkeley", "abbreviated"),
    ("firm", "UC Berkeley", "uc-berkeley", "alias"),
    ("firm", "Univ. of Science and Tech. of China", "ustc", "abbreviated"),
    ("firm", "Stanford Univ", "stanford", "abbreviated"),
    ("firm", "Google Research Institute", "", "another unit, same company word"),
    ("firm", "Zhejiang Univ. of Technology", "", "another institution of the same shape"),
    ("person", "Kai-Fu Lee", "", "another person, a stored family name"),
    ("person", "Li Mu-Han", "", "another person, a stored family name"),
]


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(letters[1:-1])
    if rng.random() < 0.5 and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # two letters swapped
    return text[:i] + text[i + 1 :]  # a letter dropped


@dataclass(frozen=True)
class Pair:
    kind: str  # person or firm
    written: str  # the name as a file writes it
    truth: str  # the entry it is, or '' for a name no stored entry is
    case: str  # how it was written (for the report)


def _camel_split(name: str) -> str:
    """DeepMind -> Deep Mind, ByteDance -> Byte Dance; '' when nothing splits."""
    split = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", name)
    return split if split != name else ""


def _given_split(given: str) -> tuple[str, str]:
    """A two-syllable pinyin given name split: Yangqing -> (Yang-Qing, Yang Qing); ('', '') if not."""
    syllable = r"[bcdfghjklmnpqrstwxyz]?h?[aeiouv]+n?g?"
    m = re.fullmatch(rf"({syllable})([bcdfghjklmnpqrstwxyz]h?[aeiouv]+n?g?r?)", given.lower())
    if not m:
        return "", ""
    a, b = m.group(1).capitalize(), m.group(2).capitalize()
    return f"{a}-{b}", f"{a} {b}"


def build(con: duckdb.DuckDBPyConnection, seed: int = 33) -> list[Pair]:
    """The labelled pairs of the database's people, firms and aliases (deterministic)."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    people = con.execute("select person_id, name, coalesce(name_zh, '') from people order by 1").fetchall()
    firms = con.execute("select firm_id, name, coalesce(name_zh, '') from firms order by 1").fetchall()
    stored_names = {n for _, n, _ in people} | {n for _, n, _ in firms}
    for pid, name, zh in people:
        words = name.split()
        given, family = " ".join(words[:-1]), words[-1]
        add = [("as stored", name), ("lower case", name.lower()), ("upper case", name.upper())]
        if given:
            add += [("family name first", f"{family} {given}"), ("family name first, comma", f"{family}, {given}")]
            hyphen, spaced = _given_split(given) if zh and names.has_han(zh) else ("", "")
            if hyphen:
                add += [
                    ("given name hyphenated", f"{hyphen} {family}"),
                    ("given name in two words", f"{spaced} {family}"),
                ]
        if names.strip_accents(name) != name:
            add.append(("accents dropped", names.strip_accents(name)))
        if zh and names.has_han(zh) and "·" not in zh:
            add += [("Chinese name", zh), ("Traditional Chinese", names.traditional(zh))]
            if names.pinyin_key(zh):
                add.append(("pinyin of the Chinese name, family name first", names.pinyin_key(zh).title()))
        pairs += [Pair("person", w, pid, case) for case, w in add]
        if given:
            other_given = rng.choice([g for g in OTHER_GIVEN if g.lower() != given.lower()])
            other_family = rng.choice([f for f in OTHER_FAMILY if f.lower() != family.lower()])
            pairs += [
                Pair("person", f"{other_given} {family}", "", "another given name, same family name"),
                Pair("person", f"{given} {other_family}", "", "same given name, another family name"),
            ]
    for fid, name, zh in firms:
        add = [("as stored", name), ("lower case", name.lower()), ("upper case", name.upper())]
        add += [("company suffix added", f"{name} {rng.choice(['Inc.', 'Ltd', 'LLC', 'Corp.', 'Co., Ltd.'])}")]
        if not name.lower().startswith("the "):
            add.append(("'The' added", f"The {name}"))
        if split := _camel_split(name):
            add.append(("space inside a word", split))
        if " " in name and len(name.split()) <= 3:
            add.append(("words run together", name.replace(" ", "")))
            add.append(("hyphens for spaces", name.replace(" ", "-")))
        short = name
        for word, abbreviation in ABBREVIATE.items():
            short = re.sub(rf"\b{word}\b", abbreviation, short)
        if short != name:
            add.append(("abbreviated", short))
        if zh and names.has_han(zh):
            add += [("Chinese name", zh), ("Traditional Chinese", names.traditional(zh))]
            if re.search(r"[\u4e00-\u9fff]$", zh):
                add.append(("Chinese company suffix added", zh + "有限公司"))
        pairs += [Pair("firm", w, fid, case) for case, w in add]
    for kind, eid, alias in con.execute(
        "select entity_kind, entity_id, alias from aliases order by 1, 2, 3"
    ).fetchall():
        if not (kind == "person" and len(alias.split()) == 1 and not names.has_han(alias)):
            pairs.append(Pair(kind, alias, eid, "alias"))
    # institutions no stored entry is, of the shapes the stored ones have
    for place in PLACES:
        for pattern in rng.sample(PATTERNS, 3):
            written = pattern.format(p=place)
            if written not in stored_names:
                pairs.append(Pair("firm", written, "", "another institution of the same shape"))
    for _fid, name, _ in firms:
        first = name.split()[0]
        if len(name.split()) == 1 and first[0].isupper():
            unit = rng.choice(["Robotics", "Health", "Ventures", "Pictures"])
            pairs.append(Pair("firm", f"{first} {unit}", "", "another unit, same company word"))
    # one letter off: the resolver must never match these alone (review, or new)
    for kind, rows in (("person", people), ("firm", firms)):
        for eid, name, _ in rows:
            if len(name) >= 8 and name.isascii():
                pairs.append(Pair(kind, _typo(rng, name), eid, "one letter off"))
    pairs += [Pair(*row) for row in HAND_WRITTEN]
    seen: set[tuple[str, str]] = set()
    unique = []
    for p in pairs:
        if (p.kind, names.clean(p.written)) not in seen:
            seen.add((p.kind, names.clean(p.written)))
            unique.append(p)
    return unique


def read(path: Path = PAIRS_FILE) -> list[Pair]:
    with open(path, encoding="utf-8", newline="") as f:
        return [Pair(r["kind"], r["written"], r["truth"], r["case"]) for r in csv.DictReader(f)]


def write(pairs: list[Pair], path: Path = PAIRS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows((p.kind, p.written, p.truth, p.case) for p in pairs)


@dataclass
class Quality:
    """What the resolver decided on the labelled pairs."""

    pairs: int = 0
    right: int = 0  # a stored entry's name matched to it, alone
    wrong: int = 0  # matched alone to another entry (a name is called the wrong one)
    missed: int = 0  # a stored entry's name called new, alone
    new_right: int = 0  # a name no entry is, called new
    new_matched: int = 0  # a name no entry is, matched alone to an entry
    to_review: int = 0  # a stored entry's name sent to the analyst
    false_prompts: int = 0  # a name no entry is, sent to the analyst
    negatives: int = 0
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)  # (written, truth, decided, case)

    @property
    def precision(self) -> float:
        """Of the names it matched alone, the share it matched to the right entry."""
        matched = self.right + self.wrong + self.new_matched
        return self.right / matched if matched else 1.0

    @property
    def recall(self) -> float:
        """Of the stored entries' names it decided alone, the share it matched to the right entry."""
        decided = self.right + self.wrong + self.missed
        return self.right / decided if decided else 0.0

    @property
    def false_prompt_rate(self) -> float:
        """Of the names no entry is, the share sent to review."""
        return self.false_prompts / self.negatives if self.negatives else 0.0


def evaluate(con: duckdb.DuckDBPyConnection, pairs: list[Pair]) -> Quality:
    """Resolve every written name (one file per kind, as an upload would) and count the outcomes."""
    q = Quality(pairs=len(pairs))
    decided = {(d.kind, d.name): d for d in resolve.resolve(con, [(p.kind, p.written, "", 1) for p in pairs])}
    for p in pairs:
        d = decided[(p.kind, names.clean(p.written))]
        outcome = d.entity_id if d.status == "matched" else d.status
        if p.truth:
            if d.status == "matched":
                q.right += d.entity_id == p.truth
                q.wrong += d.entity_id != p.truth
            elif d.status == "new":
                q.missed += 1
            else:
                q.to_review += 1
        else:
            q.negatives += 1
            if d.status == "matched":
                q.new_matched += 1
            elif d.status == "new":
                q.new_right += 1
            else:
                q.false_prompts += 1
        wrong = (p.truth and outcome != p.truth) or (not p.truth and outcome != "new")
        if wrong:
            q.errors.append((p.written, p.truth or "(new)", outcome, p.case))
    return q


def distinct_institutions(n: int = 300) -> list[str]:
    """A file of distinct institutions as a real one reads (all different, many sharing words)."""
    out = []
    for place in PLACES:
        for pattern in PATTERNS:
            out.append(pattern.format(p=place))
    return out[:n]


def main() -> int:
    from atlas import db

    p = argparse.ArgumentParser(description="Write the resolver's labelled name pairs from the seed.")
    p.add_argument("--db", type=Path, required=True, help="a database built from the seed (python -m atlas build)")
    p.add_argument("--out", type=Path, default=PAIRS_FILE)
    args = p.parse_args()
    con = db.connect(args.db)
    pairs = build(con)
    write(pairs, args.out)
    q = evaluate(con, pairs)
    print(f"{len(pairs)} pairs -> {args.out}")
    print(f"precision {q.precision:.3f}, recall {q.recall:.3f}, false prompts {q.false_prompt_rate:.1%}")
    for e in q.errors:
        print("  ", e)
    institutions = [Pair("firm", n, "", "distinct institution") for n in distinct_institutions()]
    d = evaluate(con, institutions)
    print(f"{len(institutions)} distinct institutions: {d.false_prompts} sent to review ({d.false_prompt_rate:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
