"""Watchlists: the people and firms an analyst follows, and what changed for them since they last
looked, with the data version that brought each change.

One list per owner: in team mode the signed-in e-mail (a guest keeps none), in local mode the one
analyst ('local'). The writes check the owner they are given; the page passes the identity read at
the moment of the click (atlas.ui.watch_ui). A change is a move, pay figure or round inserted or
changed by a load after the version seen (the load's undo log says which rows each load wrote), of
a followed person or firm, still in the data (an undone load's rows are gone, and it is skipped).
"""

from __future__ import annotations

import re
import secrets

import duckdb
import pandas as pd

from atlas import sql
from atlas.access import Identity, normal_email
from atlas.model import ENTITY_KINDS

LOCAL_OWNER = "local"
LIST_ID = re.compile(r"[a-z0-9]{12}")
KINDS = ("person", "firm")
CHANGES_LISTED = 200  # the most recent changes a list shows
# the facts whose changes a list follows: the table, its key, and what one row is
FACTS = (("moves", "move_id", "move"), ("compensation", "comp_id", "pay"), ("funding_rounds", "round_id", "round"))


class WatchError(ValueError):
    """A follow that cannot be made, with the reason."""


def owner_of(identity: Identity) -> str | None:
    """Whose list this identity keeps: its verified e-mail in team mode (None when not signed in),
    the one local list otherwise."""
    if not identity.team:
        return LOCAL_OWNER
    return normal_email(identity.email) or None


def find(con: duckdb.DuckDBPyConnection, *, owner: str = "", list_id: str = "") -> pd.Series | None:
    """The list of `owner`, or the list `list_id` (from its link; a malformed id finds none)."""
    if list_id and not LIST_ID.fullmatch(list_id):
        return None
    found = sql.run_query(con, "watch_list", {"owner": owner, "list_id": list_id})
    return None if found.empty else found.iloc[0]


def ensure_list(con: duckdb.DuckDBPyConnection, owner: str) -> str:
    """The id of `owner`'s list, made (seen at the current version) when they have none."""
    found = find(con, owner=owner)
    if found is not None:
        return str(found["list_id"])
    list_id = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))
    return str(sql.run_query(con, "watch_create", {"list_id": list_id, "owner": owner}).iloc[0, 0])


def _exists(con: duckdb.DuckDBPyConnection, kind: str, entity_id: str) -> bool:
    table, column = ENTITY_KINDS[kind].table, ENTITY_KINDS[kind].id_column
    return bool(con.execute(f"select count(*) from {table} where {column} = $id", {"id": entity_id}).fetchall()[0][0])


def follow(con: duckdb.DuckDBPyConnection, owner: str, kind: str, entity_id: str) -> bool:
    """Follow a stored person or firm on `owner`'s list; True when it was not followed before."""
    if kind not in KINDS:
        raise WatchError("Only a person or a firm can be followed.")
    if not _exists(con, kind, entity_id):
        raise WatchError(f"No {kind} with id {entity_id!r} is stored.")
    list_id = ensure_list(con, owner)
    params = {"list_id": list_id, "entity_kind": kind, "entity_id": entity_id}
    return len(sql.run_query(con, "watch_follow", params)) > 0


def unfollow(con: duckdb.DuckDBPyConnection, owner: str, kind: str, entity_id: str) -> bool:
    """Stop following; True when it was followed."""
    found = find(con, owner=owner)
    if found is None:
        return False
    params = {"list_id": str(found["list_id"]), "entity_kind": kind, "entity_id": entity_id}
    return len(sql.run_query(con, "watch_unfollow", params)) > 0


def mark_seen(con: duckdb.DuckDBPyConnection, list_id: str, version: int) -> None:
    """The owner has looked at the list at data version `version`."""
    sql.run_query(con, "watch_seen", {"list_id": list_id, "version": int(version)})


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = $n", {"n": name}).fetchall()[0][0])


def changes(con: duckdb.DuckDBPyConnection, list_id: str, since: int) -> pd.DataFrame:
    """The moves, pay figures and rounds of the list's people and firms that loads after version
    `since` inserted or changed, newest version first: one row per fact, with the version that
    last brought it and the fact as every page shows it (names, dates at their precision, source)."""
    logs = [
        f"select '{kind}' as fact, {key} as fact_id, max(undo_upload_id) as version from undo_{table} "
        "where undo_action in ('inserted', 'before') and undo_upload_id > $since "
        "and undo_upload_id not in (select upload_id from undone_uploads) group by all"
        for table, key, kind in FACTS
        if _has_table(con, f"undo_{table}")
    ]
    if not logs:  # no load since the build has logged anything: nothing can have changed
        return pd.DataFrame(columns=_CHANGE_COLUMNS)
    text = _CHANGES.replace("{changed}", " union all ".join(logs))
    return con.execute(text, {"list_id": list_id, "since": int(since), "limit": CHANGES_LISTED}).df()


def withdrawn(con: duckdb.DuckDBPyConnection, since: int) -> list[tuple[int, int]]:
    """The loads seen by version `since` that an undo after it withdrew: (load's version, undo's
    version), newest first. What they brought is gone with their undo logs, so a watchlist can only
    say which versions were undone, not which of its facts they held."""
    if not _has_table(con, "undone_uploads"):
        return []
    return [
        (int(a), int(b))
        for a, b in con.execute(
            "select upload_id, undo_id from undone_uploads where upload_id <= $since and undo_id > $since "
            "order by undo_id desc",
            {"since": int(since)},
        ).fetchall()
    ]


_CHANGE_COLUMNS = [
    "version", "fact", "fact_id", "person", "firm", "from_firm", "to_firm", "kind", "amount_low", "amount_high",
    "currency", "amount_qualifier", "on_date", "certainty", "source", "person_id", "firm_id",
]  # fmt: skip

# the facts' logs are named by FACTS (constants); every value is bound
_CHANGES = """
with
followed as (select entity_kind, entity_id from watch_items where list_id = $list_id),
watched_people as (select entity_id from followed where entity_kind = 'person'),
watched_firms as (select entity_id from followed where entity_kind = 'firm'),
changed as ({changed}),
moved as (
    select c.version, 'move' as fact, c.fact_id, m.person_label as person, coalesce(m.to_label, m.from_label) as firm,
        m.from_label as from_firm, m.to_label as to_firm, m.move_type as kind,
        null::double as amount_low, null::double as amount_high, null::varchar as currency,
        null::varchar as amount_qualifier, fmt_date(m.moved_on, m.moved_on_precision) as on_date, m.certainty,
        m.source_id, m.person_id, coalesce(m.to_firm_id, m.from_firm_id) as firm_id
    from changed as c
    join move_facts as m on c.fact = 'move' and m.move_id = c.fact_id
    where m.person_id in (select entity_id from watched_people)
        or m.from_firm_id in (select entity_id from watched_firms)
        or m.to_firm_id in (select entity_id from watched_firms)
),
paid as (
    select c.version, 'pay', c.fact_id, display_name(p.name, p.name_zh), f.firm_label, null, null, k.kind,
        k.amount_low, k.amount_high, k.currency, null, fmt_date(k.reported_on, k.reported_on_precision), k.certainty,
        k.source_id, k.person_id, k.firm_id
    from changed as c
    join compensation as k on c.fact = 'pay' and k.comp_id = c.fact_id
    left join people as p on p.person_id = k.person_id
    join firm_levels as f on f.firm_id = k.firm_id
    where k.person_id in (select entity_id from watched_people) or k.firm_id in (select entity_id from watched_firms)
),
raised as (
    select c.version, 'round', c.fact_id, null, f.firm_label, null, null, r.round_type,
        r.amount, r.amount, r.currency, r.amount_qualifier, fmt_date(r.announced_on, r.announced_on_precision),
        r.certainty, r.source_id, null, r.firm_id
    from changed as c
    join funding_rounds as r on c.fact = 'round' and r.round_id = c.fact_id
    join firm_levels as f on f.firm_id = r.firm_id
    where r.firm_id in (select entity_id from watched_firms)
),
facts as (select * from moved union all select * from paid union all select * from raised)
select
    x.version, x.fact, x.fact_id, x.person, x.firm, x.from_firm, x.to_firm, x.kind, x.amount_low, x.amount_high,
    x.currency, x.amount_qualifier, x.on_date, x.certainty,
    source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
    x.person_id, x.firm_id
from facts as x
join sources as s on s.source_id = x.source_id
order by x.version desc, x.fact, x.person, x.firm
limit $limit
"""
