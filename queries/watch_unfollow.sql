-- Stops following a person or firm (a write, run by atlas.watch). Returns one row per item removed.
-- Params: $list_id (VARCHAR), $entity_kind (VARCHAR), $entity_id (VARCHAR)
delete from watch_items
where list_id = $list_id and entity_kind = $entity_kind and entity_id = $entity_id
returning entity_id
