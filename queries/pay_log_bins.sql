-- The distribution of pay figures: one row per (kind, period, power-of-ten bin of the
-- midpoint in $currency), with the number of figures. Bins are quarter decades on a log
-- scale (bin_low to bin_high), so a chart of millions of figures draws a few hundred bars.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[]), $currency (VARCHAR),
--         $constant_year (INTEGER), $firm_ids (VARCHAR[]), $pay_kinds (VARCHAR[]), $outcomes (VARCHAR[])
with

figures as (
    select
        c.kind,
        c.period,
        ((c.amount_low + c.amount_high) / 2) * fx.factor
            as mid
    from compensation as c
    join firms as f on f.firm_id = c.firm_id
    left join fx_factors($currency, $constant_year) as fx
        on fx.currency = c.currency and fx.year = year(c.reported_on)
    where in_period(c.reported_on, $start_year, $end_year, $include_undated)
        and at_least_certain(c.certainty, $min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, f.kind))
        and (len($firm_ids) = 0 or list_contains($firm_ids, c.firm_id))
        and (len($pay_kinds) = 0 or list_contains($pay_kinds, c.kind))
        and (len($outcomes) = 0 or list_contains($outcomes, c.outcome))
),

binned as (
    select kind, period, floor(log10(mid) * 4) / 4 as log_low
    from figures
    where mid > 0
),

final as (
    select kind, period, pow(10, log_low) as bin_low, pow(10, log_low + 0.25) as bin_high, count(*) as n_figures
    from binned
    group by all
)

select * from final
order by period, kind, bin_low
