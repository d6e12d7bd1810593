"""What only talent and money together show: the moves around each funding round (money and
talent), drawn on the Funding page and on a firm's profile; and a firm's lineage (how the flows
count a renamed, merged or acquired firm, and its events on its profile); and teams that moved together
(lift-outs). The page passes its filters; this module fetches through `atlas.cache` and draws the window
control, the aligned chart and the tables."""

from __future__ import annotations

import streamlit as st

from atlas import cache, charts, i18n, pages, tables, viewdata
from atlas.i18n import N_, _
from atlas.labels import Labels
from atlas.model import FEW_MOVES
from atlas.money import format_amount
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import coded_choice, url_int_input
from atlas.ui.plots import altair_chart, plot
from atlas.ui.renderers import certainty_column, dataframe, money_basis, profile_link_column, with_links


def _counts_config(per_round: bool = False) -> dict:
    """The six counts of a money-and-talent row: moves in and out, before, with and after.
    `per_round`: summed over rounds (across firms), where a move near two rounds of its firm is
    counted for each: the headers say "moves × rounds", never people."""
    unit = (" " + _("(moves × rounds)")) if per_round else ""
    twice = (" " + _("A move near two rounds of its firm counts for each.")) if per_round else ""
    return {
        "in_before": st.column_config.NumberColumn(
            _("Joined before") + unit, format="%d", help=_("Within the window") + twice
        ),
        "in_same": st.column_config.NumberColumn(
            _("Joined, same period") + unit,
            format="%d",
            help=_("Dated to the same month or year as the round: which came first is not known") + twice,
        ),
        "in_after": st.column_config.NumberColumn(
            _("Joined after") + unit, format="%d", help=_("Within the window") + twice
        ),
        "out_before": st.column_config.NumberColumn(_("Left before") + unit, format="%d", help=twice or None),
        "out_same": st.column_config.NumberColumn(_("Left, same period") + unit, format="%d", help=twice or None),
        "out_after": st.column_config.NumberColumn(_("Left after") + unit, format="%d", help=twice or None),
    }


def _unnamed_counted(rounds):
    """Who joined and left, or for a round with more moves around it than the query names (a large
    firm's hundreds), how many: never an empty cell beside a count."""
    out = rounds.copy()
    for col, prefix in (("joined", "in_"), ("left_firm", "out_")):
        n = out[[f"{prefix}before", f"{prefix}same", f"{prefix}after"]].sum(axis=1)
        unnamed = out[col].isna() & (n > 0)
        out.loc[unnamed, col] = [_("{n} people: too many to list here").format(n=f"{int(k):,}") for k in n[unnamed]]
    return out


def money_and_talent_ui(p: dict, *, firm_id: str = "", with_subsidiaries: bool = False) -> None:
    """The moves into and out of each round's firm in the months around the round: the window
    (kept in the link as ?mt_months=), an inflow chart aligned at the rounds' dates, the counts by
    kind of firm (across firms; not on a profile) and one row per round with its people."""
    with st.columns(3)[0]:  # a number: a third of the width is room enough
        months = url_int_input(
            _("Months before and after each round"),
            key="mt_months",
            help=_(
                "Moves into and out of the round's firm (the firm itself, not its subsidiaries) within this many "
                "months of the round."
            ),
        )
    params = viewdata.money_talent_params(p, months, firm_id, with_subsidiaries)
    rounds = cache.query("money_talent_rounds", **params)
    if rounds.empty:
        st.info(
            _(
                "No dated round or deal of this firm itself under the filters: its moves are set against the "
                "rounds it raised or the deals it was sold in. As an investor, a buyer or a partner in another "
                "firm's deal it is listed under the rounds, investments and deals below."
            )
            if firm_id
            else _("No dated round or deal matches the filters: there is nothing to set the moves against.")
        )
        return
    n_rounds, n_undated = int(rounds["n_rounds"].iloc[0]), int(rounds["n_undated"].iloc[0])
    listed = (
        _("the {n} most recent of {total} dated rounds and deals").format(n=f"{len(rounds):,}", total=f"{n_rounds:,}")
        if n_rounds > len(rounds)
        else _("{n} dated round(s) and deal(s)").format(n=f"{n_rounds:,}")
    )
    undated = (
        " " + _("{n} without a date cannot be set against moves and are left out.").format(n=f"{n_undated:,}")
        if n_undated
        else ""
    )
    st.caption(
        _(
            "Over {listed}, with the firm's moves at least as certain as the filter. A round and a move are "
            "compared at the coarser of their two dates: a round known only by its year against a move in that "
            "year is “same period”, their order unknown."
        ).format(listed=listed)
        + undated
    )
    around = cache.query("money_talent_around", **params)
    if around.empty:
        st.info(_("No move into or out of these firms falls within {n} months of their rounds.").format(n=months))
    else:
        chart = plot(charts.around_rounds_chart, around, months)
        altair_chart(chart, width="stretch", height=380)
        downloads_ui("money_talent_around", df=around, chart=chart)
    if not firm_id:
        by_kind = cache.kept(
            rounds, ("money_talent_by_kind",), lambda: tables.readable(tables.money_talent_by_kind(rounds))
        )
        st.markdown(_("**Across firms of a kind**"))
        st.caption(
            _(
                "Each move is counted once for every round of its firm it falls near, so these are moves × "
                "rounds, not people. Deals that fell through brought no money and are left out here."
            )
        )
        dataframe(
            by_kind,
            column_order=["kind", "n_rounds", "n_firms", *_counts_config()],
            column_config={
                "kind": _("Kind of firm"),
                "n_rounds": st.column_config.NumberColumn(_("Rounds (n)"), format="%d"),
                "n_firms": st.column_config.NumberColumn(_("Firms (n)"), format="%d"),
                **_counts_config(per_round=True),
            },
            key="money_talent_by_kind",
            hide_index=True,
            width="stretch",
        )
    st.markdown(_("**Round by round**"))
    shown = cache.kept(
        rounds,
        ("money_talent_rounds_table",),
        lambda: with_links(
            tables.part_certainty(tables.deals_table(_unnamed_counted(rounds))), ("firm", "firm_id", "firm")
        ),
    )
    dataframe(
        shown,
        column_order=[
            "firm",
            "round_type",
            "announced_on",
            "converted",
            "status",
            "certainty",
            "source",
            "joined",
            "left_firm",
            "moves_certainty",
            *_counts_config(),
            "compared_to",
        ],
        column_config={
            "firm": profile_link_column(_("Firm"), pinned=True),
            "round_type": _("Round or deal"),
            "announced_on": _("Announced"),
            "converted": _("Amount ({money})").format(money=money_basis(p["currency"])),
            **_counts_config(),
            "joined": st.column_config.TextColumn(_("Who joined"), width="medium"),
            "left_firm": st.column_config.TextColumn(_("Who left"), width="medium"),
            "compared_to": st.column_config.TextColumn(
                _("Dates compared to"), help=_("The coarsest precision any of its moves was compared at")
            ),
            "status": _("Status"),
            "certainty": certainty_column(_("Round's certainty")),
            "moves_certainty": st.column_config.TextColumn(
                _("Moves' certainty"), help=_("The least certain of the moves named beside the round")
            ),
            "source": st.column_config.TextColumn(_("Round's source"), width="medium"),
        },
        key=f"money_talent_{firm_id or 'all'}",
        hide_index=True,
        width="stretch",
    )
    downloads_ui("money_talent_rounds", df=rounds)


LINEAGE_WORDS = Labels({"then": N_("as they stood at the time"), "today": N_("on today's lineage")})
EVENT_WORDS = Labels(
    {
        "renamed": N_("renamed"),
        "merged_into": N_("merged into"),
        "acquired": N_("acquired by"),
        "acquihire": N_("acqui-hired by"),
        "team_joined": N_("its team joined"),
    }
)


def lineage_ui() -> str:
    """How the flows count a renamed, merged or acquired firm (kept in the link as ?lineage=), and a
    caption that says which, naming the firms today's lineage counts as another."""
    lineage = coded_choice(
        st.radio,
        _("Count firms"),
        pages.LINEAGES,
        LINEAGE_WORDS,
        key="lineage",
        horizontal=True,
        help=_(
            "As they stood: each move counts at the firm it names. Today's lineage: a firm renamed, merged into "
            "another or acquired whole counts as what it is today. An acqui-hired firm goes on, and counts as itself."
        ),
    )
    events = cache.query("firm_lineage")
    moved = events[events["counted_as_successor"]]
    if lineage == "today":
        if moved.empty:
            st.caption(_("No rename, merger or acquisition is on record: today's lineage counts every firm as itself."))
        else:
            pairs = [_("{a} as {b}").format(a=r.firm, b=r.successor) for r in moved.head(8).itertuples()]
            more = _(" and {n} more").format(n=f"{len(moved) - 8:,}") if len(moved) > 8 else ""
            st.caption(
                _("Counted on today's lineage: {pairs}{more}. Acqui-hired firms still count as themselves.").format(
                    pairs="; ".join(pairs), more=more
                )
            )
    else:
        st.caption(
            _(
                "Counted as the firms stood at the time of each move; {n} lineage event(s) on record (see a firm's "
                "profile)."
            ).format(n=f"{len(events):,}")
        )
    return lineage


def _deal_text(amount, currency, qualifier, round_id) -> str | None:
    """The deal an event came with, as reported: its amount, 'amount not reported', or nothing."""
    if isinstance(amount, float) and amount == amount:
        return format_amount(amount, None, currency, qualifier)
    return _("amount not reported") if isinstance(round_id, str) else None


def lineage_dataframe(df, key: str) -> None:
    """A firm's renames, mergers, acquisitions and acqui-hires, with the deal and people they came with."""
    if df.empty:
        st.caption(_("No rename, merger, acquisition or acqui-hire of this firm is on record."))
        return
    # a successor the source does not name reads as the source describes it, in the reader's language
    successor = df["successor"]
    if i18n.language() == "zh" and "successor_described_zh" in df:
        successor = df["successor_described_zh"].where(
            df["successor_id"].isna() & df["successor_described_zh"].notna(), successor
        )
    shown = tables.part_certainty(df).assign(
        successor=successor,
        event_type=df["event_type"].map(lambda v: EVENT_WORDS.get(v, v)),
        deal=[
            format_amount(a, None, c, q)
            if isinstance(a, float) and a == a
            else (_("amount not reported") if r else None)
            for a, c, q, r in zip(df["amount"], df["currency"], df["amount_qualifier"], df["round_id"], strict=True)
        ],
        counted_as_successor=df["counted_as_successor"].map(lambda v: _("as its successor") if v else _("as itself")),
    )
    dataframe(
        with_links(shown, ("firm", "firm_id", "firm"), ("successor", "successor_id", "firm")),
        column_order=[
            "firm",
            "event_type",
            "successor",
            "happened_on",
            "deal",
            "people",
            "counted_as_successor",
            "certainty",
            "source",
            "note",
        ],
        column_config={
            "firm": profile_link_column(_("Firm")),
            "event_type": _("Event"),
            "successor": profile_link_column(_("Into")),
            "happened_on": _("When"),
            "deal": st.column_config.TextColumn(_("Deal"), help=_("The amount of the deal it came with, as reported")),
            "people": st.column_config.TextColumn(_("People the deal brought")),
            "counted_as_successor": st.column_config.TextColumn(
                _("Today's lineage counts it"), help=_("How flows on today's lineage count the firm before")
            ),
            "certainty": certainty_column(),
            "source": _("Source"),
            "note": _("Note"),
        },
        key=key,
        hide_index=True,
        width="stretch",
    )


def _rates_table(rates):
    """The rates as read: each with the count behind it in its cell, ⚠ under FEW_MOVES moves, > over a
    "fewer than" headcount; headcounts in words; what the headcount counts in the reader's language."""
    # a headcount of "fewer than" N makes a rate over N a floor: the true rate is more
    floor = rates["headcount_qualifier"] == "fewer_than"

    def marked(values, few, counts):
        # the count behind each rate in the same cell: two columns fewer, so the source stays in view
        return [
            ("> " if low and v > 0 else "") + (f"{v:.1f} ⚠" if f else f"{v:.1f}") + f" ({n:,})"
            for v, f, low, n in zip(values, few, floor, counts, strict=True)
        ]

    def headcount(n, qualifier):
        if qualifier == "fewer_than":
            return _("fewer than {n}").format(n=f"{n:,}")
        return _("about {n}").format(n=f"{n:,}") if qualifier == "about" else f"{n:,}"

    counted = rates["counted"]
    if i18n.language() == "zh":
        counted = rates["counted_zh"].where(rates["counted_zh"].notna(), counted)
    shown = rates.assign(
        gained_per_100=marked(rates["gained_per_100"], rates["few_gained"], rates["gained"]),
        lost_per_100=marked(rates["lost_per_100"], rates["few_lost"], rates["lost"]),
        headcount=[headcount(n, q) for n, q in zip(rates["headcount"], rates["headcount_qualifier"], strict=True)],
        counted=counted.where(counted.notna(), _("staff")),
    )
    return with_links(shown, ("firm", "firm_id", "firm"))


def rates_ui(p: dict, *, firm_id: str = "") -> None:
    """People gained and lost per 100 staff per year where a headcount is on record (the shared
    period and certainty), each rate marked when it rests on fewer than FEW_MOVES moves."""
    rates = viewdata.rates(p, firm_id)
    if rates.empty:
        st.caption(
            _("No headcount of this firm is on record in the period: its moves are counts only.")
            if firm_id
            else _("No headcount is on record in the period: moves are counts only.")
        )
        return

    n_few = int(rates["few_gained"].sum() + rates["few_lost"].sum())  # as many as the ⚠ the table shows
    st.caption(
        _(
            "Per 100 staff: the year's moves into (or out of) the firm alone, divided by its headcount that year "
            "as its source gives it; “Counts” says what that headcount counts (a technical team, a first core "
            "team), and a rate over “fewer than” N people is more than the one shown (>). Only firms with a "
            "headcount on record that year are listed; the others' moves are counted in the people gained and "
            "lost above."
        )
        + (
            " "
            + _("⚠ {n} rate(s) rest on fewer than {k} moves: read them as anecdotes, not rates.").format(
                n=f"{n_few:,}", k=FEW_MOVES
            )
            if n_few
            else ""
        )
    )
    dataframe(
        cache.kept(rates, ("rates_table",), lambda: _rates_table(rates)),
        column_order=[
            "firm",
            "year",
            "headcount",
            "counted",
            "certainty",
            "gained_per_100",
            "lost_per_100",
            "source",
            "note",
        ],
        column_config={
            "firm": profile_link_column(_("Firm"), width="medium"),
            "year": st.column_config.NumberColumn(_("Year"), format="%d", width="small"),
            "headcount": st.column_config.TextColumn(_("Headcount"), help=_("As its source gives it")),
            "counted": st.column_config.TextColumn(_("Counts"), help=_("What the headcount counts")),
            "gained_per_100": st.column_config.TextColumn(
                _("Gained per 100 staff (n)"),
                help=_("In brackets: the moves behind it. ⚠: fewer than {n}").format(n=FEW_MOVES),
            ),
            "lost_per_100": st.column_config.TextColumn(
                _("Lost per 100 staff (n)"),
                help=_("In brackets: the moves behind it. ⚠: fewer than {n}").format(n=FEW_MOVES),
            ),
            "certainty": certainty_column(_("Headcount's certainty")),
            "source": _("Headcount's source"),
            "note": _("Note"),
        },
        key=f"rates_{firm_id or 'all'}",
        hide_index=True,
        width="stretch",
    )
    downloads_ui("rates", df=rates)


def lift_outs_dataframe(df, key: str = "lift_outs") -> None:
    """Teams that moved together: origin, destination, the people, their dates and sources."""
    if df.empty:
        st.info(_("No two people under these filters left the same firm for the same firm within the window."))
        return
    n_found = int(df["n_found"].iloc[0])
    listed = _("; the {n} most recent are listed").format(n=f"{len(df):,}") if n_found > len(df) else ""
    coarse = int((df["date_known_to"] != "day").sum())
    note = (
        " "
        + _("{n} of them rest on dates known only to the month or the year: they count as its first day.").format(
            n=f"{coarse:,}"
        )
        if coarse
        else ""
    )
    st.caption(_("{n} lift-out(s) found").format(n=f"{n_found:,}") + listed + "." + note)
    shown = cache.kept(
        df,
        ("lift_outs_table",),
        lambda: with_links(
            tables.readable(df, keep=("from_firm_id", "to_firm_id")),
            ("origin", "from_firm_id", "firm"),
            ("destination", "to_firm_id", "firm"),
        ),
    )
    dataframe(
        shown,
        # who, how sure and from where before the dates: at 1440 px they sat past the right edge
        column_order=["origin", "destination", "n_people", "people", "certainty", "sources", "first_on", "last_on"],
        column_config={
            "origin": profile_link_column(_("Left from"), width="medium"),
            "destination": profile_link_column(_("Joined at"), width="medium"),
            "n_people": st.column_config.NumberColumn(_("People"), format="%d", width="small"),
            "people": st.column_config.TextColumn(_("Who"), width="medium"),
            "first_on": st.column_config.TextColumn(_("First move"), help=_("At the precision the sources give")),
            "last_on": _("Last move"),
            "certainty": st.column_config.TextColumn(
                _("Certainty"), help=_("The least certain of its moves and of their origin")
            ),
            "sources": st.column_config.TextColumn(_("Sources"), width="medium"),
        },
        key=key,
        hide_index=True,
        width="stretch",
    )
    # beside the table, where it reads: how each inferred origin was worked out (the data's note, in
    # English; a Chinese reader gets what it means in Chinese, the note itself in the download)
    if "origin_note" in df and df["origin_note"].notna().any():
        for r in df[df["origin_note"].notna()].itertuples():
            note = (
                _("the sources say who joined and where, and imply where they came from without stating it")
                if i18n.language() == "zh"
                else r.origin_note.replace("Origin inferred: ", "")
            )
            st.caption(
                _("{origin} → {destination}, origin inferred: {note}").format(
                    origin=r.origin, destination=r.destination, note=note
                )
            )
