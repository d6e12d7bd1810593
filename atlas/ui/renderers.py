"""Table renderers: a frame the page fetched in, a Streamlit table out, with labelled columns,
units, profile links and sources. They run no query.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from atlas import cache, i18n, tables
from atlas.export import money_basis
from atlas.i18n import N_, _, ngettext
from atlas.labels import Labels
from atlas.pages import PROFILES
from atlas.ui import session


def certainty_column(label: str = ""):
    """The column config that explains the certainty levels in a table header."""
    return st.column_config.TextColumn(
        label or _("Certainty"),
        help=_("confirmed: own statement or official; reported: the article or media; rumor: anonymous insiders"),
        width="small",
    )


PROFILE_PAGE = PROFILES.script


class ProfileLink(NamedTuple):
    """A column of names that open a profile on click (see `dataframe`)."""

    label: str
    help: str | None = None
    pinned: bool | None = None
    width: str | int | None = None


def profile_link_column(
    label: str, help: str | None = None, *, pinned: bool | None = None, width: str | int | None = None
) -> ProfileLink:
    """A table column whose names open the person's or firm's profile in this tab, with one click
    (`pinned`: it stays in view while a wide table scrolls sideways; `width`: 'medium' keeps a
    long name from pushing the columns after it past the right edge)."""
    return ProfileLink(label, help, pinned, width)


class _Links(dict):
    """A table's profile links (label column -> (kind, ids)), never changed once made: pandas copies
    a frame's attrs deeply at every operation on it (4% of a warm view, profiled); these are shared."""

    def __deepcopy__(self, memo: dict) -> _Links:
        return self


def with_links(df, *specs: tuple[str, str, str]):
    """Codes as labels and missing values as '—' (tables.readable), keeping each (label column,
    id column, 'person' or 'firm') of `specs` as the names a click opens (read by `dataframe`)."""
    out = tables.readable(df, keep=tuple(label_col for label_col, _, _ in specs))
    out.attrs["profile_links"] = _Links(
        {
            label_col: (kind, tuple(i if isinstance(i, str) else None for i in df[id_col]))
            for label_col, id_col, kind in specs
        }
    )
    return out


def _open_profile(click_key: str, kind: str, ids: list) -> None:
    """A name in a table was clicked: open its profile on the next run (switch_page cannot run in a
    callback). The shared filters come along with the app, not in the switch's parameters (they are
    bound to widgets)."""
    click = st.session_state.get(click_key)
    row = click["row"] if click else None
    if row is None or not 0 <= int(row) < len(ids) or ids[int(row)] is None:
        return
    session.GOTO.value = (PROFILE_PAGE, [(kind, ids[int(row)])])


def dataframe(df, *, key: str, column_config: dict, **kwargs) -> None:
    """st.dataframe, with each ProfileLink column of `column_config` drawn as names that open the
    profile on click, in this tab (the ids come from `with_links`; a row without one is plain)."""
    links = df.attrs.get("profile_links", {})
    config = dict(column_config)
    for col, spec in column_config.items():
        if not isinstance(spec, ProfileLink):
            continue
        kind, ids = links[col]
        click_key = f"{key}__open_{col}"
        config[col] = st.column_config.ButtonColumn(
            spec.label,
            help=spec.help
            or (
                _("Click a name to open the person's profile")
                if kind == "person"
                else _("Click a name to open the firm's profile")
            ),
            type="tertiary",
            alignment="left",
            pinned=spec.pinned,
            width=spec.width,
            on_click=_open_profile,
            args=(click_key, kind, ids),
            key=click_key,
        )
    st.dataframe(df, column_config=config, key=key, **kwargs)


def table_height(n_rows: int, max_height: int = 600) -> int | str:
    """A table height that fits `n_rows` without blank rows, scrolling past `max_height` pixels."""
    return min(max_height, 35 * (n_rows + 1) + 3)


def _source_columns() -> dict:
    return {
        "certainty": certainty_column(),
        "source": st.column_config.TextColumn(
            _("Source"),
            help=_(
                "Publisher, date and title of the source the fact comes from (in quotes: its own headline;"
                " every source with its address is listed on the Data page)"
            ),
        ),
    }


def moves_dataframe(df, *, key: str | None = None, compact: bool = False) -> None:
    """The moves table: date at its precision, person, firms, type, role, certainty, source.

    `compact` leaves out role, publisher and note, for a summary beside other content.
    """
    if df.empty:
        st.info(_("No moves match the filters. Widen the period, lower the minimum certainty or clear the firm kinds."))
        return
    dataframe(
        cache.kept(
            df,
            ("moves_table",),
            lambda: with_links(
                tables.moves_table(df),
                ("person", "person_id", "person"),
                ("from_firm", "from_firm_id", "firm"),
                ("to_firm", "to_firm_id", "firm"),
            ),
        ),
        column_order=["moved_on", "person", "from_firm", "to_firm", "move_type", "certainty", "source"]
        if compact
        # how sure, and from where, before the role: at 1440 px they sat past the right edge
        else [
            "moved_on",
            "person",
            "from_firm",
            "to_firm",
            "move_type",
            "certainty",
            "source",
            "role",
            "note",
        ],
        column_config={
            "moved_on": st.column_config.TextColumn(
                _("Date"), help=_("At the precision the article gives"), width="small"
            ),
            "person": profile_link_column(_("Person"), _("Open the person's profile"), width="medium"),
            "from_firm": profile_link_column(_("From"), _("Open the firm's profile"), width="medium"),
            "to_firm": profile_link_column(_("To"), _("Open the firm's profile"), width="medium"),
            "move_type": _("Type"),
            "role": _("Role"),
            "note": _("Note"),
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key or "moves",
    )
    from atlas.ui.pull_ui import papers_note

    papers_note(df)


def pay_dataframe(df, currency: str, *, key: str | None = None, constant_year: int = 0) -> None:
    """The pay-figures table: converted and original amounts, kind, period, outcome, source."""
    if df.empty:
        st.info(_("No pay figures match the filters."))
        return
    dataframe(
        cache.kept(
            df,
            ("pay_table",),
            lambda: with_links(tables.pay_table(df), ("person", "person_id", "person"), ("firm", "firm_id", "firm")),
        ),
        # who, how sure and from where first: at 1440 px they sat past the right edge
        column_order=[
            "converted",
            "person",
            "firm",
            "kind",
            "certainty",
            "source",
            "reported_on",
            "period",
            "outcome",
            "original",
            "amount_text",
            "note",
        ],
        column_config={
            "converted": st.column_config.TextColumn(
                _("Amount ({money})").format(money=money_basis(currency, constant_year)),
                help=_(
                    "Converted at the average rate of the year reported, then to {currency} of {year} by US "
                    "consumer prices"
                ).format(currency=currency, year=constant_year)
                if constant_year
                else _("Converted at the average rate of the year reported (nominal: no inflation adjustment)"),
            ),
            "original": _("As reported"),
            "amount_text": _("Wording in the article"),
            "kind": _("Kind"),
            "period": _("Period"),
            "outcome": _("Outcome"),
            "person": profile_link_column(_("Person"), _("Empty where the article names nobody")),
            "firm": profile_link_column(_("Offering firm")),
            "reported_on": _("Reported"),
            "note": _("Note"),
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key or "pay",
    )


# The Funding page lists (and draws) the largest rounds the filters select, at most this many.


def rounds_listed_caption(n_listed: int, n_found: int) -> None:
    """Say how many rounds the filters select: all of them, or the largest n_listed of n_found."""
    if not n_listed:
        return
    if n_found <= n_listed:
        st.caption(_("All {n} rounds and deals the filters select.").format(n=f"{n_listed:,}"))
        return
    st.caption(
        _("The {n} largest of {total} rounds and deals the filters select; narrow them to see others.").format(
            n=f"{n_listed:,}", total=f"{n_found:,}"
        )
    )


def rounds_dataframe(df, currency: str, *, key: str | None = None) -> None:
    """The rounds table: firm, converted and original amount, type, status, investors, valuation, source."""
    if df.empty:
        st.info(_("No funding rounds or deals match the filters."))
        return
    dataframe(
        cache.kept(
            df,
            ("rounds_table",),
            lambda: with_links(
                tables.part_certainty(tables.undated(tables.rounds_table(df), "announced_on")),
                ("firm", "firm_id", "firm"),
            ),
        ),
        column_order=[
            "firm",
            "converted",
            "original",
            "round_type",
            "status",
            "investors",
            "valuation_text",
            "valuation_original",
            "stake",
            "announced_on",
            "certainty",
            "source",
            "note",
        ],
        column_config={
            "firm": profile_link_column(_("Firm")),
            "converted": st.column_config.TextColumn(
                _("Amount ({money})").format(money=money_basis(currency)),
                help=_("Converted at the average rate of the announcement year (nominal)"),
                width="medium",
            ),
            "original": _("As reported"),
            "round_type": _("Type"),
            "status": st.column_config.TextColumn(_("Status"), help=_("A terminated deal is never counted as raised")),
            "investors": st.column_config.TextColumn(
                _("Investors, buyers, partners"), help=_("Each firm with what it is to the deal (lead, buyer, partner)")
            ),
            "valuation_text": st.column_config.TextColumn(
                _("Valuation ({money})").format(money=money_basis(currency)),
                help=_("Stated, or implied by amount / stake; converted at the average rate of the announcement year"),
                width="medium",
            ),
            "valuation_original": st.column_config.TextColumn(_("Valuation as reported")),
            "stake": _("Stake"),
            "announced_on": _("Announced"),
            "note": _("Note"),
            **_source_columns(),
        },
        hide_index=True,
        width="stretch",
        key=key or "rounds",
    )


def counterparts_dataframe(df) -> None:
    """Whom a group gained from and lost to: counts, first and latest dates, and the people."""
    if df.empty:
        st.info(_("No moves in or out of this group under the filters."))
        return
    st.dataframe(
        cache.kept(df, ("counterparts_table",), lambda: tables.readable(df)),
        column_order=["direction", "counterpart", "n_moves", "first_on", "last_on", "n_undated", "names"],
        column_config={
            "direction": _("Direction"),
            "counterpart": st.column_config.TextColumn(_("From / to"), width="medium"),
            "n_moves": st.column_config.NumberColumn(_("Moves (n)")),
            "first_on": st.column_config.TextColumn(_("First"), help=_("The earliest dated move, at its precision")),
            "last_on": st.column_config.TextColumn(_("Latest"), help=_("The latest dated move, at its precision")),
            "n_undated": st.column_config.NumberColumn(_("Undated (n)"), help=_("Moves the sources give no date for")),
            "names": st.column_config.TextColumn(_("Who"), help=_("Full names, the first 20 by name"), width="large"),
        },
        hide_index=True,
        width="stretch",
        height=table_height(len(df), 400),
    )


def boomerangs_dataframe(df) -> None:
    """People who left and came back: path, dates at their precision, time away."""
    if df.empty:
        st.info(_("No one under these filters left a firm and came back to it."))
        return
    n_found = int(df["n_found"].iloc[0])
    listed = _("; the {n} most recent are listed").format(n=f"{len(df):,}") if n_found > len(df) else ""
    st.caption(_("{n} return(s) found").format(n=f"{n_found:,}") + listed)
    shown = cache.kept(
        df,
        ("boomerangs_table",),
        lambda: with_links(
            # codes in the reader's words ("returned" was left in English in Chinese)
            tables.readable(df.assign(away=tables.months_text(df["months_away"])), keep=("person", "person_id")),
            ("person", "person_id", "person"),
        ),
    )
    dataframe(
        shown,
        column_order=["person", "path", "returned_to", "left_on", "returned_on", "away", "return_type"],
        column_config={
            "person": profile_link_column(_("Person")),
            "path": st.column_config.TextColumn(_("Path"), width="large"),
            "returned_to": _("Came back to"),
            "left_on": _("Left"),
            "returned_on": _("Came back"),
            "away": st.column_config.TextColumn(_("Time away"), help=_("From the two dates, at their precision")),
            "return_type": _("Recorded as"),
        },
        key="boomerangs",
        hide_index=True,
        width="stretch",
    )


def education_flows_dataframe(df) -> None:
    """Trained-in / works-in country pairs with counts and names."""
    st.dataframe(
        cache.kept(df, ("education_flows_table",), lambda: tables.readable(df)),
        column_config={
            "trained_country": _("Trained in"),
            "works_country": _("Works in"),
            "n_people": st.column_config.NumberColumn(_("People (n)")),
            "names": st.column_config.TextColumn(_("Who"), help=_("Listed where five or fewer")),
        },
        hide_index=True,
        width="stretch",
    )


def compare_dataframe(df, currency: str) -> None:
    """One row per compared firm: money and talent side by side, each figure with its source."""
    shown = cache.kept(
        df,
        ("compare_table", currency),
        lambda: with_links(tables.compare_table(df, currency), ("firm", "firm_id", "firm")),
    )
    dataframe(
        shown,
        column_order=[
            "firm",
            "raised",
            "valuation",
            "n_rounds",
            "largest_investor",
            "n_gained",
            "n_lost",
            "pay",
            "raised_source",
            "valuation_source",
            "investor_source",
            "pay_source",
        ],
        column_config={
            "firm": profile_link_column(_("Firm")),
            "raised": st.column_config.TextColumn(
                _("Raised ({money})").format(money=money_basis(currency)),
                help=_("Completed rounds that count as raised"),
            ),
            "raised_source": _("Source (largest round)"),
            "valuation": st.column_config.TextColumn(_("Last valuation ({money})").format(money=money_basis(currency))),
            "valuation_source": _("Source (valuation)"),
            "n_rounds": st.column_config.NumberColumn(_("Rounds & deals (n)")),
            "largest_investor": _("Largest investor"),
            "investor_source": _("Source (investor)"),
            "n_gained": st.column_config.NumberColumn(_("People gained (firm alone)")),
            "n_lost": st.column_config.NumberColumn(_("People lost (firm alone)")),
            "pay": st.column_config.TextColumn(
                _("Largest pay figure offered ({money})").format(money=money_basis(currency))
            ),
            "pay_source": _("Source (pay)"),
        },
        key="compare",
        hide_index=True,
        width="stretch",
    )


def deals_dataframe(df, currency: str) -> None:
    """Acquisitions and acqui-hires with the people who moved in each."""
    if df.empty:
        st.info(_("No acquisitions or acqui-hires match the filters."))
        return
    shown = cache.kept(
        df,
        ("deals_table",),
        lambda: with_links(
            tables.dashes(tables.deals_table(df), ["people", "announced_on"]),
            ("target", "firm_id", "firm"),
            ("buyer", "buyer_id", "firm"),
        ),
    )
    dataframe(
        shown,
        column_order=[
            "target",
            "buyer",
            "round_type",
            "status",
            "converted",
            "announced_on",
            "people",
            "certainty",
            "source",
            "note",
        ],
        column_config={
            "target": profile_link_column(_("Target")),
            "buyer": profile_link_column(_("Buyer or payer"), _("The firm that bought, or paid to hire its people")),
            "round_type": _("Deal"),
            "status": _("Status"),
            "converted": _("Amount ({money})").format(money=money_basis(currency)),
            "announced_on": _("Announced"),
            "people": st.column_config.TextColumn(
                _("People who moved"), help=_("Moves from the target to the buyer that year")
            ),
            "certainty": certainty_column(),
            "source": _("Source"),
            "note": _("Note"),
        },
        key="deals",
        hide_index=True,
        width="stretch",
    )


SOURCE_KINDS = Labels(
    {
        "article": N_("Article"),
        "report": N_("Report"),
        "dataset": N_("Dataset"),
        "upload": N_("Upload"),
        "other": N_("Other"),
    }
)


def _sources_shown(df):  # noqa: ANN001, ANN202 - a frame of sources_list
    """The sources as the table shows them: kinds in words, a Chinese description where the data
    gives one (in Chinese), dashes for what is unknown, and "no address given" said plainly where no
    source has one (a link column would make those words a link; then the count is said below)."""
    kinds = df["kind"].map(lambda k: SOURCE_KINDS.get(k, k))
    if i18n.language() == "zh" and "title_zh" in df:  # a description in Chinese where the data gives one
        df = df.assign(title=df["title_zh"].where(df["title_zh"].notna(), df["title"]))
    shown = tables.dashes(df.assign(kind=kinds), ["published_on", "language"])
    any_url = bool(shown["url"].notna().any())
    shown["url"] = shown["url"].fillna("" if any_url else _("no address given"))
    return shown


def sources_dataframe(df, *, with_id: bool = False) -> None:
    """Every source with publisher, date, title (quoted: the source's own headline; unquoted: a
    description of an untitled copy), its address where one is known, and the facts citing it."""
    n_without = int(df["url"].isna().sum())
    any_url = n_without < len(df)
    # kept per query result and language (formatted again on every run before, profiled)
    shown = cache.kept(df, ("sources_table",), lambda: _sources_shown(df))
    st.dataframe(
        shown,
        column_order=[
            "publisher",
            "published_on",
            "title",
            "url",
            "kind",
            "n_facts",
            "language",
            *(["source_id"] if with_id else []),
        ],
        column_config={
            "publisher": _("Publisher"),
            "published_on": _("Published"),
            "title": st.column_config.TextColumn(
                _("Title"),
                help=_(
                    "In quotes: the source's own headline. Without quotes: our description of a copy that has"
                    " no headline (the article is cited by publisher and date)."
                ),
                width="large",
            ),
            "url": st.column_config.LinkColumn(_("Address"), help=_("Opens the source; empty where none is given"))
            if any_url
            else st.column_config.TextColumn(
                _("Address"), help=_("The sources were read as text: none came with an address")
            ),
            "kind": st.column_config.TextColumn(
                _("Kind"), help=_("Upload: rows an upload brought without naming a source cite the upload itself")
            ),
            "n_facts": st.column_config.NumberColumn(_("Facts cited"), help=_("Moves, pay figures, rounds, education")),
            "language": _("Language"),
            "source_id": _("Source id"),
        },
        hide_index=True,
        width="stretch",
    )
    if any_url and n_without:
        st.caption(
            ngettext("{n} source has no address given.", "{n} sources have no address given.", n_without).format(
                n=f"{n_without:,}"
            )
        )
