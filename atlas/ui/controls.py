"""The controls of the Talent flows, Pay offers and Funding pages, bound to the URL; each returns
the page's view as the parameters its queries take.
"""

from __future__ import annotations

import streamlit as st

from atlas import fetch, labels
from atlas.i18n import N_, _
from atlas.model import COMP_KINDS, OUTCOMES, ROUND_STATUSES, ROUND_TYPES
from atlas.pages import BY_TITLE, LEVELS, NOMINAL
from atlas.ui import link
from atlas.ui.filters import coded_choice, linked, url_int_input, url_picker
from atlas.viewdata import FlowView, FundingView, PayView

LEVEL_NAMES = labels.Labels(
    {"firm": N_("Firm"), "parent": N_("Parent firm"), "kind": N_("Firm kind"), "country": N_("Country")}
)
# the same levels as the words of a sentence ("Moves by parent firm", "gained from, by firm kind")
LEVEL_WORDS = labels.Labels(
    {"firm": N_("firm"), "parent": N_("parent firm"), "kind": N_("firm kind"), "country": N_("country")}
)


_FLOWS = BY_TITLE["Talent flows"]


def flow_controls_ui(country_options: list[str]) -> FlowView:
    """Level, country, search, top-N and minimum count for the flow views, bound to the URL."""
    c1, c2, c3 = st.columns([2, 2, 2])
    with c1:
        level = coded_choice(
            st.radio,
            _("Level"),
            LEVELS,
            LEVEL_WORDS,
            key="level",
            horizontal=True,
            help=_(
                "firm: each firm; parent firm: roll subsidiaries up to their top parent (Google Brain and Google "
                "DeepMind are Google); firm kind: big tech, startup, lab…; country: where the firm is."
            ),
        )
        search = linked(
            st.text_input,
            _("Person or firm"),
            key="search",
            max_chars=link.declared("search").max_len,
            placeholder=_("e.g. Yi Tay, 字节跳动, Reka"),
            help=_("Keeps the moves of matching people and the moves into or out of matching firms."),
        ).strip()
    with c2:
        countries = linked(
            st.multiselect,
            _("Country"),
            options=country_options,
            key="countries",
            placeholder=_("All countries"),
            help=_("A move matches when the firm it leaves or joins is in a selected country (ISO codes)."),
        )
    with c3:
        top = link.declared("top")
        top_n = linked(
            st.slider,
            _("Top groups shown"),
            top.lo,
            top.hi,
            key="top",
            help=_(
                "The origins and destinations of the largest flows are drawn; the rest fold into 'Other'. "
                "Moves from one 'Other' to the other are counted below the diagram, not drawn."
            ),
        )
        # a number, not a slider: on millions of moves a useful threshold can be in the thousands
        # a link's value is read by the strict parser (`?min_n=1e309` is refused, never crashes)
        min_count = url_int_input(
            _("Minimum moves per flow"),
            key="min_n",
            help=_("Flows and groups with fewer moves are hidden (Sankey) or greyed (bar chart)."),
        )
    # any spelling of a name finds its entity: "Li Mu" looks for Mu Li, "賈揚清" for Yangqing Jia
    values = {"level": level, "countries": countries, "search": search, "top": top_n, "min_n": min_count}
    return FlowView.from_values(values)


def sankey_image_format_ui() -> str:
    """Which image the Sankey's own save button (top right of the diagram) writes."""
    # labels as values: a bound widget with a format_func reads the URL by label
    return linked(
        st.segmented_control,
        _("Diagram image"),
        options=link.declared("img").choices,
        key="img",
        required=True,
        help=_(
            "The save button at the top right of the diagram downloads it as this image, drawn in your "
            "browser: PNG (for slides) or SVG (scalable, editable)."
        ),
    ).lower()


# A firm picker lists this many of the most active firms (plus any already picked): tens of
# thousands of options would be sent to the browser on every run.
def picked(key: str) -> list[str]:
    """What a picker holds: the widget's value, or on the page's first run what the link names."""
    return list(link.current(key) or [])


def pay_controls_ui(firm_options) -> PayView:
    """Offering firm, kind, outcome and constant-dollar year, in the URL (firms and kinds by id
    and code there, by name and label here). `firm_options`: firm_id and firm (its name)."""
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    firm_ids = url_picker(
        c1,
        _("Offering firm"),
        firm_options["firm_id"].tolist(),
        dict(zip(firm_options["firm_id"], firm_options["firm"], strict=True)),
        key="firms",
        multi=True,
        placeholder=_("All firms"),
        help=_(
            "The {n} firms with the most pay figures (and any picked). Any firm's own figures are on its profile."
        ).format(n=f"{fetch.PICKER_LIMIT:,}"),
    )
    pay_kinds = url_picker(
        c2,
        _("Kind of pay"),
        list(COMP_KINDS),
        labels.PAY_KINDS,
        key="pay_kinds",
        multi=True,
        placeholder=_("All kinds"),
        help=_("Signing bonus and equity are one-time; base salary and annual total are per year."),
    )
    outcomes = url_picker(
        c3, _("Outcome"), list(OUTCOMES), labels.OUTCOMES, key="outcomes", multi=True, placeholder=_("All outcomes")
    )
    constant = coded_choice(
        c4.selectbox,
        _("Money of"),
        link.declared("constant").choices,
        {NOMINAL: _("nominal")},
        key="constant",
        help=_(
            "nominal: converted at the rates of the year reported. A year: first in US dollars of that year "
            "(US CPI-U, Bureau of Labor Statistics), then in the display currency."
        ),
    )
    return PayView.from_values({"firms": firm_ids, "pay_kinds": pay_kinds, "outcomes": outcomes, "constant": constant})


def funding_controls_ui(country_options: list[str]) -> FundingView:
    """Country, round type and status, bound to the URL."""
    c1, c2, c3 = st.columns(3)
    countries = linked(
        c1.multiselect,
        _("Country of the firm"),
        options=country_options,
        key="countries",
        placeholder=_("All countries"),
    )
    round_types = url_picker(
        c2,
        _("Round type"),
        list(ROUND_TYPES),
        labels.ROUND_TYPES,
        key="round_types",
        multi=True,
        placeholder=_("All types"),
    )
    statuses = url_picker(
        c3,
        _("Status"),
        list(ROUND_STATUSES),
        labels.STATUSES,
        key="statuses",
        multi=True,
        placeholder=_("All statuses"),
        help=_("Terminated and rumored deals are shown, but never counted as capital raised."),
    )
    return FundingView.from_values({"countries": countries, "round_types": round_types, "statuses": statuses})
