-- The saved views, newest first, one row per view: name, note, page, query string, who
-- saved it, when, and the data version it was saved on.
-- Params: none
select slug, name, note, page, query, saved_by, saved_at, data_version, saved_by_email
from saved_views
order by saved_at desc, slug
