-- Saves a view (a write, run by atlas.views). Returns one row: the slug saved.
-- Params: $slug (VARCHAR), $name (VARCHAR), $note (VARCHAR), $page (VARCHAR), $query (VARCHAR),
--         $saved_by (VARCHAR)
insert into saved_views (slug, name, note, page, query, saved_by, data_version)
select $slug, $name, nullif($note, ''), $page, $query, $saved_by, coalesce(max(upload_id), 0) from uploads
returning slug
