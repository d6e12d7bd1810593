-- The saved column mappings, one row per mapping: those made for the file's layout first, then the newest.
-- Params: $header_key (VARCHAR, default '')
select name, target, columns, header_key, saved_by, saved_at, header_key = $header_key as fits
from column_mappings
order by fits desc, saved_at desc, name
