-- Who pays the most, in which form: one row per (offering firm, kind, period) for the
-- $top_n firms with the largest single figure, with the number of figures, the largest
-- high, and the median midpoint in $currency. One-time and per-year figures are separate
-- rows, never one aggregate.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[]), $currency (VARCHAR),
--         $constant_year (INTEGER), $firm_ids (VARCHAR[]), $pay_kinds (VARCHAR[]),
--         $outcomes (VARCHAR[]), $top_n (INTEGER)
with

figures as (
    select
        c.firm_id,
        c.kind,
        c.period,
        (c.amount_high) * fx.factor as high,
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

top_firms as (
    select firm_id, max(high) as top_high
    from figures
    group by firm_id
    order by top_high desc nulls last, firm_id
    limit $top_n
),

final as (
    select
        fi.firm_id,
        fl.firm_label as firm,
        fi.kind,
        fi.period,
        count(*) as n_figures,
        max(fi.high) as max_high,
        median(fi.mid) as median_mid,
        any_value(t.top_high) as top_high
    from figures as fi
    join top_firms as t on t.firm_id = fi.firm_id
    join firm_levels as fl on fl.firm_id = fi.firm_id
    group by all
)

select * from final
order by top_high desc nulls last, firm, period, kind
