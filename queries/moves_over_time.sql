-- Moves per period and move type, one row per (period, move type). $grain is 'year' or
-- 'quarter'; a move whose date is too coarse for the grain (undated, or known only to the
-- year at quarter grain) is counted in a row whose period is NULL, so charts can say how
-- many they leave out instead of placing them falsely.
-- Params: $grain (VARCHAR), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $search (VARCHAR, default '')
with

counted as (
    -- grouped by integers first; the period labels are made for the few groups left
    select
        year(moved_on) as y,
        case when $grain = 'quarter' and moved_on_precision <> 'year' then quarter(moved_on) end as q,
        move_type,
        count(*) as n_moves
    from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
    group by all
),

placed as (
    select
        case
            when y is null then null
            when $grain = 'year' then y::varchar
            when q is null then null
            else y::varchar || '-Q' || q
        end as period,
        move_type,
        n_moves
    from counted
),

final as (
    select period, move_type, sum(n_moves)::bigint as n_moves
    from placed
    group by all
)

select * from final
order by period nulls last, move_type
