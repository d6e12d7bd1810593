-- The data version: the id of the latest committed load; and the version the derived
-- tables reflect (the same, except while a load's derived tables are being rebuilt after its
-- commit). One row.
-- Params: none
select
    coalesce((select max(upload_id) from uploads), 0) as data_version,
    coalesce((select value::integer from atlas_meta where key = 'derived_version'), 0) as derived_version
