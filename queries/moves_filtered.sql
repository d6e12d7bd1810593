-- The moves the current filters select, newest first, one row per move, with the date at
-- its precision, the person and firms by display name, the source and the certainty.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default [], empty = every firm kind),
--         $countries (VARCHAR[], default [], empty = every country), $search (VARCHAR, default '', '' = all),
--         $limit (INTEGER)
select * exclude (sort_date, certainty_level, from_level, from_n, to_n, year, from_kind, to_kind, from_country, to_country, search_text)
from move_rows as r
where move_in_view(r.sort_date, r.year, r.certainty_level, r.from_level, r.from_kind, r.to_kind, r.from_country, r.to_country,
    r.search_text, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
order by sort_date desc nulls last, move_id
limit $limit
