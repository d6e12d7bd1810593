"""Every view's data by name: the rows each section of a page shows and downloads, read from the
page's link values. The page that draws a section and the data API (atlas.api) both take them
here, so a URL's CSV is the page's download, row for row.

A view's values are what atlas.pages.View reads from a link (or, on a page, what its widgets hold
under the same keys); `params(title, values)` makes the parameters the page's queries bind;
`DATASETS` lists every section's rows by page and by the name its download carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from atlas import cache, fetch, labels, pages, tables
from atlas.i18n import N_, _
from atlas.pages import BY_TITLE, FIRST_YEAR, LAST_YEAR, SHARED

SHARED_BY_NAME = {p.name: p for p in SHARED}


def _default(title: str, key: str) -> object:
    declared = pages.param_of(title, key)
    return declared.default if declared is not None else None


@dataclass(frozen=True)
class Filters:
    """The shared filters as the queries take them."""

    # the defaults are the declarations' (atlas.pages.SHARED), never written out here
    start_year: int = SHARED_BY_NAME["period"].default[0]
    end_year: int = SHARED_BY_NAME["period"].default[1]
    min_certainty: str = SHARED_BY_NAME["certainty"].default
    kinds: tuple[str, ...] = tuple(SHARED_BY_NAME["kinds"].default)
    currency: str = SHARED_BY_NAME["currency"].default

    @classmethod
    def from_values(cls, values: dict) -> Filters:
        """The filters a view's values (or the widgets') say; a missing one is its default."""
        period = values.get("period") or SHARED_BY_NAME["period"].default
        return cls(
            int(period[0]),
            int(period[1]),
            str(values.get("certainty") or SHARED_BY_NAME["certainty"].default),
            tuple(values.get("kinds") or ()),
            str(values.get("currency") or SHARED_BY_NAME["currency"].default),
        )

    @property
    def include_undated(self) -> bool:
        """Undated facts are shown only while the period is not narrowed."""
        return self.start_year <= FIRST_YEAR and self.end_year >= LAST_YEAR

    @property
    def certainty_phrase(self) -> str:
        """The certainty filter in words, for captions."""
        return {
            "rumor": _("every certainty (rumors included)"),
            "inferred": _("stated facts and inferences (rumors left out)"),
            "reported": _("reported or confirmed facts (inferences left out)"),
            "confirmed": _("confirmed facts only"),
        }[self.min_certainty]

    @property
    def period_phrase(self) -> str:
        """The period filter in words, for captions."""
        if self.include_undated:
            return _("every year, undated facts included")
        if self.start_year == self.end_year:
            return _("{year} (undated facts left out)").format(year=self.start_year)
        return _("{start}–{end} (undated facts left out)").format(start=self.start_year, end=self.end_year)

    def params(self) -> dict:
        """The bound parameters shared by the filtered queries."""
        return {
            "start_year": self.start_year,
            "end_year": self.end_year,
            "include_undated": self.include_undated,
            "min_certainty": self.min_certainty,
            "kinds": list(self.kinds),
            "currency": self.currency,
        }


_FLOWS = "Talent flows"


@dataclass(frozen=True)
class FlowView:
    """The Talent flows page's own controls."""

    # the defaults are the declarations' (atlas.pages), never written out here
    level: str = _default(_FLOWS, "level")
    countries: tuple[str, ...] = tuple(_default(_FLOWS, "countries"))
    search: str = _default(_FLOWS, "search")
    top_n: int = _default(_FLOWS, "top")
    min_count: int = _default(_FLOWS, "min_n")

    @classmethod
    def from_values(cls, values: dict) -> FlowView:
        """The controls a view's values say (the search as the stored name it finds: "Li Mu" is Mu Li)."""
        return cls(
            str(values.get("level") or cls.level),
            tuple(values.get("countries") or ()),
            cache.search_text(str(values.get("search") or "")),
            int(values.get("top") or cls.top_n),
            int(values.get("min_n") or cls.min_count),
        )

    def params(self) -> dict:
        """Bound parameters for the flow queries (added to Filters.params())."""
        return {
            "level": self.level,
            "countries": list(self.countries),
            "search": self.search,
            "top_n": self.top_n,
            "min_count": self.min_count,
        }


@dataclass(frozen=True)
class PayView:
    """The Pay offers page's own controls."""

    firm_ids: tuple[str, ...] = ()
    pay_kinds: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    constant_year: int = 0

    @classmethod
    def from_values(cls, values: dict) -> PayView:
        constant = str(values.get("constant") or pages.NOMINAL)
        return cls(
            tuple(values.get("firms") or ()),
            tuple(values.get("pay_kinds") or ()),
            tuple(values.get("outcomes") or ()),
            0 if constant == pages.NOMINAL else int(constant),
        )

    def params(self) -> dict:
        """Bound parameters for the pay queries (added to Filters.params())."""
        return {
            "firm_ids": list(self.firm_ids),
            "pay_kinds": list(self.pay_kinds),
            "outcomes": list(self.outcomes),
            "constant_year": self.constant_year,
        }


@dataclass(frozen=True)
class FundingView:
    """The Funding page's own controls."""

    countries: tuple[str, ...] = ()
    round_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, values: dict) -> FundingView:
        return cls(
            tuple(values.get("countries") or ()),
            tuple(values.get("round_types") or ()),
            tuple(values.get("statuses") or ()),
        )

    def params(self) -> dict:
        """Bound parameters for the funding queries (added to Filters.params())."""
        return {
            "countries": list(self.countries),
            "round_types": list(self.round_types),
            "statuses": list(self.statuses),
        }


# the link parameters each page's head reads (the controls every section of it reads), beyond the
# shared filters: what `params` takes from a view
HEAD_KEYS = {
    "Talent flows": ("level", "search", "countries", "top", "min_n", "lineage"),
    "Pay offers": ("firms", "pay_kinds", "outcomes", "constant"),
    "Funding": ("countries", "round_types", "statuses"),
    "People & firms": ("q",),
}


def params(title: str, values: dict) -> dict:
    """The parameters the queries of the page called `title` bind, from its view's values."""
    p = Filters.from_values(values).params()
    if title == "Talent flows":
        p |= FlowView.from_values(values).params() | {"lineage": values.get("lineage") or _default(title, "lineage")}
    elif title == "Pay offers":
        p |= PayView.from_values(values).params()
    elif title == "Funding":
        p |= FundingView.from_values(values).params()
    elif title == "People & firms":
        p |= {"search": cache.search_text(str(values.get("q") or ""))}
    return p


# ---- each section's rows: called by the page that draws them and by the data API -----------------


def localized(name: str, columns: list[str], **params: object) -> pd.DataFrame:
    """A query's rows with the names in `columns` in the reader's script."""
    return labels.localize(cache.query(name, **params), columns)


def flows(p: dict) -> pd.DataFrame:
    return localized("flows_by_level", ["source", "target"], **p)


def moves_listed(p: dict, limit: int) -> pd.DataFrame:
    return cache.query("moves_filtered", **p, limit=limit)


def education_flows(p: dict) -> pd.DataFrame:
    return cache.query("education_flows", **p)


def net_flow(p: dict) -> pd.DataFrame:
    return localized("net_flow_by_level", ["label"], **p)


def counterparts(p: dict, focus: str) -> pd.DataFrame:
    return cache.query("flow_counterparts", **p, focus=focus)


def moves_over_time(p: dict, grain: str) -> pd.DataFrame:
    return cache.query("moves_over_time", **p, grain=grain)


def boomerangs(p: dict, level: str) -> pd.DataFrame:
    return cache.query("boomerangs", **{**p, "level": level, "limit": 500})


def lift_outs(p: dict, window_days: int, firm_id: str = "") -> pd.DataFrame:
    found = cache.query("lift_outs", **{**p, "window_days": window_days, "firm_id": firm_id, "limit": 200})
    names = ["origin", "destination"]
    return cache.kept(found, ("localized", *names), lambda: labels.localize(found, names))


def rates(p: dict, firm_id: str = "") -> pd.DataFrame:
    keys = ("start_year", "end_year", "min_certainty")
    return cache.query("firm_rates", **{k: p[k] for k in keys}, firm_id=firm_id)


MONEY_TALENT_KEYS = (
    "start_year",
    "end_year",
    "min_certainty",
    "kinds",
    "countries",
    "round_types",
    "statuses",
    "currency",
)


def money_talent_params(p: dict, months: int, firm_id: str = "", with_subsidiaries: bool = False) -> dict:
    """The money-and-talent queries' parameters: the round filters, the window, a firm or all."""
    return {
        **{k: p[k] for k in MONEY_TALENT_KEYS if k in p},
        "months": months,
        "firm_id": firm_id,
        "with_subsidiaries": with_subsidiaries,
        "limit": pages.MONEY_TALENT_ROUNDS,
    }


def pay_listed(p: dict) -> pd.DataFrame:
    return cache.query("pay_figures", **p, limit=fetch.PAY_LISTED)


def pay_distribution(p: dict, figures: pd.DataFrame) -> pd.DataFrame:
    """What the distribution chart draws: each figure, or (too many to draw one by one) log bins."""
    return figures if len(figures) < fetch.PAY_LISTED else cache.query("pay_log_bins", **p)


def pay_by_firm(p: dict, figures: pd.DataFrame) -> pd.DataFrame:
    # the top firms are those of the largest figures, already listed: the query reads only theirs
    top_firms = tables.top_firms_listed(figures, 15, listed_limit=fetch.PAY_LISTED)
    return cache.query("pay_by_firm", **p, top_n=15, top_firm_ids=top_firms)


def pay_summary(p: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pay by year and by outcome."""
    return tables.split_pay_summary(cache.query("pay_over_time_and_outcomes", **p))


def largest_pay(p: dict) -> pd.DataFrame:
    return cache.query("pay_figures", **p, limit=5)


def largest_rounds(p: dict) -> pd.DataFrame:
    return cache.query("funding_rounds_filtered", **p, limit=8)


def compare_default() -> list[str]:
    """The firms the Funding page compares when none is picked: the five that raised the most."""
    return fetch.firm_picker_options("funding_firm_options", [])["firm_id"].head(5).tolist()


def compared(values: dict) -> list[str]:
    """The firms a Funding view compares: the link's, else the default (a link that emptied the
    list compares none)."""
    asked = values.get("compare")
    return compare_default() if asked is None else list(asked)


def capital_raised(p: dict, firm_ids: list[str]) -> pd.DataFrame:
    return cache.query("capital_raised_over_time", **{**p, "firm_ids": list(firm_ids)})


def firm_compare(p: dict, firm_ids: list[str]) -> pd.DataFrame:
    return cache.query("firm_compare", **{**p, "firm_ids": list(firm_ids)})


def alliances(p: dict) -> pd.DataFrame:
    return cache.query("alliances", **p, top_n=15)


def deals(p: dict) -> pd.DataFrame:
    return cache.query("deals_with_people", **p)


def approaches(p: dict) -> pd.DataFrame:
    return cache.query("approaches_filtered", **p)


def rounds_listed(p: dict) -> pd.DataFrame:
    return cache.query("funding_rounds_filtered", **p, limit=fetch.ROUNDS_LISTED)


def people_listed(search: str) -> pd.DataFrame:
    return cache.query("people_list", search=search, limit=500)


def firms_listed(p: dict) -> pd.DataFrame:
    return cache.query("firms_list", search=p["search"], kinds=p["kinds"], min_certainty=p["min_certainty"], limit=500)


class NeedsValue(ValueError):
    """A section that shows rows only once a value is picked (a group, two firms), with what to give."""


def _counterparts(p: dict, v: dict) -> pd.DataFrame:
    focus = v.get("focus")
    if not focus:
        raise NeedsValue(_("Give ?focus= a group of the net chart (its group_key) to list its counterparts."))
    if focus not in set(net_flow(p)["group_key"]):
        raise NeedsValue(_("“{focus}” is not a group of this view's net chart.").format(focus=focus))
    return counterparts(p, focus)


def lifts_at_once(p: dict) -> bool:
    """Whether the page finds lift-outs without being asked: over little data, or over one year
    (else they read every move in date order, seconds at 10M: found when asked, ?lifts=true)."""
    years = p["end_year"] - p["start_year"] + 1
    return fetch.rows_of("moves") <= pages.LIFT_AUTO_MOVES or years <= pages.LIFT_AUTO_YEARS


def _lift_outs(p: dict, v: dict) -> pd.DataFrame:
    if not (v.get("lifts") or lifts_at_once(p)):
        raise NeedsValue(
            _("Finding lift-outs reads every move of the period in date order: ask with ?lifts=true, or one year.")
        )
    return lift_outs(p, int(v["lift_days"]))


def _two_firms(v: dict) -> list[str]:
    firms = compared(v)
    if len(firms) < 2:
        raise NeedsValue(_("Pick at least two firms to compare (?compare=, twice or more)."))
    return firms


@dataclass(frozen=True)
class Dataset:
    """One section's rows: its page, the name its download carries, what it is, and how it is read
    from the page's bound parameters and the view's values."""

    page: str
    name: str
    about: str
    rows: Callable[[dict, dict], pd.DataFrame]
    keys: tuple[str, ...] = ()  # the page's own link parameters it reads beyond the head's

    @property
    def slug(self) -> str:
        """Its path under its page's: /api/<page>/<slug>.csv."""
        return self.name.replace("_", "-")


def _mt(p: dict, v: dict) -> dict:
    return money_talent_params(p, int(v.get("mt_months") or pages.MONEY_TALENT_MONTHS))


DATASETS: tuple[Dataset, ...] = (
    Dataset("Overview", "latest_moves", N_("The ten latest moves"), lambda p, v: moves_listed(p, 10)),
    Dataset("Overview", "moves_per_year", N_("Moves per year"), lambda p, v: moves_over_time(p, "year")),
    Dataset("Overview", "largest_pay", N_("The five largest pay figures"), lambda p, v: largest_pay(p)),
    Dataset(
        "Overview",
        "largest_rounds",
        N_("The eight largest funding rounds and deals"),
        lambda p, v: largest_rounds(p),
    ),
    Dataset(_FLOWS, "flows", N_("Flows from origin to destination (the Sankey)"), lambda p, v: flows(p)),
    Dataset(_FLOWS, "net_flow", N_("Gained from, lost to and net, by group"), lambda p, v: net_flow(p)),
    Dataset(_FLOWS, "counterparts", N_("Whom one group gained from and lost to"), _counterparts, ("focus",)),
    Dataset(
        _FLOWS,
        "moves_over_time",
        N_("Moves per year or quarter"),
        lambda p, v: moves_over_time(p, v["grain"]),
        ("grain",),
    ),
    Dataset(
        _FLOWS, "boomerangs", N_("People who left and came back"), lambda p, v: boomerangs(p, v["boom"]), ("boom",)
    ),
    Dataset(_FLOWS, "lift_outs", N_("Teams that moved together"), _lift_outs, ("lift_days", "lifts")),
    Dataset(_FLOWS, "rates", N_("Gained and lost per 100 staff"), lambda p, v: rates(p)),
    Dataset(
        _FLOWS,
        "trained_and_working",
        N_("Where talent is trained and where it works"),
        lambda p, v: education_flows(p),
    ),
    Dataset(_FLOWS, "moves", N_("The moves behind the view"), lambda p, v: moves_listed(p, 5000)),
    Dataset("Pay offers", "pay_figures", N_("The figures behind the view"), lambda p, v: pay_listed(p)),
    Dataset(
        "Pay offers",
        "pay_distribution",
        N_("Distribution by kind (each figure, or log bins over many)"),
        lambda p, v: pay_distribution(p, pay_listed(p)),
    ),
    Dataset("Pay offers", "pay_by_firm", N_("By offering firm"), lambda p, v: pay_by_firm(p, pay_listed(p))),
    Dataset("Pay offers", "pay_by_year", N_("Over time"), lambda p, v: pay_summary(p)[0]),
    Dataset("Pay offers", "pay_outcomes", N_("Outcomes"), lambda p, v: pay_summary(p)[1]),
    Dataset(
        "Pay offers",
        "approaches",
        N_("Offers and approaches without a figure"),
        lambda p, v: approaches(p),
    ),
    Dataset(
        "Funding",
        "capital_raised",
        N_("Capital raised over time by the firms compared"),
        lambda p, v: capital_raised(p, _two_firms(v)),
        ("compare",),
    ),
    Dataset(
        "Funding",
        "compare",
        N_("The firms compared by money, moves and pay"),
        lambda p, v: firm_compare(p, _two_firms(v)),
        ("compare",),
    ),
    Dataset("Funding", "alliances", N_("Strategic alliances"), lambda p, v: alliances(p)),
    Dataset("Funding", "deals", N_("Deals and the people who moved"), lambda p, v: deals(p)),
    Dataset(
        "Funding",
        "money_talent_around",
        N_("Moves in the months around each round"),
        lambda p, v: cache.query("money_talent_around", **_mt(p, v)),
        ("mt_months",),
    ),
    Dataset(
        "Funding",
        "money_talent_rounds",
        N_("Each round with who joined and left around it"),
        lambda p, v: cache.query("money_talent_rounds", **_mt(p, v)),
        ("mt_months",),
    ),
    Dataset("Funding", "rounds", N_("The rounds behind the view"), lambda p, v: rounds_listed(p)),
    Dataset("People & firms", "people", N_("People the search finds"), lambda p, v: people_listed(p["search"])),
    Dataset("People & firms", "firms", N_("Firms the search finds"), lambda p, v: firms_listed(p)),
)
BY_PAGE: dict[str, dict[str, Dataset]] = {}
for _d in DATASETS:
    BY_PAGE.setdefault(_d.page, {})[_d.slug] = _d
del _d


def link_values(view: pages.View) -> dict:
    """A view's values as `rows` takes them: a value whose default comes from the data (the firms
    Funding compares) is None where the link gives none, so the data decides it."""
    values = dict(view.values)
    for key in view.values:
        declared = pages.param_of(view.title, key)
        if declared is not None and declared.data_default and not view.asked.get(key):
            values[key] = None
    return values


def rows(dataset: Dataset, values: dict) -> pd.DataFrame:
    """The rows of `dataset` in the view `values` say (a view of its page)."""
    return dataset.rows(params(dataset.page, values), values)


def page_slug(title: str) -> str:
    """A page's path under /api/: "Talent flows" -> talent-flows, "People & firms" -> people-and-firms."""
    return title.lower().replace(" & ", "-and-").replace(" ", "-")


PAGE_OF_SLUG = {page_slug(t): t for t in BY_PAGE}
assert all(t in BY_TITLE for t in BY_PAGE)
