-- What the certainty and period filters hide of the moves the other filters select, one row
-- per reason and certainty: reason 'certainty' (moves in the period below the minimum
-- certainty, by their certainty) or 'period' (moves at the certainty outside the period,
-- undated ones included when the period is narrowed), or 'origin' (moves in view whose origin is
-- less sure than the minimum, by the origin's certainty: they count as arrivals from an unknown
-- origin, never as their origin's losses). Empty when nothing is hidden.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []), $search (VARCHAR, default '')
with

by_certainty as (
    select 'certainty' as reason, certainty, count(*) as n
    from selected_moves($start_year, $end_year, $include_undated, 'rumor', $kinds, $countries, $search)
    where certainty_level < certainty_level($min_certainty)
    group by certainty
),

by_origin as (
    select 'origin' as reason, certainty_name(from_level) as certainty, count(*) as n
    from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
    where from_firm_id is not null and from_level < certainty_level($min_certainty)
    group by all
),

by_period as (
    select 'period' as reason, null::varchar as certainty,
        (select count(*) from selected_moves(0, 9999, true, $min_certainty, $kinds, $countries, $search))
        - (select count(*) from selected_moves(
            $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)) as n
)

select * from (select * from by_certainty union all select * from by_origin union all select * from by_period)
where n > 0
order by reason, certainty
