-- Pay figures the current filters select, largest first, one row per figure: the original
-- amount, currency and wording, and the low, midpoint and high converted to $currency
-- (with the rates of the year reported, or in constant dollars of $constant_year; NULL
-- where fx_rates or cpi has no value for that year), with person, firm, source, certainty.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default [], firm kinds; empty = all),
--         $currency (VARCHAR), $constant_year (INTEGER, default 0, 0 = nominal),
--         $person_id (VARCHAR, default '', '' = all), $firm_id (VARCHAR, default '', '' = all),
--         $firm_ids (VARCHAR[], default [], offering firms; empty = all), $pay_kinds (VARCHAR[], default [], empty = all),
--         $outcomes (VARCHAR[], default [], empty = all), $limit (INTEGER)
with

listed as (
    -- the figures listed, chosen by their converted amounts before anything else of them is
    -- read: the top-N carries four numbers per figure, then pay_n fetches the rest
    select pay_n, low_converted, high_converted, mid_converted
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        $person_id, $firm_id, $firm_ids, $pay_kinds, $outcomes
    )
    order by high_converted desc nulls last, low_converted desc nulls last, pay_n
    limit $limit
),

final as (
    select
        c.comp_id,
        c.person_id,
        c.person_label as person,  -- NULL: the article names nobody
        c.firm_id,
        display_name(c.firm_name, c.firm_name_zh) as firm,
        c.kind,
        c.period,
        c.outcome,
        c.amount_text,
        c.amount_low,
        c.amount_high,
        c.currency,
        l.low_converted,
        l.high_converted,
        l.mid_converted,
        $currency as display_currency,
        c.year_reported,
        fmt_date(c.reported_on, c.reported_on_precision) as reported_on,
        c.certainty,
        c.source_title as source,
        c.source_publisher,
        c.note
    from listed as l
    join pay_facts as c on c.pay_n = l.pay_n
)

select * from final
order by high_converted desc nulls last, low_converted desc nulls last, comp_id
limit $limit
