"""What every chart shares: tooltips' coded values in words, the selections a click makes and
how a page reads them, the year format and the words for periods and directions."""

from __future__ import annotations

import json

import pandas as pd

from atlas import labels
from atlas.i18n import N_, language


def labels_expr(labels: dict[str, str]) -> str:
    """A Vega expression that shows a code's label in a legend (the data keeps the code)."""
    cases = " : ".join(f"datum.value === {json.dumps(k)} ? {json.dumps(v)}" for k, v in labels.items())
    return f"{cases} : datum.value"


TIP_CODES = ("outcome", "certainty", "status", "round_type", "move_type")


def tip_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The rows a chart draws, with a `<code>_label` column beside each code its tooltips show (the
    reader's words for `offered`, `rumor`…) and dates at their precision in the reader's way."""
    extra = {
        f"{c}_label": df[c].map(lambda v, c=c: labels.BY_COLUMN[c].get(v, v) if isinstance(v, str) else v)
        for c in TIP_CODES
        if c in df.columns
    }
    return labels.localize(df.assign(**extra), [c for c in df.columns if c in labels.DATE_COLUMNS])


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
            return nodes[i].replace(DEST, "")
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


def year_format() -> str:
    """A time axis's years: 2024 in English, 2024年 in Chinese."""
    return "%Y" if language() == "en" else "%Y年"


PERIOD_LABELS = labels.PERIODS


DIRECTIONS = labels.Labels({"gained": N_("gained"), "lost": N_("lost"), "in": N_("in"), "out": N_("out")})


# An invisible character keeps a destination node apart from the origin node of the same
# name, so the Sankey stays two columns (a flow Google -> Google is not a cycle).
DEST = "\u2060"
