-- Pay over time: one row per (year reported, kind, period) with the number of figures,
-- the lowest low, the median midpoint and the highest high in $currency. Kinds and periods
-- stay apart: a one-time bonus is never aggregated with an annual salary.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[]), $currency (VARCHAR),
--         $constant_year (INTEGER), $firm_ids (VARCHAR[]), $pay_kinds (VARCHAR[]), $outcomes (VARCHAR[])
with

figures as (
    select *
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        '', '', $firm_ids, $pay_kinds, $outcomes
    )
),

final as (
    select
        year_reported as year,
        kind,
        period,
        count(*) as n_figures,
        min(low_converted) as min_low,
        median(mid_converted) as median_mid,
        max(high_converted) as max_high
    from figures
    group by all
)

select * from final
order by year, period, kind
