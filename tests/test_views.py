"""Saved views: slugs, storage, lookups, deletion."""

import duckdb
import pytest

from atlas import schema, sql, views


@pytest.fixture
def rw(scratch_db):
    c = duckdb.connect(str(scratch_db))
    schema.create_schema(c)
    yield c
    c.close()


@pytest.mark.parametrize(
    "name,slug", [("China → US, 2025", "china-us-2025"), ("李沐", "view"), ("  Boomerangs!! ", "boomerangs")]
)
def test_slugify(name, slug):
    assert views.slugify(name) == slug


def test_save_open_and_delete(rw):
    slug = views.save_view(rw, "Big tech returns", "For the Friday memo", "Talent flows", "level=parent", "Ana")
    again = views.save_view(rw, "Big tech returns", "", "Overview", "currency=EUR", "Bo")
    assert (slug, again) == ("big-tech-returns", "big-tech-returns-2")
    row = sql.run_query(rw, "saved_view", {"slug": slug}).iloc[0]
    assert (row.page, row.query, row.saved_by, row.note, row.data_version) == (
        "Talent flows",
        "level=parent",
        "Ana",
        "For the Friday memo",
        1,
    )
    assert views.delete_view(rw, slug)
    assert not views.delete_view(rw, slug)
    assert list(sql.run_query(rw, "saved_views_list")["slug"]) == ["big-tech-returns-2"]


@pytest.mark.parametrize("name,by", [("", "Ana"), ("x", ""), ("x" * 201, "Ana")])
def test_bad_views_are_refused(rw, name, by):
    with pytest.raises(views.ViewError):
        views.save_view(rw, name, "", "Overview", "", by)
    assert sql.run_query(rw, "saved_views_list").empty


def test_sql_in_a_view_name_is_stored_literally(rw):
    name = "'); DROP TABLE saved_views;--"
    slug = views.save_view(rw, name, "", "Overview", "", "Eve")
    assert sql.run_query(rw, "saved_view", {"slug": slug}).iloc[0]["name"] == name
