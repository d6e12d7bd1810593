-- Deletes a saved view (a write, run by atlas.views). Returns one row per view deleted.
-- Params: $slug (VARCHAR)
delete from saved_views where slug = $slug
returning slug
