"""`python -m atlas alerts`: the watchlists' e-mail alerts from the command line (atlas.alerts).

    python -m atlas alerts send      # what is due: each load's changes not yet told, daily digests
    python -m atlas alerts list      # the alerts set, per watchlist

`send` is what a daily cron job runs (digests); a load on the Data page or by `python -m atlas
load`/`pull` sends its own changes at once. The SMTP server is the [smtp] section of
.streamlit/secrets.toml (or $ATLAS_SECRETS).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from atlas import alerts, db, snapshots


def register(sub) -> None:  # noqa: ANN001 - argparse's subparsers
    al = sub.add_parser("alerts", help="Send or list the watchlists' e-mail alerts.")
    actions = al.add_subparsers(dest="action", required=True)
    send = actions.add_parser("send", help="Send what is due: each load's changes not yet told, daily digests.")
    send.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    send.set_defaults(func=_send)
    ls = actions.add_parser("list", help="The alerts set, per watchlist.")
    ls.add_argument("--db", type=Path, default=None, help="database file (default: $ATLAS_DB or data/atlas.duckdb)")
    ls.set_defaults(func=_list)


@contextlib.contextmanager
def _reading(path: Path):  # noqa: ANN202 - yields a DuckDB connection
    """The newest data, read-only: the served snapshot where several processes serve, else the file."""
    import duckdb

    store = snapshots.store_beside(path)
    if store is not None:
        reader = snapshots.open_current(store)
        try:
            yield reader.con
        finally:
            reader.close()
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def send(path: Path, *, quiet: bool = False) -> int:
    secrets = alerts.secrets_file()
    smtp, channels = alerts.smtp_of(secrets), alerts.channels_of(secrets)
    if smtp is None and not channels:
        if not quiet:
            print("Alerts are off: no [smtp] or [notify.channels] in .streamlit/secrets.toml (or $ATLAS_SECRETS).")
        return 0
    try:
        with _reading(path) as con:
            sent = alerts.send_due(con, path, smtp, channels=channels, base_url=alerts.base_url_of(secrets))
    except db.Busy as exc:
        print(f"Alerts not sent now: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Alerts not sent: {exc}; sent at the next call.")
        return 1
    except Exception as exc:  # noqa: BLE001 - a running dashboard holds the file: it sends its own
        if "lock" not in str(exc).lower():
            raise
        print("Alerts not sent from here: the dashboard holds the database and sends them itself.")
        return 0
    for email, n in sent:
        print(f"Sent {n} change(s) to {email}")
    if not sent and not quiet:
        print("Nothing due.")
    return 0


def after_load(args: argparse.Namespace) -> None:
    """A command-line load's own alerts, once it is committed (never fails the load)."""
    send(Path(args.db or db.db_path()), quiet=True)


def _send(args: argparse.Namespace) -> int:
    return send(Path(args.db or db.db_path()))


def _list(args: argparse.Namespace) -> int:
    subs = alerts.subscriptions(Path(args.db or db.db_path()))
    if subs.empty:
        print("No alert is set.")
        return 0
    for row in subs.itertuples():
        last = row.last_sent_at or "never"
        print(f"{row.list_id}  {row.email}  {row.cadence}  from version {row.since_version + 1}  last sent {last}")
    return 0
