-- Money and talent across firms of a kind: one row per kind of firm (big tech, AI startup, ...)
-- with how many rounds and firms it holds and the moves into and out of those firms before,
-- in the same period as, and after their rounds (the same rounds and window as
-- money_talent_rounds; a move near two rounds of its firm counts for each).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $round_types (VARCHAR[], default []),
--         $statuses (VARCHAR[], default []), $currency (VARCHAR), $months (INTEGER), $limit (INTEGER)
select
    kind,
    count(distinct round_id) as n_rounds,
    count(distinct firm_id) as n_firms,
    count(*) filter (where direction = 'in' and relation = 'before') as in_before,
    count(*) filter (where direction = 'in' and relation = 'same') as in_same,
    count(*) filter (where direction = 'in' and relation = 'after') as in_after,
    count(*) filter (where direction = 'out' and relation = 'before') as out_before,
    count(*) filter (where direction = 'out' and relation = 'same') as out_same,
    count(*) filter (where direction = 'out' and relation = 'after') as out_after
from round_moves(
    $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency,
    '', false, $months, $limit
)
group by kind
order by n_rounds desc, kind
