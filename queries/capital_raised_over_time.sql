-- Cumulative capital raised, one row per (firm, month with a counted round) in date order,
-- for the firms in $firm_ids, in $currency at each round's year rate; round_id names the
-- round when the month has one, n_rounds counts them. Counted: completed seed, series,
-- strategic and other rounds with an amount and a date; terminated or rumored deals,
-- acquisitions and acqui-hires never count as raised. cumulative_qualifier is 'at_least' once a
-- "more than" round is in the running total (the total is then itself "more than").
-- Params: $firm_ids (VARCHAR[], default []), $start_year (INTEGER), $end_year (INTEGER),
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
        (r.amount) * fx.factor as amount_converted
    from funding_rounds as r
    left join fx_factors($currency, 0) as fx on fx.currency = r.currency and fx.year = year(r.announced_on)
    where list_contains($firm_ids, r.firm_id)
        and r.status = 'completed'
        and r.round_type in ('seed', 'series', 'strategic', 'other')
        and r.amount is not null
        and r.announced_on is not null
        and year(r.announced_on) between $start_year and $end_year
        and at_least_certain(r.certainty, $min_certainty)
),

monthly as (
    -- a chart gets one point per firm and month, however many rounds there were
    select
        firm_id,
        date_trunc('month', announced_on) as announced_on,
        case when count(*) = 1 then any_value(round_id) else count(*) || ' rounds' end as round_id,
        case when count(*) = 1 then any_value(announced_text) else strftime(date_trunc('month', announced_on), '%Y-%m')
            end as announced_text,
        case when count(*) = 1 then any_value(round_type) else 'several' end as round_type,
        case when bool_or(amount_qualifier = 'at_least') then 'at_least' else 'exact' end as amount_qualifier,
        sum(amount_converted) as amount_converted,
        count(*) as n_rounds
    from counted
    group by firm_id, date_trunc('month', announced_on)
),

final as (
    select
        m.*,
        fl.firm_label as firm,
        sum(m.amount_converted) over (
            partition by m.firm_id order by m.announced_on rows unbounded preceding
        ) as cumulative,
        case when bool_or(m.amount_qualifier = 'at_least') over (
            partition by m.firm_id order by m.announced_on rows unbounded preceding
        ) then 'at_least' else 'exact' end as cumulative_qualifier
    from monthly as m
    join firm_levels as fl on fl.firm_id = m.firm_id
)

select * from final
order by firm, announced_on, round_id
