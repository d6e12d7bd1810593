-- The distribution of pay figures: one row per (kind, period, power-of-ten bin of the
-- midpoint in $currency), with the number of figures. Bins are quarter decades on a log
-- scale (bin_low to bin_high), so a chart of millions of figures draws a few hundred bars.
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

binned as (
    select kind, period, floor(log10(mid_converted) * 4) / 4 as log_low
    from figures
    where mid_converted > 0
),

final as (
    select kind, period, pow(10, log_low) as bin_low, pow(10, log_low + 0.25) as bin_high, count(*) as n_figures
    from binned
    group by all
)

select * from final
order by period, kind, bin_low
