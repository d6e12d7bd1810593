-- One saved view by its slug: one row, or none for an unknown slug.
-- Params: $slug (VARCHAR)
select slug, name, note, page, query, saved_by, saved_at, data_version
from saved_views
where slug = $slug
