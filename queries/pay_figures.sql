-- Pay figures the current filters select, largest first, one row per figure: the original
-- amount, currency and wording, and the low, midpoint and high converted to $currency
-- (with the rates of the year reported, or in constant dollars of $constant_year; NULL
-- where fx_rates or cpi has no value for that year), with person, firm, source, certainty.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], firm kinds; empty = all),
--         $currency (VARCHAR), $constant_year (INTEGER, 0 = nominal),
--         $person_id (VARCHAR, '' = all), $firm_id (VARCHAR, '' = all),
--         $firm_ids (VARCHAR[], offering firms; empty = all), $pay_kinds (VARCHAR[], empty = all),
--         $outcomes (VARCHAR[], empty = all), $limit (INTEGER)
with

listed as (
    -- the figures listed, chosen before anything is joined to them
    select *
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $currency, $constant_year,
        $person_id, $firm_id, $firm_ids, $pay_kinds, $outcomes
    )
    order by high_converted desc nulls last, low_converted desc nulls last, comp_id
    limit $limit
),

final as (
    select
        c.comp_id,
        c.person_id,
        display_name(p.name, p.name_zh) as person,  -- NULL: the article names nobody
        c.firm_id,
        display_name(c.firm_name, c.firm_name_zh) as firm,
        c.kind,
        c.period,
        c.outcome,
        c.amount_text,
        c.amount_low,
        c.amount_high,
        c.currency,
        c.low_converted,
        c.high_converted,
        c.mid_converted,
        $currency as display_currency,
        c.year_reported,
        fmt_date(c.reported_on, c.reported_on_precision) as reported_on,
        c.certainty,
        s.title as source,
        s.publisher as source_publisher,
        c.note
    from listed as c
    join sources as s on s.source_id = c.source_id
    left join people as p on p.person_id = c.person_id
)

select * from final
order by high_converted desc nulls last, low_converted desc nulls last, comp_id
limit $limit
