"""Sign-in and the identity a page acts as (see `atlas.access` for the roles and the rules).

Team mode is on when `.streamlit/secrets.toml` has an `[auth]` section (Streamlit's own OpenID
Connect sign-in, `st.login`); the roles file is `[atlas] roles_file` there, else `$ATLAS_ROLES`,
else `.streamlit/roles.toml`. A roles file with a mistake stops the app with the line to fix.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import streamlit as st

from atlas import access
from atlas.access import Identity
from atlas.escape import md
from atlas.i18n import _

DEFAULT_ROLES = Path(".streamlit") / "roles.toml"


# the secrets as last read, with the objects they were read from: read again only when Streamlit
# holds others (a secrets file changed and was parsed again, or a test gave its own). Reading them
# walked and copied every section on every call, several times a run (4% of a warm view, profiled).
# With no secrets file, Streamlit looks for one again at every read (its configured paths worked out
# from the config files each time: 3% of a warm Data view, profiled): that "none" is kept NO_SECRETS_S.
_read: tuple[object, object, dict, float] | None = None
NO_SECRETS_S = 5.0


def _secrets() -> dict:
    global _read
    held = st.secrets
    parsed = getattr(held, "_secrets", None)
    last = _read
    fresh = last is not None and (parsed is not None or time.monotonic() - last[3] < NO_SECRETS_S)
    if fresh and last[0] is held and last[1] is parsed:
        return dict(last[2])
    try:
        value = {k: held[k] for k in held}
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitSecretNotFoundError):
        value = {}
    # kept alive with them: no id is reused
    _read = (held, getattr(held, "_secrets", None), value, time.monotonic())
    return dict(value)


def secrets() -> dict:
    """The app's secrets (.streamlit/secrets.toml; {} when there are none)."""
    return _secrets()


def team_mode() -> bool:
    """True when sign-in is configured (an [auth] section in the secrets)."""
    return "auth" in _secrets()


def roles_path() -> Path:
    configured = (_secrets().get("atlas") or {}).get("roles_file") or os.environ.get("ATLAS_ROLES")
    return Path(configured) if configured else DEFAULT_ROLES


@st.cache_resource(show_spinner=False)
def _roles(path: str, mtime: float) -> access.Roles:
    return access.load_roles(Path(path))


def roles() -> access.Roles:
    path = roles_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _roles(str(path), mtime)


def identity() -> Identity:
    """Who this session acts as, read at the moment of asking (a role is never taken from a link)."""
    if not team_mode():
        return access.LOCAL
    user = st.user
    claims = {k: user.get(k) for k in access.CLAIM_TYPES} if user.is_logged_in else None
    return access.identity_of(claims, roles())


def gate() -> None:
    """Team mode: refuse to run on a broken roles file; ask a reader to sign in where guests may not read."""
    if not team_mode():
        return
    try:
        roles()
    except access.RolesError as exc:
        st.error(_("Team mode cannot start: {problem}").format(problem=exc), icon=":material/error:")
        st.stop()
    who = identity()
    if who.malformed:
        st.error(_malformed_text(who), icon=":material/error:")
        st.button(_("Sign out"), on_click=st.logout, key="signout_malformed")
        st.stop()
    if who.role is None:
        if who.unverified:
            st.warning(_unverified_text(who))
            st.button(_("Sign out"), on_click=st.logout, key="signout_norole")
        elif st.user.is_logged_in:
            st.warning(_("{who} has no role in Talent Atlas. Ask an admin to add you.").format(who=md(who.label)))
            st.button(_("Sign out"), on_click=st.logout, key="signout_norole")
        else:
            st.info(_("Sign in to read Talent Atlas."))
            st.button(_("Sign in"), on_click=st.login, type="primary", key="signin_gate")
        st.stop()


def _malformed_text(who: Identity) -> str:
    return _(
        "Sign-in refused: your sign-in provider sent the claim `{claim}` in a form no provider should (not a "
        "text). Sign out, and ask whoever runs the provider or an admin to look at it."
    ).format(claim=who.malformed)  # one of our own claim names


def _unverified_text(who: Identity) -> str:
    return _(
        "Your sign-in provider has not verified the address {address}, so it gives no role here: you read as a "
        "guest. Verify the address with the provider, or ask an admin."
    ).format(address=md(who.unverified))


def account_ui() -> None:
    """In the sidebar: who is signed in, with which role, and sign-in or sign-out."""
    if not team_mode():
        return
    who = identity()
    with st.sidebar:
        if who.malformed:
            st.caption(":material/error: " + _malformed_text(who))
            st.button(_("Sign out"), on_click=st.logout, key="signout")
        elif who.unverified:
            st.caption(":material/warning: " + _unverified_text(who))
            st.button(_("Sign out"), on_click=st.logout, key="signout")
        elif st.user.is_logged_in:
            st.caption(
                ":material/person: "
                + _("Signed in as **{who}** · {role}").format(
                    who=md(who.label), role=_(who.role) if who.role else _("no role")
                )
            )
            st.button(_("Sign out"), on_click=st.logout, key="signout")
        else:
            st.caption(_(":material/visibility: Reading as a guest (read-only)."))
            st.button(_("Sign in"), on_click=st.login, key="signin")


def refuse(what: str) -> None:
    """Show that this session may not do `what` (nothing was changed), and log the attempt (`what`:
    the English words, marked with N_: the log keeps them, the reader reads them translated)."""
    from atlas import audit, cache, db

    who = identity()
    with contextlib.suppress(db.Busy), cache.writing() as master:  # the refusal stands even unlogged
        audit.record(master, who.label, who.email, f"refused: {what}", f"role {who.role or 'none'}")
    st.error(md(access.refusal(who, what)), icon=":material/block:")
