-- Money and talent across firms of a kind: one row per kind of firm (big tech, AI startup, ...)
-- with how many rounds and firms it holds and the moves into and out of those firms before,
-- in the same period as, and after their rounds (the same rounds and window as
-- money_talent_rounds; a move near two rounds of its firm counts for each).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $round_types (VARCHAR[], default []),
--         $statuses (VARCHAR[], default []), $currency (VARCHAR), $months (INTEGER), $limit (INTEGER)
with

rounds as (
    select round_id, firm_id, kind from money_rounds(
        $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency, '', false, $limit
    )
),

counts as (
    select * from round_move_counts(
        $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency,
        '', false, $months, $limit
    )
),

moved as (
    select
        (select kind from rounds as r where r.round_id = c.round_id) as kind,
        sum(n_moves) filter (where direction = 'in' and relation = 'before') as in_before,
        sum(n_moves) filter (where direction = 'in' and relation = 'same') as in_same,
        sum(n_moves) filter (where direction = 'in' and relation = 'after') as in_after,
        sum(n_moves) filter (where direction = 'out' and relation = 'before') as out_before,
        sum(n_moves) filter (where direction = 'out' and relation = 'same') as out_same,
        sum(n_moves) filter (where direction = 'out' and relation = 'after') as out_after
    from counts as c
    group by 1
)

select
    r.kind,
    count(*) as n_rounds,
    count(distinct r.firm_id) as n_firms,
    coalesce(any_value(m.in_before), 0)::bigint as in_before,
    coalesce(any_value(m.in_same), 0)::bigint as in_same,
    coalesce(any_value(m.in_after), 0)::bigint as in_after,
    coalesce(any_value(m.out_before), 0)::bigint as out_before,
    coalesce(any_value(m.out_same), 0)::bigint as out_same,
    coalesce(any_value(m.out_after), 0)::bigint as out_after
from rounds as r
left join moved as m on m.kind = r.kind
group by r.kind
order by n_rounds desc, r.kind
