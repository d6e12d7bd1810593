"""What a reader sees for each code of the data model: `signing_bonus` reads "signing bonus",
`ai_startup` reads "AI startup". The data, the URL and the exports keep the codes; tables, chart
legends, axes and tooltips show these labels. One place, so a code reads the same everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from atlas.i18n import N_, _, date, language, name
from atlas.model import FEW_MOVES


class Labels(Mapping):
    """Codes to what a reader reads, in the run's language: the English text is the catalog's
    message, translated at each lookup (a mapping built once at import serves both languages)."""

    def __init__(self, english: dict[str, str], values: dict | None = None):
        self._english = english
        self._values = values or {}  # what a message's {name} stands for (a domain constant)

    def __getitem__(self, code: str) -> str:
        text = _(self._english[code])
        return text.format(**self._values) if self._values and "{" in text else text

    def __iter__(self) -> Iterator[str]:
        return iter(self._english)

    def __len__(self) -> int:
        return len(self._english)

    def __or__(self, other: Mapping) -> Labels:
        values = {**self._values, **(other._values if isinstance(other, Labels) else {})}
        return Labels({**self._english, **(other._english if isinstance(other, Labels) else dict(other))}, values)


MOVE_TYPES = Labels(
    {
        "joined": N_("joined"),
        "founded": N_("founded"),
        "returned": N_("returned"),
        "acquihire": N_("acqui-hired"),
        "left": N_("left"),
    }
)
FIRM_KINDS = Labels(
    {
        "big_tech": N_("big tech"),
        "ai_startup": N_("AI startup"),
        "research_lab": N_("research lab"),
        "investor": N_("investor"),
        "university": N_("university"),
        "other": N_("other"),
    }
)
PAY_KINDS = Labels(
    {
        "base_salary": N_("base salary"),
        "annual_total": N_("annual total"),
        "signing_bonus": N_("signing bonus"),
        "equity": N_("equity"),
        "package": N_("package"),
    }
)
PERIODS = Labels({"one_time": N_("one-time"), "per_year": N_("per year")})
OUTCOMES = Labels(
    {"offered": N_("offered"), "accepted": N_("accepted"), "declined": N_("declined"), "unknown": N_("unknown")}
)
ROUND_TYPES = Labels(
    {
        "seed": N_("seed"),
        "series": N_("series"),
        "strategic": N_("strategic"),
        "acquisition": N_("acquisition"),
        "acquihire": N_("acqui-hire"),
        "hire": N_("paid to hire"),
        "partnership": N_("partnership"),
        "other": N_("other"),
        "several": N_("several rounds"),  # capital raised over time: rounds of one firm on one date
    }
)
STATUSES = Labels({"completed": N_("completed"), "terminated": N_("terminated"), "rumored": N_("rumored")})
DEAL_ROLES = Labels({"investor": N_("investor"), "buyer": N_("buyer"), "payer": N_("payer"), "partner": N_("partner")})
DEGREES = Labels({"bachelor": N_("bachelor's"), "master": N_("master's"), "phd": N_("PhD"), "other": N_("other")})
CERTAINTIES = Labels(
    {"confirmed": N_("confirmed"), "reported": N_("reported"), "inferred": N_("inferred"), "rumor": N_("rumor")}
)
PRECISIONS = Labels({"day": N_("the day"), "month": N_("the month"), "year": N_("the year")})
MISSING = "—"  # how a missing value reads in every table

BY_COLUMN = {
    "move_type": MOVE_TYPES,
    "return_type": MOVE_TYPES,  # the boomerang table: how the move back was recorded
    "kind": FIRM_KINDS | PAY_KINDS,
    "certainty": CERTAINTIES,
    "origin_certainty": CERTAINTIES,
    "moved_on_certainty": CERTAINTIES,
    "moves_certainty": CERTAINTIES,
    "firm_kind": FIRM_KINDS,
    "pay_kind": PAY_KINDS,
    "period": PERIODS,
    "outcome": OUTCOMES,
    "round_type": ROUND_TYPES,
    "status": STATUSES,
    "degree": DEGREES,
    "compared_to": PRECISIONS,  # money and talent: the precision a round and a move were compared at
}

# Words the queries write into their rows (queries/*.sql): English in the data, translated where shown.
DATA_WORDS = Labels(
    {
        "Unknown origin": N_("Unknown origin"),
        "Other origins": N_("Other origins"),
        "Other destinations": N_("Other destinations"),
        "Left, destination unknown": N_("Left, destination unknown"),
        "gained from": N_("gained from"),
        "lost to": N_("lost to"),
        "date not given": N_("date not given"),
        "country unknown": N_("country unknown"),
        "implied by amount / stake": N_("implied by amount / stake"),
        "more than": N_("more than"),
        "not given": N_("not given"),
        "today": N_("today"),
        "still there (as far as the sources say)": N_("still there (as far as the sources say)"),
        # the audit log's actions (queries/audit_log.sql, atlas.audit)
        "build from the seed": N_("build from the seed"),
        "undo": N_("undo"),
        "merge": N_("merge"),
        "append upload": N_("append upload"),
        "upsert upload": N_("upsert upload"),
        "replace upload": N_("replace upload"),
        "save view": N_("save view"),
        "delete view": N_("delete view"),
    }
)
# Columns that hold a date at its precision as text ('2023', '2023-03', '2023-03-05')
DATE_COLUMNS = frozenset(
    {
        "moved_on",
        "approached_on",
        "reported_on",
        "announced_on",
        "published_on",
        "founded_on",
        "first_on",
        "last_on",
        "left_on",
        "returned_on",
        "start_text",
        "end_text",
        "since",
        "date",
    }
)


# what a firm is to a deal, as funding_rounds_filtered.sql writes it after the firm's name
_ROLE_IN_DEAL = re.compile(r"\((lead|buyer|payer|partner)\)")
N_("lead"), N_("buyer"), N_("payer"), N_("partner")


def data_word(value: object) -> object:
    """A word a query wrote ('Unknown origin', a firm kind's code as a flow group) as the reader
    reads it; English mode shows the data as it is."""
    if language() == "en" or not isinstance(value, str):
        return value
    if value in DATA_WORDS:
        return DATA_WORDS[value]
    if value.startswith("refused: "):  # a refused write, as the audit log records it
        return _("refused: {what}").format(what=_(value.removeprefix("refused: ")))
    if "(" in value and _ROLE_IN_DEAL.search(value):  # a deal's firms: "Google (lead), Nvidia"
        return _ROLE_IN_DEAL.sub(lambda m: f"({_(m[1])})", value)
    if value in FIRM_KINDS:
        return FIRM_KINDS[value]
    return value


def _is_text(column) -> bool:
    """A column of text: object or pandas' string dtype (the default for text in pandas 3)."""
    import pandas as pd

    return column.dtype == object or pd.api.types.is_string_dtype(column)


def _each_distinct(column, fn):
    """`fn` over a column, computed once per distinct value (a table of 5,000 moves has a few
    hundred names and dates): the same column when nothing changes."""
    values = column.dropna().unique()
    mapping = {v: fn(v) for v in values}
    if all(mapping[v] == v for v in values):
        return column
    return column.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)


def localize(df, columns=None):
    """A frame as a Chinese reader reads it (a copy; English mode returns it unchanged): dates at
    their precision as 2023年3月, and the queries' own words translated, in `columns` (default:
    every text column)."""
    if language() == "en":
        return df
    out = df.copy()
    for c in out.columns if columns is None else columns:
        if c not in out.columns or not _is_text(out[c]):
            continue
        if c in DATE_COLUMNS:
            out[c] = _each_distinct(out[c], lambda v: date(data_word(v)))
        else:
            out[c] = _each_distinct(out[c], data_word)
    return out


# a citation as source_label writes it: "publisher, 2023-03: “title”"
_CITED_ON = re.compile(r", (\d{4}(?:-\d{2}){0,2}): ")


# the Chinese of the sources' descriptions (sources.title_zh), by their English: the page frame adds
# them at every run from the data it shows (queries/source_titles_zh.sql); a headline stays as it is
_SOURCE_TITLES_ZH: dict[str, str] = {}


def set_source_titles(pairs: dict[str, str]) -> None:
    """Know these descriptions' Chinese (English description -> Chinese) for Chinese citations."""
    if any(_SOURCE_TITLES_ZH.get(en) != zh for en, zh in pairs.items()):
        _SOURCE_TITLES_ZH.update(pairs)


def source_title(title: object) -> object:
    """A source's description in the reader's language, where the data gives one."""
    if language() != "zh" or not isinstance(title, str):
        return title
    return _SOURCE_TITLES_ZH.get(title, title)


def _cited(value: object) -> object:
    """A citation with its date the reader's way, and a description of an untitled copy in Chinese
    where the data gives one: 'AI科技评论 (雷峰网), 2023年3月: “…”' in Chinese; every citation of a
    list ('a | b') alike."""
    if not isinstance(value, str):
        return value
    out = _CITED_ON.sub(lambda m: f", {date(m[1])}: ", value)
    for en, zh in _SOURCE_TITLES_ZH.items():
        if en in out:
            out = out.replace(en, zh)
    return out


def localize_names(df):
    """Names with the reader's script first ('李沐 (Mu Li)' in Chinese) in every text column of a
    query's rows, and the date of each citation the reader's way; English mode returns the frame
    unchanged."""
    if language() == "en":
        return df
    out = None
    for c in df.columns:
        if not _is_text(df[c]) or c in ("title", "note", "url", "amount_text", "known_for", "known_for_zh"):
            continue
        cites = c in ("source", "sources") or c.endswith("_source")
        mapped = _each_distinct(df[c], (lambda v: name(_cited(v))) if cites else name)
        if mapped is not df[c]:
            if out is None:
                out = df.copy()
            out[c] = mapped
    return df if out is None else out


# Column headers by column name: the frames a page shows without headers of its own (an upload's
# problems, its changes, the data dictionary) and the header of a CSV export in Chinese. The
# data's own column names stay the English codes (an export in English keeps them as they are).
COLUMNS = Labels(
    {
        # an upload: files, problems, changes, the field-by-field diff
        "file": N_("File"),
        "table": N_("Table"),
        "row": N_("Row"),
        "column": N_("Column"),
        "value": N_("Value"),
        "problem": N_("Problem"),
        "encoding": N_("Encoding"),
        "delimiter": N_("Delimiter"),
        "rows": N_("Rows"),
        "new": N_("New"),
        "changed": N_("Changed"),
        "unchanged": N_("Unchanged"),
        "removed": N_("Removed"),
        "key": N_("Key"),
        "old": N_("Old value"),
        # the data dictionary
        "type": N_("Type"),
        "required": N_("Required"),
        "allowed": N_("Allowed values"),
        "example": N_("Example"),
        "holds": N_("Holds"),
        "default": N_("Default"),
        # the queries' rows, as exports carry them
        "person": N_("Person"),
        "person_id": N_("Person id"),
        "name": N_("Name"),
        "name_zh": N_("Chinese name"),
        "firm": N_("Firm"),
        "firm_id": N_("Firm id"),
        "from_firm": N_("From"),
        "from_firm_id": N_("From (id)"),
        "to_firm": N_("To"),
        "to_firm_id": N_("To (id)"),
        "moved_on": N_("Date"),
        "moved_on_precision": N_("Date precision"),
        "move_type": N_("Move type"),
        "role": N_("Role"),
        "certainty": N_("Certainty"),
        "moves_certainty": N_("Moves' certainty"),
        "origin_certainty": N_("Certainty of the origin"),
        "moved_on_certainty": N_("Certainty of the date"),
        "happened_on_certainty": N_("Certainty of the date"),
        "announced_on_certainty": N_("Certainty of the date"),
        "origin_note": N_("How the origin is inferred"),
        "successor_described": N_("Successor, as the source describes it"),
        "successor_described_zh": N_("Successor, as the source describes it (Chinese)"),
        "approach_id": N_("Approach id"),
        "approached_on": N_("Date"),
        "approached_by": N_("Approached by"),
        "approached_by_id": N_("Approached by (id)"),
        "people_described": N_("Whom, as the source describes them"),
        "people_described_zh": N_("Whom, as the source describes them (Chinese)"),
        "offer_text": N_("What was offered, in words"),
        "offer_text_zh": N_("What was offered, in words (Chinese)"),
        "source": N_("Source"),
        "source_id": N_("Source id"),
        "note": N_("Note"),
        "kind": N_("Kind"),
        "period": N_("Period"),
        "outcome": N_("Outcome"),
        "currency": N_("Currency"),
        "amount_low": N_("Amount (low)"),
        "amount_high": N_("Amount (high)"),
        "amount_text": N_("Wording in the article"),
        "low_converted": N_("Low, converted"),
        "high_converted": N_("High, converted"),
        "mid_converted": N_("Midpoint, converted"),
        "display_currency": N_("Display currency"),
        "reported_on": N_("Reported"),
        "amount": N_("Amount"),
        "amount_converted": N_("Amount, converted"),
        "amount_qualifier": N_("Amount qualifier"),
        "round_type": N_("Round type"),
        "status": N_("Status"),
        "investors": N_("Investors"),
        "valuation": N_("Valuation"),
        "valuation_converted": N_("Valuation, converted"),
        "implied_valuation": N_("Implied valuation"),
        "stake_pct": N_("Stake (%)"),
        "announced_on": N_("Announced"),
        "round_id": N_("Round id"),
        "year": N_("Year"),
        "grain": N_("Period"),
        "start": N_("Start"),
        "n_moves": N_("Moves (n)"),
        "n_people": N_("People (n)"),
        "n_figures": N_("Figures (n)"),
        "n_gained": N_("Gained (n)"),
        "n_lost": N_("Lost (n)"),
        "net": N_("Net"),
        "label": N_("Group"),
        "group_key": N_("Group key"),
        "direction": N_("Direction"),
        "counterpart": N_("From / to"),
        "first_on": N_("First"),
        "last_on": N_("Latest"),
        "names": N_("Who"),
        "country": N_("Country"),
        "trained_country": N_("Trained in"),
        "works_country": N_("Works in"),
        "known_for": N_("Known for"),
        "origin_country": N_("Origin"),
        "current_firm": N_("Latest firm"),
        "parent": N_("Parent"),
        "founded_on": N_("Founded"),
        "publisher": N_("Publisher"),
        "published_on": N_("Published"),
        "title": N_("Title"),
        "url": N_("Address"),
        "language": N_("Language"),
        "n_facts": N_("Facts cited"),
        "target": N_("Target"),
        "buyer": N_("Buyer or payer"),
        "people": N_("People who moved"),
        "median_mid": N_("Median midpoint"),
        "min_low": N_("Lowest"),
        "max_high": N_("Highest"),
        "total_converted": N_("Total, converted"),
        "n_rounds": N_("Rounds & deals (n)"),
        "total_raised": N_("Raised"),
        "last_valuation": N_("Last valuation"),
        "largest_investor": N_("Largest investor"),
        "largest_pay": N_("Largest pay figure"),
        "left_on": N_("Left"),
        "returned_on": N_("Came back"),
        "returned_to": N_("Came back to"),
        "months_away": N_("Months away"),
        "path": N_("Path"),
        "happened_at": N_("When (UTC)"),
        "who": N_("Who"),
        "email": N_("E-mail"),
        "action": N_("What"),
        "detail": N_("Detail"),
        "data_version": N_("Data version"),
        # the Funding page's exports (issue 40: their headers were half English in Chinese)
        "announced_date": N_("Announced (date)"),
        "valuation_qualifier": N_("Valuation qualifier"),
        "is_raised": N_("Money raised"),
        "source_publisher": N_("Source's publisher"),
        "investor_id": N_("Investor id"),
        "investor": N_("Investor, buyer or partner"),
        "total_qualifier": N_("Total qualifier"),
        "offered_converted": N_("Reported, not completed, converted"),
        "offered_qualifier": N_("Reported amount qualifier"),
        "max_stake_pct": N_("Largest stake (%)"),
        "shared": N_("Round shared with others"),
        "statuses": N_("Statuses"),
        "round_types": N_("Round types"),
        "roles": N_("As (investor, buyer, partner)"),
        "investor_total": N_("Investor's total, converted"),
        "announced_text": N_("Announced (as given)"),
        "cumulative": N_("Raised to date, converted"),
        "cumulative_qualifier": N_("Raised to date qualifier"),
        "in_before": N_("Joined before"),
        "in_same": N_("Joined, same period"),
        "in_after": N_("Joined after"),
        "out_before": N_("Left before"),
        "out_same": N_("Left, same period"),
        "out_after": N_("Left after"),
        "joined": N_("Who joined"),
        "left_firm": N_("Who left"),
        "compared_to": N_("Dates compared to"),
        "n_undated": N_("Rounds without a date (n)"),
        "offset_months": N_("Months from the round"),
        "n_by_year": N_("Moves by year (n)"),
        "raised_qualifier": N_("Raised qualifier"),
        "raised_source": N_("Raised: source"),
        "valuation_note": N_("Valuation note"),
        "valuation_source": N_("Valuation: source"),
        "investor_amount": N_("Largest investor's amount"),
        "investor_source": N_("Largest investor: source"),
        "largest_pay_kind": N_("Largest pay figure: kind"),
        "pay_source": N_("Pay figure: source"),
        "buyer_id": N_("Buyer id"),
        "headcount": N_("Headcount"),
        "headcount_qualifier": N_("Headcount qualifier"),
        "counted": N_("What the headcount counts"),
        "counted_zh": N_("What the headcount counts (Chinese)"),
        "gained": N_("Gained (n)"),
        "lost": N_("Lost (n)"),
        "gained_per_100": N_("Gained per 100 staff"),
        "lost_per_100": N_("Lost per 100 staff"),
        "few_gained": N_("Gained: fewer than {few} moves"),
        "few_lost": N_("Lost: fewer than {few} moves"),
    },
    values={"few": FEW_MOVES},
)
