-- What the certainty and period filters hide of the pay figures the other filters select,
-- one row per reason and certainty (see hidden_moves). Empty when nothing is hidden.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], default []), $person_id (VARCHAR, default ''), $firm_id (VARCHAR, default ''),
--         $firm_ids (VARCHAR[], default []), $pay_kinds (VARCHAR[], default []), $outcomes (VARCHAR[], default [])
with

by_certainty as (
    select 'certainty' as reason, certainty, count(*) as n
    from selected_pay($start_year, $end_year, $include_undated, 'rumor', $kinds, 'USD', 0,
        $person_id, $firm_id, $firm_ids, $pay_kinds, $outcomes)
    where certainty_level < certainty_level($min_certainty)
    group by certainty
),

by_period as (
    select 'period' as reason, null::varchar as certainty,
        (select count(*) from selected_pay(0, 9999, true, $min_certainty, $kinds, 'USD', 0,
            $person_id, $firm_id, $firm_ids, $pay_kinds, $outcomes))
        - (select count(*) from selected_pay($start_year, $end_year, $include_undated, $min_certainty, $kinds, 'USD', 0,
            $person_id, $firm_id, $firm_ids, $pay_kinds, $outcomes)) as n
)

select * from (select * from by_certainty union all select * from by_period)
where n > 0
order by reason, certainty
