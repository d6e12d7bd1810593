-- Follows a person or firm on a watchlist (a write, run by atlas.watch); following twice changes
-- nothing. Returns one row per item added (none when it was followed already).
-- Params: $list_id (VARCHAR), $entity_kind (VARCHAR), $entity_id (VARCHAR)
insert into watch_items (list_id, entity_kind, entity_id)
values ($list_id, $entity_kind, $entity_id)
on conflict do nothing
returning entity_id
