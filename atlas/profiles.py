"""Person and firm profiles (UI layer: draws with Streamlit, reads through the cache)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from atlas import cache, charts, i18n, labels, tables, ui
from atlas.escape import md, short
from atlas.i18n import _


def _link(kind: str, entity_id: str, label: str) -> str:
    return f"[{md(label)}]({tables.profile_url(kind, entity_id, label, ui.carry()).split('#')[0]})"


def person_profile_ui(person_id: str, filters: ui.Filters) -> None:
    """A person's profile: who they are, career timeline, education, pay figures, moves; all sourced."""
    head = cache.query("person_profile", person_id=person_id)
    if head.empty:
        st.warning(_("No person with id “{x}”.").format(x=md(short(person_id, 60))))
        return
    h = head.iloc[0]
    st.header(md(h.person), anchor=False)
    ui.follow_ui("person", person_id)
    bits = [
        b
        for b in (
            h.known_for_zh if i18n.language() == "zh" and h.known_for_zh else h.known_for,
            _("origin: {origin_country}").format(origin_country=h.origin_country) if h.origin_country else None,
        )
        if b
    ]
    named = _(" — first named in {source}").format(source=h.source) if h.source else ""
    st.caption(md(" · ".join(bits) + named))

    stints = cache.query("person_stints", person_id=person_id, min_certainty=filters.min_certainty)
    dated = stints[stints["start_date"].notna()]
    if not dated.empty:
        ui.altair_chart(
            ui.plot(charts.career_timeline_chart, dated, dt.date.today().isoformat()),
            width="stretch",
            key=f"tl_{person_id}",
        )
    if len(dated) < len(stints):
        st.caption(
            _("{n} stint(s) have no date in the sources; they are listed below.").format(n=len(stints) - len(dated))
        )
    if stints.empty:
        n_all = len(cache.query("person_stints", person_id=person_id, min_certainty="rumor"))
        st.info(
            _("{n_all} move(s) of this person hidden by the certainty filter (showing {certainty_phrase}).").format(
                n_all=n_all, certainty_phrase=filters.certainty_phrase
            )
            if n_all
            else _("No move of this person is recorded.")
        )
    else:
        ui.dataframe(
            ui.with_links(stints, ("firm", "firm_id", "firm")),
            column_order=["start_text", "end_text", "firm", "role", "move_type", "certainty", "source"],
            column_config={
                "start_text": _("From"),
                "end_text": _("Until"),
                "firm": ui.profile_link_column(_("Firm")),
                "role": _("Role"),
                "move_type": _("Move"),
                "certainty": ui.certainty_column(),
                "source": _("Source"),
            },
            hide_index=True,
            width="stretch",
            key=f"stints_{person_id}",
        )
        ui.papers_note(stints)

    edu = cache.query("person_education", person_id=person_id)
    st.markdown(_("**Education**"))
    if edu.empty:
        st.caption(_("No education facts in the sources."))
    else:
        ui.dataframe(
            ui.with_links(tables.dashes(edu, ["year", "note"]), ("institution", "institution_id", "firm")),
            column_order=["institution", "country", "degree", "year", "note", "certainty", "source"],
            column_config={
                "institution": ui.profile_link_column(_("Institution")),
                "country": _("Country"),
                "degree": _("Degree"),
                "year": _("Year"),
                "note": _("Note"),
                "certainty": ui.certainty_column(),
                "source": _("Source"),
            },
            hide_index=True,
            width="stretch",
            key=f"edu_{person_id}",
        )

    st.markdown(_("**Pay figures, in {currency}**").format(currency=filters.currency))
    pay = cache.query("pay_figures", **{**filters.params(), "person_id": person_id, "limit": 1000})
    if pay.empty:
        st.caption(_("No pay figure names this person under the filters."))
    else:
        ui.pay_dataframe(pay, filters.currency, key=f"pay_{person_id}")
    st.markdown(_("**Offers and approaches without a figure**"))
    ui.approaches_dataframe(
        cache.query("approaches_filtered", **{**filters.params(), "person_id": person_id}),
        key=f"approaches_{person_id}",
        empty=_("No approach to or by this person without a figure under the filters."),
    )


def firm_profile_ui(firm_id: str, filters: ui.Filters) -> None:
    """A firm's profile: parent and subsidiaries, people in and out, rounds, pay offered; all sourced."""
    head = cache.query("firm_profile", firm_id=firm_id)
    if head.empty:
        st.warning(_("No firm with id “{x}”.").format(x=md(short(firm_id, 60))))
        return
    h = head.iloc[0]
    st.header(md(h.firm), anchor=False)
    ui.follow_ui("firm", firm_id)
    facts = [md(labels.FIRM_KINDS.get(h.kind, h.kind)), md(h.country or _("country unknown"))]
    if h.founded_on:
        facts.append(md(_("founded {founded_on}").format(founded_on=h.founded_on)))
    if h.parent_id:
        facts.append(_("part of {parent}").format(parent=_link("firm", h.parent_id, h.parent)))
    st.markdown(" · ".join(facts))
    subs = cache.query("firm_subsidiaries", firm_id=firm_id)
    if not subs.empty:
        st.markdown(
            _("Subsidiaries: {firms}").format(
                firms=", ".join(_link("firm", r.firm_id, r.firm) for r in subs.itertuples())
            )
        )

    st.markdown(_("**Lineage: renames, mergers, acquisitions and acqui-hires**"))
    ui.lineage_dataframe(cache.query("firm_lineage", firm_id=firm_id), key=f"lineage_{firm_id}")

    with_subs = ui.linked(
        st.toggle,
        _("Count its subsidiaries too"),
        key="subs",
        disabled=subs.empty,
        help=_("Moves between its own units are never counted as gained or lost."),
    )
    with_subs = bool(with_subs and not subs.empty)
    net = cache.query(
        "firm_net_flow", firm_id=firm_id, with_subsidiaries=with_subs, min_certainty=filters.min_certainty
    ).iloc[0]
    level = _("with subsidiaries") if with_subs else _("firm alone")
    c1, c2, c3 = st.columns(3)
    c1.metric(_("People gained ({level})").format(level=level), int(net.n_gained))
    c2.metric(_("People lost ({level})").format(level=level), int(net.n_lost))
    c3.metric(_("Net ({level})").format(level=level), f"{int(net.net):+d}")
    st.caption(
        _("Over all time (the period filter does not apply), at {certainty}.").format(
            certainty=filters.certainty_phrase
        )
        + (" " + _("Moves between its own units are neither a gain nor a loss.") if with_subs else "")
    )
    over_time = cache.query(
        "firm_flow_over_time", firm_id=firm_id, with_subsidiaries=with_subs, min_certainty=filters.min_certainty
    )
    if not over_time.empty:
        ui.altair_chart(ui.plot(charts.firm_flow_over_time_chart, over_time), width="stretch", height=360)

    st.markdown(_("**Gained and lost per 100 staff**"))
    ui.rates_ui(filters.params(), firm_id=firm_id)
    st.markdown(_("**Moves in and out**"))
    ui.moves_dataframe(
        cache.query(
            "profile_moves",
            person_id="",
            firm_id=firm_id,
            with_subsidiaries=with_subs,
            min_certainty=filters.min_certainty,
        ),
        key=f"moves_{firm_id}",
    )
    st.markdown(_("**Lift-outs: teams that joined or left it together**"))
    with st.columns(3)[0]:  # a number: a third of the width is room enough
        window = ui.url_int_input(
            _("Within how many days"),
            key="lift_days",
            help=_("People who left the same firm for the same firm, each within this many days of the one before."),
        )
    lifts = labels.localize(
        cache.query(
            "lift_outs",
            **{
                **filters.params(),
                "window_days": window,
                "firm_id": firm_id,
                "with_subsidiaries": with_subs,
                "limit": 200,
            },
        ),
        ["origin", "destination"],
    )
    ui.lift_outs_dataframe(lifts, key=f"lift_outs_{firm_id}")
    st.markdown(_("**Money and talent: who joined and left around its rounds**"))
    ui.money_and_talent_ui(filters.params(), firm_id=firm_id, with_subsidiaries=with_subs)
    st.markdown(_("**Funding rounds, investments and deals, in {currency}**").format(currency=filters.currency))
    rounds = cache.query("funding_rounds_filtered", **{**filters.params(), "firm_id": firm_id, "limit": 1000})
    if rounds.empty:
        st.caption(_("No rounds or deals of this firm (or by it as an investor) under the filters."))
    else:
        ui.rounds_dataframe(rounds, filters.currency, key=f"rounds_{firm_id}")
    st.markdown(_("**Pay figures it offered, in {currency}**").format(currency=filters.currency))
    pay = cache.query("pay_figures", **{**filters.params(), "firm_id": firm_id, "limit": 1000})
    if pay.empty:
        st.caption(_("No pay figure from this firm under the filters."))
    else:
        ui.pay_dataframe(pay, filters.currency, key=f"pay_{firm_id}")
    st.markdown(_("**Offers and approaches it made without a figure**"))
    ui.approaches_dataframe(
        cache.query("approaches_filtered", **{**filters.params(), "firm_id": firm_id, "with_subsidiaries": with_subs}),
        key=f"approaches_{firm_id}",
        empty=_("No approach by this firm without a figure under the filters."),
    )
