-- Moves per period and move type, one row per (period, move type), with the first day of the
-- period (period_start) for a temporal axis. $grain is 'year' or 'quarter'. An undated move is
-- counted in a row whose period is NULL, so charts can say how many they leave out. At quarter
-- grain a move known only to its year is counted under that year (precision 'year'), so a
-- chart can draw it as a year-wide band instead of dropping it or placing it falsely.
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
            when q is null then y::varchar
            else y::varchar || '-Q' || q
        end as period,
        case when y is null then null when $grain = 'year' or q is null then 'year' else 'quarter' end as precision,
        case when y is null then null else make_date(y, 3 * coalesce(q, 1) - 2, 1) end as period_start,
        move_type,
        n_moves
    from counted
),

final as (
    select period, precision, period_start, move_type, sum(n_moves)::bigint as n_moves
    from placed
    group by all
)

select * from final
order by period nulls last, move_type
