"""Watchlists in the browser: a Follow button on every profile, and on the Overview the list with
what changed for it since the analyst's last visit (with the data version that brought each change),
and the list's own link (?watch=<id>). Every write reads the identity at the moment of the click;
a guest in team mode keeps no list."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from atlas import cache, db, labels, tables, watch
from atlas.escape import md
from atlas.i18n import N_, _
from atlas.labels import Labels
from atlas.money import format_amount
from atlas.ui import auth, link, session
from atlas.ui.alerts_ui import tell_ui
from atlas.ui.renderers import certainty_column, dataframe, profile_link_column, with_links

FACT_WORDS = Labels({"move": N_("Move"), "pay": N_("Pay figure"), "round": N_("Round or deal")})


def _read(fn, *args, **kwargs):
    """Run a read of atlas.watch on a cursor of its own (one per Streamlit thread), closed after."""
    with cache.connection().cursor() as cur:
        return fn(cur, *args, **kwargs)


def _list_of(owner: str | None):
    return None if owner is None else _read(watch.find, owner=owner)


def follow_ui(kind: str, entity_id: str) -> None:
    """Follow or unfollow this person or firm (the owner read at the click, on the server)."""
    owner = watch.owner_of(auth.identity())
    if owner is None:
        st.caption(_("Sign in to follow people and firms on a watchlist."))
        return
    found = _list_of(owner)
    items = cache.query_fresh("watch_items", list_id=str(found["list_id"])) if found is not None else None
    following = items is not None and ((items["entity_kind"] == kind) & (items["entity_id"] == entity_id)).any()
    words = (
        (_("Following: stop"), ":material/notifications_off:")
        if following
        else (_("Follow"), ":material/notifications:")
    )
    if st.button(
        words[0], icon=words[1], key=f"follow_{kind}_{entity_id}", help=_("Your watchlist is on the Overview")
    ):
        owner = watch.owner_of(auth.identity())  # checked at the moment it acts
        if owner is None:
            auth.refuse(N_("keeping a watchlist"))
            return
        try:
            with cache.writing() as master:
                if following:
                    watch.unfollow(master, owner, kind, entity_id)
                else:
                    watch.follow(master, owner, kind, entity_id)
        except (watch.WatchError, db.Busy) as exc:
            st.error(str(exc))
            return
        st.rerun()


def _detail(row) -> str:
    """A change in a few words: a move's two ends, a pay figure's kind and amount, a round's type and amount."""
    if row.fact == "move":
        to = row.to_firm or _("left")
        return f"{row.from_firm or '?'} → {to}"
    kind = labels.BY_COLUMN["kind" if row.fact == "pay" else "round_type"].get(row.kind, row.kind)
    return f"{kind}: {format_amount(row.amount_low, row.amount_high, row.currency or 'USD', row.amount_qualifier)}"


def watchlist_ui() -> None:
    """The Overview's watchlist: the analyst's own (marked seen once per session), or the one a
    ?watch= link names; its people and firms, what changed since, and its own link."""
    version = cache.version()[0]
    linked_id = link.initial("watch")
    st.session_state.pop("watch", None)  # the view holds a list's id only once the list is found
    if linked_id:
        found = _read(watch.find, list_id=linked_id)
        if found is None:
            st.warning(_("No watchlist has the id in this link: it may have been made on another database."))
            return
        st.session_state["watch"] = linked_id  # part of the view: its link (and the notice) keep it
        own = False
        since = int(found["seen_version"])
    else:
        owner = watch.owner_of(auth.identity())
        if owner is None:
            st.caption(_("Sign in to keep a watchlist: follow people and firms from their profiles."))
            return
        found = _list_of(owner)
        if found is None:
            st.caption(_("Your watchlist is empty: use “Follow” on a person's or a firm's profile."))
            return
        own = True
        # the version last seen is read once per session, then the list is marked seen at this one
        seen = session.WATCH_SEEN[found["list_id"]]
        if not seen.present():
            seen.value = int(found["seen_version"])
            if int(found["seen_version"]) < version:
                try:
                    with cache.writing() as master:
                        watch.mark_seen(master, str(found["list_id"]), version)
                except db.Busy:
                    pass  # marked on the next visit
        since = seen.value
    list_id = str(found["list_id"])
    link.hold("watch", linked_id or "")
    items = cache.query_fresh("watch_items", list_id=list_id)
    n_people = int((items["entity_kind"] == "person").sum())
    st.markdown(
        _("Following {people} person(s) and {firms} firm(s): {names}").format(
            people=n_people,
            firms=len(items) - n_people,
            names=", ".join(
                f"[{md(r.label)}]({tables.PROFILE_PAGE}?{urlencode([(r.entity_kind, r.entity_id)])})"
                for r in items.head(30).itertuples()
            )
            or "—",
        )
    )
    st.caption(
        _("This list's own link: [?watch={id}](?watch={id}) (anyone on this dashboard can read it).").format(id=list_id)
    )
    if own:
        tell_ui(list_id, version)
    changed = _read(watch.changes, list_id, since)
    when = (
        _("since your last visit (data version {v})").format(v=since)
        if own
        else _("since its owner last looked (data version {v})").format(v=since)
    )
    undone = _read(watch.withdrawn, since)
    if undone:
        # an undo took back what the list may have announced: said, never "nothing new" (issue 40)
        st.warning(
            _(
                "Withdrawn {when}: {versions}. Whatever changes to this list they brought are no longer in the data."
            ).format(
                when=when,
                versions="; ".join(
                    _("data version {load} was undone in version {undo}").format(load=a, undo=b) for a, b in undone
                ),
            ),
            icon=":material/undo:",
        )
    if changed.empty:
        if not undone:
            st.caption(_("Nothing new {when}; the data is at version {now}.").format(when=when, now=version))
        return
    st.markdown(_("**What changed {when}**").format(when=when))
    shown = changed.assign(
        fact=changed["fact"].map(lambda v: FACT_WORDS.get(v, v)),
        detail=[_detail(r) for r in changed.itertuples()],
    )
    dataframe(
        with_links(shown, ("person", "person_id", "person"), ("firm", "firm_id", "firm")),
        column_order=["version", "fact", "person", "firm", "detail", "on_date", "certainty", "source"],
        column_config={
            "version": st.column_config.NumberColumn(
                _("Data version"), format="%d", help=_("The load that brought it")
            ),
            "fact": _("Kind of change"),
            "person": profile_link_column(_("Person")),
            "firm": profile_link_column(_("Firm")),
            "detail": st.column_config.TextColumn(_("Detail"), width="medium"),
            "on_date": _("When"),
            "certainty": certainty_column(),
            "source": _("Source"),
        },
        key="watch_changes",
        hide_index=True,
        width="stretch",
    )
    if len(changed) >= watch.CHANGES_LISTED:
        st.caption(_("The {n} most recent changes are listed.").format(n=watch.CHANGES_LISTED))
