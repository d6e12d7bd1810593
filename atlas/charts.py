"""Chart builders: a small aggregated DataFrame in, an `alt.Chart` out. No Streamlit here."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from atlas import escape, labels
from atlas.i18n import N_, _, language
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
    df = _tip_frame(df)
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
        axis=alt.Axis(format=year_format()),
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
                legend=alt.Legend(labelExpr=_labels_expr(MOVE_TYPE_LABELS)),
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


def _labels_expr(labels: dict[str, str]) -> str:
    """A Vega expression that shows a code's label in a legend (the data keeps the code)."""
    cases = " : ".join(f"datum.value === {json.dumps(k)} ? {json.dumps(v)}" for k, v in labels.items())
    return f"{cases} : datum.value"


# An invisible character keeps a destination node apart from the origin node of the same
# name, so the Sankey stays two columns (a flow Google -> Google is not a cycle).
_DEST = "\u2060"
SMALL_COLOR = "#C8C8C8"
# ECharts saves what its renderer drew: a canvas saves PNG, the SVG renderer saves SVG.
SANKEY_RENDERERS = {"png": "canvas", "svg": "svg"}


# One colour per group on both sides of the Sankey (Vega's tableau20 without its greys); the
# groups that stand for "several" or "unknown" are grey.
_PALETTE = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#439894", "#d67195", "#9e765f", "#b79a20",
    "#9ecae9", "#ffbf79", "#88d27a", "#ff9d98", "#d6a5c9", "#83bcb6", "#fcbfd2", "#d8b5a5", "#f2cf5b",
]  # fmt: skip
_GREY_GROUPS = ("Other", "Unknown", "Left, destination unknown")


def _grey_translated() -> set[str]:
    """The grey groups as a Chinese reader reads them (the page translates the flow labels)."""
    words = ("Other origins", "Other destinations", "Unknown origin", "Left, destination unknown")
    return {labels.data_word(w) for w in words}


_TIP_CODES = ("outcome", "certainty", "status", "round_type", "move_type")


def _tip_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The rows a chart draws, with a `<code>_label` column beside each code its tooltips show (the
    reader's words for `offered`, `rumor`…) and dates at their precision in the reader's way."""
    extra = {
        f"{c}_label": df[c].map(lambda v, c=c: labels.BY_COLUMN[c].get(v, v) if isinstance(v, str) else v)
        for c in _TIP_CODES
        if c in df.columns
    }
    return labels.localize(df.assign(**extra), [c for c in df.columns if c in labels.DATE_COLUMNS])


def _group_colours(names: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in dict.fromkeys(names):
        grey = name.startswith(_GREY_GROUPS) or name in _grey_translated()
        out[name] = SMALL_COLOR if grey else _PALETTE[sum(1 for v in out.values() if v != SMALL_COLOR) % len(_PALETTE)]
    return out


def flow_sankey_spec(df: pd.DataFrame, title: str, image_format: str = "png") -> dict:
    """An ECharts Sankey option from flows_by_level rows (source, target, n_moves, names).

    image_format is what the diagram's own save button writes: "png", or "svg" (which
    needs the chart drawn with ECharts' SVG renderer: see SANKEY_RENDERERS).
    """
    df = _tip_frame(df)
    if image_format not in SANKEY_RENDERERS:
        raise ValueError(f"image_format must be one of {sorted(SANKEY_RENDERERS)}")
    # ECharts renders tooltip strings as HTML: every name is escaped (`escape.html`), and each
    # node and link has its own tooltip, so no default formatter ever sees a raw name
    out_n = df.groupby("source")["n_moves"].sum()
    in_n = df.groupby("target")["n_moves"].sum()
    sources = list(dict.fromkeys(df["source"]))
    targets = list(dict.fromkeys(df["target"]))
    colour = _group_colours([*sources, *targets])
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
            "name": t + _DEST,
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
                "target": row.target + _DEST,
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


NET_PICK = "pick_group"  # the net flow chart's click selection: the group's key
PERIOD_PICK = "pick_period"  # the moves-over-time chart's click selection: the year
ROUND_PICK = "pick_round"  # the rounds chart's click selection: the firm of the round
CELL_PICK = "pick_cell"  # the trained/works matrix's click selection: the two countries


def sankey_picked_label(state, nodes: list[str], links: list[str]) -> str | None:
    """The group a click on the Sankey picked: a node's name, or a link's origin (the lists are
    the spec's node names and each link's origin, in order)."""
    try:
        selected = state["selection"]["selected"]
    except (KeyError, TypeError):
        return None
    for entry in selected or []:
        indices = entry.get("data_indices") or []
        if not indices:
            continue
        i = indices[0]
        if entry.get("data_type") == "node" and i < len(nodes):
            return nodes[i].replace(_DEST, "")
        if entry.get("data_type") == "edge" and i < len(links):
            return links[i]
    return None


def picked_value(state, name: str, field: str):
    """The value a click selection `name` of an Altair chart holds for `field`, or None."""
    try:
        points = state["selection"][name]
    except (KeyError, TypeError):
        return None
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0].get(field)
    return None


def net_flow_chart(df: pd.DataFrame, level_name: str) -> alt.LayerChart:
    """Diverging bars of people gained (right) and lost (left) per group, sorted by net.

    Groups marked is_small are drawn grey: their counts are too few to read as a trend.
    """
    df = _tip_frame(df)
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
                    legend=alt.Legend(orient="bottom", labelExpr=_labels_expr(DIRECTIONS)),
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
    df = _tip_frame(df)
    base = alt.Chart(df).encode(
        x=alt.X("works_country:N", title=_("Country of current firm")),
        y=alt.Y("trained_country:N", title=_("Country of first degree")),
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
    df = _tip_frame(df)
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
    df = _tip_frame(df)
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
    return (
        alt.Chart(long)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("start:T", title=_("Year"), axis=alt.Axis(format=year_format(), tickCount="year")),
            x2="end:T",
            y=alt.Y("value:Q", title=_("People out (below) and in (above)"), axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "direction:N",
                title=_("Direction"),
                scale=alt.Scale(domain=present, range=[{"in": "#54A24B", "out": "#E45756"}[d] for d in present]),
                legend=alt.Legend(labelExpr=_labels_expr(DIRECTIONS)),
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


# SI prefixes read as money: 1G would be 1B
MONEY_AXIS = alt.Axis(format="~s", labelExpr="replace(datum.label, 'G', 'B')")
# Chinese money axes count in 万 (10^4) and 亿 (10^8), as Chinese readers write amounts
_ZH_MONEY_LABEL = (
    "abs(datum.value) >= 1e12 ? format(datum.value / 1e12, '~g') + '万亿'"
    " : abs(datum.value) >= 1e8 ? format(datum.value / 1e8, '~g') + '亿'"
    " : abs(datum.value) >= 1e4 ? format(datum.value / 1e4, '~g') + '万' : format(datum.value, ',')"
)


def year_format() -> str:
    """A time axis's years: 2024 in English, 2024年 in Chinese."""
    return "%Y" if language() == "en" else "%Y年"


def money_axis() -> alt.Axis:
    """The axis of an amount: 100M, 1B in English; 1亿, 10亿 in Chinese."""
    return MONEY_AXIS if language() == "en" else alt.Axis(labelExpr=_ZH_MONEY_LABEL)


def money_legend() -> alt.Legend:
    """A legend of amounts, in the same words as money_axis (never "15B" beside an axis in 亿)."""
    if language() == "en":
        return alt.Legend(format="~s", labelExpr="replace(datum.label, 'G', 'B')")
    return alt.Legend(labelExpr=_ZH_MONEY_LABEL)


PAY_KIND_COLORS = {
    "base_salary": "#4C78A8",
    "annual_total": "#72B7B2",
    "signing_bonus": "#F58518",
    "equity": "#B279A2",
    "package": "#9D755D",
}
PERIOD_LABELS = labels.PERIODS
DIRECTIONS = labels.Labels({"gained": N_("gained"), "lost": N_("lost"), "in": N_("in"), "out": N_("out")})


def _kind_color(title: str = "", present=None) -> alt.Color:
    """Colour by pay kind: legends list only the kinds drawn, by their labels."""
    kinds = [k for k in PAY_KIND_COLORS if present is None or k in set(present)]
    return alt.Color(
        "kind:N",
        title=title or _("Kind"),
        scale=alt.Scale(domain=kinds, range=[PAY_KIND_COLORS[k] for k in kinds]),
        # below the plot: a legend at the side would push a faceted chart past a narrow screen
        legend=alt.Legend(labelExpr=_labels_expr(labels.PAY_KINDS), orient="bottom", columns=3),
    )


def _same_figures_once(data: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct figure drawn (row, amounts, certainty), with how many figures it
    stands for and their people, firms, dates and sources listed once each."""
    keys = ["row", "kind", "kind_label", "low", "high", "mid", "certainty"]
    listed = [
        c for c in data.columns if c not in keys and (data[c].dtype == object or pd.api.types.is_string_dtype(data[c]))
    ]

    def distinct(values: pd.Series) -> str | None:
        texts = [str(v) for v in values if v is not None and not (isinstance(v, float) and pd.isna(v))]
        return "; ".join(dict.fromkeys(texts)) or None

    grouped = (
        data.groupby(keys, dropna=False, sort=False)
        .agg(n_figures=("low", "size"), **{c: (c, distinct) for c in listed})
        .reset_index()
    )
    return grouped.assign(n_text=["×" + str(n) for n in grouped["n_figures"]])


def pay_distribution_chart(df: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Every pay figure as a bar from low to high with its midpoint, one row per kind and period.

    Rows come from pay_figures (one per figure); a point figure is a dot, a range a bar.
    """
    df = _tip_frame(df)
    data = df.assign(
        row=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"]) + " · " + df["period"].map(PERIOD_LABELS),
        kind_label=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"]),
        low=df["low_converted"],
        high=df["high_converted"],
        mid=df["mid_converted"],
    ).dropna(subset=["low"])
    data = _same_figures_once(data)
    y = alt.Y("row:N", title=None, axis=alt.Axis(labelLimit=220))
    tooltip = [
        alt.Tooltip("n_figures:Q", title=_("Figures (n)")),
        alt.Tooltip("amount_text:N", title=_("Reported as")),
        alt.Tooltip("low:Q", title=_("Low ({currency})").format(currency=currency), format=",.0f"),
        alt.Tooltip("high:Q", title=_("High ({currency})").format(currency=currency), format=",.0f"),
        alt.Tooltip("person:N", title=_("Person")),
        alt.Tooltip("firm:N", title=_("Offering firm")),
        alt.Tooltip("outcome_label:N", title=_("Outcome")),
        alt.Tooltip("reported_on:N", title=_("Reported")),
        alt.Tooltip("certainty_label:N", title=_("Certainty")),
        alt.Tooltip("source:N", title=_("Source")),
    ]
    x = alt.X(
        "low:Q",
        title=_("Amount ({currency}, log scale)").format(currency=currency),
        scale=alt.Scale(type="log"),
        axis=money_axis(),
    )
    ranges = (
        alt.Chart(data)
        .mark_rule(strokeWidth=6, opacity=0.5)
        .encode(x=x, x2="high:Q", y=y, color=_kind_color(present=data["kind"]), tooltip=tooltip)
    )
    mids = (
        alt.Chart(data)
        .mark_point(filled=True, size=80, opacity=0.9)
        .encode(
            x=alt.X("mid:Q", scale=alt.Scale(type="log")),
            y=y,
            color=_kind_color(present=df["kind"]),
            shape=alt.Shape(
                "certainty:N", title=_("Certainty"), legend=alt.Legend(labelExpr=_labels_expr(labels.CERTAINTIES))
            ),
            tooltip=tooltip,
        )
    )
    # identical figures are one mark: its count beside it ("×2"), never one dot hiding another
    counts = (
        alt.Chart(data[data["n_figures"] > 1])
        .mark_text(align="left", dx=9, fontSize=12, fontWeight="bold")
        .encode(x=alt.X("mid:Q", scale=alt.Scale(type="log")), y=y, text="n_text:N", tooltip=tooltip)
    )
    return (ranges + mids + counts).properties(
        title=alt.Title(
            _("Every pay figure, by kind"),
            subtitle=[
                _("Bar: the low to the high of a range; dot: its midpoint; ×n: n identical figures."),
                _("Hover for the source."),
            ],
        ),
        height=alt.Step(34),
    )


def pay_bins_chart(df: pd.DataFrame, currency: str) -> alt.Chart:
    """The distribution of many pay figures as log-scale histogram bars, one row per kind and period."""
    df = _tip_frame(df)
    data = df.assign(row=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"]) + " · " + df["period"].map(PERIOD_LABELS))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "bin_low:Q",
                title=_("Midpoint ({currency}, log scale)").format(currency=currency),
                scale=alt.Scale(type="log"),
                axis=money_axis(),
            ),
            x2="bin_high:Q",
            y=alt.Y("n_figures:Q", title=_("Figures (n)")),
            color=_kind_color(present=df["kind"]),
            row=alt.Row("row:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=[
                alt.Tooltip("row:N", title=_("Kind")),
                alt.Tooltip("bin_low:Q", title=_("From"), format=",.0f"),
                alt.Tooltip("bin_high:Q", title=_("To"), format=",.0f"),
                alt.Tooltip("n_figures:Q", title=_("Figures (n)")),
            ],
        )
        .properties(height=60, title=_("Distribution of pay figures, by kind"))
    )


def pay_by_firm_chart(df: pd.DataFrame, currency: str) -> alt.FacetChart:
    """The largest figure each offering firm reported (dot) and its median midpoint (line start),
    by kind; one-time and per-year in separate panels."""
    df = _tip_frame(df)
    data = df.assign(
        period_label=df["period"].map(PERIOD_LABELS), kind_label=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"])
    )
    order = list(dict.fromkeys(df["firm"]))
    x_scale = alt.Scale(type="log")
    base = alt.Chart(data).encode(
        y=alt.Y("firm:N", sort=order, title=None, axis=alt.Axis(labelLimit=150)),
        yOffset="kind:N",
        color=_kind_color(present=df["kind"]),
        tooltip=[
            alt.Tooltip("firm:N", title=_("Offering firm")),
            alt.Tooltip("kind_label:N", title=_("Kind")),
            alt.Tooltip("period_label:N", title=_("Period")),
            alt.Tooltip("n_figures:Q", title=_("Figures (n)")),
            alt.Tooltip("max_high:Q", title=_("Largest ({currency})").format(currency=currency), format=",.0f"),
            alt.Tooltip(
                "median_mid:Q", title=_("Median midpoint ({currency})").format(currency=currency), format=",.0f"
            ),
        ],
    )
    stick = base.mark_rule(strokeWidth=2, opacity=0.6).encode(x=alt.X("median_mid:Q", scale=x_scale), x2="max_high:Q")
    dot = base.mark_point(filled=True, size=110).encode(
        x=alt.X(
            "max_high:Q",
            title=_("Largest figure ({currency}, log scale)").format(currency=currency),
            scale=x_scale,
            axis=money_axis(),
        )
    )
    return (
        alt.layer(stick, dot, data=data)
        .properties(width=240)
        # one-time and per-year stacked, not side by side: fits a narrow screen
        .facet(row=alt.Row("period_label:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .properties(
            title=alt.Title(
                _("Who pays the most, in which form"), subtitle=_("Dot: largest figure; line from the median")
            )
        )
    )


def pay_over_time_chart(df: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Pay by year reported: the median midpoint and the low-to-high span, coloured by kind,
    one-time and per-year in separate panels.

    Years sit on a linear axis (2016 -> 2023 takes seven times the room of 2023 -> 2024); the
    kinds of one year are spread a little apart around it so no mark hides another."""
    df = _tip_frame(df)
    kinds = sorted(df["kind"].dropna().unique())
    spread = {k: (i - (len(kinds) - 1) / 2) * 0.12 for i, k in enumerate(kinds)}
    data = df.assign(
        period_label=df["period"].map(PERIOD_LABELS),
        kind_label=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"]),
        x=df["year"] + df["kind"].map(spread).fillna(0),
        n_text="n=" + df["n_figures"].astype(str),
    )
    years = df["year"].dropna()
    domain = [int(years.min()) - 0.5, int(years.max()) + 0.5] if len(years) else None
    base = alt.Chart(data).encode(
        x=alt.X(
            "x:Q",
            title=_("Year reported"),
            scale=alt.Scale(domain=domain, nice=False, zero=False),
            axis=alt.Axis(format="d", tickMinStep=1, grid=False),
        ),
        color=_kind_color(present=df["kind"]),
        tooltip=[
            alt.Tooltip("year:O", title=_("Year")),
            alt.Tooltip("kind_label:N", title=_("Kind")),
            alt.Tooltip("n_figures:Q", title=_("Figures (n)")),
            alt.Tooltip("min_low:Q", title=_("Lowest ({currency})").format(currency=currency), format=",.0f"),
            alt.Tooltip(
                "median_mid:Q", title=_("Median midpoint ({currency})").format(currency=currency), format=",.0f"
            ),
            alt.Tooltip("max_high:Q", title=_("Highest ({currency})").format(currency=currency), format=",.0f"),
        ],
    )
    y = alt.Y(
        "median_mid:Q",
        title=_("Amount ({currency}, log scale)").format(currency=currency),
        scale=alt.Scale(type="log"),
        axis=money_axis(),
    )
    span = base.mark_rule(strokeWidth=3, opacity=0.5).encode(
        y=alt.Y("min_low:Q", scale=alt.Scale(type="log")), y2="max_high:Q"
    )
    mid = base.mark_point(filled=True, size=70).encode(y=y)
    # n beside a dot that stands for more than one figure
    count = (
        base.transform_filter("datum.n_figures > 1")
        .mark_text(align="left", dx=7, fontSize=10, color="#555")
        .encode(y=y, text=alt.Text("n_text:N"))
    )
    return (
        alt.layer(span, mid, count, data=data)
        .properties(width=280, height=180)
        .facet(row=alt.Row("period_label:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .properties(
            title=alt.Title(
                _("Pay by year reported"), subtitle=_("Dot: median midpoint; line: lowest to highest; n=figures")
            )
        )
    )


def pay_outcomes_chart(df: pd.DataFrame) -> alt.Chart:
    """How many figures were offered, accepted, declined or of unknown outcome, per period."""
    df = _tip_frame(df)
    data = df.assign(period_label=df["period"].map(PERIOD_LABELS))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "outcome:N",
                title=_("Outcome"),
                sort=["offered", "accepted", "declined", "unknown"],
                axis=alt.Axis(labelExpr=_labels_expr(labels.OUTCOMES)),
            ),
            y=alt.Y("n_figures:Q", title=_("Figures (n)"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("outcome:N", title=_("Outcome"), legend=None),
            column=alt.Column("period_label:N", title=None),
            tooltip=[
                alt.Tooltip("outcome_label:N", title=_("Outcome")),
                alt.Tooltip("period_label:N", title=_("Period")),
                alt.Tooltip("n_figures:Q", title=_("Figures (n)")),
                alt.Tooltip("median_mid:Q", title=_("Median midpoint"), format=",.0f"),
            ],
        )
        .properties(title=_("Outcomes: a declined offer is a signal too"), width=140, height=200)
    )


ROUND_TYPE_COLORS = {
    "seed": "#54A24B",
    "series": "#4C78A8",
    "strategic": "#F58518",
    "acquisition": "#E45756",
    "acquihire": "#B279A2",
    "partnership": "#72B7B2",
    "other": "#9D9D9D",
}


def capital_raised_chart(df: pd.DataFrame, currency: str, until: str) -> alt.LayerChart:
    """Cumulative capital raised per firm as step lines, with a point at each counted round.

    Each line is carried flat to the latest round drawn (of any firm; never past `until`, the
    period's end), so a firm's total reads beside the others' at the same date; it is never
    drawn on into years the data does not reach.
    """
    df = _tip_frame(df)
    from atlas.money import format_amount

    # the amounts as text, qualifier included: a total with a "more than" round in it is "more than"
    df = df.assign(
        round_text=[
            format_amount(a, None, currency, q) for a, q in zip(df.amount_converted, df.amount_qualifier, strict=True)
        ],
        cumulative_text=[
            format_amount(c, None, currency, q)
            for c, q in zip(df.cumulative, df.get("cumulative_qualifier", df.amount_qualifier), strict=True)
        ],
    )
    ends = df.sort_values("announced_on").groupby("firm", as_index=False).last()
    last = min(pd.Timestamp(until), pd.to_datetime(df["announced_on"]).max())
    ends = ends.assign(announced_on=last, round_id=None, amount_converted=None, round_text=None, is_end=True)
    data = pd.concat([df.assign(is_end=False), ends], ignore_index=True)
    base = alt.Chart(data).encode(
        x=alt.X("announced_on:T", title=_("Announced"), axis=alt.Axis(format=year_format(), tickCount="year")),
        y=alt.Y(
            "cumulative:Q",
            title=_("Raised to date ({currency}, log scale)").format(currency=currency),
            scale=alt.Scale(type="log"),
            axis=money_axis(),
        ),
        color=alt.Color("firm:N", title=_("Firm")),
        tooltip=[
            alt.Tooltip("firm:N", title=_("Firm")),
            alt.Tooltip("round_id:N", title=_("Round")),
            alt.Tooltip("announced_text:N", title=_("Announced")),
            alt.Tooltip("round_text:N", title=_("This round (nominal)")),
            alt.Tooltip("cumulative_text:N", title=_("Raised to date (nominal)")),
        ],
    )
    steps = base.mark_line(interpolate="step-after", strokeWidth=2)
    points = base.mark_point(filled=True, size=70).transform_filter("!datum.is_end")
    return (steps + points).properties(
        title=alt.Title(
            _("Capital raised over time"),
            subtitle=_("Completed seed, series, strategic and other rounds; terminated or rumored deals never count"),
        ),
        height=300,
    )


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    """A column of the frame, or all None where the frame has none (a qualifier: 'exact')."""
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index)


def rounds_chart(df: pd.DataFrame, currency: str) -> alt.Chart:
    """Each round as a point over time: amount (log), colour by type, size by valuation,
    shape and fading by status so terminated and rumored deals stand apart."""
    df = _tip_frame(df)
    from atlas.money import format_amount

    data = df[df["announced_date"].notna() & df["amount_converted"].notna()]
    # a point without a valuation is drawn at the smallest size rather than dropped; its tooltip
    # says "not known" (a number format would print an unknown as 0)
    data = data.assign(
        valuation_size=data["valuation_converted"].fillna(0),
        amount_text=[
            format_amount(a, None, currency, q)
            for a, q in zip(data["amount_converted"], _column(data, "amount_qualifier"), strict=True)
        ],
        valuation_text=[
            format_amount(v, None, currency, q) if pd.notna(v) else _("not known")
            for v, q in zip(data["valuation_converted"], _column(data, "valuation_qualifier"), strict=True)
        ],
    )
    return (
        alt.Chart(data)
        .mark_point(filled=True, cursor="pointer")
        # a click on a round opens its firm's profile
        .add_params(alt.selection_point(name=ROUND_PICK, fields=["firm_id"], on="click", clear="dblclick"))
        .encode(
            x=alt.X(
                "announced_date:T",
                title=_("Announced"),
                axis=alt.Axis(format=year_format(), tickCount="year"),
                scale=alt.Scale(padding=30),
            ),
            y=alt.Y(
                "amount_converted:Q",
                title=_("Amount ({currency}, log scale)").format(currency=currency),
                scale=alt.Scale(type="log"),
                axis=money_axis(),
            ),
            color=alt.Color(
                "round_type:N",
                title=_("Round type"),
                scale=alt.Scale(
                    domain=[t for t in ROUND_TYPE_COLORS if t in set(data["round_type"])],
                    range=[c for t, c in ROUND_TYPE_COLORS.items() if t in set(data["round_type"])],
                ),
                legend=alt.Legend(labelExpr=_labels_expr(labels.ROUND_TYPES)),
            ),
            size=alt.Size(
                "valuation_size:Q",
                title=_("Valuation ({currency})").format(currency=currency),
                scale=alt.Scale(range=[60, 900]),
                legend=money_legend(),
            ),
            shape=alt.Shape(
                "status:N",
                title=_("Status"),
                scale=alt.Scale(
                    domain=["completed", "terminated", "rumored"], range=["circle", "cross", "triangle-up"]
                ),
                legend=alt.Legend(labelExpr=_labels_expr(labels.STATUSES)),
            ),
            opacity=alt.condition("datum.status == 'completed'", alt.value(0.9), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("firm:N", title=_("Firm")),
                alt.Tooltip("round_type_label:N", title=_("Type")),
                alt.Tooltip("status_label:N", title=_("Status")),
                alt.Tooltip("announced_on:N", title=_("Announced")),
                alt.Tooltip("amount_text:N", title=_("Amount ({currency})").format(currency=currency)),
                alt.Tooltip("valuation_text:N", title=_("Valuation ({currency})").format(currency=currency)),
                alt.Tooltip("investors:N", title=_("Investors")),
                alt.Tooltip("certainty_label:N", title=_("Certainty")),
                alt.Tooltip("source:N", title=_("Source")),
            ],
        )
        .properties(
            title=alt.Title(
                _("Rounds and deals"),
                subtitle=_("Cross: terminated · triangle: rumored · size: valuation (smallest: not known)"),
            ),
            height=320,
        )
    )


def _alliance_label(row: dict, currency: str) -> str:
    """A cell's text: the completed amount (a "more than" kept), else what a deal that did not
    complete was reported at, said so ("more than USD 1B, terminated"); a partnership has no
    money; only an amount never reported is "undisclosed"."""
    from atlas.money import format_amount

    total, offered = row.get("total_converted"), row.get("offered_converted")
    statuses = row.get("statuses") or ""
    if pd.notna(total):
        text = format_amount(total, None, currency, row.get("total_qualifier"))
    elif pd.notna(offered):
        text = format_amount(offered, None, currency, row.get("offered_qualifier"))
    elif row.get("roles") == "partner":
        text = _("partnership (no money)")
    else:
        text = _("undisclosed")
    if pd.notna(row.get("max_stake_pct")):
        text += f" · {row['max_stake_pct']:g}%"
    if "terminated" in statuses:
        text += " · " + _("terminated")
    return text


def alliances_chart(df: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Investors (rows) against the firms they back (columns): the cell is the total amount,
    its text the amount and stake, or 'undisclosed'; terminated deals are labelled so."""
    df = _tip_frame(df)
    data = df.assign(label=[_alliance_label(row, currency) for row in df.to_dict("records")])
    base = alt.Chart(data).encode(
        x=alt.X("firm:N", title=_("Backed firm"), axis=alt.Axis(labelAngle=-30, labelLimit=160)),
        y=alt.Y("investor:N", title=_("Investor, buyer or partner"), sort=list(dict.fromkeys(df["investor"]))),
        tooltip=[
            alt.Tooltip("investor:N", title=_("Investor")),
            alt.Tooltip("firm:N", title=_("Firm")),
            alt.Tooltip("n_rounds:Q", title=_("Rounds (n)")),
            alt.Tooltip(
                "total_converted:Q", title=_("Total ({currency}, completed)").format(currency=currency), format=",.0f"
            ),
            alt.Tooltip(
                "offered_converted:Q",
                title=_("Reported, not completed ({currency})").format(currency=currency),
                format=",.0f",
            ),
            alt.Tooltip("max_stake_pct:Q", title=_("Largest stake (%)")),
            alt.Tooltip("roles:N", title=_("As (investor, buyer, partner)")),
            alt.Tooltip("round_types:N", title=_("Types")),
            alt.Tooltip("statuses:N", title=_("Statuses")),
        ],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "total_converted:Q",
            title=_("Total ({currency})").format(currency=currency),
            scale=alt.Scale(type="log", scheme="oranges"),
            legend=money_legend(),
        )
    )
    text = base.mark_text(fontSize=11).encode(text="label:N")
    return (cells + text).properties(
        title=alt.Title(
            _("Strategic alliances: who backs, buys or partners with whom"),
            subtitle=_(
                "Coloured by the completed amount. Uncoloured: no completed amount (a partnership, an amount not"
                " disclosed, or a deal that did not complete, with what it was reported at)"
            ),
        ),
        height=alt.Step(40),
        width=alt.Step(150),
    )


CONSOLE_CHART_ROWS = 500  # a console result larger than this is a table, not a chart
TITLE_AND_AXIS_PX = 110  # what a chart's title and x axis add to its plot's height


def first_two_columns_chart(df: pd.DataFrame) -> alt.Chart | None:
    """A console result's first two columns as a chart, when they make one: a number (the second
    column) per category, date or number (the first), at most CONSOLE_CHART_ROWS rows; else None."""
    if df.shape[1] < 2 or not 1 < len(df) <= CONSOLE_CHART_ROWS:
        return None
    x, y = df.columns[0], df.columns[1]
    if not pd.api.types.is_numeric_dtype(df[y]) or pd.api.types.is_bool_dtype(df[y]):
        return None
    data = df[[x, y]].rename(columns={x: "x", y: "y"})
    y_enc = alt.Y("y:Q", title=str(y))
    tooltip = [alt.Tooltip("x", title=str(x)), alt.Tooltip("y:Q", title=str(y), format=",")]
    if pd.api.types.is_datetime64_any_dtype(data["x"]) or (
        pd.api.types.is_numeric_dtype(data["x"]) and not pd.api.types.is_bool_dtype(data["x"])
    ):
        x_type = "T" if pd.api.types.is_datetime64_any_dtype(data["x"]) else "Q"
        x_enc = alt.X(f"x:{x_type}", title=str(x), axis=alt.Axis(format="d") if x_type == "Q" else alt.Axis())
        chart = alt.Chart(data).mark_line(point=True).encode(x=x_enc, y=y_enc, tooltip=tooltip)
    else:
        data["x"] = data["x"].astype(str)
        chart = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                y=alt.Y("x:N", title=str(x), sort="-x", axis=alt.Axis(labelOverlap=False, labelLimit=240)),
                x=alt.X("y:Q", title=str(y)),
                tooltip=tooltip,
            )
        )
    bars = not (pd.api.types.is_datetime64_any_dtype(df[x]) or pd.api.types.is_numeric_dtype(df[x]))
    # one bar per row, each tall enough for its label (a step height is not kept by Streamlit's container)
    return chart.properties(
        title=_("{y} by {x} (the first two columns)").format(y=y, x=x), height=26 * len(data) + 10 if bars else 280
    )
