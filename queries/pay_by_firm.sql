-- Who pays the most, in which form: one row per (offering firm, kind, period) for the
-- $top_n firms with the largest single figure, with the number of figures, the largest
-- high, and the median midpoint in $currency. One-time and per-year figures are separate
-- rows, never one aggregate.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $currency (VARCHAR),
--         $constant_year (INTEGER, default 0), $firm_ids (VARCHAR[], default []), $pay_kinds (VARCHAR[], default []), $outcomes (VARCHAR[], default []),
--         $top_n (INTEGER), $top_firm_ids (VARCHAR[]: the top firms when already known, in any
--         order; empty = find them here)
with

figures as (
    -- read twice below, so only what they need (integer firm codes, no names); only the top
    -- firms' figures when the page already knows them (atlas.tables.top_firms_listed)
    select firm_n, kind, period, high_converted, mid_converted
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        '', '', $firm_ids, $pay_kinds, $outcomes
    )
    where len($top_firm_ids) = 0
        or firm_n in (select firm_n from firm_levels where list_contains($top_firm_ids, firm_id))
),

top_firms as (
    select firm_n, max(high_converted) as top_high
    from figures
    group by firm_n
    order by top_high desc nulls last, firm_n
    limit $top_n
),

final as (
    select
        fl.firm_id,
        fl.firm_label as firm,
        fi.kind,
        fi.period,
        count(*) as n_figures,
        max(fi.high_converted) as max_high,
        median(fi.mid_converted) as median_mid,
        any_value(t.top_high) as top_high
    from figures as fi
    join top_firms as t on t.firm_n = fi.firm_n
    join firm_levels as fl on fl.firm_n = fi.firm_n
    group by fl.firm_id, fl.firm_label, fi.kind, fi.period
)

select * from final
order by top_high desc nulls last, firm, firm_id, period, kind
