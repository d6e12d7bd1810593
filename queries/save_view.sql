-- Saves a view (a write, run by atlas.views). Returns one row: the slug saved.
-- Params: $slug (VARCHAR), $name (VARCHAR), $note (VARCHAR), $page (VARCHAR), $query (VARCHAR),
--         $saved_by (VARCHAR), $saved_by_email (VARCHAR, default '')
insert into saved_views (slug, name, note, page, query, saved_by, data_version, saved_by_email)
select $slug, $name, nullif($note, ''), $page, $query, $saved_by, coalesce(max(upload_id), 0), nullif($saved_by_email, '')
from uploads
returning slug
