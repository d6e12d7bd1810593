"""The People & firms page, section by section (pages/4_People_and_firms.py draws them in this order):
the search and the profile pickers, the profiles picked, then every person and firm found."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from atlas import cache, fetch, profiles, tables, viewdata
from atlas.i18n import N_, _, ngettext
from atlas.ui import link, session
from atlas.ui.downloads import downloads_ui
from atlas.ui.filters import Filters, coded_tabs, linked, url_picker
from atlas.ui.renderers import dataframe, profile_link_column, table_height, with_links
from atlas.ui.sections import Section


@dataclass
class People:
    """What every section of the page reads: the filters, the search and the profiles picked."""

    filters: Filters
    search: str
    person: str | None
    firm: str | None


def head(filters: Filters) -> People:
    """The search and the two profile pickers (a search with one match opens its profile)."""
    search = linked(
        st.text_input,
        _("Search people and firms"),
        key="q",
        placeholder=_("e.g. Mu Li, 李沐, Reka"),
        max_chars=link.declared("q").max_len,
        help=_(
            "Narrows the profile pickers and the lists below. Any spelling finds a name: Li Mu or Mu Li, 賈揚清 or"
            " 贾扬清, an alias such as DeepMind."
        ),
    ).strip()
    search = cache.search_text(search)  # the stored name of the entity the text names, else the text
    previous = session.SEARCHED_FOR.get()
    session.SEARCHED_FOR.value = search
    if previous is not None and search and search != previous:
        # a new search: a profile it does not find is closed (it stayed on screen under the new search)
        for kind in ("person", "firm"):
            shown = st.session_state.get(kind)
            if shown and shown not in fetch.entity_options(kind, search, "", 200)["id"].tolist():
                st.session_state[kind] = None
                link.drop(kind)
    # The pickers list matches of the search (at most 200), plus whatever the link already chose.
    chosen_person = str(link.current("person") or "")
    chosen_firm = str(link.current("firm") or "")
    person_options = fetch.entity_options("person", search, chosen_person, 200)
    firm_options = fetch.entity_options("firm", search, chosen_firm, 200)
    if search and not (chosen_person or chosen_firm) and session.OPENED_FOR.get() != search:
        # a search with exactly one match opens that profile (once per search: a picker cleared by
        # hand stays clear)
        matches = [("person", i) for i in person_options["id"]] + [("firm", i) for i in firm_options["id"]]
        if len(matches) == 1:
            kind, only = matches[0]
            st.session_state[kind] = only
            session.OPENED_FOR.value = search
    c1, c2 = st.columns(2)
    person = url_picker(
        c1,
        _("Person profile"),
        person_options["id"].tolist(),
        dict(zip(person_options["id"], person_options["label"], strict=True)),
        key="person",
        placeholder=_("Type a name, e.g. Mu Li or 李沐"),
        help=_("People whose name matches the search above (at most 200); every name in the app links here too."),
    )
    firm = url_picker(
        c2,
        _("Firm profile"),
        firm_options["id"].tolist(),
        dict(zip(firm_options["id"], firm_options["label"], strict=True)),
        key="firm",
        placeholder=_("Type a name, e.g. Google or 字节跳动"),
    )
    return People(filters, search, person, firm)


def _profiles(c: People) -> None:
    """The person's and the firm's profile picked."""
    if c.person:
        profiles.person_profile_ui(c.person, c.filters)
    if c.firm:
        profiles.firm_profile_ui(c.firm, c.filters)
    if c.person or c.firm:
        st.divider()


def _lists(c: People) -> None:
    """Every person and every firm the search finds, in two tabs."""
    people = viewdata.people_listed(c.search)
    firms = viewdata.firms_listed({**c.filters.params(), "search": c.search})

    tab_people, tab_firms = coded_tabs((N_("People"), N_("Firms")), key="tab")
    with tab_people:
        _people_list(people)
    with tab_firms:
        _firms_list(firms, c.filters)


def _people_list(people: pd.DataFrame) -> None:
    """Every person the search finds, with a link to each profile."""
    n_people = int(people["n_found"].iloc[0]) if len(people) else 0
    shown = _(" (the first {n} by name)").format(n=len(people)) if n_people > len(people) else ""
    st.caption(
        ngettext("{n} person", "{n} people", n_people).format(n=f"{n_people:,}")
        + shown
        + _(
            " · click a name for the profile · latest firm, moves and sources over every recorded move"
            " (the filters do not apply to this list)"
        )
    )
    if people.empty:
        st.info(_("No person matches the search."))
    else:
        dataframe(
            # formatted once per query result (cache.kept), not again on every run
            cache.kept(
                people,
                ("people_table",),
                lambda: with_links(
                    tables.dashes(tables.latest_firm(people), ["known_for", "origin_country", "current_firm"]),
                    ("person", "person_id", "person"),
                ),
            ),
            column_order=["person", "known_for", "current_firm", "origin_country", "n_moves", "n_sources"],
            column_config={
                "person": profile_link_column(_("Person"), pinned=True),
                "known_for": _("Known for"),
                "current_firm": st.column_config.TextColumn(
                    _("Latest firm"),
                    help=_(
                        "Destination of the person's latest move; empty after a departure. Where the sources give"
                        " neither dates nor an order for some of the person's moves, it says the order is unknown."
                    ),
                ),
                "origin_country": _("Origin"),
                "n_moves": st.column_config.NumberColumn(_("Moves"), help=_("Number of moves recorded")),
                "n_sources": st.column_config.NumberColumn(_("Sources"), help=_("Articles citing the person's moves")),
            },
            key="people_list",
            hide_index=True,
            width="stretch",
            height=table_height(len(people)),
        )
        downloads_ui("people", df=people)


def _firms_list(firms: pd.DataFrame, filters: Filters) -> None:
    """Every firm the search and the firm kinds find, with its gains and losses over all time."""
    n_firms = int(firms["n_found"].iloc[0]) if len(firms) else 0
    shown = _(" (the first {n} by name)").format(n=len(firms)) if n_firms > len(firms) else ""
    st.caption(
        ngettext("{n} firm", "{n} firms", n_firms).format(n=f"{n_firms:,}")
        + shown
        + _(
            " · click a name for the profile · people gained and lost over all time (the period filter does not"
            " apply) at {certainty}, counted for the firm alone and with its subsidiaries (moves between its own"
            " units count at neither)"
        ).format(certainty=filters.certainty_phrase)
    )
    if firms.empty:
        st.info(_("No firm matches the search and firm kinds."))
    else:
        dataframe(
            cache.kept(
                firms,
                ("firms_table",),
                lambda: with_links(
                    tables.dashes(firms, ["country", "parent", "founded_on"]), ("firm", "firm_id", "firm")
                ),
            ),
            column_order=[
                "firm",
                "kind",
                "country",
                "parent",
                "founded_on",
                "n_gained",
                "n_lost",
                "net",
                "n_gained_group",
                "n_lost_group",
                "net_group",
            ],
            column_config={
                "firm": profile_link_column(_("Firm"), pinned=True),
                "kind": _("Kind"),
                "country": _("Country"),
                "parent": _("Parent"),
                "founded_on": _("Founded"),
                "n_gained": st.column_config.NumberColumn(
                    _("Gained (firm alone)"), help=_("People who moved into this firm itself, over all time")
                ),
                "n_lost": st.column_config.NumberColumn(
                    _("Lost (firm alone)"), help=_("People who moved out of this firm itself, over all time")
                ),
                "net": st.column_config.NumberColumn(_("Net (firm alone)"), help=_("Gained minus lost, firm alone")),
                "n_gained_group": st.column_config.NumberColumn(
                    _("Gained (with subsidiaries)"),
                    help=_("People who moved into the firm or its subsidiaries from outside them, over all time"),
                ),
                "n_lost_group": st.column_config.NumberColumn(
                    _("Lost (with subsidiaries)"),
                    help=_("People who moved out of the firm or its subsidiaries to outside them, over all time"),
                ),
                "net_group": st.column_config.NumberColumn(
                    _("Net (with subsidiaries)"),
                    help=_("Gained minus lost with subsidiaries; the same as Talent flows at parent level, every year"),
                ),
            },
            key="firms_list",
            hide_index=True,
            width="stretch",
            height=table_height(len(firms)),
        )
        downloads_ui("firms", df=firms)


SECTIONS = (
    Section("the profiles picked", _profiles, ("person", "firm", "subs", "lift_days", "mt_months")),
    Section("every person and firm found", _lists, ("tab",)),
)
