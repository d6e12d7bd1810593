-- Pay over time and by outcome, in one pass over the figures the filters select (two
-- grouping sets): one row per (year reported, kind, period), with summary = 'year', and one
-- row per (outcome, period), with summary = 'outcome'; each with the number of figures, the
-- lowest low, the median midpoint and the highest high in $currency. Kinds and periods stay
-- apart: a one-time bonus is never aggregated with an annual salary. atlas.tables.split_pay_summary
-- turns the rows into the two tables the page draws.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $currency (VARCHAR),
--         $constant_year (INTEGER, default 0), $firm_ids (VARCHAR[], default []), $pay_kinds (VARCHAR[], default []), $outcomes (VARCHAR[], default [])
with

figures as (
    select year_reported, outcome, kind, period, low_converted, mid_converted, high_converted
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        '', '', $firm_ids, $pay_kinds, $outcomes
    )
),

final as (
    select
        case when grouping(year_reported) = 0 then 'year' else 'outcome' end as summary,
        year_reported as year,
        outcome,
        kind,
        period,
        count(*) as n_figures,
        min(low_converted) as min_low,
        median(mid_converted) as median_mid,
        max(high_converted) as max_high
    from figures
    group by grouping sets ((year_reported, kind, period), (outcome, period))
)

select * from final
order by summary desc, year, period, kind, outcome
