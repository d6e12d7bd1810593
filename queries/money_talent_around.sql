-- Money and talent, aligned at the round: one row per month from the round (offset_months, the
-- move's month less the round's, at the coarser of the two dates' precisions) and direction
-- ('in' or 'out'), with the moves into or out of the rounds' firms there, how many rounds they
-- surround and how many of the moves were placed only by their year. The same rounds and window
-- as money_talent_rounds.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $round_types (VARCHAR[], default []),
--         $statuses (VARCHAR[], default []), $currency (VARCHAR), $firm_id (VARCHAR, default ''),
--         $with_subsidiaries (BOOLEAN, default false), $months (INTEGER), $limit (INTEGER)
select
    offset_months,
    direction,
    sum(n_moves)::bigint as n_moves,
    count(distinct round_id) as n_rounds,
    coalesce(sum(n_moves) filter (where compared_to = 'year'), 0)::bigint as n_by_year
from round_move_counts(
    $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency,
    $firm_id, $with_subsidiaries, $months, $limit
)
group by all
order by offset_months, direction
