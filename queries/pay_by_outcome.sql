-- Offers by outcome (offered, accepted, declined, unknown), one row per (outcome, period)
-- with the number of figures and the median midpoint in $currency; periods stay apart.
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
    select outcome, period, count(*) as n_figures, median(mid_converted) as median_mid
    from figures
    group by all
)

select * from final
order by period, outcome
