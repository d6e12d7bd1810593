-- Offers by outcome (offered, accepted, declined, unknown), one row per (outcome, period)
-- with the number of figures and the median midpoint in $currency; periods stay apart.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[]), $currency (VARCHAR),
--         $constant_year (INTEGER), $firm_ids (VARCHAR[]), $pay_kinds (VARCHAR[]), $outcomes (VARCHAR[])
with

figures as (
    select
        c.outcome,
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

final as (
    select outcome, period, count(*) as n_figures, median(mid) as median_mid
    from figures
    group by all
)

select * from final
order by period, outcome
