-- What changed in the data after a version: one row, the number of loads committed after
-- $version and the tables they touched (comma-separated, sorted).
-- Params: $version (INTEGER)
select
    count(distinct u.upload_id) as n_uploads,
    coalesce(string_agg(distinct trim(t.table_name), ', ' order by trim(t.table_name)), '') as tables
from uploads as u
left join lateral (select unnest(string_split(u.tables, ',')) as table_name) as t on true
where u.upload_id > $version
