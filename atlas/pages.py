"""The one list of the app's pages: script, menu title, icon and the link parameters each reads.

The menu, the share link (which keys make a view), the benchmark and the tests all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.i18n import DEFAULT, N_, _
from atlas.model import COMP_KINDS, FIRM_KINDS, OUTCOMES, PART_CERTAINTIES, ROUND_STATUSES, ROUND_TYPES
from atlas.money import DISPLAY_CURRENCIES
from atlas.urlvalues import parse_int

# The interface's language (atlas.i18n): part of every page's link, `lang=zh`, absent for English.
LANG_KEY = "lang"
DEFAULT_LANGUAGE = DEFAULT

# The years the period filter spans: a link's period is read within them.
FIRST_YEAR = 2000
LAST_YEAR = 2026

# The Talent flows page's levels of grouping, the Explore page's page sizes and its default table
LEVELS = ("firm", "parent", "kind", "country")
PAGE_SIZES = (10, 25, 50, 100, 200)
DEFAULT_TABLE = "moves"
EXPLORE_TABS = (N_("Tables"), N_("SQL console"), N_("Download"))
PEOPLE_TABS = (N_("People"), N_("Firms"))
# a console query's text, in the link and in the box (a 100 kB text is refused before it is parsed)
MAX_SQL_CHARS = 20_000


_MISSING = object()


def _same(a: object, b: object) -> bool:
    norm = lambda v: list(v) if isinstance(v, list | tuple) else v  # noqa: E731
    return norm(a) == norm(b)


@dataclass(frozen=True)
class Param:
    """One link parameter of a page: its name, the kind of value it holds, its default (what an
    absent or refused value reads as) and what a good value is. The one parser (`parse`) reads it
    on arrival; atlas.ui.link writes it back into the address.

    kinds: "text" (at most `max_len` characters), "int" (`lo`..`hi`), "years" (two years, a period),
    "one" (one of `choices`; None: one of the page's data, checked where it is drawn), "many" (any
    of `choices`, or of the page's data; `?key=` with nothing says "none"), "bool" (true / false).
    """

    name: str
    kind: str
    default: object = None
    choices: tuple[str, ...] | None = None
    lo: int | None = None
    hi: int | None = None
    max_len: int = 200
    # the default comes from the data (the Funding page compares the five firms that raised the
    # most): the page passes it where it draws the widget, and a cleared list is said in the link
    data_default: bool = False

    def parse(self, asked: list[str]) -> tuple[object, bool]:
        """The value a link's `asked` values mean, and whether all of them could be read (a bad
        one reads as the default; of a list, the good values are kept)."""
        if not asked:
            return self.default, True
        if self.kind == "many":
            if asked == [""]:
                return [], True
            values = [v for v in dict.fromkeys(asked) if v and len(v) <= self.max_len]
            if self.choices is not None:
                values = [v for v in values if v in self.choices]
            return values, len(values) == len(asked)
        if self.kind == "years":
            years = [parse_int(v, self.lo, self.hi) for v in asked]
            if len(years) == 2 and None not in years:
                return (min(years), max(years)), True
            return self.default, False
        value = asked[-1]
        if self.kind == "int":
            n = parse_int(value, self.lo, self.hi) if len(asked) == 1 else None
            return (self.default, False) if n is None else (n, True)
        if self.kind == "bool":
            return (value == "true", True) if value in ("true", "false") else (self.default, False)
        if len(value) > self.max_len or (self.choices is not None and value not in self.choices):
            return self.default, False
        return value, True

    def encode(self, value: object, default: object = _MISSING, *, keep_default: bool = False) -> list[str] | None:
        """The values a link writes for `value` (the one encoder: the address, the copy link, profile
        links and saved views all write through it). None: left out, the value being the default
        (`default`: one from the page's data; `keep_default`: a page that names even its defaults,
        Explore its table); an emptied list whose default is not empty (or comes from the data) is
        `[""]`, said as `key=`."""
        fallback = self.default if default is _MISSING else default
        if isinstance(value, tuple) and self.kind != "years":
            value = list(value)
        if isinstance(value, list) and not value:
            return [""] if (fallback or self.data_default) else None
        if value is None or value == "":
            return None
        if not keep_default and _same(value, fallback):
            return None
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        if isinstance(value, bool):
            return ["true" if value else "false"]
        return [str(value)]

    def expects(self) -> str:
        """What a good value is, in words (for the notice that says a value was refused)."""
        if self.kind == "int":
            return _("a whole number from {lo:,} to {hi:,}").format(lo=self.lo, hi=self.hi)
        if self.kind == "years":
            return _("two years from {lo} to {hi}").format(lo=self.lo, hi=self.hi)
        if self.kind == "bool":
            return _("true or false")
        if self.choices is not None:
            shown = ", ".join(self.choices[:8]) + (" …" if len(self.choices) > 8 else "")
            return (_("one of {values}") if self.kind == "one" else _("any of {values}")).format(values=shown)
        if self.kind == "text":
            return _("text of at most {n} characters").format(n=self.max_len)
        return _("one of the names this page lists")


def _one(name: str, choices: tuple[str, ...], default: str | None = None) -> Param:
    return Param(name, "one", choices[0] if default is None else default, choices)


# The filters that mean the same on every page (they follow the analyst from page to page).
SHARED: tuple[Param, ...] = (
    Param("period", "years", (FIRST_YEAR, LAST_YEAR), lo=FIRST_YEAR, hi=LAST_YEAR),
    _one("certainty", PART_CERTAINTIES[::-1]),
    Param("kinds", "many", [], FIRM_KINDS),
    _one("currency", DISPLAY_CURRENCIES),
)
SHARED_KEYS = tuple(p.name for p in SHARED)


@dataclass(frozen=True)
class Page:
    """One page of the app."""

    script: str  # relative to the project root; app.py is the Overview
    title: str  # the English title: the page's name in code, saved views and the catalog
    icon: str
    own: tuple[Param, ...] = ()  # its own link parameters (the shared ones come first when filtered)
    # whether the shared filters apply to it: a page they do not apply to does not draw them,
    # and keeps them as they were set for the next page
    filtered: bool = True

    @property
    def params(self) -> tuple[Param, ...]:
        """Every link parameter it reads, shared filters first."""
        return (*SHARED, *self.own) if self.filtered else self.own

    @property
    def keys(self) -> tuple[str, ...]:
        """The names of its link parameters."""
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param | None:
        """Its parameter called `name` (None: it reads no such parameter)."""
        return next((p for p in self.params if p.name == name), None)

    @property
    def label(self) -> str:
        """The title in the reader's language."""
        return _(self.title)

    @property
    def url_path(self) -> str:
        """The path Streamlit serves it at: pages/2_Pay_offers.py -> /Pay_offers."""
        if self.script == "app.py":
            return "/"
        return "/" + self.script.split("/")[-1].removesuffix(".py").split("_", 1)[1]


# how flows count a firm that was renamed, merged or acquired: as it stood at the time of each
# move (the default), or as what it is today (atlas firm_events, queries/schema/filters.sql)
LINEAGES = ("then", "today")
LIFT_DAYS = 90  # people who left one firm for another this close together are one lift-out
# lift-outs read every move under the filters in date order per route (at 10M generated moves:
# 10.4 s over the whole period, 1.8 s over three years, 0.6 s over one): found on their own up to
# this many moves or over a single year, else when the analyst asks (?lifts=1)
LIFT_AUTO_MOVES = 1_000_000
LIFT_AUTO_YEARS = 1
NOMINAL = "nominal"  # Pay offers' money basis: as reported, else money of a year (?constant=2020)
MONEY_TALENT_MONTHS = 12  # the moves around a round: this many months either side
MONEY_TALENT_ROUNDS = 500  # money and talent reads the moves around this many of the most recent rounds

PAGES: tuple[Page, ...] = (
    Page("app.py", N_("Overview"), ":material/dashboard:", (Param("watch", "text", "", max_len=12),)),
    Page(
        "pages/1_Talent_flows.py",
        N_("Talent flows"),
        ":material/swap_horiz:",
        (
            _one("level", LEVELS, "parent"),
            Param("search", "text", "", max_len=100),
            Param("countries", "many", []),
            Param("top", "int", 12, lo=3, hi=40),
            Param("min_n", "int", 1, lo=1, hi=100_000_000),
            Param("focus", "one"),
            _one("grain", ("year", "quarter")),
            _one("boom", ("parent", "firm")),
            Param("lift_days", "int", LIFT_DAYS, lo=1, hi=730),
            Param("lifts", "bool", False),
            _one("lineage", LINEAGES),
            _one("img", ("PNG", "SVG")),
            Param("cell", "text", "", max_len=20),
        ),
    ),
    Page(
        "pages/2_Pay_offers.py",
        N_("Pay offers"),
        ":material/payments:",
        (
            Param("firms", "many", []),
            Param("pay_kinds", "many", [], COMP_KINDS),
            Param("outcomes", "many", [], OUTCOMES),
            _one("constant", (NOMINAL, *(str(y) for y in range(2010, LAST_YEAR + 1)))),
        ),
    ),
    Page(
        "pages/3_Funding.py",
        N_("Funding"),
        ":material/account_balance:",
        (
            Param("countries", "many", []),
            Param("round_types", "many", [], ROUND_TYPES),
            Param("statuses", "many", [], ROUND_STATUSES),
            Param("compare", "many", [], data_default=True),
            Param("mt_months", "int", MONEY_TALENT_MONTHS, lo=1, hi=60),
        ),
    ),
    Page(
        "pages/4_People_and_firms.py",
        N_("People & firms"),
        ":material/groups:",
        (
            Param("q", "text", "", max_len=100),
            Param("person", "one"),
            Param("firm", "one"),
            Param("subs", "bool", True),
            Param("lift_days", "int", LIFT_DAYS, lo=1, hi=730),
            Param("mt_months", "int", MONEY_TALENT_MONTHS, lo=1, hi=60),
            _one("tab", PEOPLE_TABS),
        ),
    ),
    Page("pages/5_Data.py", N_("Data"), ":material/database:", filtered=False),
    Page(
        "pages/6_Explore.py",
        N_("Explore"),
        ":material/table_view:",
        (
            _one("tab", EXPLORE_TABS),
            Param("table", "one", DEFAULT_TABLE),
            Param("f", "many", [], max_len=2000),
            Param("sort", "text", "", max_len=200),
            Param("n", "int", 50, lo=min(PAGE_SIZES), hi=max(PAGE_SIZES)),
            Param("after", "text", "", max_len=2000),
            Param("before", "text", "", max_len=2000),
            Param("row", "text", "", max_len=2000),
            Param("sql", "text", "", max_len=MAX_SQL_CHARS),
        ),
        filtered=False,
    ),
)
BY_TITLE = {p.title: p for p in PAGES}
PROFILES = BY_TITLE["People & firms"]  # where a person's or a firm's name leads
EXPLORE = BY_TITLE["Explore"]
N_("Talent Atlas")  # the app's name, translated where it is shown


def filtered(title: str) -> bool:
    """Whether the shared filters apply to the page called `title`."""
    page = BY_TITLE.get(title)
    return page.filtered if page else True


def keys_of(title: str) -> tuple[str, ...]:
    """The link parameters of the page called `title` (the shared ones for an unknown title)."""
    page = BY_TITLE.get(title)
    return (LANG_KEY, *(page.keys if page else SHARED_KEYS))


def param_of(title: str, name: str) -> Param | None:
    """The declaration of the link parameter `name` of the page called `title`."""
    page = BY_TITLE.get(title)
    if page is None:
        return next((p for p in SHARED if p.name == name), None)
    return page.param(name)


def encode_view(title: str, values: dict) -> list[tuple[str, str]]:
    """The link of a view of the page called `title` from its values by key (a widget's state):
    every declared parameter through its one encoder, the language as `lang=zh` (English, the
    default, left out). A page the shared filters do not apply to names its defaults too."""
    pairs: list[tuple[str, str]] = []
    for key in keys_of(title):
        if key not in values:
            continue
        if key == LANG_KEY:
            if values[key] != DEFAULT_LANGUAGE:
                pairs.append((key, str(values[key])))
            continue
        declared = param_of(title, key)
        encoded = declared.encode(values[key], keep_default=not filtered(title)) if declared else None
        pairs += [(key, v) for v in encoded or []]
    return pairs


def encode_shared(values: dict, language: str = "") -> list[tuple[str, str]]:
    """The shared filters' link (for the links into a profile, which carry them) and the language."""
    pairs = [(p.name, v) for p in SHARED if p.name in values for v in p.encode(values[p.name]) or []]
    return pairs + ([(LANG_KEY, language)] if language and language != DEFAULT_LANGUAGE else [])


@dataclass(frozen=True)
class View:
    """A page's view as its link says it, read once per run (atlas.ui.frame): every declared
    parameter's value (the link's, read by its one parser, else its default), what the link gave
    for it, and whether that could all be read. Widgets start from it (atlas.ui.link.initial)."""

    title: str
    asked: dict  # key -> the link's values for it (text only)
    values: dict  # key -> the value it reads as (the default when absent or refused)
    ok: dict  # key -> whether all of the link's values for it could be read

    @classmethod
    def read(cls, title: str, asked: dict) -> View:
        """The view of the page called `title` from the link's values by key."""
        page = BY_TITLE.get(title)
        # the shared filters too on a page they do not apply to: it keeps a link's for the next page
        params = (*SHARED, *(page.own if page else ()))
        values, ok, given = {}, {}, {}
        for p in params:
            given[p.name] = list(asked.get(p.name, []))
            values[p.name], ok[p.name] = p.parse(given[p.name])
        return cls(title, given, values, ok)
