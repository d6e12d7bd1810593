-- What the certainty and period filters hide of the rounds and deals the other filters
-- select, one row per reason and certainty (see hidden_moves). Empty when nothing is hidden.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []),
--         $round_types (VARCHAR[], default []), $statuses (VARCHAR[], default [])
with

by_certainty as (
    select 'certainty' as reason, certainty, count(*) as n
    from selected_rounds($start_year, $end_year, $include_undated, 'rumor', $kinds, $countries,
        $round_types, $statuses, 'USD')
    where certainty_level(certainty) < certainty_level($min_certainty)
    group by certainty
),

by_period as (
    select 'period' as reason, null::varchar as certainty,
        (select count(*) from selected_rounds(0, 9999, true, $min_certainty, $kinds, $countries,
            $round_types, $statuses, 'USD'))
        - (select count(*) from selected_rounds($start_year, $end_year, $include_undated, $min_certainty, $kinds,
            $countries, $round_types, $statuses, 'USD')) as n
)

select * from (select * from by_certainty union all select * from by_period)
where n > 0
order by reason, certainty
