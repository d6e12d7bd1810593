-- Records that a watchlist's owner has looked at it at data version $version (a write, run by
-- atlas.watch). Returns one row: the list's id.
-- Params: $list_id (VARCHAR), $version (INTEGER)
update watch_lists set seen_version = $version, seen_at = current_timestamp
where list_id = $list_id
returning list_id
