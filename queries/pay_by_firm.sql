-- Who pays the most, in which form: one row per (offering firm, kind, period) for the
-- $top_n firms with the largest single figure, with the number of figures, the largest
-- high, and the median midpoint in $currency. One-time and per-year figures are separate
-- rows, never one aggregate.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[]), $currency (VARCHAR),
--         $constant_year (INTEGER), $firm_ids (VARCHAR[]), $pay_kinds (VARCHAR[]), $outcomes (VARCHAR[]),
--         $top_n (INTEGER)
with

figures as (
    select *
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        '', '', $firm_ids, $pay_kinds, $outcomes
    )
),

top_firms as (
    select firm_id, max(high_converted) as top_high
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
        max(fi.high_converted) as max_high,
        median(fi.mid_converted) as median_mid,
        any_value(t.top_high) as top_high
    from figures as fi
    join top_firms as t on t.firm_id = fi.firm_id
    join firm_levels as fl on fl.firm_id = fi.firm_id
    group by all
)

select * from final
order by top_high desc nulls last, firm, period, kind
