"""Saved views: named links to a page and its filters, stored in DuckDB."""

from __future__ import annotations

import re
import unicodedata

import duckdb

from atlas import sql


class ViewError(ValueError):
    """A view that cannot be saved, with the reason."""


def slugify(name: str) -> str:
    """A short id for a view name: 'China → US, 2025' -> 'china-us-2025' (never empty)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50]
    return slug or "view"


def save_view(
    con: duckdb.DuckDBPyConnection, name: str, note: str, page: str, query: str, saved_by: str, saved_by_email: str = ""
) -> str:
    """Save a view under a slug made from its name (suffixed if taken); returns the slug."""
    name, note, saved_by = name.strip(), note.strip(), saved_by.strip()
    if not name:
        raise ViewError("Give the view a name.")
    if not saved_by:
        raise ViewError("Say who is saving it.")
    if len(name) > 200 or len(note) > 2000 or len(saved_by) > 200:
        raise ViewError("Name (200), note (2,000) or your name (200 characters) is too long.")
    base = slugify(name)
    taken = set(sql.run_query(con, "saved_views_list")["slug"])
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    params = {
        "slug": slug,
        "name": name,
        "note": note,
        "page": page,
        "query": query,
        "saved_by": saved_by,
        "saved_by_email": saved_by_email,
    }
    return str(sql.run_query(con, "save_view", params).iloc[0, 0])


def delete_view(con: duckdb.DuckDBPyConnection, slug: str) -> bool:
    """Delete a saved view; True when it existed."""
    return len(sql.run_query(con, "delete_view", {"slug": slug})) > 0
