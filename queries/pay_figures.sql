-- Pay figures the current filters select, largest first, one row per figure: the original
-- amount and currency, and the low and high converted to $currency with the exchange rates
-- of the year the figure was reported (NULL where fx_rates has no rate for that year).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], empty = every firm kind),
--         $currency (VARCHAR), $person_id (VARCHAR, '' = all), $firm_id (VARCHAR, '' = all),
--         $limit (INTEGER)
with

selected as (
    select c.*, f.name as firm_name, f.name_zh as firm_name_zh
    from compensation as c
    join firms as f on f.firm_id = c.firm_id
    where in_period(c.reported_on, $start_year, $end_year, $include_undated)
        and at_least_certain(c.certainty, $min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, f.kind))
        and ($person_id = '' or c.person_id = $person_id)
        and ($firm_id = '' or c.firm_id = $firm_id)
),

converted as (
    select
        s.*,
        src.usd_per_unit / dst.usd_per_unit as rate
    from selected as s
    left join fx_rates as src on src.currency = s.currency and src.year = year(s.reported_on)
    left join fx_rates as dst on dst.currency = $currency and dst.year = year(s.reported_on)
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
        c.amount_low * c.rate as low_converted,
        c.amount_high * c.rate as high_converted,
        $currency as display_currency,
        fmt_date(c.reported_on, c.reported_on_precision) as reported_on,
        c.certainty,
        s.title as source,
        s.publisher as source_publisher,
        c.note
    from converted as c
    join sources as s on s.source_id = c.source_id
    left join people as p on p.person_id = c.person_id
)

select * from final
order by high_converted desc nulls last, low_converted desc nulls last, comp_id
limit $limit
