-- The load history, newest first, one row per committed load (the seed build included).
-- Params: none
select upload_id, uploaded_at, uploader, mode, file_names, tables, row_counts, sha256,
    json_array_length(name_decisions) as n_names, name_decisions
from uploads
order by upload_id desc
