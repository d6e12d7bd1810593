"""The data model as the loader sees it: tables, their CSV columns, types and rules.

`queries/schema/base.sql` is what the database enforces; this module is what the loader
checks first, so an analyst gets every problem of a file at once, by row and column,
instead of the database's first constraint error.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.i18n import N_, _

CERTAINTIES = ("confirmed", "reported", "rumor")
# how sure a source is of one part of a fact (a move's origin, a date) apart from the fact: also
# "inferred", worked out from what it states (never hearsay); the certainty filter's levels
PART_CERTAINTIES = ("confirmed", "reported", "inferred", "rumor")
FIRM_KINDS = ("big_tech", "ai_startup", "research_lab", "investor", "university", "other")
MOVE_TYPES = ("joined", "founded", "returned", "acquihire", "left")
DEGREES = ("bachelor", "master", "phd", "other")
COMP_KINDS = ("base_salary", "annual_total", "signing_bonus", "equity", "package")
PERIODS = ("one_time", "per_year")
OUTCOMES = ("offered", "accepted", "declined", "unknown")
ROUND_TYPES = ("seed", "series", "strategic", "acquisition", "acquihire", "hire", "partnership", "other")
SOURCE_KINDS = ("article", "report", "dataset", "upload", "other")
TITLE_KINDS = ("headline", "description")
DEAL_ROLES = ("investor", "buyer", "payer", "partner")
ROUND_STATUSES = ("completed", "terminated", "rumored")
QUALIFIERS = ("exact", "at_least", "about")
ENTITY_KINDS = ("person", "firm")
# a firm's lineage: renamed (the same firm under a new id), merged into another, acquired whole
# (these three make today's lineage count it as its successor), or acqui-hired (its people went
# to the buyer under a deal; the firm goes on, and is counted as itself), or its team joined
# another firm (no deal named; the firm goes on)
LINEAGE_EVENTS = ("renamed", "merged_into", "acquired", "acquihire", "team_joined")


@dataclass(frozen=True)
class EntityKind:
    """A kind of entry that names resolve to, aliases name and profiles show: its table and id column."""

    kind: str
    table: str
    id_column: str


# A rate (or share) resting on fewer moves than this is marked ⚠: an anecdote, not a rate. Bound into
# SQL as $few_moves (atlas.sql.CONSTANTS), said in the help texts from here.
FEW_MOVES = 5

# the kinds of entry, each once: a person in people(person_id), a firm in firms(firm_id)
ENTITY_KINDS = {
    "person": EntityKind("person", "people", "person_id"),
    "firm": EntityKind("firm", "firms", "firm_id"),
}
KIND_OF_TABLE = {e.table: e.kind for e in ENTITY_KINDS.values()}  # {"people": "person", "firms": "firm"}


@dataclass(frozen=True)
class Column:
    """One CSV column: its type, whether it is required, its allowed values or reference."""

    name: str
    type: str = "text"  # text, slug, enum, date, int, number, bool, country, currency, url
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # table whose key this column references


@dataclass(frozen=True)
class Table:
    """One table of the model: its key columns and its CSV columns in order."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The CSV header of this table, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)


def _source(required: bool = True) -> tuple[Column, Column]:
    return (
        Column("source_id", "slug", required, ref="sources"),
        Column("certainty", "enum", required, CERTAINTIES),
    )


# In load order: a table only references tables listed before it (firms also itself).
TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        ("source_id",),
        (
            Column("source_id", "slug", True),
            Column("title", "text", True),
            Column("publisher", "text", True),
            Column("url", "url"),
            Column("published_on", "date"),
            Column("language"),
            Column("kind", "enum", choices=SOURCE_KINDS),
            Column("title_kind", "enum", choices=TITLE_KINDS),
            Column("title_zh"),
        ),
    ),
    Table(
        "fx_rates",
        ("currency", "year"),
        (
            Column("currency", "currency", True),
            Column("year", "int", True),
            Column("usd_per_unit", "number", True),
            Column("source", "text", True),
        ),
    ),
    Table(
        "cpi",
        ("year",),
        (
            Column("year", "int", True),
            Column("cpi_u", "number", True),
            Column("source", "text", True),
        ),
    ),
    Table(
        "firms",
        ("firm_id",),
        (
            Column("firm_id", "slug", True),
            Column("name", "text", True),
            Column("name_zh"),
            Column("kind", "enum", True, FIRM_KINDS),
            Column("country", "country"),
            Column("parent_id", "slug", ref="firms"),
            Column("founded_on", "date"),
            Column("source_id", "slug", ref="sources"),
        ),
    ),
    Table(
        "people",
        ("person_id",),
        (
            Column("person_id", "slug", True),
            Column("name", "text", True),
            Column("name_zh"),
            Column("known_for"),
            Column("known_for_zh"),
            Column("origin_country", "country"),
            Column("source_id", "slug", ref="sources"),
        ),
    ),
    Table(
        "aliases",
        ("entity_kind", "entity_id", "alias"),
        (
            Column("entity_kind", "enum", True, ENTITY_KINDS),
            # a person's or a firm's id, as entity_kind says (checked by atlas.load.rules)
            Column("entity_id", "slug", True),
            Column("alias", "text", True),
            Column("language"),
            Column("origin"),
        ),
    ),
    Table(
        "education",
        ("person_id", "institution_id", "degree"),
        (
            Column("person_id", "slug", True, ref="people"),
            Column("institution_id", "slug", True, ref="firms"),
            Column("degree", "enum", True, DEGREES),
            Column("year", "int"),
            *_source(),
            Column("note"),
        ),
    ),
    Table(
        "moves",
        ("move_id",),
        (
            Column("move_id", "slug", True),
            Column("person_id", "slug", True, ref="people"),
            Column("from_firm_id", "slug", ref="firms"),
            Column("to_firm_id", "slug", ref="firms"),
            Column("moved_on", "date"),
            Column("role"),
            Column("move_type", "enum", True, MOVE_TYPES),
            *_source(),
            Column("note"),
            Column("seq", "int"),
            # blank: as sure as the move; "inferred" where the source implies it without saying so
            Column("origin_certainty", "enum", choices=PART_CERTAINTIES),
            Column("moved_on_certainty", "enum", choices=PART_CERTAINTIES),
        ),
    ),
    Table(
        "compensation",
        ("comp_id",),
        (
            Column("comp_id", "slug", True),
            Column("person_id", "slug", ref="people"),
            Column("firm_id", "slug", True, ref="firms"),
            Column("kind", "enum", True, COMP_KINDS),
            Column("amount_low", "number", True),
            Column("amount_high", "number", True),
            Column("currency", "currency", True),
            Column("period", "enum", True, PERIODS),
            Column("outcome", "enum", True, OUTCOMES),
            Column("reported_on", "date", True),
            *_source(),
            Column("amount_text"),
            Column("note"),
        ),
    ),
    Table(
        "approaches",
        ("approach_id",),
        (
            Column("approach_id", "slug", True),
            Column("firm_id", "slug", True, ref="firms"),
            # the person approached, or (blank) the people_described when the source names none
            Column("person_id", "slug", ref="people"),
            Column("people_described"),
            Column("people_described_zh"),
            Column("approached_by_id", "slug", ref="people"),
            Column("approached_on", "date"),
            Column("offer_text", "text", True),
            Column("offer_text_zh"),
            Column("outcome", "enum", True, OUTCOMES),
            *_source(),
            Column("note"),
        ),
    ),
    Table(
        "funding_rounds",
        ("round_id",),
        (
            Column("round_id", "slug", True),
            Column("firm_id", "slug", True, ref="firms"),
            Column("announced_on", "date"),
            Column("round_type", "enum", True, ROUND_TYPES),
            Column("amount", "number"),
            Column("currency", "currency", True),
            Column("valuation", "number"),
            Column("stake_pct", "number"),
            Column("status", "enum", True, ROUND_STATUSES),
            *_source(),
            Column("amount_qualifier", "enum", choices=QUALIFIERS),
            Column("valuation_qualifier", "enum", choices=QUALIFIERS),
            Column("note"),
            Column("announced_on_certainty", "enum", choices=PART_CERTAINTIES),
        ),
    ),
    Table(
        "round_investors",
        ("round_id", "investor_id"),
        (
            Column("round_id", "slug", True, ref="funding_rounds"),
            Column("investor_id", "slug", True, ref="firms"),
            Column("is_lead", "bool"),
            Column("role", "enum", choices=DEAL_ROLES),
        ),
    ),
    Table(
        "firm_events",
        ("event_id",),
        (
            Column("event_id", "slug", True),
            Column("firm_id", "slug", True, ref="firms"),
            Column("event_type", "enum", True, LINEAGE_EVENTS),
            # blank when the source does not name it: successor_described says what it says
            Column("successor_id", "slug", ref="firms"),
            Column("happened_on", "date"),
            Column("round_id", "slug", ref="funding_rounds"),
            *_source(),
            Column("note"),
            Column("happened_on_certainty", "enum", choices=PART_CERTAINTIES),
            Column("successor_described"),
            Column("successor_described_zh"),
        ),
    ),
    Table(
        "headcounts",
        ("firm_id", "year"),
        (
            Column("firm_id", "slug", True, ref="firms"),
            Column("year", "int", True),
            Column("headcount", "int", True),
            *_source(),
            Column("note"),
            Column("headcount_qualifier", "enum", choices=("exact", "fewer_than", "about")),
            Column("counted"),
            Column("counted_zh"),
        ),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


# Files by name: one row per event with names, not ids, as analysts keep them (atlas.byname
# turns them into table rows once their names are resolved).
@dataclass(frozen=True)
class FlatFormat:
    """One row per event with names: which table it fills, its columns and defaults."""

    name: str  # how the Data page and the dictionary call it
    table: str
    required: tuple[str, ...]
    columns: tuple[str, ...]
    refs: dict[str, tuple[str, str]]  # column -> (person or firm, column of its Chinese name or '')
    defaults: dict[str, str]
    id_column: str
    id_prefix: str
    id_fields: tuple[str, ...]  # what makes two rows the same event (its id is their hash)


SOURCE_COLUMNS = ("source_title", "source_url", "source_publisher", "source_date")


FLAT_FORMATS: dict[str, FlatFormat] = {
    f.name: f
    for f in (
        FlatFormat(
            "moves by name",
            "moves",
            ("person", "to_firm", "moved_on"),
            (
                "person",
                "person_zh",
                "from_firm",
                "to_firm",
                "moved_on",
                "role",
                "move_type",
                "certainty",
                "note",
                *SOURCE_COLUMNS,
            ),
            {"person": ("person", "person_zh"), "from_firm": ("firm", ""), "to_firm": ("firm", "")},
            {"move_type": "joined", "certainty": "reported"},
            "move_id",
            "m",
            ("person", "from_firm", "to_firm", "moved_on", "move_type"),
        ),
        FlatFormat(
            "pay by name",
            "compensation",
            ("firm", "kind", "amount_low", "currency", "reported_on"),
            (
                "person",
                "person_zh",
                "firm",
                "kind",
                "amount_low",
                "amount_high",
                "currency",
                "period",
                "outcome",
                "reported_on",
                "certainty",
                "amount_text",
                "note",
                *SOURCE_COLUMNS,
            ),
            {"person": ("person", "person_zh"), "firm": ("firm", "")},
            {"period": "one_time", "outcome": "unknown", "certainty": "reported"},
            "comp_id",
            "p",
            ("person", "firm", "kind", "amount_low", "amount_high", "currency", "reported_on"),
        ),
        FlatFormat(
            "rounds by name",
            "funding_rounds",
            ("firm", "round_type", "currency"),
            (
                "firm",
                "announced_on",
                "round_type",
                "amount",
                "currency",
                "valuation",
                "stake_pct",
                "status",
                "investors",
                "lead_investor",
                "certainty",
                "amount_qualifier",
                "note",
                *SOURCE_COLUMNS,
            ),
            {"firm": ("firm", ""), "investors": ("firm", ""), "lead_investor": ("firm", "")},
            {"status": "completed", "certainty": "reported"},
            "round_id",
            "r",
            ("firm", "announced_on", "round_type", "amount", "currency"),
        ),
    )
}


def detect_flat(header: list[str]) -> str | None:
    """The flat format a header is (every required column there, none unknown), or None."""
    cols = {h.strip().lower().lstrip("\ufeff") for h in header}
    for f in FLAT_FORMATS.values():
        if set(f.required) <= cols and cols <= set(f.columns):
            return f.name
    return None


# The tables whose rows are facts from a source; each must name its source and certainty.
FACT_TABLES = ("education", "moves", "compensation", "funding_rounds")


TYPE_NAMES = {
    "text": N_("text"),
    "slug": N_("id (lowercase letters, digits, '.', '_', '-')"),
    "enum": N_("one of a list"),
    "date": N_("date: YYYY, YYYY-MM or YYYY-MM-DD"),
    "int": N_("whole number"),
    "number": N_("number (100000000, 100,000,000 or 1e8)"),
    "bool": N_("true or false"),
    "country": N_("ISO 3166-1 alpha-2 country code"),
    "currency": N_("ISO 4217 currency code with a rate in fx_rates"),
    "url": N_("web address starting with http:// or https://"),
}


def dictionary(table: str, example: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The data dictionary of a table: one entry per CSV column with its type and rules."""
    t = TABLES_BY_NAME[table]
    example = example or {}
    return [
        {
            "column": c.name,
            "type": _(TYPE_NAMES[c.type]),
            # a fact's source_id may be left empty: the upload then cites itself
            "required": _("yes") if c.required and not (c.name == "source_id" and c.ref) else _("no"),
            "allowed": ", ".join(c.choices)
            if c.choices
            else (_("an id in {table}").format(table=c.ref) if c.ref else "")
            + (_("; empty: the upload itself becomes the source") if c.name == "source_id" and c.ref else ""),
            "key": _("yes") if c.name in t.key else "",
            "example": example.get(c.name, ""),
        }
        for c in t.columns
    ]


def template_csv(table: str) -> str:
    """An empty CSV with the table's header, ready to fill in a spreadsheet."""
    return ",".join(TABLES_BY_NAME[table].column_names) + "\n"


def example_csv(table: str, row: dict[str, str]) -> str:
    """The table's header and one example row (a separate file from the empty template)."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    names = TABLES_BY_NAME[table].column_names
    w.writerow(names)
    w.writerow([row.get(n, "") for n in names])
    return out.getvalue()
