-- The distribution of pay figures: one row per (kind, period, power-of-ten bin of the
-- midpoint in $currency), with the number of figures. Bins are quarter decades on a log
-- scale (bin_low to bin_high), so a chart of millions of figures draws a few hundred bars.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $currency (VARCHAR),
--         $constant_year (INTEGER, default 0), $firm_ids (VARCHAR[], default []), $pay_kinds (VARCHAR[], default []), $outcomes (VARCHAR[], default [])
with

figures as (
    select *
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        '', '', $firm_ids, $pay_kinds, $outcomes
    )
),

binned as (
    -- bins are integers (quarter decades) until grouped; a figure without a positive
    -- converted amount gets none (a CASE, not a WHERE: DuckDB would push that filter
    -- below the currency join and slow every figure down)
    select kind, period, case when mid_converted > 0 then floor(log10(mid_converted) * 4)::integer end as bin
    from figures
),

counted as (
    select kind, period, bin, count(*) as n_figures
    from binned
    group by all
),

final as (
    select kind, period, pow(10, bin / 4) as bin_low, pow(10, (bin + 1) / 4) as bin_high, n_figures
    from counted
    where bin is not null
)

select * from final
order by period, kind, bin_low
