-- A watchlist: one row, by its owner ($owner) or by its id ($list_id, from its own link), with
-- the data version its owner last looked at; no row when there is none.
-- Params: $owner (VARCHAR, default ''), $list_id (VARCHAR, default '')
select list_id, seen_version, seen_at
from watch_lists
where ($owner <> '' and owner = $owner) or ($list_id <> '' and list_id = $list_id)
limit 1
