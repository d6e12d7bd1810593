-- How many funding rounds and deals the filters select, one row: what
-- funding_rounds_filtered lists the largest of (the same filters, the same firm choice).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []),
--         $round_types (VARCHAR[], default []), $statuses (VARCHAR[], default []), $currency (VARCHAR), $firm_id (VARCHAR, default '', '' = all)
select count(*) as n_found
from selected_rounds(
    $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency
) as r
where $firm_id = '' or r.firm_id = $firm_id
    or r.round_id in (select round_id from round_investors where investor_id = $firm_id)
