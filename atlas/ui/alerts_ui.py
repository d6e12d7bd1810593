"""Being told of a watchlist's changes without opening the Overview: its Atom feed (any feed
reader) and e-mail alerts (atlas.alerts: at each load, or a daily digest). Sent after a commit on
the Data page (`after_load`), in the background: a slow mail server never holds the page."""

from __future__ import annotations

import threading

import streamlit as st

from atlas import alerts, cache, db
from atlas.i18n import N_, _
from atlas.labels import Labels
from atlas.ui import auth, link

CADENCE_WORDS = Labels({"off": N_("off"), "load": N_("at each load"), "daily": N_("a daily digest")})


def _smtp() -> alerts.Smtp | None:
    return alerts.smtp_of(auth.secrets())


def tell_ui(list_id: str, version: int) -> None:
    """The feed's address, and the e-mail alerts of the analyst's own list."""
    feed = f"{link.origin()}/api/watch/{list_id}.atom"
    token_note = _(" (team mode: add ?token= and a personal token from the Data page)") if auth.team_mode() else ""
    st.caption(_("Feed of this list's changes, for any feed reader: {feed}{note}").format(feed=feed, note=token_note))
    who = auth.identity()
    if auth.team_mode() and not who.email:
        return
    _channel_ui(list_id, version)
    smtp = _smtp()
    if smtp is None:
        st.caption(
            _("E-mail alerts need a mail server: an [smtp] section in .streamlit/secrets.toml (README: “Alerts”).")
        )
        return
    path = db.db_path()
    subs = alerts.subscriptions(path, list_id)
    subs = subs[~subs["email"].str.startswith(alerts.CHANNEL)]  # the team channels' are set above
    mine = subs[subs["email"] == who.email] if who.email else subs
    current = str(mine["cadence"].iloc[0]) if len(mine) else "off"
    with st.form(f"alerts_{list_id}", border=False):
        c1, c2, c3 = st.columns([2, 3, 1], vertical_alignment="bottom")
        cadence = c1.selectbox(
            _("E-mail me the changes"),
            ("off", *alerts.CADENCES),
            index=("off", *alerts.CADENCES).index(current),
            format_func=lambda v: CADENCE_WORDS[v],
        )
        if who.email:
            email = who.email
            c2.text_input(_("To"), value=email, disabled=True, help=_("Your sign-in's address"))
        else:
            email = c2.text_input(
                _("To"), value=str(mine["email"].iloc[0]) if len(mine) else "", placeholder="ana@example.com"
            )
        saved = c3.form_submit_button(_("Save"))
    if saved:
        try:
            if cadence == "off":
                alerts.unsubscribe(path, list_id, email or "")
                st.success(_("E-mail alerts are off for this list."))
            else:
                # what the analyst sees now is not sent: from the next load on
                alerts.subscribe(path, list_id, email, cadence, version)
                st.success(
                    _("E-mail alerts are on: {address}, {cadence}.").format(
                        address=email, cadence=CADENCE_WORDS[cadence]
                    )
                )
        except alerts.AlertError as exc:
            st.error(str(exc))


def _channel_ui(list_id: str, version: int) -> None:
    """Post the list's changes to one of the team's channels (Slack, Teams: [notify.channels])."""
    channels = alerts.channels_of(auth.secrets())
    if not channels:
        return
    path = db.db_path()
    subs = alerts.subscriptions(path, list_id)
    posted = [e.removeprefix(alerts.CHANNEL) for e in subs["email"] if e.startswith(alerts.CHANNEL)]
    options = ["", *channels]
    with st.form(f"channel_{list_id}", border=False):
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        chosen = c1.selectbox(
            _("Post the changes at each load to a team channel"),
            options,
            index=options.index(posted[0]) if posted and posted[0] in channels else 0,
            format_func=lambda v: v or _("none"),
        )
        saved = c2.form_submit_button(_("Save"))
    if saved:
        for name in posted:
            alerts.unsubscribe(path, list_id, alerts.CHANNEL + name)
        if chosen:
            alerts.subscribe(path, list_id, alerts.CHANNEL + chosen, "load", version)
            st.success(_("The changes go to {channel} at each load.").format(channel=chosen))
        else:
            st.success(_("No team channel gets this list's changes."))


def after_load() -> None:
    """Send the alerts a commit made due, on a thread of its own (its own cursor of the newest data)."""
    secrets = auth.secrets()
    smtp, channels = alerts.smtp_of(secrets), alerts.channels_of(secrets)
    if smtp is None and not channels:
        return
    path = db.db_path()
    cur = cache.connection().cursor()

    def send() -> None:
        try:
            alerts.send_due(cur, path, smtp, channels=channels, base_url=alerts.base_url_of(secrets))
        except OSError as exc:  # the mail server is down: the next load or `atlas alerts send` sends
            print(f"alerts not sent: {exc}")
        finally:
            cur.close()

    threading.Thread(target=send, name="atlas-alerts", daemon=True).start()
