"""E-mail alerts of a watchlist's changes: at each load, or a daily digest, over the SMTP server
configured in `.streamlit/secrets.toml`:

    [smtp]
    host = "smtp.example.org"
    port = 587
    sender = "Talent Atlas <atlas@example.org>"
    username = "atlas"          # optional
    password = "…"              # optional
    starttls = true             # optional
    base_url = "https://atlas.example.org"   # where the links in a message lead

A team's channels (Slack, Microsoft Teams, or anything apprise posts to) are named in the same file,
and a watchlist's changes can go to one of them at each load:

    [notify]
    base_url = "https://atlas.example.org"   # where the links lead (else [smtp]'s base_url)
    [notify.channels]
    "AI talent (Slack)" = "slack://TokenA/TokenB/TokenC/#ai-talent"
    "Research (Teams)" = "workflows://…"

A change is what the Overview's watchlist lists (atlas.watch.changes: a move, pay figure or round a
load inserted or changed, with the version that brought it); each (fact, version) is told to an
address once: the messages sent are recorded (atlas.records), so a repeat finds nothing new.
Loads send at once (the Data page's commit and pull, `python -m atlas load` and `pull`); digests go
out from `python -m atlas alerts send`, run daily (cron).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pandas as pd

from atlas import records, watch
from atlas.pages import PROFILES

CADENCES = ("load", "daily")
DIGEST_EVERY = dt.timedelta(hours=23)  # a daily digest goes out at most this often (cron's jitter)
SCHEMA = """
create table if not exists alerts (
    list_id text not null,
    email text not null,
    cadence text not null check (cadence in ('load', 'daily')),
    since_version integer not null,
    created_at text not null,
    last_sent_at text,
    primary key (list_id, email)
);
create table if not exists alerts_sent (
    list_id text not null,
    email text not null,
    fact text not null,
    fact_id text not null,
    version integer not null,
    sent_at text not null,
    primary key (list_id, email, fact, fact_id, version)
);
"""
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
SECRETS = Path(".streamlit") / "secrets.toml"


class AlertError(ValueError):
    """An alert that cannot be set, with the reason."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 25
    sender: str = "Talent Atlas <atlas@localhost>"
    username: str = ""
    password: str = ""
    starttls: bool = False
    base_url: str = "http://localhost:8501"


def smtp_of(secrets: dict) -> Smtp | None:
    """The SMTP server of the secrets' [smtp] section (None: e-mail alerts are off)."""
    section = secrets.get("smtp") or {}
    if not section.get("host"):
        return None
    return Smtp(
        host=str(section["host"]),
        port=int(section.get("port", 25)),
        sender=str(section.get("sender", Smtp.sender)),
        username=str(section.get("username", "")),
        password=str(section.get("password", "")),
        starttls=bool(section.get("starttls", False)),
        base_url=str(section.get("base_url", Smtp.base_url)).rstrip("/"),
    )


CHANNEL = "channel:"  # an alert's address that names a team channel of [notify], not an e-mail


def channels_of(secrets: dict) -> dict[str, str]:
    """The team's channels of the secrets' [notify.channels]: name -> apprise URL."""
    section = (secrets.get("notify") or {}).get("channels") or {}
    return {str(k): str(v) for k, v in section.items() if isinstance(v, str) and "://" in v}


def base_url_of(secrets: dict) -> str:
    """Where the links in a message lead: [notify]'s base_url, else [smtp]'s, else a local app."""
    smtp = smtp_of(secrets)
    return str((secrets.get("notify") or {}).get("base_url") or (smtp.base_url if smtp else Smtp.base_url)).rstrip("/")


def secrets_file() -> dict:
    """The secrets the command line reads: $ATLAS_SECRETS, else .streamlit/secrets.toml (none: {})."""
    path = Path(os.environ.get("ATLAS_SECRETS", SECRETS))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _con(db_path: Path):  # noqa: ANN202 - sqlite3.Connection
    return records.connect(records.path_for(db_path), SCHEMA)


def subscribe(db_path: Path, list_id: str, email: str, cadence: str, since_version: int) -> None:
    """E-mail `email` the changes of the list `list_id` (at each load or daily), from the version
    after `since_version` on (what the analyst has seen already is not sent)."""
    email = email.strip()
    if email.startswith(CHANNEL):
        if not email.removeprefix(CHANNEL) or len(email) > 200:
            raise AlertError("Name one of the team's channels.")
    elif not _EMAIL.fullmatch(email) or len(email) > 200:
        raise AlertError("Give one e-mail address, e.g. ana@example.com.")
    if cadence not in CADENCES:
        raise AlertError(f"Send at each load or daily, not {cadence!r}.")
    con = _con(db_path)
    try:
        con.execute(
            "insert into alerts (list_id, email, cadence, since_version, created_at) values (?, ?, ?, ?, ?) "
            "on conflict (list_id, email) do update set cadence = excluded.cadence",
            (list_id, email, cadence, int(since_version), _now().isoformat()),
        )
    finally:
        con.close()


def unsubscribe(db_path: Path, list_id: str, email: str = "") -> int:
    """Stop the e-mails of a list (to `email`, or to every address); how many were stopped."""
    con = _con(db_path)
    try:
        args = (list_id, email) if email else (list_id,)
        return con.execute("delete from alerts where list_id = ?" + (" and email = ?" if email else ""), args).rowcount
    finally:
        con.close()


def subscriptions(db_path: Path, list_id: str = "") -> pd.DataFrame:
    """The alerts set (of one list, or every one)."""
    con = _con(db_path)
    try:
        where, args = ("where list_id = ?", (list_id,)) if list_id else ("", ())
        return pd.read_sql_query(f"select * from alerts {where} order by list_id, email", con, params=args)
    finally:
        con.close()


def link(base: str, path: str, pairs: list[tuple[str, str]]) -> str:
    return f"{base}{path}?{urlencode(pairs)}" if pairs else f"{base}{path}"


def describe(row) -> str:  # noqa: ANN001 - a row of atlas.watch.changes
    """A change in a few words: who or which firm, and what (a move's two ends, an amount)."""
    if row.fact == "move":
        return f"{row.person}: {row.from_firm or '?'} → {row.to_firm or 'left'} ({row.kind})"
    if row.fact == "pay":
        return f"{row.person or row.firm}: pay, {row.kind}, {_amount(row)}"
    return f"{row.firm}: {row.kind} round, {_amount(row)}"


def view_of(row, base: str) -> str:  # noqa: ANN001
    """The profile that shows the change: its person's, else its firm's."""
    target = [("person", row.person_id)] if row.person_id else [("firm", row.firm_id)]
    return link(base, PROFILES.url_path, target)


def _line(row, base: str) -> str:
    """One change in words, with its source, its certainty and the view that shows it."""
    return (
        f"- {describe(row)}, {row.on_date or 'undated'}; {row.certainty}; data version {row.version}\n"
        f"  Source: {row.source}\n"
        f"  {view_of(row, base)}"
    )


def _amount(row) -> str:
    if pd.isna(row.amount_low):
        return "amount not given"
    low = f"{row.amount_low:,.0f}"
    high = "" if pd.isna(row.amount_high) or row.amount_high == row.amount_low else f"–{row.amount_high:,.0f}"
    return f"{row.currency} {low}{high}"


def message(changes: pd.DataFrame, list_id: str, to: str, smtp: Smtp, cadence: str) -> EmailMessage:
    """The e-mail that tells `changes` (newest version first) to `to`."""
    n = len(changes)
    newest = int(changes["version"].max())
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = to
    kind = "Daily digest" if cadence == "daily" else "New data"
    msg["Subject"] = f"Talent Atlas · {kind}: {n} change(s) on your watchlist (data version {newest})"
    body = [
        f"{n} change(s) to the people and firms you follow came in with data version(s) "
        f"{', '.join(str(v) for v in sorted(set(changes['version'].astype(int))))}:",
        "",
        *(_line(row, smtp.base_url) for row in changes.itertuples()),
        "",
        f"Your watchlist: {link(smtp.base_url, '/', [('watch', list_id)])}",
        "Every fact names its source and how sure the source is. You get this because alerts are on for this "
        "watchlist; switch them off under the watchlist on the Overview.",
    ]
    msg.set_content("\n".join(body))
    return msg


def _unsent(rec, list_id: str, email: str, changes: pd.DataFrame) -> pd.DataFrame:
    sent = {
        (f, i, int(v))
        for f, i, v in rec.execute(
            "select fact, fact_id, version from alerts_sent where list_id = ? and email = ?", (list_id, email)
        )
    }
    told = zip(changes["fact"], changes["fact_id"], changes["version"], strict=True)
    keep = [(f, i, int(v)) not in sent for f, i, v in told]
    return changes[keep]


def _post(url: str, msg: EmailMessage) -> None:
    """Post a message to a team channel (apprise); an OSError when it was not taken."""
    import apprise

    poster = apprise.Apprise()
    if not poster.add(url):
        raise OSError("the channel's address is not one apprise knows")
    if not poster.notify(title=str(msg["Subject"]), body=msg.get_content()):
        raise OSError("the channel did not take the message")


def _mail(smtp: Smtp, msg: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        client.send_message(msg)


def send_due(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    smtp: Smtp | None,
    *,
    now: dt.datetime | None = None,
    channels: dict[str, str] | None = None,
    base_url: str = Smtp.base_url,
) -> list[tuple[str, int]]:
    """Send what is due: to each address with alerts at each load, the changes not yet told; to each
    daily one, its digest if the last went out a day ago. Returns (address, changes told) per
    message sent. A message that fails is sent at the next call (nothing is recorded for it)."""
    channels = channels or {}
    if smtp is None and not channels:
        return []
    now = now or _now()
    rec = _con(db_path)
    sent: list[tuple[str, int]] = []
    try:
        for a in rec.execute("select list_id, email, cadence, since_version, last_sent_at from alerts").fetchall():
            list_id, email, cadence, since, last = a
            if cadence == "daily" and last and now - dt.datetime.fromisoformat(last) < DIGEST_EVERY:
                continue
            if watch.find(con, list_id=list_id) is None:
                continue  # the list is gone (another database)
            changes = _unsent(rec, list_id, email, watch.changes(con, list_id, int(since)))
            if changes.empty:
                continue
            if email.startswith(CHANNEL):
                url = channels.get(email.removeprefix(CHANNEL))
                if url is None:
                    continue  # a channel no longer in the secrets
                _post(url, message(changes, list_id, email, smtp or Smtp(host="", base_url=base_url), cadence))
            elif smtp is not None:
                _mail(smtp, message(changes, list_id, email, smtp, cadence))
            else:
                continue
            stamp = now.isoformat()
            rec.execute("begin")
            rec.executemany(
                "insert or ignore into alerts_sent values (?, ?, ?, ?, ?, ?)",
                [(list_id, email, r.fact, r.fact_id, int(r.version), stamp) for r in changes.itertuples()],
            )
            rec.execute(
                "update alerts set last_sent_at = ?, since_version = max(since_version, ?) "
                "where list_id = ? and email = ?",
                (stamp, int(changes["version"].max()), list_id, email),
            )
            rec.execute("commit")
            sent.append((email, len(changes)))
    finally:
        rec.close()
    return sent
