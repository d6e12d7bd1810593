"""Charts of talent flows: moves over time, the Sankey, net flows, where people trained and work,
a career and a firm's flows over time."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from atlas import escape, labels
from atlas.charts.base import CELL_PICK, DEST, DIRECTIONS, NET_PICK, PERIOD_PICK, labels_expr, tip_frame, year_format
from atlas.i18n import _
from atlas.labels import MOVE_TYPES as MOVE_TYPE_LABELS

MOVE_TYPE_COLORS = {
    "joined": "#4C78A8",
    "founded": "#F58518",
    "returned": "#54A24B",
    "acquihire": "#B279A2",
    "left": "#9D9D9D",
}


def moves_over_time_chart(df: pd.DataFrame, grain: str = "year") -> alt.LayerChart:
    """Stacked bars of moves per period split by move type, on a time axis (2013 to 2016 takes
    three times the room of 2023 to 2024), from moves_over_time rows.

    Undated moves are not drawn; the subtitle says how many. At quarter grain a move known
    only to its year is drawn as a light band over the whole year, with its count, not dropped.
    """
    df = tip_frame(df)
    data = df[df["period"].notna()].copy()
    n_out = int(df.loc[df["period"].isna(), "n_moves"].sum())
    data["start"] = pd.to_datetime(data["period_start"])
    months = 12 if grain == "year" else 3
    data["end"] = [
        s + pd.DateOffset(months=12 if p == "year" else months)
        for s, p in zip(data["start"], data["precision"], strict=True)
    ]
    data["move_label"] = data["move_type"].map(MOVE_TYPE_LABELS).fillna(data["move_type"])
    quarters = data[data["precision"] == "quarter"] if grain == "quarter" else data
    year_only = data[data["precision"] == "year"] if grain == "quarter" else data.iloc[0:0]
    n_year_only = int(year_only["n_moves"].sum())
    parts = [_("n = number of moves")]
    if n_out:
        parts.append(_("{n_out} undated move(s) not shown").format(n_out=n_out))
    if n_year_only:
        parts.append(_("grey bands: {n_year_only} move(s) known only to the year").format(n_year_only=n_year_only))
    present = [t for t in MOVE_TYPE_COLORS if t in set(quarters["move_type"])]
    x = alt.X(
        "start:T",
        title=_("Year of move") if grain == "year" else _("Quarter of move"),
        # a tick a year at most: over a year or two (a search) the axis drew month ticks, each
        # labelled with its year (2023, 2023, 2023...)
        axis=alt.Axis(format=year_format(), tickCount={"interval": "year", "step": 1}),
    )
    quarters = quarters.assign(year=quarters["start"].dt.year)
    pick = alt.selection_point(name=PERIOD_PICK, fields=["year"], on="click", clear="dblclick")
    bars = (
        alt.Chart(quarters)
        .mark_bar(stroke="white", strokeWidth=0.5, cursor="pointer")
        .add_params(pick)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("sum(n_moves):Q", title=_("Moves (n)"), axis=alt.Axis(tickMinStep=1, format="d")),
            detail="year:O",  # kept through the sum, so a click knows its year
            color=alt.Color(
                "move_type:N",
                title=_("Move type"),
                scale=alt.Scale(domain=present, range=[MOVE_TYPE_COLORS[t] for t in present]),
                legend=alt.Legend(labelExpr=labels_expr(MOVE_TYPE_LABELS)),
            ),
            tooltip=[
                alt.Tooltip("period:N", title=_("Year") if grain == "year" else _("Quarter")),
                alt.Tooltip("move_label:N", title=_("Move type")),
                alt.Tooltip("sum(n_moves):Q", title=_("Moves (n)")),
            ],
        )
    )
    layers = [bars]
    if n_year_only:
        band = (
            alt.Chart(year_only)
            .mark_bar(color="#BBBBBB", opacity=0.35)
            .encode(
                x=x,
                x2="end:T",
                y=alt.Y("sum(n_moves):Q"),
                tooltip=[
                    alt.Tooltip("period:N", title=_("Year (month not given)")),
                    alt.Tooltip("sum(n_moves):Q", title=_("Moves known only to the year (n)")),
                ],
            )
        )
        layers = [band, bars]
    return alt.layer(*layers).properties(
        title=alt.Title(
            _("Moves per year, by type") if grain == "year" else _("Moves per quarter, by type"),
            subtitle=_("; ").join(parts),
        ),
        height=260,
    )


SMALL_COLOR = "#C8C8C8"


# ECharts saves what its renderer drew: a canvas saves PNG, the SVG renderer saves SVG.
SANKEY_RENDERERS = {"png": "canvas", "svg": "svg"}


# One colour per group on both sides of the Sankey (Vega's tableau20 without its greys); the
# groups that stand for "several" or "unknown" are grey.
PALETTE = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#439894", "#d67195", "#9e765f", "#b79a20",
    "#9ecae9", "#ffbf79", "#88d27a", "#ff9d98", "#d6a5c9", "#83bcb6", "#fcbfd2", "#d8b5a5", "#f2cf5b",
]  # fmt: skip


GREY_GROUPS = ("Other", "Unknown", "Left, destination unknown")


def grey_translated() -> set[str]:
    """The grey groups as a Chinese reader reads them (the page translates the flow labels)."""
    words = ("Other origins", "Other destinations", "Unknown origin", "Left, destination unknown")
    return {labels.data_word(w) for w in words}


def group_colours(names: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in dict.fromkeys(names):
        grey = name.startswith(GREY_GROUPS) or name in grey_translated()
        out[name] = SMALL_COLOR if grey else PALETTE[sum(1 for v in out.values() if v != SMALL_COLOR) % len(PALETTE)]
    return out


def flow_sankey_spec(df: pd.DataFrame, title: str, image_format: str = "png") -> dict:
    """An ECharts Sankey option from flows_by_level rows (source, target, n_moves, names).

    image_format is what the diagram's own save button writes: "png", or "svg" (which
    needs the chart drawn with ECharts' SVG renderer: see SANKEY_RENDERERS).
    """
    df = tip_frame(df)
    if image_format not in SANKEY_RENDERERS:
        raise ValueError(f"image_format must be one of {sorted(SANKEY_RENDERERS)}")
    # ECharts renders tooltip strings as HTML: every name is escaped (`escape.html`), and each
    # node and link has its own tooltip, so no default formatter ever sees a raw name
    out_n = df.groupby("source")["n_moves"].sum()
    in_n = df.groupby("target")["n_moves"].sum()
    sources = list(dict.fromkeys(df["source"]))
    targets = list(dict.fromkeys(df["target"]))
    colour = group_colours([*sources, *targets])
    nodes = [
        {
            "name": s,
            "depth": 0,
            "itemStyle": {"color": colour[s]},
            "tooltip": {"formatter": _("{x}<br/>n = {x2:,} move(s) out").format(x=escape.html(s), x2=int(out_n[s]))},
        }
        for s in sources
    ] + [
        {
            "name": t + DEST,
            "depth": 1,
            "itemStyle": {"color": colour[t]},
            "tooltip": {"formatter": _("{x}<br/>n = {x2:,} move(s) in").format(x=escape.html(t), x2=int(in_n[t]))},
        }
        for t in targets
    ]
    links = []
    for row in df.itertuples():
        names = row.names if isinstance(row.names, str) else _("more than five people")
        tip = _("{x} → {x2}<br/>n = {x3:,} move(s)").format(
            x=escape.html(row.source), x2=escape.html(row.target), x3=int(row.n_moves)
        )
        links.append(
            {
                "source": row.source,
                "target": row.target + DEST,
                "value": int(row.n_moves),
                "tooltip": {"formatter": f"{tip}<br/>{escape.html(names)}"},
            }
        )
    return {
        "title": {"text": title, "subtext": _("Left: where people came from · right: where they went · n = moves")},
        "tooltip": {"trigger": "item"},
        # drawn at once: the layout animation only delays reading it
        "animation": False,
        # ECharts saves the chart itself, in the browser, with no network
        "toolbox": {
            "right": 10,
            "feature": {
                "saveAsImage": {
                    "type": image_format,
                    "name": "talent_flows",
                    "title": _("Save as {x}").format(x=image_format.upper()),
                    "pixelRatio": 2,
                }
            },
        },
        "series": [
            {
                "type": "sankey",
                "data": nodes,
                "links": links,
                "top": 70,
                "bottom": 10,
                "left": 10,
                "right": 180,
                "nodeGap": 10,
                "emphasis": {"focus": "adjacency"},
                # a click on a node or a link selects it: the page then lists that group's flows
                "selectedMode": "single",
                "select": {"itemStyle": {"borderColor": "#262730", "borderWidth": 2}},
                # a link takes its origin's colour; labels sit beside their node with a white halo
                "lineStyle": {"color": "source", "curveness": 0.5, "opacity": 0.3},
                "label": {"fontSize": 12, "color": "#262730", "textBorderColor": "#ffffff", "textBorderWidth": 3},
            }
        ],
    }


def net_flow_chart(df: pd.DataFrame, level_name: str) -> alt.LayerChart:
    """Diverging bars of people gained (right) and lost (left) per group, sorted by net.

    Groups marked is_small are drawn grey: their counts are too few to read as a trend.
    """
    df = tip_frame(df)
    long = pd.concat(
        [
            df.assign(direction="gained", n=df["n_gained"]),
            df.assign(direction="lost", n=-df["n_lost"]),
        ]
    )
    long = long[long["n"] != 0]
    order = list(df["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    tooltip = [
        alt.Tooltip("label:N", title=level_name),
        alt.Tooltip("n_gained:Q", title=_("Gained (n)")),
        alt.Tooltip("n_lost:Q", title=_("Lost (n)")),
        alt.Tooltip("net:Q", title=_("Net")),
    ]
    # a click on a group's bar picks it (the page lists whom it gained from and lost to)
    pick = alt.selection_point(name=NET_PICK, fields=["group_key"], on="click", clear="dblclick")
    bars = (
        alt.Chart(long)
        .mark_bar(cursor="pointer")
        .add_params(pick)
        .encode(
            x=alt.X("n:Q", title=_("People lost (left) and gained (right)"), axis=alt.Axis(tickMinStep=1)),
            y=y,
            color=alt.condition(
                "datum.is_small",
                alt.value(SMALL_COLOR),
                alt.Color(
                    "direction:N",
                    title=_("Direction"),
                    scale=alt.Scale(domain=["gained", "lost"], range=["#54A24B", "#E45756"]),
                    legend=alt.Legend(orient="bottom", labelExpr=labels_expr(DIRECTIONS)),
                ),
            ),
            tooltip=tooltip,
        )
    )
    # the net sits just past the end of the gained bar, clear of the lost bar on the left
    net = (
        alt.Chart(df)
        .mark_text(align="left", dx=4, fontWeight="bold")
        .encode(
            x=alt.X("n_gained:Q"),
            y=y,
            text=alt.Text("net_text:N"),
            tooltip=tooltip,
        )
        .transform_calculate(net_text=json.dumps(_("net") + " ") + " + (datum.net > 0 ? '+' : '') + datum.net")
    )
    return (bars + net).properties(
        title=alt.Title(
            _("Gained, lost and net, by {x}").format(x=level_name.lower()),
            subtitle=_("Grey: fewer moves than the threshold; moves within one group are not counted"),
        ),
        height=alt.Step(22),
    )


def education_flow_chart(df: pd.DataFrame) -> alt.LayerChart:
    """A heat map of people by country of first degree (rows) and country of current firm."""
    df = tip_frame(df)
    # each axis in one order whatever order the rows came in (Vega orders a layer's domain by the
    # rows otherwise: the same link drew its countries in another order)
    base = alt.Chart(df).encode(
        x=alt.X("works_country:N", title=_("Country of current firm"), sort=sorted(df["works_country"].unique())),
        y=alt.Y("trained_country:N", title=_("Country of first degree"), sort=sorted(df["trained_country"].unique())),
        tooltip=[
            alt.Tooltip("trained_country:N", title=_("Trained in")),
            alt.Tooltip("works_country:N", title=_("Works in")),
            alt.Tooltip("n_people:Q", title=_("People (n)")),
            alt.Tooltip("names:N", title=_("Who (if five or fewer)")),
        ],
    )
    # a click on a cell picks that pair of countries (the page filters to the people behind it)
    pick = alt.selection_point(
        name=CELL_PICK, fields=["trained_country", "works_country"], on="click", clear="dblclick"
    )
    cells = (
        base.mark_rect(cursor="pointer")
        .add_params(pick)
        .encode(
            color=alt.Color(
                "n_people:Q",
                title=_("People (n)"),
                scale=alt.Scale(scheme="blues"),
                # counts: whole numbers on the legend, never 0.5
                legend=alt.Legend(format="d", tickMinStep=1),
            )
        )
    )
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text=alt.Text("n_people:Q"),
        color=alt.condition("datum.n_people > 3", alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(
        title=alt.Title(_("Where talent is trained and where it works"), subtitle=_("n = people")),
        height=alt.Step(48),
        width=alt.Step(72),
    )


def career_timeline_chart(df: pd.DataFrame, today: str) -> alt.LayerChart:
    """Each stint of a career as a bar over time, labelled with role and firm.

    Rows come from person_stints: start, end (NULL while still there, or when the next move has
    no date), label, is_open. Open stints run to `today` and are drawn lighter; a stint that ended
    on a date not given is drawn as far as the next dated start, never on to today.
    """
    df = tip_frame(df)
    starts = pd.to_datetime(df["start_date"])
    next_start = starts[::-1].cummin()[::-1].shift(-1)  # the earliest dated start among the later stints
    end_drawn = pd.to_datetime(df["end_date"]).fillna(next_start.where(~df["is_open"].astype(bool)))
    data = df.assign(end_drawn=end_drawn.where(~df["is_open"].astype(bool), pd.Timestamp(today)))
    # labels cut at 160 px (the full label is in the tooltip): at 800 px wide the bars keep their room
    y = alt.Y("stint:N", sort=list(df["stint"]), title=None, axis=alt.Axis(labelLimit=160))
    tooltip = [
        alt.Tooltip("stint:N", title=_("Stint")),
        alt.Tooltip("firm:N", title=_("Firm")),
        alt.Tooltip("role:N", title=_("Role")),
        alt.Tooltip("start_text:N", title=_("From")),
        alt.Tooltip("end_text:N", title=_("Until")),
        alt.Tooltip("certainty_label:N", title=_("Certainty")),
        alt.Tooltip("source:N", title=_("Source")),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(cornerRadius=3)
        .encode(
            # one tick per year at most: never "2023 2023 2024 2024" on a short career
            x=alt.X("start_date:T", title=_("Year"), axis=alt.Axis(format=year_format(), tickCount="year")),
            x2="end_drawn:T",
            y=y,
            color=alt.Color(
                "is_open:N",
                title=None,
                scale=alt.Scale(domain=[False, True], range=["#4C78A8", "#9ECAE9"]),
                legend=alt.Legend(
                    labelExpr="datum.value ? "
                    + json.dumps(_("still there (open-ended)"))
                    + " : "
                    + json.dumps(_("ended")),
                    orient="bottom",
                ),
            ),
            tooltip=tooltip,
        )
    )
    return bars.properties(title=_("Career timeline (dated stints)"), height=alt.Step(28))


def firm_flow_over_time_chart(df: pd.DataFrame) -> alt.Chart:
    """People in (up) and out (down) of a firm per year on a time axis, from firm_flow_over_time rows."""
    df = tip_frame(df)
    long = pd.concat(
        [
            df.assign(direction="in", value=df["n_in"]),
            df.assign(direction="out", value=-df["n_out"]),
        ]
    )
    long = long[long["value"] != 0].copy()
    long["start"] = pd.to_datetime(long["year"].astype(int).astype(str) + "-01-01")
    long["end"] = long["start"] + pd.DateOffset(years=1)
    present = [d for d in ("in", "out") if d in set(long["direction"])]
    # a year either side of the first and last, so a firm with one year of moves is a bar, not a block
    first, last = long["start"].min(), long["end"].max()
    low, high = (min(0, int(long["value"].min())), max(0, int(long["value"].max()))) if not long.empty else (0, 0)
    ticks = list(range(low, high + 1)) if high - low <= 10 else None
    year = pd.DateOffset(years=1)
    span = [] if long.empty else [(first - year).isoformat(), (last + year).isoformat()]
    return (
        alt.Chart(long)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "start:T",
                title=_("Year"),
                axis=alt.Axis(format=year_format(), tickCount="year"),
                scale=alt.Scale(domain=span) if span else alt.Undefined,
            ),
            x2="end:T",
            y=alt.Y(
                "value:Q",
                title=_("People out (below) and in (above)"),
                # whole people: a short range gets every whole number as a tick, never -0.5 shown as -1
                axis=alt.Axis(tickMinStep=1, format="d", values=ticks or alt.Undefined),
            ),
            # a bar spanning a year on x needs its base on y too, or it is drawn as a flat line
            y2=alt.datum(0),
            color=alt.Color(
                "direction:N",
                title=_("Direction"),
                scale=alt.Scale(domain=present, range=[{"in": "#54A24B", "out": "#E45756"}[d] for d in present]),
                legend=alt.Legend(labelExpr=labels_expr(DIRECTIONS)),
            ),
            tooltip=[
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("n_in:Q", title=_("In (n)")),
                alt.Tooltip("n_out:Q", title=_("Out (n)")),
                alt.Tooltip("names:N", title=_("Who")),
            ],
        )
        .properties(
            title=alt.Title(_("People in and out per year"), subtitle=_("Undated moves are not shown")), height=220
        )
    )
