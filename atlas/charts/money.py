"""Charts of money: pay figures (distribution, by firm, over time, outcomes), capital raised,
rounds and alliances; money axes and legends in the reader's language."""

from __future__ import annotations

import altair as alt
import pandas as pd

from atlas import labels
from atlas.charts.base import PERIOD_LABELS, ROUND_PICK, labels_expr, tip_frame, year_format
from atlas.i18n import _, language

# SI prefixes read as money: 1G would be 1B
MONEY_AXIS = alt.Axis(format="~s", labelExpr="replace(datum.label, 'G', 'B')")


# Chinese money axes count in 万 (10^4) and 亿 (10^8), as Chinese readers write amounts
ZH_MONEY_LABEL = (
    "abs(datum.value) >= 1e12 ? format(datum.value / 1e12, '~g') + '万亿'"
    " : abs(datum.value) >= 1e8 ? format(datum.value / 1e8, '~g') + '亿'"
    " : abs(datum.value) >= 1e4 ? format(datum.value / 1e4, '~g') + '万' : format(datum.value, ',')"
)


def money_axis() -> alt.Axis:
    """The axis of an amount: 100M, 1B in English; 1亿, 10亿 in Chinese."""
    return MONEY_AXIS if language() == "en" else alt.Axis(labelExpr=ZH_MONEY_LABEL)


def money_legend() -> alt.Legend:
    """A legend of amounts, in the same words as money_axis (never "15B" beside an axis in 亿)."""
    if language() == "en":
        return alt.Legend(format="~s", labelExpr="replace(datum.label, 'G', 'B')")
    return alt.Legend(labelExpr=ZH_MONEY_LABEL)


PAY_KIND_COLORS = {
    "base_salary": "#4C78A8",
    "annual_total": "#72B7B2",
    "signing_bonus": "#F58518",
    "equity": "#B279A2",
    "package": "#9D755D",
}


def kind_color(title: str = "", present=None) -> alt.Color:
    """Colour by pay kind: legends list only the kinds drawn, by their labels."""
    kinds = [k for k in PAY_KIND_COLORS if present is None or k in set(present)]
    return alt.Color(
        "kind:N",
        title=title or _("Kind"),
        scale=alt.Scale(domain=kinds, range=[PAY_KIND_COLORS[k] for k in kinds]),
        # below the plot: a legend at the side would push a faceted chart past a narrow screen
        legend=alt.Legend(labelExpr=labels_expr(labels.PAY_KINDS), orient="bottom", columns=3),
    )


def same_figures_once(data: pd.DataFrame) -> pd.DataFrame:
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
    df = tip_frame(df)
    data = df.assign(
        row=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"]) + " · " + df["period"].map(PERIOD_LABELS),
        kind_label=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"]),
        low=df["low_converted"],
        high=df["high_converted"],
        mid=df["mid_converted"],
    ).dropna(subset=["low"])
    data = same_figures_once(data)
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
        .encode(x=x, x2="high:Q", y=y, color=kind_color(present=data["kind"]), tooltip=tooltip)
    )
    mids = (
        alt.Chart(data)
        .mark_point(filled=True, size=80, opacity=0.9)
        .encode(
            x=alt.X("mid:Q", scale=alt.Scale(type="log")),
            y=y,
            color=kind_color(present=df["kind"]),
            shape=alt.Shape(
                "certainty:N", title=_("Certainty"), legend=alt.Legend(labelExpr=labels_expr(labels.CERTAINTIES))
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
    df = tip_frame(df)
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
            y=alt.Y("n_figures:Q", title=_("Figures (n)"), axis=alt.Axis(tickMinStep=1, format="d")),
            y2=alt.datum(0),  # a bar spanning its bin on x needs its base on y, or it is drawn as a flat line
            color=kind_color(present=df["kind"]),
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
    df = tip_frame(df)
    data = df.assign(
        period_label=df["period"].map(PERIOD_LABELS), kind_label=df["kind"].map(labels.PAY_KINDS).fillna(df["kind"])
    )
    order = list(dict.fromkeys(df["firm"]))
    x_scale = alt.Scale(type="log")
    base = alt.Chart(data).encode(
        y=alt.Y("firm:N", sort=order, title=None, axis=alt.Axis(labelLimit=150)),
        yOffset="kind:N",
        color=kind_color(present=df["kind"]),
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
    df = tip_frame(df)
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
        color=kind_color(present=df["kind"]),
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
    df = tip_frame(df)
    data = df.assign(period_label=df["period"].map(PERIOD_LABELS))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "outcome:N",
                title=_("Outcome"),
                sort=["offered", "accepted", "declined", "unknown"],
                axis=alt.Axis(labelExpr=labels_expr(labels.OUTCOMES)),
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
    "hire": "#FF9DA6",
    "partnership": "#72B7B2",
    "other": "#9D9D9D",
}


def capital_raised_chart(df: pd.DataFrame, currency: str, until: str) -> alt.LayerChart:
    """Cumulative capital raised per firm as step lines, with a point at each counted round.

    Each line is carried flat to the latest round drawn (of any firm; never past `until`, the
    period's end), so a firm's total reads beside the others' at the same date; it is never
    drawn on into years the data does not reach.
    """
    df = tip_frame(df)
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
    # the line's end: no round there (its tooltip says "—", never null)
    ends = ends.assign(
        announced_on=last,
        round_id=None,
        amount_converted=None,
        round_text=labels.MISSING,
        round_type_label=labels.MISSING,
        is_end=True,
    )
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
            alt.Tooltip("round_type_label:N", title=_("Round")),  # its kind in words, not its id
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


def column_or_none(df: pd.DataFrame, name: str) -> pd.Series:
    """A column of the frame, or all None where the frame has none (a qualifier: 'exact')."""
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index)


def rounds_chart(df: pd.DataFrame, currency: str) -> alt.Chart:
    """Each round as a point over time: amount (log), colour by type, size by valuation,
    shape and fading by status so terminated and rumored deals stand apart."""
    df = tip_frame(df)
    from atlas.money import format_amount

    data = df[df["announced_date"].notna() & df["amount_converted"].notna()]
    # a point without a valuation is drawn at the smallest size rather than dropped; its tooltip
    # says "not known" (a number format would print an unknown as 0)
    data = data.assign(
        valuation_size=data["valuation_converted"].fillna(0),
        amount_text=[
            format_amount(a, None, currency, q)
            for a, q in zip(data["amount_converted"], column_or_none(data, "amount_qualifier"), strict=True)
        ],
        valuation_text=[
            format_amount(v, None, currency, q) if pd.notna(v) else _("not known")
            for v, q in zip(data["valuation_converted"], column_or_none(data, "valuation_qualifier"), strict=True)
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
                legend=alt.Legend(labelExpr=labels_expr(labels.ROUND_TYPES)),
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
                legend=alt.Legend(labelExpr=labels_expr(labels.STATUSES)),
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


def alliance_label(row: dict, currency: str) -> str:
    """A cell's text: the completed amount (a "more than" kept), else what a deal that did not
    complete was reported at, said so ("more than USD 1B, terminated"); a partnership has no
    money; only an amount never reported is "undisclosed". A round other firms backed too reads as
    the round's ("USD 100M round(s), with others"): the articles never split it between co-leads."""
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
    shared = row.get("shared")
    if shared is not None and pd.notna(shared) and bool(shared) and (pd.notna(total) or pd.notna(offered)):
        text = _("{amount} round(s), with others").format(amount=text)  # the whole round's, not a share
    if pd.notna(row.get("max_stake_pct")):
        text += f" · {row['max_stake_pct']:g}%"
    if "terminated" in statuses:
        text += " · " + _("terminated")
    return text


def _codes_in_words(df: pd.DataFrame, column: str, words: labels.Labels) -> list[str]:
    """A column of comma-joined codes ("acquisition, series") in the reader's words; "—" for none."""
    if column not in df:
        return [labels.MISSING] * len(df)
    return [
        ", ".join(words.get(c.strip(), c.strip()) for c in str(v).split(","))
        if isinstance(v, str) and v
        else labels.MISSING
        for v in df[column]
    ]


def _amounts_in_words(df: pd.DataFrame, column: str, qualifier: str, currency: str) -> list[str]:
    """An amount column as every page writes money ("more than USD 1B"); "—" where there is none."""
    from atlas.money import format_amount

    if column not in df:
        return [labels.MISSING] * len(df)
    quals = df[qualifier] if qualifier in df else [None] * len(df)
    return [
        format_amount(v, None, currency, q if isinstance(q, str) else None) if pd.notna(v) else labels.MISSING
        for v, q in zip(df[column], quals, strict=True)
    ]


def alliances_chart(df: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Investors (rows) against the firms they back (columns): the cell is the total amount,
    its text the amount and stake, or 'undisclosed'; terminated deals are labelled so."""
    df = tip_frame(df)
    data = df.assign(
        label=[alliance_label(row, currency) for row in df.to_dict("records")],
        # the tooltip's words and amounts in the reader's language: codes, raw numbers and null showed
        round_types_label=_codes_in_words(df, "round_types", labels.ROUND_TYPES),
        statuses_label=_codes_in_words(df, "statuses", labels.STATUSES),
        roles_label=_codes_in_words(df, "roles", labels.DEAL_ROLES),
        total_text=_amounts_in_words(df, "total_converted", "total_qualifier", currency),
        offered_text=_amounts_in_words(df, "offered_converted", "offered_qualifier", currency),
    )
    base = alt.Chart(data).encode(
        # every firm labelled: Vega dropped every other label at 8 firms to avoid overlap
        x=alt.X("firm:N", title=_("Backed firm"), axis=alt.Axis(labelAngle=-30, labelLimit=160, labelOverlap=False)),
        y=alt.Y("investor:N", title=_("Investor, buyer or partner"), sort=list(dict.fromkeys(df["investor"]))),
        tooltip=[
            alt.Tooltip("investor:N", title=_("Investor")),
            alt.Tooltip("firm:N", title=_("Firm")),
            alt.Tooltip("n_rounds:Q", title=_("Rounds (n)")),
            alt.Tooltip("total_text:N", title=_("Total ({currency}, completed)").format(currency=currency)),
            alt.Tooltip("offered_text:N", title=_("Reported, not completed ({currency})").format(currency=currency)),
            alt.Tooltip("max_stake_pct:Q", title=_("Largest stake (%)")),
            alt.Tooltip("roles_label:N", title=_("As (investor, buyer, partner)")),
            alt.Tooltip("round_types_label:N", title=_("Types")),
            alt.Tooltip("statuses_label:N", title=_("Statuses")),
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
