"""What only talent and money together show: the moves around each funding round (money and
talent), drawn on the Funding page and on a firm's profile. The page passes its filters; this
module fetches through `atlas.cache` and draws the window control, the aligned chart and the tables."""

from __future__ import annotations

import streamlit as st

from atlas import cache, charts, pages, tables
from atlas.i18n import _
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import url_int_input
from atlas.ui.plots import altair_chart, plot
from atlas.ui.renderers import certainty_column, dataframe, money_basis, profile_link_column, with_links

_ROUND_KEYS = ("start_year", "end_year", "min_certainty", "kinds", "countries", "round_types", "statuses", "currency")


def _counts_config() -> dict:
    """The six counts of a money-and-talent row: moves in and out, before, with and after."""
    return {
        "in_before": st.column_config.NumberColumn(_("Joined before"), format="%d", help=_("Within the window")),
        "in_same": st.column_config.NumberColumn(
            _("Joined, same period"),
            format="%d",
            help=_("Dated to the same month or year as the round: which came first is not known"),
        ),
        "in_after": st.column_config.NumberColumn(_("Joined after"), format="%d", help=_("Within the window")),
        "out_before": st.column_config.NumberColumn(_("Left before"), format="%d"),
        "out_same": st.column_config.NumberColumn(_("Left, same period"), format="%d"),
        "out_after": st.column_config.NumberColumn(_("Left after"), format="%d"),
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
    params = {
        **{k: p[k] for k in _ROUND_KEYS if k in p},
        "months": months,
        "firm_id": firm_id,
        "with_subsidiaries": with_subsidiaries,
        "limit": pages.MONEY_TALENT_ROUNDS,
    }
    rounds = cache.query("money_talent_rounds", **params)
    if rounds.empty:
        st.info(_("No dated round or deal matches the filters: there is nothing to set the moves against."))
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
        by_kind = cache.query("money_talent_by_kind", **{k: v for k, v in params.items() if k != "firm_id"})
        st.markdown(_("**Across firms of a kind**"))
        dataframe(
            tables.readable(by_kind),
            column_order=["kind", "n_rounds", "n_firms", *_counts_config()],
            column_config={
                "kind": _("Kind of firm"),
                "n_rounds": st.column_config.NumberColumn(_("Rounds (n)"), format="%d"),
                "n_firms": st.column_config.NumberColumn(_("Firms (n)"), format="%d"),
                **_counts_config(),
            },
            key="money_talent_by_kind",
            hide_index=True,
            width="stretch",
        )
    st.markdown(_("**Round by round**"))
    shown = with_links(tables.deals_table(_unnamed_counted(rounds)), ("firm", "firm_id", "firm"))
    dataframe(
        shown,
        column_order=[
            "firm",
            "round_type",
            "announced_on",
            "converted",
            *_counts_config(),
            "joined",
            "left_firm",
            "compared_to",
            "status",
            "certainty",
            "source",
        ],
        column_config={
            "firm": profile_link_column(_("Firm"), pinned=True),
            "round_type": _("Round or deal"),
            "announced_on": _("Announced"),
            "converted": _("Amount ({money})").format(money=money_basis(p.get("currency", "USD"))),
            **_counts_config(),
            "joined": st.column_config.TextColumn(_("Who joined"), width="medium"),
            "left_firm": st.column_config.TextColumn(_("Who left"), width="medium"),
            "compared_to": st.column_config.TextColumn(
                _("Dates compared to"), help=_("The coarsest precision any of its moves was compared at")
            ),
            "status": _("Status"),
            "certainty": certainty_column(_("Round's certainty")),
            "source": _("Round's source"),
        },
        key=f"money_talent_{firm_id or 'all'}",
        hide_index=True,
        width="stretch",
    )
    downloads_ui("money_talent_rounds", df=rounds)
