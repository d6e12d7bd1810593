"""How alike two names are, word by word: the scores the resolver (atlas.resolve) ranks near misses
by. Each word counts by how rare it is (`WordWeights`: generic words such as University, Inc, Lab or
AI count little); two words are alike when they are the same, two neighbouring letters swapped, an
initial and its name, or a letter or two off where that is a misspelling rather than another name.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas import names


def shares_a_word(written: str, label: str) -> bool:
    """Whether a firm's name and a candidate's share a distinctive word as written (Moonshoot and
    Moonshot AI share none: a candidate, never a proposal)."""
    mine = set(names.latin_key(written, True).split()) - names.GENERIC_WORDS
    return bool(mine & set(names.latin_key(label, True).split()))


@dataclass
class WordWeights:
    """How much a word of a name says: rare words much (an inverse document frequency over the
    stored names and the file's), generic ones (University, Inc, Lab, AI) little."""

    stored: dict[tuple[str, str], int]
    file: dict[tuple[str, str], int]
    total: dict[str, int]

    def __call__(self, kind: str, word: str) -> float:
        import math

        df = self.stored.get((kind, word), 0) + self.file.get((kind, word), 0)
        weight = math.log((self.total.get(kind, 0) + 1) / (df + 1)) + 1.0
        return min(weight, GENERIC_WEIGHT) if word in names.GENERIC_WORDS else weight


GENERIC_WEIGHT = 0.5


def word_similarity(a: str, b: str, kind: str = "person") -> float:
    """How alike two words are, 0 to 1: the same, two neighbouring letters swapped (jai, jia;
    Kuasihou), an initial and its name (j, jia), or one or two letters off; below 0.75 counts as
    different. A firm's word is its distinctive part: one that is the other with letters added at
    its end or start (Intel and Intela, Cohere and Coherex, Meta and Metago) is another name, not a
    misspelling of it (a plural's s aside), and a short word (five letters or fewer) must be the
    same or two letters swapped (Netli is not Intel); a longer one may be a letter off only where
    its ending agrees (Anthropc and Anthropic; not Cohera and Cohere)."""
    from rapidfuzz import fuzz

    if a == b:
        return 1.0
    if _swapped(a, b):
        return 0.9
    if min(len(a), len(b)) == 1:
        return 0.8 if a[0] == b[0] else 0.0
    if kind == "firm":
        short, long_ = sorted((a, b), key=len)
        if long_ in (short + "s", short + "es"):
            return 0.9  # a plural
        if len(short) <= 5 or long_.startswith(short) or long_.endswith(short) or _common_end(a, b) < 2:
            return 0.0  # a prefix shared is not the name: Intela, Coherex, Cohera, Moonshado
    ratio = fuzz.ratio(a, b) / 100
    return ratio if ratio >= 0.75 else 0.0


def _common_end(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _swapped(a: str, b: str) -> bool:
    """Whether `b` is `a` with two neighbouring letters swapped."""
    if len(a) != len(b) or len(a) < 2:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def weighted_score(written: str, stored: str, kind: str, weight: WordWeights) -> float:
    """How close two latin keys are, 0 to 100: the words paired best first, each pair counting its
    similarity times its words' weights, over the weight of every word of both names. A person's
    family name and given name must both agree: a word of the shorter name left without a
    partner (or a word of the longer that is more than an initial) makes them different people."""
    u, s = written.split(), stored.split()
    scored = sorted(
        ((word_similarity(a, b, kind), i, j) for i, a in enumerate(u) for j, b in enumerate(s)), reverse=True
    )
    paired_u: set[int] = set()
    paired_s: set[int] = set()
    agree = 0.0
    for sim, i, j in scored:
        if sim <= 0 or i in paired_u or j in paired_s:
            continue
        paired_u.add(i)
        paired_s.add(j)
        agree += sim * (weight(kind, u[i]) + weight(kind, s[j]))
    if kind == "person":
        left = [u[i] for i in range(len(u)) if i not in paired_u] + [s[j] for j in range(len(s)) if j not in paired_s]
        if min(len(paired_u), len(paired_s)) < min(len(u), len(s)) or any(len(w) > 1 for w in left):
            return 0.0
    total = sum(weight(kind, w) for w in u) + sum(weight(kind, w) for w in s)
    return 100.0 * agree / total if total else 0.0


def zh_score(written: str, stored: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.ratio(written, stored))
