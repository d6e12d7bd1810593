"""Personal tokens for the data API (atlas.api) in team mode: an analyst creates one on the Data
page (shown once), uses it from a notebook, and revokes it there. Only a token's SHA-256 is stored;
each request a token makes is counted.

Tokens are the app's own records (atlas.records: SQLite beside the database, never touched by a
load; several server processes count requests at once).

A token reads `ta_<id>_<secret>`: the id finds its record, the secret's hash is compared in
constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from atlas import records

PREFIX = "ta_"
MAX_PER_OWNER = 20
SCHEMA = """
create table if not exists tokens (
    id text primary key,
    secret_sha256 text not null,
    owner_email text not null,
    owner_name text not null,
    label text not null,
    created_at text not null,
    revoked_at text,
    last_used_at text,
    requests integer not null default 0
);
"""


class TokenError(ValueError):
    """A token that cannot be made, with the reason."""


@dataclass(frozen=True)
class Token:
    id: str
    owner_email: str
    owner_name: str
    label: str
    created_at: str
    revoked_at: str | None
    last_used_at: str | None
    requests: int


def path_for(db_path: Path) -> Path:
    """The file the tokens of the database at `db_path` are kept in."""
    return records.path_for(db_path)


def _connect(path: Path) -> sqlite3.Connection:
    return records.connect(path, SCHEMA)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(path: Path, owner_email: str, owner_name: str, label: str) -> str:
    """A new token for `owner_email`, named `label`: the whole token, to be shown once."""
    label = label.strip()
    if not owner_email:
        raise TokenError("Sign in first: a token acts as you.")
    if not label or len(label) > 100:
        raise TokenError("Name the token (at most 100 characters): where it is used, e.g. “notebook”.")
    con = _connect(path)
    try:
        live = con.execute(
            "select count(*) from tokens where owner_email = ? and revoked_at is null", (owner_email,)
        ).fetchone()[0]
        if live >= MAX_PER_OWNER:
            raise TokenError(f"You hold {MAX_PER_OWNER} tokens: revoke one first.")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
        con.execute(
            "insert into tokens (id, secret_sha256, owner_email, owner_name, label, created_at)"
            " values (?, ?, ?, ?, ?, ?)",
            (token_id, _hash(secret), owner_email, owner_name, label, _now()),
        )
    finally:
        con.close()
    return f"{PREFIX}{token_id}_{secret}"


def _rows(con: sqlite3.Connection, where: str, args: tuple) -> list[Token]:
    cols = "id, owner_email, owner_name, label, created_at, revoked_at, last_used_at, requests"
    return [Token(*r) for r in con.execute(f"select {cols} from tokens where {where} order by created_at", args)]


def listed(path: Path, owner_email: str) -> list[Token]:
    """The tokens of `owner_email`, revoked ones too (their counts stay)."""
    if not path.exists():
        return []
    con = _connect(path)
    try:
        return _rows(con, "owner_email = ?", (owner_email,))
    finally:
        con.close()


def revoke(path: Path, owner_email: str, token_id: str) -> bool:
    """Revoke one of `owner_email`'s own tokens; True when it was live."""
    con = _connect(path)
    try:
        done = con.execute(
            "update tokens set revoked_at = ? where id = ? and owner_email = ? and revoked_at is null",
            (_now(), token_id, owner_email),
        )
        return done.rowcount == 1
    finally:
        con.close()


def check(path: Path, presented: str) -> Token | None:
    """The live token `presented` is, counted as one request; None when it is no live token."""
    if not presented.startswith(PREFIX) or len(presented) > 200 or not path.exists():
        return None
    token_id, _sep, secret = presented.removeprefix(PREFIX).partition("_")
    con = _connect(path)
    try:
        row = con.execute(
            "select secret_sha256 from tokens where id = ? and revoked_at is null", (token_id,)
        ).fetchone()
        if row is None or not hmac.compare_digest(row[0], _hash(secret)):
            return None
        con.execute("update tokens set requests = requests + 1, last_used_at = ? where id = ?", (_now(), token_id))
        return _rows(con, "id = ?", (token_id,))[0]
    finally:
        con.close()
