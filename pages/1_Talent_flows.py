"""Talent flows: who moves where, who gains and loses, who comes back, and where talent is trained."""

import streamlit as st

from atlas import cache, charts, ui
from atlas.escape import md


def _pick_focus() -> None:
    """A click on a group's bar in the net chart picks it as the focus (and so the link's focus)."""
    group = charts.picked_value(st.session_state.get("net_chart"), charts.NET_PICK, "group_key")
    if group:
        st.session_state["focus"] = group


def _pick_year() -> None:
    """A click on a bar of moves over time narrows the period to its year (the link's period)."""
    year = charts.picked_value(st.session_state.get("time_chart"), charts.PERIOD_PICK, "year")
    if year:
        st.session_state["period"] = (int(year), int(year))


def _every_year() -> None:
    st.session_state["period"] = (ui.FIRST_YEAR, ui.LAST_YEAR)


filters = ui.page_frame(
    "Talent flows",
    "Who moves where: joined, founded, returned, acqui-hired, left. Every chart follows the filters; "
    "n is the number of moves (or people) behind each mark.",
)
view = ui.flow_controls_ui(cache.query("firm_countries")["country"].tolist())
p = {**filters.params(), **view.params()}
level_name = ui.LEVEL_NAMES[view.level]
MOVE_NOUNS = ("move", "moves")
hidden = cache.query("hidden_moves", **p)
ui.hidden_caption(hidden, MOVE_NOUNS)

st.subheader("Flows from origin to destination")
flows = cache.query("flows_by_level", **p)
if flows.empty:
    st.info(
        ui.empty_message(
            hidden, MOVE_NOUNS, "No flows match the filters. Lower the minimum moves per flow or widen the filters."
        )
    )
else:
    image_format = ui.sankey_image_format_ui()
    st.echarts_chart(
        charts.flow_sankey_spec(flows, f"Moves by {level_name.lower()}", image_format),
        height=max(360, 28 * max(flows["source"].nunique(), flows["target"].nunique()) + 120),
        renderer=charts.SANKEY_RENDERERS[image_format],
        key="sankey",
    )
    ui.downloads_ui("flows", df=flows)
    below_minimum = int(flows["n_hidden_moves"].iloc[0])
    if below_minimum:
        st.caption(
            f"{below_minimum:,} move(s) in {int(flows['n_hidden_links'].iloc[0]):,} flow(s) below the minimum of "
            f"{view.min_count:,} are not drawn."
        )

st.subheader(f"Gained from, lost to, and net, by {level_name.lower()}")
net = cache.query("net_flow_by_level", **p)
st.caption(
    {
        "firm": "Counted for each firm alone: a move from Google Brain to Google is a gain for Google.",
        "parent": "Counted for each firm with its subsidiaries: moves between its own units are neither"
        " a gain nor a loss (the same numbers as the firm lists' “with subsidiaries” columns, for every year).",
    }.get(view.level, "Moves inside one group are neither a gain nor a loss.")
)
if net.empty:
    st.info("No group gained or lost anyone under these filters.")
else:
    left, right = st.columns([3, 2])
    with left:
        net_chart = charts.net_flow_chart(net, level_name)
        st.altair_chart(
            net_chart, width="stretch", on_select=_pick_focus, selection_mode=charts.NET_PICK, key="net_chart"
        )
        st.caption("Click a bar to list whom that group gained from and lost to.")
        ui.downloads_ui("net_flow", df=net, chart=net_chart)
    with right:
        focus = ui.url_picker(
            st,
            f"Whom did this {level_name.lower()} gain from and lose to?",
            net["group_key"].tolist(),
            dict(zip(net["group_key"], net["label"], strict=True)),
            key="focus",
            placeholder=f"Choose a {level_name.lower()}",
            help="The options are the groups in the chart.",
        )
        if focus:
            label = net.set_index("group_key").loc[focus, "label"]
            st.markdown(f"**{md(label)}**")
            ui.counterparts_dataframe(cache.query("flow_counterparts", **p, focus=focus))
        else:
            st.caption("Choose a group to list whom it gained people from and lost people to.")

st.subheader("Moves over time")
grain = st.radio("Period", ("year", "quarter"), horizontal=True, key="grain", bind="query-params")
over_time = cache.query("moves_over_time", **p, grain=grain)
if over_time.empty:
    st.info(ui.empty_message(hidden, MOVE_NOUNS, "No moves match the filters."))
else:
    time_chart = charts.moves_over_time_chart(over_time, grain)
    st.altair_chart(
        time_chart, width="stretch", on_select=_pick_year, selection_mode=charts.PERIOD_PICK, key="time_chart"
    )
    if filters.start_year == filters.end_year:
        st.button(f"Show every year (now {filters.start_year} only)", on_click=_every_year, icon=":material/close:")
    else:
        st.caption("Click a bar to narrow every chart of the page to its year.")
    ui.downloads_ui("moves_over_time", df=over_time, chart=time_chart)

st.subheader("Boomerangs: people who left and came back")
boom_level = st.radio(
    "Came back to the same",
    ("parent", "firm"),
    horizontal=True,
    key="boom",
    bind="query-params",
    help="parent: any firm under the same top parent counts (Google Brain, then Reka, then Google DeepMind).",
)
boomerangs = cache.query("boomerangs", **{**p, "level": boom_level, "limit": 500})
ui.boomerangs_dataframe(boomerangs)
if not boomerangs.empty:
    ui.downloads_ui("boomerangs", df=boomerangs)

st.subheader("Where talent is trained and where it works")
edu = cache.query("education_flows", **p)
if edu.empty:
    st.info("No one with a known first degree and a current firm matches the filters.")
else:
    st.caption(
        "Country of the first degree (education table) against the country of the firm of the person's "
        "latest move under the filters. People whose latest move is a departure are left out."
    )
    # stacked, not in columns: the matrix and the table each keep their width on a narrow screen
    edu_chart = charts.education_flow_chart(edu)
    st.altair_chart(edu_chart, width="content")
    ui.education_flows_dataframe(edu)
    ui.downloads_ui("trained_and_working", df=edu, chart=edu_chart)

st.subheader("The moves behind the view")
moves = cache.query("moves_filtered", **p, limit=5000)
ui.moves_dataframe(moves)
if not moves.empty:
    ui.downloads_ui("moves", df=moves)

ui.share_ui()
