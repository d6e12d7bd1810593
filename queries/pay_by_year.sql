-- Pay over time: one row per (year reported, kind, period) with the number of figures,
-- the lowest low, the median midpoint and the highest high in $currency. Kinds and periods
-- stay apart: a one-time bonus is never aggregated with an annual salary.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[]), $currency (VARCHAR), $constant_year (INTEGER),
--         $firm_ids (VARCHAR[]), $pay_kinds (VARCHAR[]), $outcomes (VARCHAR[])
with

figures as (
    select
        year(c.reported_on) as year,
        c.kind,
        c.period,
        (c.amount_low) * fx.factor as low,
        (c.amount_high) * fx.factor as high,
        ((c.amount_low + c.amount_high) / 2) * fx.factor
            as mid
    from compensation as c
    join firms as f on f.firm_id = c.firm_id
    left join fx_factors($currency, $constant_year) as fx
        on fx.currency = c.currency and fx.year = year(c.reported_on)
    where year(c.reported_on) between $start_year and $end_year
        and at_least_certain(c.certainty, $min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, f.kind))
        and (len($firm_ids) = 0 or list_contains($firm_ids, c.firm_id))
        and (len($pay_kinds) = 0 or list_contains($pay_kinds, c.kind))
        and (len($outcomes) = 0 or list_contains($outcomes, c.outcome))
),

final as (
    select year, kind, period, count(*) as n_figures, min(low) as min_low, median(mid) as median_mid,
        max(high) as max_high
    from figures
    group by all
)

select * from final
order by year, period, kind
