-- Cumulative capital raised, one row per (firm, counted round) in date order, for the
-- firms in $firm_ids, in $currency at each round's year rate. Counted: completed seed,
-- series, strategic and other rounds with an amount and a date; terminated or rumored
-- deals, acquisitions and acqui-hires never count as raised.
-- Params: $firm_ids (VARCHAR[]), $start_year (INTEGER), $end_year (INTEGER),
--         $min_certainty (VARCHAR), $currency (VARCHAR)
with

counted as (
    select
        r.firm_id,
        r.round_id,
        r.announced_on,
        fmt_date(r.announced_on, r.announced_on_precision) as announced_text,
        r.round_type,
        r.amount_qualifier,
        to_display(r.amount, r.currency, year(r.announced_on), $currency, 0) as amount_converted
    from funding_rounds as r
    where list_contains($firm_ids, r.firm_id)
        and r.status = 'completed'
        and r.round_type in ('seed', 'series', 'strategic', 'other')
        and r.amount is not null
        and r.announced_on is not null
        and year(r.announced_on) between $start_year and $end_year
        and at_least_certain(r.certainty, $min_certainty)
),

final as (
    select
        c.*,
        fl.firm_label as firm,
        sum(c.amount_converted) over (
            partition by c.firm_id order by c.announced_on, c.round_id rows unbounded preceding
        ) as cumulative
    from counted as c
    join firm_levels as fl on fl.firm_id = c.firm_id
)

select * from final
order by firm, announced_on, round_id
