"""Who may do what: the roles of team mode, read from a small roles file, and the rules every write
path checks on the server at the moment it acts (no Streamlit here; `atlas.ui.auth` asks it).

Local mode (no `[auth]` section in `.streamlit/secrets.toml`): one analyst on their own machine,
who may do everything. Team mode: a signed-in identity (Streamlit's `st.login` against any OpenID
Connect provider) gets the role the roles file gives its e-mail address or its domain:

    # .streamlit/roles.toml
    anonymous = "viewer"          # "viewer": anyone may read without signing in; "none": sign in first
    console = "signed-in"         # who may run SQL on the Explore page: anyone, signed-in (the
                                  # default), or the least role: viewer, editor, admin
    # providers (by issuer) that verify every address yet send no `email_verified` claim; any other
    # sign-in counts only with email_verified = true (an unverified address reads as a guest)
    verified_issuers = ["https://login.example.org/tenant/v2.0"]
    [roles]
    "ana@example.com" = "admin"
    "@example.com" = "editor"     # everyone at the domain
    "reader@partner.org" = "viewer"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from atlas.i18n import N_, _

N_("admin"), N_("editor"), N_("viewer")  # the roles, as a refusal names them

ROLES = ("viewer", "editor", "admin")
_RANK = {r: i for i, r in enumerate(ROLES)}
# the least role each action needs
ACTIONS = {
    "view": "viewer",
    "export": "viewer",
    "save_view": "viewer",
    "delete_own_view": "viewer",
    "delete_any_view": "admin",
    "upload_append": "editor",
    "upload_upsert": "editor",
    "upload_replace": "admin",
    "undo_own": "editor",
    "undo_any": "admin",
    "merge": "editor",
    "pull": "editor",  # from a public source (atlas.pull): an upsert load
    "audit": "admin",
    "download_database": "editor",  # the DuckDB file itself (every table as Parquet is an export)
}
CONSOLE_SETTINGS = ("anyone", "signed-in", *ROLES)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN = re.compile(r"@[^@\s]+\.[^@\s]+")


class RolesError(ValueError):
    """A roles file the app cannot run with; the message names the line."""


@dataclass(frozen=True)
class Roles:
    by_address: dict[str, str]
    by_domain: dict[str, str]
    anonymous: str | None  # the role of a reader who has not signed in, or None: sign in first
    console: str = "signed-in"  # who may run SQL (CONSOLE_SETTINGS)
    verified_issuers: tuple[str, ...] = ()  # providers whose every address is verified (no claim needed)

    def role_of(self, email: str | None) -> str | None:
        """The role of a signed-in address (its own entry first, then its domain's), or None."""
        email = normal_email(email)
        if not email:
            return self.anonymous
        if email in self.by_address:
            return self.by_address[email]
        domain = "@" + email.rpartition("@")[2]
        return self.by_domain.get(domain)


def normal_email(email: object) -> str:
    """An address as addresses are compared: trimmed, lower case ("" for none)."""
    return str(email or "").strip().lower()


# the claims read from a sign-in, and the types each may have: any other type refuses the sign-in
# (an `email` sent as a list would otherwise read as the text "['ana@example.com']")
CLAIM_TYPES: dict[str, tuple[type, ...]] = {
    "email": (str,),
    "email_verified": (bool, str),
    "iss": (str,),
    "name": (str,),
}


def malformed_claim(claims: dict) -> str:
    """The first claim of `claims` whose value is of a type no provider should send (""; a claim
    that is absent or null is fine)."""
    for claim, types in CLAIM_TYPES.items():
        value = claims.get(claim)
        if value is not None and not isinstance(value, types):
            return claim
    return ""


def verified_email(claims: dict, roles: Roles) -> str:
    """The signed-in address a role may be given for: the token's `email` when the provider says it
    verified it (`email_verified` true), or when the provider (`iss`) is one the roles file trusts to
    verify every address; otherwise "" (the reader counts as a guest). A provider lets anyone type
    any address into a profile: an unverified claim proves nothing."""
    email = normal_email(claims.get("email"))
    if not email or not _EMAIL.fullmatch(email):
        return ""
    flag = claims.get("email_verified")
    if flag is True or (isinstance(flag, str) and flag.strip().lower() == "true"):
        return email
    issuer = str(claims.get("iss") or "").strip().rstrip("/")
    return email if issuer and issuer in roles.verified_issuers else ""


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    return 1


def parse_roles(text: str, where: str = "roles file") -> Roles:
    """Read a roles file; RolesError names the line of the first thing wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RolesError(f"{where}: {exc}") from None
    unknown = set(data) - {"anonymous", "console", "verified_issuers", "roles"}
    if unknown:
        key = sorted(unknown)[0]
        raise RolesError(
            f"{where}, line {_line_of(text, key)}: unknown setting {key!r} (anonymous, console, verified_issuers, "
            "[roles])"
        )
    issuers = data.get("verified_issuers", [])
    if not isinstance(issuers, list) or not all(isinstance(i, str) and i.strip() for i in issuers):
        raise RolesError(
            f"{where}, line {_line_of(text, 'verified_issuers')}: verified_issuers must be a list of issuer "
            'addresses, e.g. ["https://accounts.google.com"]'
        )
    console = data.get("console", "signed-in")
    if console not in CONSOLE_SETTINGS:
        raise RolesError(
            f"{where}, line {_line_of(text, 'console')}: console must be one of {', '.join(CONSOLE_SETTINGS)}, "
            f"not {console!r}"
        )
    anonymous = data.get("anonymous", "none")
    if anonymous not in (*ROLES, "none"):
        raise RolesError(
            f"{where}, line {_line_of(text, 'anonymous')}: anonymous must be viewer or none, not {anonymous!r}"
        )
    if anonymous in ("editor", "admin"):
        raise RolesError(f"{where}, line {_line_of(text, 'anonymous')}: a reader who has not signed in may only view")
    roles = data.get("roles", {})
    if not isinstance(roles, dict):
        raise RolesError(f"{where}, line {_line_of(text, 'roles')}: [roles] must be a table of address = role")
    by_address: dict[str, str] = {}
    by_domain: dict[str, str] = {}
    for who, role in roles.items():
        line = _line_of(text, who)
        if not isinstance(role, str) or role not in ROLES:
            raise RolesError(f"{where}, line {line}: unknown role {role!r} for {who!r} (viewer, editor, admin)")
        key = who.strip().lower()
        if _DOMAIN.fullmatch(key):
            by_domain[key] = role
        elif _EMAIL.fullmatch(key):
            by_address[key] = role
        else:
            raise RolesError(f"{where}, line {line}: {who!r} is neither an e-mail address nor a domain (@example.com)")
    return Roles(
        by_address,
        by_domain,
        None if anonymous == "none" else anonymous,
        console,
        tuple(i.strip().rstrip("/") for i in issuers),
    )


def load_roles(path: Path) -> Roles:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RolesError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_roles(text, str(path))


@dataclass(frozen=True)
class Identity:
    """Who acts: the local analyst, or a signed-in (or anonymous) reader with a role."""

    name: str
    email: str
    role: str | None  # None: no role (signed in with an address the roles file does not know)
    team: bool = False
    unverified: str = ""  # an address the provider signed in without verifying it (it gives no role)
    malformed: str = ""  # a claim of the wrong type the provider sent: the sign-in is refused

    @property
    def display(self) -> str:
        """How records others read name this identity: the name alone, never an address (an
        address is shown to admins only, in the audit log)."""
        return self.name.strip() or (self.email.partition("@")[0] if self.email else "") or "anonymous"

    @property
    def label(self) -> str:
        """How records name this identity: "Ana Lima <ana@example.com>", or the local name."""
        if self.email:
            return f"{self.name} <{self.email}>" if self.name else self.email
        return self.name or "anonymous"


LOCAL = Identity("local analyst", "", "admin", team=False)


def identity_of(claims: dict | None, roles: Roles) -> Identity:
    """Who a team-mode reader is from the sign-in's claims (None: not signed in): a malformed
    claim refuses the sign-in whole; an unverified or unknown address reads as a guest."""
    if not claims:
        return Identity("", "", roles.anonymous, team=True)
    claims = {k: claims.get(k) for k in CLAIM_TYPES}
    bad = malformed_claim(claims)
    if bad:
        # a claim of the wrong type: the sign-in is refused whole, never read as some text
        return Identity("", "", None, team=True, malformed=bad)
    email = verified_email(claims, roles)
    name = str(claims.get("name") or "").strip()
    if not email:
        # signed in, but the provider has not verified the address: it proves nothing, so the
        # reader reads as a guest would (or not at all)
        return Identity(name, "", roles.anonymous, team=True, unverified=normal_email(claims["email"]))
    # an address the roles file does not know reads as a guest would (or not at all)
    return Identity(name, email, roles.role_of(email) or roles.anonymous, team=True)


def allowed(identity: Identity, action: str) -> bool:
    """Whether `identity` may do `action` (one of ACTIONS)."""
    need = ACTIONS[action]
    return identity.role is not None and _RANK[identity.role] >= _RANK[need]


def may_use_console(identity: Identity, setting: str) -> bool:
    """Whether `identity` may run SQL on the Explore page under the roles file's `console` setting
    (local mode: the analyst may)."""
    if not identity.team:
        return True
    if identity.role is None:
        return False
    if setting == "anyone":
        return True
    if setting == "signed-in":
        return bool(identity.email)
    return _RANK[identity.role] >= _RANK[setting]


def may_upload(identity: Identity, mode: str) -> bool:
    return allowed(identity, {"append": "upload_append", "upsert": "upload_upsert"}.get(mode, "upload_replace"))


def may_undo(identity: Identity, owner_email: str | None) -> bool:
    """An editor undoes their own latest upload; an admin anyone's (local mode: anything)."""
    if allowed(identity, "undo_any"):
        return True
    own = bool(identity.email) and normal_email(owner_email) == normal_email(identity.email)
    return own and allowed(identity, "undo_own")


def may_delete_view(identity: Identity, owner_email: str | None) -> bool:
    if allowed(identity, "delete_any_view"):
        return True
    own = bool(identity.email) and normal_email(owner_email) == normal_email(identity.email)
    return own and allowed(identity, "delete_own_view")


def may_save_view(identity: Identity) -> bool:
    """Local mode: the analyst may. Team mode: a signed-in (verified) identity with a role: a guest's
    view would have no owner, and no one but an admin could ever delete it."""
    if not identity.team:
        return True
    return bool(identity.email) and allowed(identity, "save_view")


def refusal(identity: Identity, what: str) -> str:
    """The message a refused action shows (nothing was changed)."""
    if identity.team and not identity.email and identity.role is not None:
        return _("Not allowed: {what} needs a signed-in team member; sign in first. Nothing was changed.").format(
            what=_(what)
        )
    if identity.role is None:
        return _("Not allowed: {what} needs a role; {who} has none. Nothing was changed.").format(
            what=_(what), who=identity.label
        )
    return _("Not allowed: {what} is beyond the {role} role of {who}. Nothing was changed.").format(
        what=_(what), role=_(identity.role), who=identity.label
    )
