"""Values as other tools write them: their column names (`SYNONYMS`, `fold`), dates, amounts with
their currency signs and scales, choices in their words, units in a header (`_usd`, `(USD)`) and pay
periods (per year, per hour). `atlas.mapping` reads a file's columns through these.
"""

from __future__ import annotations

import datetime as dt
import re

from atlas.i18n import L_

# the names other tools give our columns, compared folded (`fold`: lower case, words only, snake_case and
# camelCase split, a unit such as `_usd` or `(USD)` set apart), in order of likelihood. Exports named:
# Crunchbase old (company_name, funding_round_type, funded_at, raised_amount_usd) and new (Organization
# Name, Funding Type, Money Raised, Announced Date), PitchBook (Companies, Deal Date, Deal Size, Deal
# Type), Dealroom (NAME, ROUND, AMOUNT, DATE), LinkedIn's Positions (Company Name, Title, Started On),
# the Department of Labor's LCA disclosures (EMPLOYER_NAME, JOB_TITLE, WAGE_RATE_OF_PAY_FROM,
# WAGE_UNIT_OF_PAY, RECEIVED_DATE), H-1B cuts of them (employer, base salary, submit date) and the SEC's
# Form D data sets (ENTITYNAME, TOTALAMOUNTSOLD, SALE_DATE).
SYNONYMS: dict[str, list[str]] = {
    "person": ["full name", "name", "person name", "researcher", "employee", "author", "people name", "member",
               "first and last name", "related person name"],
    "person_zh": ["chinese name", "name zh", "中文名", "姓名"],
    "from_firm": ["previous company", "from company", "former employer", "previous employer", "from",
                  "from organization", "from institution", "old affiliation", "previous affiliation", "left"],
    "to_firm": ["company", "company name", "current company", "employer", "organization", "organisation",
                "new company", "to", "to company", "institution", "affiliation", "new affiliation", "joined"],
    "firm": ["organization name", "organisation name", "company name", "company", "organization", "startup",
             "employer", "firm name", "employer name", "companies", "entityname", "entity name", "issuer name",
             "name"],
    "moved_on": ["start date", "started on", "date joined", "joined on", "move date", "date", "started", "since"],
    "role": ["title", "job title", "position", "role", "job", "soc title"],
    "round_type": ["funding type", "round type", "funding round type", "round", "investment type", "stage",
                   "series", "funding round", "deal type", "financing type"],
    "amount": ["money raised", "amount raised", "raised amount", "raised", "funding amount", "amount", "round size",
               "money raised in usd", "deal size", "total amount sold", "totalamountsold", "amount sold"],
    "currency": ["money raised currency", "currency", "currency code", "amount currency", "deal size currency"],
    "announced_on": ["announced date", "announced on", "date announced", "announcement date", "funded at",
                     "funded on", "funding date", "deal date", "date", "close date", "sale date",
                     "date of first sale"],
    "lead_investor": ["lead investors", "lead investor", "lead", "leads", "lead partner"],
    "investors": ["investors", "investor names", "all investors", "participants", "investor name"],
    "valuation": ["post money valuation", "valuation", "post valuation", "pre money valuation"],
    "amount_low": ["amount", "pay", "salary", "base salary", "wage rate of pay from", "wage from", "wage",
                   "compensation", "total compensation", "offer", "value", "prevailing wage"],
    "amount_high": ["amount high", "max", "upper", "wage rate of pay to", "wage to"],
    "kind": ["pay type", "type", "component", "kind", "compensation type"],
    "period": ["wage unit of pay", "unit of pay", "pay unit", "period", "pay period", "per"],
    "reported_on": ["reported on", "report date", "submit date", "received date", "case submitted",
                    "decision date", "filing date", "date"],
    "source_url": ["url", "link", "source", "source url", "article"],
    "source_title": ["headline", "article title", "source title"],
    "source_publisher": ["publisher", "outlet", "source name"],
    "note": ["notes", "note", "comment", "comments", "description"],
}  # fmt: skip

# choices as other tools write them, per column (folded words -> our value)
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "round_type": {
        "pre seed": "seed", "seed": "seed", "angel": "seed", "seed round": "seed",
        "series unknown": "series", "venture series unknown": "series", "venture": "series",
        "early stage vc": "series", "later stage vc": "series",
        "corporate round": "strategic", "strategic": "strategic", "strategic investment": "strategic",
        "corporate": "strategic",
        "acquisition": "acquisition", "m a": "acquisition", "merger": "acquisition", "acqui hire": "acquihire",
        "buyout lbo": "acquisition",
        "debt financing": "other", "grant": "other", "private equity": "other", "convertible note": "other",
        "post ipo equity": "other", "post ipo": "other", "secondary market": "other", "undisclosed": "other",
        "non equity assistance": "other", "crowdfunding": "other", "equity crowdfunding": "other",
        "debt": "other", "ipo": "other",
    },
    "move_type": {"hired": "joined", "joined": "joined", "founder": "founded", "co founder": "founded",
                  "rejoined": "returned", "departed": "left"},
    "kind": {"base salary": "base_salary", "salary": "base_salary", "base": "base_salary", "wage": "base_salary",
             "bonus": "signing_bonus", "signing bonus": "signing_bonus", "sign on bonus": "signing_bonus",
             "stock": "equity", "rsu": "equity", "equity": "equity", "total": "annual_total",
             "total compensation": "annual_total", "tc": "annual_total", "package": "package"},
    "period": {"year": "per_year", "yearly": "per_year", "annual": "per_year", "annually": "per_year",
               "per year": "per_year", "yr": "per_year", "per annum": "per_year", "one time": "one_time",
               "once": "one_time", "hour": "hour", "hourly": "hour", "per hour": "hour", "hr": "hour",
               "week": "week", "weekly": "week", "bi weekly": "biweekly", "biweekly": "biweekly",
               "month": "month", "monthly": "month"},
}  # fmt: skip
_SERIES = re.compile(r"^(venture )?series [a-z]\d?\+?$")
# a wage by the hour, week or month as a yearly figure (the Department of Labor's own conversions)
PER_YEAR = {"hour": 2080, "week": 52, "biweekly": 26, "month": 12}
_UNITS = {"usd": "USD", "eur": "EUR", "gbp": "GBP", "cny": "CNY", "rmb": "CNY", "jpy": "JPY", "hkd": "HKD",
          "cad": "CAD", "aud": "AUD", "sgd": "SGD", "inr": "INR", "krw": "KRW", "chf": "CHF"}  # fmt: skip


def fold(text: str) -> str:
    """A column name or choice folded for comparison: snake_case, camelCase, Title Case and
    punctuation alike (`raisedAmountUsd`, `raised_amount_usd`, `Raised Amount (USD)`: "raised amount usd")."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text or "")
    return " ".join(re.sub(r"[\W_]+", " ", spaced.lower()).split())


def unit_of(name: str) -> tuple[str, str]:
    """A column's name without the currency its name gives, and that currency ('' for none):
    `raised_amount_usd` -> ("raised amount", "USD"), `Money Raised (EUR)` -> ("money raised", "EUR")."""
    words = fold(name).split()
    for i, w in enumerate(words):
        if w in _UNITS and len(words) > 1 and (i == len(words) - 1 or words[i - 1] == "in"):
            rest = [x for j, x in enumerate(words) if j != i and not (x == "in" and j == i - 1)]
            return " ".join(rest), _UNITS[w]
    return " ".join(words), ""


# ---------------------------------------------------------------- values

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
            ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
            ("nov", "november"), ("dec", "december"),
        ]
    )
    for m in names
}  # fmt: skip
_ISO = re.compile(
    r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.I,  # a timestamp's time is dropped
)
_ZH = re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?")
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_WORDY = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})")


class _NotADay(ValueError):
    pass


def _ymd(y: int, m: int | None, d: int | None) -> str:
    try:
        if m is None:
            return f"{y:04d}"
        if d is None:
            dt.date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return dt.date(y, m, d).isoformat()
    except ValueError:
        raise _NotADay(L_("is not a day of the calendar")) from None


def parse_date(text: str, day_first: bool | None = None) -> str:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD; ValueError saying why not. `day_first`: how to read
    12/6/2024 (None: only when the numbers leave no doubt)."""
    t = " ".join(text.strip().lower().split())
    if m := _ISO.fullmatch(t):
        return _ymd(int(m[1]), m[2] and int(m[2]), m[3] and int(m[3]))
    if m := _ZH.fullmatch(t.replace(" ", "")):
        return _ymd(int(m[1]), m[2] and int(m[2]), m[3] and int(m[3]))
    if m := _SLASHED.fullmatch(t):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a > 12 or (day_first and b <= 12):
            return _ymd(y, b, a)
        if b > 12 or day_first is False or a == b:
            return _ymd(y, a, b)
        raise ValueError(
            L_(
                "could be day {a} of month {b} or day {b} of month {a}: the column's other dates do not say which"
            ).format(a=a, b=b)
        )
    if (m := _WORDY.fullmatch(t)) and _MONTHS.get(m[2]):
        day = m[1] or m[3]
        return _ymd(int(m[4]), _MONTHS[m[2]], int(day) if day else None)
    if re.fullmatch(r"\d{5}(\.0+)?", t) and 20000 <= float(t) <= 60000:  # a spreadsheet's day number
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(t)))).isoformat()
    raise ValueError(L_("is not a date this app can read (write YYYY-MM-DD, YYYY-MM or YYYY)"))


def date_or_none(text: str, day_first_: bool | None = None) -> str | None:
    try:
        return parse_date(text, day_first_)
    except ValueError:
        return None


def day_first(values: list[str]) -> bool | None:
    """How a column writes 12/6/2024: day first when one of its dates has a day above 12 first,
    month first when one has it second, None when none says."""
    firsts, seconds = False, False
    for v in values:
        if m := _SLASHED.fullmatch(v.strip()):
            firsts |= int(m[1]) > 12
            seconds |= int(m[2]) > 12
    if firsts != seconds:
        return firsts
    return None


CURRENCY_SIGNS = [
    ("us$", "USD"), ("usd", "USD"), ("hk$", "HKD"), ("hkd", "HKD"), ("ca$", "CAD"), ("c$", "CAD"), ("a$", "AUD"),
    ("s$", "SGD"), ("cn¥", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("jp¥", "JPY"), ("jpy", "JPY"), ("eur", "EUR"),
    ("gbp", "GBP"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("元", "CNY"), ("¥", "CNY"), ("₩", "KRW"),
    ("₹", "INR"),
]  # fmt: skip
_SCALES = [
    ("trillion", 1e12), ("billion", 1e9), ("million", 1e6), ("thousand", 1e3), ("bn", 1e9), ("mm", 1e6),
    ("mn", 1e6), ("b", 1e9), ("m", 1e6), ("k", 1e3), ("t", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3),
]  # fmt: skip
_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")


def parse_amount(text: str) -> tuple[str, str]:
    """An amount as a plain number, and the currency its symbol names ('' when none); ValueError
    saying why not. "$1.2B" -> ("1200000000", "USD"), "3000万" -> ("30000000", "")."""
    t = " ".join(text.strip().lower().split())
    currency = ""
    for sign, code in CURRENCY_SIGNS:
        if t.startswith(sign) or t.endswith(sign):
            currency = code
            t = (t[len(sign) :] if t.startswith(sign) else t[: -len(sign)]).strip()
            break
    if re.fullmatch(r"[\d.,]+\s*[-–~]\s*[\d.,]+\s*[^\d\s]*", t):
        raise ValueError(L_("is a range: map its low and high ends to two columns"))
    scale = 1.0
    for word, factor in _SCALES:
        if t.endswith(word) and _NUMBER.fullmatch(t[: -len(word)].strip()):
            scale, t = factor, t[: -len(word)].strip()
            break
    if not _NUMBER.fullmatch(t):
        raise ValueError(L_("is not an amount this app can read (for example 60000000, $60,000,000, 1.2B, 3000万)"))
    value = float(t.replace(",", "")) * scale
    if value < 0:
        raise ValueError(L_("is negative"))
    return (f"{value:.0f}" if value == int(value) else f"{value:.6g}"), currency


def amount_or_none(text: str) -> str | None:
    try:
        return parse_amount(text)[0]
    except ValueError:
        return None


def choice_or_none(name: str, choices: tuple[str, ...], text: str, words: dict[str, str] | None = None) -> str | None:
    """Our value for a choice as a file writes it (`words`: a mapping's own value map first), or None."""
    t = fold(text)
    if words and t in words:
        return words[t]
    if t.replace(" ", "_") in choices:
        return t.replace(" ", "_")
    known = CHOICE_WORDS.get(name, {})
    if t in known:
        return known[t]
    if name == "round_type" and _SERIES.fullmatch(t):
        return "series"
    return None
