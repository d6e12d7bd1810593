-- Creates an owner's watchlist (a write, run by atlas.watch), seen at the current data version.
-- Returns one row: the list's id.
-- Params: $list_id (VARCHAR), $owner (VARCHAR)
insert into watch_lists (list_id, owner, seen_version)
select $list_id, $owner, coalesce(max(upload_id), 0) from uploads
returning list_id
