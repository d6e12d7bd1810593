"""What a reader sees for each code of the data model: `signing_bonus` reads "signing bonus",
`ai_startup` reads "AI startup". The data, the URL and the exports keep the codes; tables, chart
legends, axes and tooltips show these labels. One place, so a code reads the same everywhere."""

from __future__ import annotations

MOVE_TYPES = {
    "joined": "joined",
    "founded": "founded",
    "returned": "returned",
    "acquihire": "acqui-hired",
    "left": "left",
}
FIRM_KINDS = {
    "big_tech": "big tech",
    "ai_startup": "AI startup",
    "research_lab": "research lab",
    "investor": "investor",
    "university": "university",
    "other": "other",
}
PAY_KINDS = {
    "base_salary": "base salary",
    "annual_total": "annual total",
    "signing_bonus": "signing bonus",
    "equity": "equity",
    "package": "package",
}
PERIODS = {"one_time": "one-time", "per_year": "per year"}
OUTCOMES = {"offered": "offered", "accepted": "accepted", "declined": "declined", "unknown": "unknown"}
ROUND_TYPES = {
    "seed": "seed",
    "series": "series",
    "strategic": "strategic",
    "acquisition": "acquisition",
    "acquihire": "acqui-hire",
    "partnership": "partnership",
    "other": "other",
}
STATUSES = {"completed": "completed", "terminated": "terminated", "rumored": "rumored"}
DEGREES = {"bachelor": "bachelor's", "master": "master's", "phd": "PhD", "other": "other"}
MISSING = "—"  # how a missing value reads in every table

BY_COLUMN = {
    "move_type": MOVE_TYPES,
    "kind": {**FIRM_KINDS, **PAY_KINDS},
    "firm_kind": FIRM_KINDS,
    "pay_kind": PAY_KINDS,
    "period": PERIODS,
    "outcome": OUTCOMES,
    "round_type": ROUND_TYPES,
    "status": STATUSES,
    "degree": DEGREES,
}
