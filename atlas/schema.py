"""The database's schema, in three kinds of files under `queries/schema/`, each versioned apart.

- `base.sql`: the tables that hold data (the facts, uploads, saved views). Re-run when it
  changes (`create ... if not exists`). A stored table whose definition changed (a column
  added, a list of allowed values widened) is migrated in place: rebuilt to the new definition
  with every row and column it had (`migrate_base`); a row the new definition refuses stops
  the migration and changes nothing.
- `macros.sql`, `derived/N_name.sql` (one file per derived table: what one row is and what
  it is for) and `filters.sql`: logic that holds no data of its own. When any of them
  changes, the derived tables are dropped and rebuilt from the facts.

Neither kind ever touches the undo logs (`undo_<table>`): an undo restores exactly, or
refuses with a reason (see atlas.load.undo). Derived tables are rebuilt by `refresh_derived`
after every load, in the order of their file names.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import duckdb

from atlas.sql import QUERIES_DIR

SCHEMA_DIR = QUERIES_DIR / "schema"


@cache
def derived_files() -> tuple[tuple[str, Path], ...]:
    """(table, file) of every derived table, in build order (the number before the name)."""
    files = sorted(SCHEMA_DIR.glob("derived/*.sql"), key=lambda p: int(p.stem.split("_", 1)[0]))
    return tuple((p.stem.split("_", 1)[1], p) for p in files)


def derived_tables() -> tuple[str, ...]:
    """The tables computed from the facts by every load; safe to drop and rebuild at any time."""
    return tuple(name for name, _ in derived_files())


def base_sql() -> str:
    return (SCHEMA_DIR / "base.sql").read_text(encoding="utf-8")


def logic_sql() -> list[str]:
    """The scripts that hold no data, in the order they must run (codes.sql second: the derived
    tables need the codes, given by `assign_codes` right after it)."""
    parts = [
        SCHEMA_DIR / "macros.sql",
        SCHEMA_DIR / "codes.sql",
        *(p for _, p in derived_files()),
        SCHEMA_DIR / "filters.sql",
    ]
    return [p.read_text(encoding="utf-8") for p in parts]


def _digest(*texts: str) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode())
    return h.hexdigest()


def versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What this database last ran: {'schema_base_sha256': ..., 'schema_logic_sha256': ...}."""
    con.execute("create table if not exists atlas_meta (key varchar primary key, value varchar not null)")
    return dict(con.execute("select key, value from atlas_meta where key like 'schema_%'").fetchall())


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or update the schema (idempotent): each kind re-runs only when its files changed.

    `force` re-runs both even when nothing changed (tests: the scripts must be re-runnable).
    """
    _create(con, force=False)
    scrub_addresses(con)


def scrub_addresses(con: duckdb.DuckDBPyConnection) -> None:
    """Older databases named uploaders and savers as "Name <address>" where every reader reads
    them: keep the name alone there (the addresses stay in the admins' columns). Cheap when
    there is nothing to do, so it runs at every start."""
    con.execute((SCHEMA_DIR / "addresses.sql").read_text(encoding="utf-8"))


def rerun_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Run every schema script again, changed or not (they are re-runnable by design)."""
    _create(con, force=True)


def _create(con: duckdb.DuckDBPyConnection, force: bool) -> None:
    stored = versions(con)
    base = base_sql()
    logic = logic_sql()
    base_digest, logic_digest = _digest(base), _digest(*logic)
    base_changed = stored.get("schema_base_sha256") != base_digest
    if force or base_changed:
        con.execute(base)
        migrated = migrate_base(con, base)
        _record(con, "schema_base_sha256", base_digest)
        # the derived tables copy the facts' columns: rebuild them over the new definitions
        base_changed = base_changed or bool(migrated)
    if force or base_changed or stored.get("schema_logic_sha256") != logic_digest:
        views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        for table in derived_tables():
            # firm_levels was a view before it became a derived table
            con.execute(f"drop {'view' if table in views else 'table'} if exists {table} cascade")
        for i, script in enumerate(logic):
            con.execute(script)  # the derived tables are created from the facts as they are now
            if i == 1:
                assign_codes(con)
        _record(con, "schema_logic_sha256", logic_digest)
        record_derived_version(con)


_CREATE = re.compile(r"create table if not exists (\w+) \(", re.IGNORECASE)


def base_tables(base: str | None = None) -> dict[str, str]:
    """{table: its `create table` statement} of base.sql, in file order."""
    base = base if base is not None else base_sql()
    found = list(_CREATE.finditer(base))
    out = {}
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        body = base[m.start() : nxt.start() if nxt else len(base)]
        out[m.group(1)] = body[: body.index(");") + 2]
    return out


def _shape(con: duckdb.DuckDBPyConnection, table: str) -> tuple:
    cols = con.execute(
        "select column_name, data_type, is_nullable, column_default from duckdb_columns() "
        "where table_name = $t and schema_name = 'main' order by column_index",
        {"t": table},
    ).fetchall()
    checks = con.execute(
        "select constraint_type, expression from duckdb_constraints() "
        "where table_name = $t and schema_name = 'main' order by all",
        {"t": table},
    ).fetchall()
    return tuple(cols), tuple(checks)


def migrate_base(con: duckdb.DuckDBPyConnection, base: str | None = None) -> list[str]:
    """Bring every stored base table to its definition in base.sql; return the tables rebuilt.

    A table is rebuilt only when its columns or constraints differ: into a new table of the
    new definition, every column the two share copied by name (a new column starts empty),
    inside one transaction. The undo logs are left as they are: an undo over a changed table
    refuses with that reason (atlas.load.undo).
    """
    rebuilt = []
    statements = base_tables(base)
    for table, statement in statements.items():
        probe = f"atlas_migrate_{table}"
        con.execute(f"drop table if exists {probe}")
        con.execute(statement.replace(f"create table if not exists {table} (", f"create table {probe} (", 1))
        old_shape, new_shape = _shape(con, table), _shape(con, probe)
        old_shape = (tuple(c for c in old_shape[0]), old_shape[1])
        if old_shape == new_shape:
            con.execute(f"drop table {probe}")
            continue
        old_cols = {c[0] for c in old_shape[0]}
        shared = [c[0] for c in new_shape[0] if c[0] in old_cols]
        cols = ", ".join(shared)
        # tables whose foreign keys point at this one (undone_uploads -> uploads) are set aside
        # and recreated around the rebuild, rows and all
        dependents = [
            r[0]
            for r in con.execute(
                "select distinct table_name from duckdb_constraints() "
                "where constraint_type = 'FOREIGN KEY' and referenced_table = $t",
                {"t": table},
            ).fetchall()
            if r[0] in statements
        ]
        con.execute("begin transaction")
        try:
            for dep in dependents:
                con.execute(f"create temp table atlas_keep_{dep} as select * from {dep}")
                con.execute(f"drop table {dep}")
            con.execute(f"insert into {probe} ({cols}) select {cols} from {table}")
            con.execute(f"drop table {table}")
            con.execute(f"alter table {probe} rename to {table}")
            for dep in dependents:
                con.execute(statements[dep])
                con.execute(f"insert into {dep} by name select * from atlas_keep_{dep}")
                con.execute(f"drop table atlas_keep_{dep}")
            con.execute("commit")
        except duckdb.Error:
            con.execute("rollback")
            con.execute(f"drop table if exists {probe}")
            raise
        rebuilt.append(table)
    return rebuilt


def _record(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into atlas_meta values ($k, $v)", {"k": key, "v": value})


def assign_codes(con: duckdb.DuckDBPyConnection, scoped: bool = False) -> None:
    """Give every person, firm, pay figure, firm kind and country without a code the next free
    ones (codes.sql), in key order; codes already given never change. `scoped`: look for new
    people and pay figures only among those of the refresh's scope (atlas.load.derived)."""
    for table, key, code, source, scope in (
        ("person_codes", "person_id", "person_n", "people", "scope_people"),
        ("firm_codes", "firm_id", "firm_n", "firms", None),
        ("comp_codes", "comp_id", "pay_n", "compensation", "scope_comps"),
    ):
        only = f" where {source}.{key} in (select {key} from {scope})" if scoped and scope else ""
        con.execute(
            f"insert into {table} select {key}, "
            f"(select coalesce(max({code}), 0) from {table}) + row_number() over (order by {key})::integer "
            f"from (select {key} from {source} anti join {table} using ({key}){only})"
        )
    for level, expr in (("kind", "kind"), ("country", "coalesce(country, '??')")):
        con.execute(
            "insert into group_codes select $level, key, "
            "(select coalesce(max(n), 0) from group_codes where level = $level) "
            "+ row_number() over (order by key)::integer "
            f"from (select distinct {expr} as key from firms) as k "
            "where key not in (select key from group_codes where level = $level)",
            {"level": level},
        )


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every derived table from the facts, inside the caller's transaction, and record
    the data version they now reflect."""
    assign_codes(con)
    for table in derived_tables():
        con.execute(f"create or replace table {table} as select * from {table}_source")
    record_derived_version(con)


def record_derived_version(con: duckdb.DuckDBPyConnection) -> None:
    """Note that the derived tables now reflect the latest committed load (atlas_meta)."""
    con.execute(
        "insert or replace into atlas_meta select 'derived_version', coalesce(max(upload_id), 0)::varchar from uploads"
    )
