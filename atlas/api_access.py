"""Who asks the data API (atlas.api), and the refusals it answers with: local mode lets everyone in,
as the pages; team mode takes a personal token (atlas.tokens), the signed-in browser session's
cookie (read as Streamlit's own websocket reads it: signature, chunks, origin), or a guest where
the roles file lets anonymous readers in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from atlas import access, db, tokens


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def error(exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)


def _team() -> tuple[bool, access.Roles | None]:
    from atlas.ui import auth  # the same secrets and roles file the pages read

    if not auth.team_mode():
        return False, None
    return True, auth.roles()


def _cookie_claims(request: Request) -> dict | None:
    """The sign-in a browser's Streamlit session holds (its signed `_streamlit_user` cookie), or None."""
    # Streamlit's own reading of its cookie (as its websocket reads it): signature, chunks, origin
    from streamlit.auth_util import get_origin_from_redirect_uri
    from streamlit.web.server.starlette import starlette_websocket as ws
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    decoded = ws._get_signed_cookie_with_chunks(dict(request.cookies), USER_COOKIE_NAME)
    origin = get_origin_from_redirect_uri()
    if decoded is None or not origin:
        return None
    claims = ws._parse_decoded_user_cookie(decoded, origin)
    return claims if claims.get("is_logged_in") else None


def identity(request: Request) -> tuple[access.Identity, str]:
    """Who asks, and how they were known ("local", "token <id>", "session", "guest")."""
    team, roles = _team()
    if not team:
        return access.LOCAL, "local"
    presented = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    presented = presented or request.query_params.get("token", "")
    if presented:
        token = tokens.check(tokens.path_for(db.db_path()), presented)
        if token is None:
            raise ApiError(401, "This token is not valid: it was revoked, or never made. Make one on the Data page.")
        who = access.Identity(token.owner_name, token.owner_email, roles.role_of(token.owner_email), team=True)
        return who, f"token {token.id}"
    claims = _cookie_claims(request)
    who = access.identity_of(claims, roles)
    return who, "session" if claims else "guest"


def check_access(request: Request) -> str:
    """How the reader was known; refused (401, 403) when they may not read. The identity stays on
    the request (`request.state.who`) for what needs more than reading (a saved console query)."""
    who, how = identity(request)
    request.state.who = who
    if who.role is None or not access.allowed(who, "export"):
        if how == "guest":
            raise ApiError(
                401,
                "Sign in first: this server does not let anonymous readers in. Send a personal token "
                "(Authorization: Bearer ta_…, made on the Data page) or open the app and sign in.",
            )
        raise ApiError(403, f"{who.label} has no role that may read the data here.")
    return how


def check_console(request: Request) -> None:
    """A saved console query's rows are the console's: read by those the roles file lets run SQL
    (local mode: anyone), as on the Explore page."""
    team, roles = _team()
    who = getattr(request.state, "who", access.LOCAL)
    if team and not access.may_use_console(who, roles.console):
        raise ApiError(403, f"A console query's rows need the console; {who.label} may not run SQL here.")
