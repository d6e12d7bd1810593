"""The Talent flows page, section by section (pages/1_Talent_flows.py draws them in this order):
who moves where, who gains and loses, who comes back, lift-outs, rates and where talent is trained."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from atlas import cache, charts, fetch, labels, viewdata
from atlas.escape import md
from atlas.i18n import N_, _, ngettext
from atlas.ui import link, session
from atlas.ui.controls import LEVEL_NAMES, LEVEL_WORDS, FlowView, flow_controls_ui, sankey_image_format_ui
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import (
    FIRST_YEAR,
    LAST_YEAR,
    Filters,
    coded_choice,
    empty_message,
    hidden_caption,
    linked,
    url_int_input,
    url_picker,
)
from atlas.ui.insights import lift_outs_dataframe, lineage_ui, rates_ui
from atlas.ui.plots import altair_chart, plot
from atlas.ui.renderers import (
    boomerangs_dataframe,
    counterparts_dataframe,
    dataframe,
    education_flows_dataframe,
    moves_dataframe,
    profile_link_column,
    with_links,
)
from atlas.ui.sections import Section

MOVE_NOUNS = (N_("move"), N_("moves"))


@dataclass
class Flows:
    """What every section of the page reads: the filters, the flow controls, the bound parameters."""

    filters: Filters
    view: FlowView
    p: dict
    level_name: str
    level_word: str
    hidden: object  # the hidden_moves query: what the certainty and period filters leave out


def head(filters: Filters) -> Flows:
    """The controls every section reads (level, countries, search, top groups, minimum, lineage),
    and what the filters hide."""
    view = flow_controls_ui(cache.query("firm_countries")["country"].tolist())
    lineage = lineage_ui()
    p = {**filters.params(), **view.params(), "lineage": lineage}
    hidden = cache.query("hidden_moves", **p)
    hidden_caption(hidden, MOVE_NOUNS)
    return Flows(filters, view, p, LEVEL_NAMES[view.level], LEVEL_WORDS[view.level], hidden)


def _pick_focus() -> None:
    """A click on a group's bar in the net chart picks it as the focus (and so the link's focus)."""
    group = charts.picked_value(st.session_state.get("net_chart"), charts.NET_PICK, "group_key")
    if group:
        st.session_state["focus"] = group


def _pick_sankey() -> None:
    """A click on a Sankey node or link picks its group (a link: its origin) as the focus."""
    seen = session.SANKEY_SEEN.get({})
    label = charts.sankey_picked_label(st.session_state.get("sankey"), seen.get("nodes", []), seen.get("links", []))
    key = seen.get("keys", {}).get(label)
    if key:
        st.session_state["focus"] = key


def _pick_year() -> None:
    """A click on a bar of moves over time narrows the period to its year (the link's period)."""
    year = charts.picked_value(st.session_state.get("time_chart"), charts.PERIOD_PICK, "year")
    if year:
        st.session_state["period"] = (int(year), int(year))


def _pick_cell() -> None:
    """A click on a cell of the trained/works matrix lists the people behind it."""
    state = st.session_state.get("edu_chart")
    trained = charts.picked_value(state, charts.CELL_PICK, "trained_country")
    works = charts.picked_value(state, charts.CELL_PICK, "works_country")
    st.session_state["cell"] = f"{trained}>{works}" if trained and works else ""


def _every_year() -> None:
    st.session_state["period"] = (FIRST_YEAR, LAST_YEAR)


def _flows(c: Flows) -> None:
    """The Sankey of flows from origin to destination, with what it does not draw."""
    st.subheader(_("Flows from origin to destination"))
    flows = viewdata.flows(c.p)
    if flows.empty:
        st.info(
            empty_message(
                c.hidden,
                MOVE_NOUNS,
                _("No flows match the filters. Lower the minimum moves per flow or widen the filters."),
            )
        )
    else:
        image_format = sankey_image_format_ui()
        sankey = charts.flow_sankey_spec(flows, _("Moves by {level}").format(level=c.level_word), image_format)
        session.SANKEY_SEEN.value = {
            "nodes": [n["name"] for n in sankey["series"][0]["data"]],
            "links": [row.source for row in flows.itertuples()],
            "keys": session.SANKEY_SEEN.get({}).get("keys", {}),
        }
        st.echarts_chart(
            sankey,
            height=max(360, 28 * max(flows["source"].nunique(), flows["target"].nunique()) + 120),
            renderer=charts.SANKEY_RENDERERS[image_format],
            key="sankey",
            on_select=_pick_sankey,
        )
        st.caption(_("Click a node or a link to list whom that group gained from and lost to (below)."))
        downloads_ui("flows", df=flows)
        inside = int(flows["n_inside_moves"].iloc[0])
        if inside:
            st.caption(
                ngettext(
                    "{n} move stayed inside one {level} (at this level it is neither a flow, nor a gain, nor a loss):"
                    " not drawn.",
                    "{n} moves stayed inside one {level} (at this level they are neither flows, nor gains, nor"
                    " losses): not drawn.",
                    inside,
                ).format(n=f"{inside:,}", level=c.level_word)
            )
        below_minimum = int(flows["n_hidden_moves"].iloc[0])
        if below_minimum:
            st.caption(
                _("{moves} move(s) in {flows} flow(s) below the minimum of {minimum} are not drawn.").format(
                    moves=f"{below_minimum:,}",
                    flows=f"{int(flows['n_hidden_links'].iloc[0]):,}",
                    minimum=f"{c.view.min_count:,}",
                )
            )

        other = int(flows["n_other_moves"].iloc[0])
        if other:
            every = int(flows["n_moves"].sum()) + below_minimum + inside + other
            st.caption(
                ngettext(
                    "The diagram draws the {top} origins and destinations of the largest flows. **{n} move ({share})**"
                    " went between two groups outside them: not drawn (raise “Top groups shown” to draw more).",
                    "The diagram draws the {top} origins and destinations of the largest flows. **{n} moves ({share})**"
                    " went between two groups outside them: not drawn (raise “Top groups shown” to draw more).",
                    other,
                ).format(n=f"{other:,}", share=f"{other / every:.0%}", top=c.view.top_n)
            )


def _net(c: Flows) -> None:
    """Gained from, lost to and net per group; a group picked lists its counterparts."""
    st.subheader(_("Gained from, lost to, and net, by {level}").format(level=c.level_word))
    net = viewdata.net_flow(c.p)
    st.caption(
        {
            "firm": _("Counted for each firm alone: a move from Google Brain to Google is a gain for Google."),
            "parent": _(
                "Counted for each firm with its subsidiaries: moves between its own units are neither"
                " a gain nor a loss (the same numbers as the firm lists' “with subsidiaries” columns, for every year)."
            ),
        }.get(c.view.level, _("Moves inside one group are neither a gain nor a loss."))
    )
    if net.empty:
        st.info(_("No group gained or lost anyone under these filters."))
    else:
        # the Sankey's clicks name groups by label: the keys they stand for, at this level
        session.SANKEY_SEEN.setdefault({})["keys"] = dict(zip(net["label"], net["group_key"], strict=True))
        # stacked, not in columns: at 800 px a column left the bars no room beside their labels
        net_chart = plot(charts.net_flow_chart, net, c.level_name)
        altair_chart(net_chart, width="stretch", on_select=_pick_focus, selection_mode=charts.NET_PICK, key="net_chart")
        st.caption(_("Click a bar to list whom that group gained from and lost to."))
        downloads_ui("net_flow", df=net, chart=net_chart)
        focus = url_picker(
            st,
            _("Whom did this {level} gain from and lose to?").format(level=c.level_word),
            net["group_key"].tolist(),
            dict(zip(net["group_key"], net["label"], strict=True)),
            key="focus",
            placeholder=_("Choose a {level}").format(level=c.level_word),
            help=_("The options are the groups in the chart; a click on a bar picks one too."),
        )
        if focus:
            label = net.set_index("group_key").loc[focus, "label"]
            st.markdown(f"**{md(label)}**")
            counterparts = viewdata.counterparts(c.p, focus)
            counterparts_dataframe(counterparts)
            if not counterparts.empty:
                downloads_ui("counterparts", df=counterparts)
        else:
            st.caption(_("Choose a group to list whom it gained people from and lost people to."))


def _over_time(c: Flows) -> None:
    """Moves per year or quarter; a bar picked narrows the period."""
    st.subheader(_("Moves over time"))
    grain = coded_choice(
        st.radio,
        _("Period"),
        ("year", "quarter"),
        labels.Labels({"year": N_("year"), "quarter": N_("quarter")}),
        key="grain",
        horizontal=True,
    )
    over_time = viewdata.moves_over_time(c.p, grain)
    if over_time.empty:
        st.info(empty_message(c.hidden, MOVE_NOUNS, _("No moves match the filters.")))
    else:
        time_chart = plot(charts.moves_over_time_chart, over_time, grain)
        altair_chart(
            time_chart, width="stretch", on_select=_pick_year, selection_mode=charts.PERIOD_PICK, key="time_chart"
        )
        if c.filters.start_year == c.filters.end_year:
            st.button(
                _("Show every year (now {year} only)").format(year=c.filters.start_year),
                on_click=_every_year,
                icon=":material/close:",
            )
        else:
            st.caption(_("Click a bar to narrow every chart of the page to its year."))
        downloads_ui("moves_over_time", df=over_time, chart=time_chart)


def _boomerangs(c: Flows) -> None:
    """People who left and came back."""
    st.subheader(_("Boomerangs: people who left and came back"))
    boom_level = coded_choice(
        st.radio,
        _("Came back to the same"),
        ("parent", "firm"),
        LEVEL_WORDS,
        key="boom",
        horizontal=True,
        help=_(
            "parent firm: any firm under the same top parent counts (Google Brain, then Reka, then Google DeepMind)."
        ),
    )
    boomerangs = viewdata.boomerangs(c.p, boom_level)
    boomerangs_dataframe(boomerangs)
    if not boomerangs.empty:
        downloads_ui("boomerangs", df=boomerangs)


def _lift_outs(c: Flows) -> None:
    """Teams that moved together (found at once over little data, else when asked)."""
    st.subheader(_("Lift-outs: teams that moved together"))
    with st.columns(3)[0]:  # a number: a third of the width is room enough
        window = url_int_input(
            _("Within how many days"),
            key="lift_days",
            help=_(
                "People who left the same firm for the same firm, each within this many days of the one before, "
                "are one lift-out. A date known only to the month or the year counts as its first day."
            ),
        )
    n_moves = fetch.rows_of("moves")
    years = c.filters.end_year - c.filters.start_year + 1
    asked = viewdata.lifts_at_once(c.p) or linked(
        st.toggle,
        _("Find lift-outs"),
        key="lifts",
        help=_("Over millions of moves and many years, finding them takes seconds: they are found when asked."),
    )
    if asked:
        lifts = viewdata.lift_outs(c.p, window)
        lift_outs_dataframe(lifts)
        if not lifts.empty:
            downloads_ui("lift_outs", df=lifts)
    else:
        st.caption(
            _(
                "Finding lift-outs reads all {n} moves of {years} years in date order: a few seconds. Switch on "
                "“Find lift-outs”, or narrow the period to a single year to see them at once."
            ).format(n=f"{n_moves:,}", years=years)
        )


def _rates(c: Flows) -> None:
    """Gained and lost per 100 staff."""
    st.subheader(_("Gained and lost per 100 staff"))
    rates_ui(c.p)


def _education(c: Flows) -> None:
    """Where talent is trained against where it works; a cell picked lists its people."""
    st.subheader(_("Where talent is trained and where it works"))
    edu = viewdata.education_flows(c.p)
    if edu.empty:
        st.info(_("No one with a known first degree and a current firm matches the filters."))
    else:
        st.caption(
            _(
                "Country of the first degree (education table) against the country of the firm of the person's "
                "latest move under the filters. People whose latest move is a departure are left out."
            )
        )
        # stacked, not in columns: the matrix and the table each keep their width on a narrow screen
        edu_chart = plot(charts.education_flow_chart, edu)
        altair_chart(edu_chart, width="content", on_select=_pick_cell, selection_mode=charts.CELL_PICK, key="edu_chart")
        education_flows_dataframe(edu)
        downloads_ui("trained_and_working", df=edu, chart=edu_chart)
        # the cell picked (by a click, or by the link's cell=CN>US): the people behind it
        link.seed("cell")
        cell = str(link.current("cell") or "")
        trained, _sep, works = cell.partition(">")
        pairs = set(zip(edu["trained_country"], edu["works_country"], strict=True))
        if (trained, works) in pairs:
            link.put("cell", cell)
            st.markdown(
                "**" + _("Trained in {trained}, working in {works}").format(trained=md(trained), works=md(works)) + "**"
            )
            people = cache.query("education_cell_people", **c.p, trained=trained, works=works)
            dataframe(
                with_links(people, ("person", "person_id", "person"), ("latest_firm", "to_firm_id", "firm")),
                column_order=["person", "latest_firm", "moved_on"],
                column_config={
                    "person": profile_link_column(_("Person")),
                    "latest_firm": profile_link_column(_("Latest firm")),
                    "moved_on": _("Since"),
                },
                key="cell_people",
                hide_index=True,
                width="stretch",
            )
            st.button(
                _("Clear the picked cell"), on_click=lambda: st.session_state.update(cell=""), icon=":material/close:"
            )
        else:
            link.drop("cell")
            st.caption(_("Click a cell to list the people behind it."))


def _moves(c: Flows) -> None:
    """The moves behind the view."""
    st.subheader(_("The moves behind the view"))
    moves = viewdata.moves_listed(c.p, 5000)
    moves_dataframe(moves)
    if not moves.empty:
        downloads_ui("moves", df=moves)


SECTIONS = (
    Section("the Sankey of flows from origin to destination, with what it does not draw", _flows, ("img",)),
    Section("gained from, lost to and net per group; a group picked lists its counterparts", _net, ("focus",)),
    Section("moves per year or quarter; a bar picked narrows the period", _over_time, ("grain",)),
    Section("people who left and came back", _boomerangs, ("boom",)),
    Section(
        "teams that moved together (found at once over little data, else when asked)",
        _lift_outs,
        ("lift_days", "lifts"),
    ),
    Section("gained and lost per 100 staff", _rates, ()),
    Section("where talent is trained against where it works; a cell picked lists its people", _education, ("cell",)),
    Section("the moves behind the view", _moves, ()),
)
