"""The Data page's "Data at a URL": what the data API answers (atlas.api), an example a notebook
runs, and in team mode the reader's personal tokens: made (shown once), listed with their request
counts, revoked. Made and revoked on the server for the signed-in identity only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas import db, tokens
from atlas.i18n import _
from atlas.ui import auth, link

EXAMPLE = "/api/talent-flows/net-flow.csv?level=parent&period=2020&period=2025"


def api_ui() -> None:
    """The section."""
    st.subheader(_("Data at a URL"))
    base = link.origin()
    st.caption(
        _(
            "Every table and chart of every page answers at an address of its own, as CSV, JSON or Parquet, with "
            "the page's own link parameters: the same rows as the page's download, and the data version in the "
            "X-Atlas-Data-Version header (v= pins one). The index lists every address and its parameters."
        )
    )
    index = _("The index of every address")
    st.markdown(f"[{index}]({base}/api/)")
    st.code(f'import pandas as pd\n\nflows = pd.read_csv("{base}{EXAMPLE}")', language="python", wrap_lines=True)
    if not auth.team_mode():
        st.caption(_("Local mode: the addresses answer without a token, like the pages."))
        return
    _tokens_ui(base)


def _tokens_ui(base: str) -> None:
    who = auth.identity()
    st.markdown("**" + _("Your personal tokens") + "**")
    if not who.email or who.role is None:
        st.info(
            _("Sign in to make a personal token: a notebook sends it to read the data as you."),
            icon=":material/key:",
        )
        return
    path = tokens.path_for(db.db_path())
    with st.form("token_form", clear_on_submit=True, border=False):
        label = st.text_input(
            _("Name of a new token"),
            max_chars=100,
            placeholder=_("e.g. notebook"),
            help=_("Where it is used, so you know which to revoke."),
        )
        made = st.form_submit_button(_("Make a token"), icon=":material/key:")
    if made:
        try:
            # the identity is read again on the server at the moment of acting
            secret = tokens.create(path, auth.identity().email, auth.identity().display, label)
        except tokens.TokenError as exc:
            st.error(str(exc))
        else:
            st.success(
                _("Token made. Copy it now: it is shown this once (only its hash is kept)."),
                icon=":material/check_circle:",
            )
            st.code(secret, language=None, wrap_lines=True)
            st.code(
                f'pd.read_csv("{base}{EXAMPLE}",\n            storage_options={{"Authorization": "Bearer {secret}"}})',
                language="python",
                wrap_lines=True,
            )
    held = tokens.listed(path, who.email)
    if not held:
        st.caption(_("No token yet."))
        return
    frame = pd.DataFrame(
        {
            "label": [t.label for t in held],
            "id": [t.id for t in held],
            "created_at": [t.created_at for t in held],
            "last_used_at": [t.last_used_at or "—" for t in held],
            "requests": [t.requests for t in held],
            "status": [_("revoked") if t.revoked_at else _("live") for t in held],
        }
    )
    st.dataframe(
        frame,
        column_config={
            "label": _("Token"),
            "id": "ID",
            "created_at": _("Made (UTC)"),
            "last_used_at": _("Last used (UTC)"),
            "requests": st.column_config.NumberColumn(_("Requests"), format="%d"),
            "status": _("Status"),
        },
        hide_index=True,
        width="stretch",
    )
    live = [t for t in held if not t.revoked_at]
    if not live:
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(
        _("Token to revoke"),
        [t.id for t in live],
        format_func=lambda i: next(f"{t.label} ({t.id})" for t in live if t.id == i),
        key="token_revoke",
    )
    if c2.button(_("Revoke"), icon=":material/block:", key="token_revoke_button"):
        if tokens.revoke(path, auth.identity().email, chosen):
            st.rerun()  # the table says "revoked": the token answers 401 from now on
        st.error(_("That token is not yours, or is revoked already. Nothing was changed."))
