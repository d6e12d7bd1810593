-- Moves per period and move type, one row per (period, move type). $grain is 'year' or
-- 'quarter'; a move whose date is too coarse for the grain (undated, or known only to the
-- year at quarter grain) is counted in a row whose period is NULL, so charts can say how
-- many they leave out instead of placing them falsely.
-- Params: $grain (VARCHAR), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[]),
--         $countries (VARCHAR[]), $search (VARCHAR)
with

sel as (
    select moved_on, moved_on_precision, move_type
    from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

placed as (
    select
        move_type,
        case
            when moved_on is null then null
            when $grain = 'year' then strftime(moved_on, '%Y')
            when moved_on_precision = 'year' then null
            else strftime(moved_on, '%Y') || '-Q' || quarter(moved_on)
        end as period
    from sel
),

final as (
    select period, move_type, count(*) as n_moves
    from placed
    group by all
)

select * from final
order by period nulls last, move_type
