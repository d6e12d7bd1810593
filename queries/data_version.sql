-- The data version: the id of the latest committed load. One row, one column.
-- Params: none
select coalesce(max(upload_id), 0) as data_version
from uploads
