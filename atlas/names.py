"""Names as analysts write them, folded into the keys people and firms are matched by.

The same folding runs in SQL (`latin_key`, `zh_key` in queries/schema/macros.sql) over stored
names; this module computes the keys of what an analyst typed or uploaded, where SQL cannot:
width folding (NFKC), Traditional -> Simplified Chinese (OpenCC) and pinyin (pypinyin).

- "Li Mu", "mu li", "MU  LI" -> latin key "li mu" (case, accents, punctuation, word order)
- "賈揚清" -> zh key "贾扬清"; its pinyin "Jia Yangqing" -> latin key "jia yangqing", which is
  also the key of "Yangqing Jia"
- "OpenAI Inc." -> "openai" and "字节跳动科技有限公司" -> "字节跳动" for firms (suffixes dropped)
"""

from __future__ import annotations

import functools
import re
import unicodedata

from atlas.i18n import N_, _

FIRM_SUFFIXES = frozenset(
    ["inc", "incorporated", "ltd", "limited", "llc", "corp", "corporation", "co", "company", "gmbh", "plc"]
    + ["ag", "pte", "pty", "sa", "srl", "bv", "group", "holdings"]
)
# abbreviations in institutions' names, written out on both sides of a comparison (Univ. = University)
FIRM_ABBREVIATIONS = {
    "univ": "university",
    "inst": "institute",
    "tech": "technology",
    "technol": "technology",
    "natl": "national",
    "intl": "international",
    "lab": "laboratory",
    "labs": "laboratories",
    "dept": "department",
    "ctr": "center",
    "centre": "center",
    "sci": "science",
    "acad": "academy",
}
FIRM_DROPPED = FIRM_SUFFIXES | {"the"}
# words many institutions share: they say little about which one a name is (atlas.resolve weighs
# every word by how rare it is; these count little however rare they are in a small database)
GENERIC_WORDS = frozenset(
    ["university", "universite", "universidad", "universitat", "universita", "college", "institute", "school"]
    + ["academy", "laboratory", "laboratories", "research", "center", "department", "technology", "science"]
    + ["sciences", "national", "international", "state", "ai", "hospital", "medical", "foundation"]
    + ["of", "at", "the", "and", "de", "der", "la", "for", "fur", "y", "e", "di"]
)
_ZH_FIRM_SUFFIX = re.compile(r"(科技|网络|信息|技术|智能)*(股份)?有限(责任)?公司$|集团$")
_ZH_COMPANY_FORM = re.compile(r"(股份)?有限(责任)?公司$")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_LATIN_WORD = re.compile(r"[^a-z0-9]+")
_NOT_ZH_KEY = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]")
# two-character surnames: their pinyin stays one word ("Ouyang Xiu")
_COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯"]
)
MAX_NAME = 200


@functools.cache
def _converters():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def has_han(text: str) -> bool:
    """True when `text` holds a Chinese character."""
    return bool(_HAN.search(text or ""))


def clean(text: str) -> str:
    """Width folded (full-width letters and digits to ASCII), spaces collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified (other text unchanged)."""
    return _converters()[0].convert(text) if has_han(text) else text


def traditional(text: str) -> str:
    return _converters()[1].convert(text) if has_han(text) else text


def strip_accents(text: str) -> str:
    """Letters without their accents: Hervé -> Herve."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def name_words(text: str, firm: bool = False) -> list[str]:
    """As SQL name_words: lower case, no accents or punctuation; a firm's abbreviations written
    out and its company suffixes (and "the") dropped. In the order written."""
    words = _NOT_LATIN_WORD.sub(" ", strip_accents(clean(text)).lower()).split()
    if firm:
        return [w for w in (FIRM_ABBREVIATIONS.get(w, w) for w in words) if w not in FIRM_DROPPED]
    return words


def latin_key(text: str, firm: bool = False) -> str:
    """As SQL latin_key: lower case, no accents; a person's words sorted (any order), a firm's in
    their order without company suffixes, abbreviations written out."""
    words = name_words(text, firm)
    return " ".join(words if firm else sorted(words))


def compact_key(text: str, firm: bool = False) -> str:
    """As SQL compact_key: the words run together, so spaces and hyphens inside a name do not
    count ("Google Deep Mind" = "Google DeepMind", "Song Chun Zhu" = "Songchun Zhu"); a person's
    in the order written (SQL keeps a stored name both given-name and family-name first)."""
    return "".join(name_words(text, firm))


def raw_compact_key(text: str) -> str:
    """As SQL raw_compact_key: every word as written run together, suffixes and abbreviations
    kept ("ByteDanceAILab" = "ByteDance AI Lab", "LongforGroup" = "Longfor Group")."""
    return "".join(name_words(text, False))


def zh_key(text: str, firm: bool = False) -> str:
    """As SQL zh_key (after width folding and Traditional -> Simplified)."""
    key = _NOT_ZH_KEY.sub("", simplified(clean(text))).lower()
    return _ZH_FIRM_SUFFIX.sub("", key) if firm else key


def pinyin_key(text: str) -> str:
    """The latin key of a Chinese person's name in pinyin: 李沐 -> "li mu", 贾扬清 -> "jia yangqing"
    (surname one word, given name one word), or '' for a name that is not all Chinese."""
    from pypinyin import lazy_pinyin

    han = "".join(_HAN.findall(simplified(clean(text))))
    if not han or len(han) != len(re.sub(r"\s", "", clean(text))) or len(han) > 4:
        return ""
    surname_len = 2 if han[:2] in _COMPOUND_SURNAMES and len(han) > 2 else 1
    surname = "".join(lazy_pinyin(han[:surname_len]))
    given = "".join(lazy_pinyin(han[surname_len:]))
    return latin_key(f"{surname} {given}")


def pinyin_name(text: str) -> str:
    """A Chinese person's name written in pinyin, given name first as the data stores it:
    王小明 -> "Xiaoming Wang"; '' when it is not a Chinese name."""
    key = pinyin_key(text)
    if not key:
        return ""
    from pypinyin import lazy_pinyin

    han = "".join(_HAN.findall(simplified(clean(text))))
    surname_len = 2 if han[:2] in _COMPOUND_SURNAMES and len(han) > 2 else 1
    surname = "".join(lazy_pinyin(han[:surname_len])).capitalize()
    given = "".join(lazy_pinyin(han[surname_len:])).capitalize()
    return f"{given} {surname}".strip()


def keys(text: str, kind: str) -> list[tuple[str, str, str]]:
    """Every (key kind, key, rule) a typed or uploaded name is matched by, most literal first.

    key kind is "latin" (compared with latin_key of stored names) or "zh" (zh_key); the rule
    says in words why a match on that key is a match.
    """
    firm = kind == "firm"
    text = clean(text)
    out: list[tuple[str, str, str]] = []
    if has_han(text):
        for variant, rule in (
            (text, N_("same Chinese name")),
            (simplified(text), N_("same name in Simplified Chinese")),
        ):
            full = _NOT_ZH_KEY.sub("", variant).lower()
            key = _ZH_FIRM_SUFFIX.sub("", full) if firm else full
            out.append(("zh", key, N_("same Chinese name without the company suffix") if key != full else rule))
        trad = _NOT_ZH_KEY.sub("", traditional(text)).lower()
        out.append(("zh", _ZH_FIRM_SUFFIX.sub("", trad) if firm else trad, N_("same name in Traditional Chinese")))
        if firm:
            # 元石科技有限公司 is 元石科技 as stored: only the company form dropped (科技, 集团 kept, then 集团 dropped)
            full = _NOT_ZH_KEY.sub("", simplified(text)).lower()
            form = _ZH_COMPANY_FORM.sub("", full)
            for variant in (form, _ZH_FIRM_SUFFIX.sub("", form)):
                if variant and variant != full:
                    out.append(("zh", variant, N_("same Chinese name without the company suffix")))
        if not firm and (py := pinyin_key(text)):
            out.append(("latin", py, "pinyin of the Chinese name, either order"))
    latin = latin_key(text, firm)
    if latin:
        plain = " ".join(_NOT_LATIN_WORD.sub(" ", strip_accents(text).lower()).split())
        if firm and any(w in FIRM_ABBREVIATIONS for w in plain.split()):
            rule = N_("same name, abbreviations written out")
        elif firm and latin != plain:
            rule = N_("same name without the company suffix")
        elif latin.split() != plain.split():
            rule = N_("same name (case, accents, punctuation or word order aside)")
        else:
            rule = N_("same name")
        out.append(("latin", latin, rule))
        if firm or len(name_words(text)) >= 2:
            for compact in (compact_key(text, firm), raw_compact_key(text)):
                if len(compact) >= 5:
                    out.append(("compact", compact, N_("same name, spaces and hyphens inside it aside")))
    seen: set[tuple[str, str]] = set()
    unique = []
    for k in out:
        if k[1] and (k[0], k[1]) not in seen:
            seen.add((k[0], k[1]))
            unique.append(k)
    return unique


def slug(text: str) -> str:
    """A readable id from a name: "Xiaoming Wang" -> "xiaoming-wang", 王小明 -> "xiaoming-wang"."""
    if has_han(text):
        from pypinyin import lazy_pinyin

        base = pinyin_name(text) or " ".join(lazy_pinyin(simplified(clean(text))))
    else:
        base = text
    base = strip_accents(clean(base)).lower()
    out = re.sub(r"[^a-z0-9]+", "-", base).strip("-")
    return out[:60].strip("-") or "entity"


def name_problem(text: str | None) -> str | None:
    """Why a name cannot be matched (empty, only punctuation, too long), or None."""
    text = clean(text or "")
    if not text:
        return _("the name is empty")
    if len(text) > MAX_NAME:
        return _("the name is longer than {MAX_NAME} characters").format(MAX_NAME=MAX_NAME)
    if not any(ch.isalnum() for ch in text):
        return _("the name has no letter or digit")
    return None
