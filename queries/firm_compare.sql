-- Compare firms by money and talent: one row per firm in $firm_ids with capital raised
-- (completed rounds that count as raised), the last known valuation (stated or implied),
-- the number of rounds, the largest investor by amount, people gained and lost (moves into
-- and out of the firm alone, not its subsidiaries), and the largest pay figure it offered,
-- each in $currency and each with its source; all of them within the period and certainty.
-- Params: $firm_ids (VARCHAR[], default []), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $currency (VARCHAR)
with

rounds as materialized (
    select
        r.*,
        (r.amount) * fx.factor as amount_converted,
        (coalesce(r.valuation, case when r.amount is not null and r.stake_pct is not null
                then r.amount * 100 / r.stake_pct end)) * fx.factor as valuation_converted,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source
    from funding_rounds as r
    join sources as s on s.source_id = r.source_id
    left join fx_factors($currency, 0) as fx on fx.currency = r.currency and fx.year = year(r.announced_on)
    where list_contains($firm_ids, r.firm_id) and at_least_certain(r.certainty, $min_certainty)
        and in_period(r.announced_on, $start_year, $end_year, $include_undated)
),

raised as (
    select
        firm_id,
        sum(amount_converted) as total_raised,
        -- a sum with a "more than" (or "about") amount in it is itself at least (or about) that much
        case when bool_or(amount_qualifier = 'at_least') then 'at_least'
            when bool_or(amount_qualifier = 'about') then 'about' end as raised_qualifier,
        count(*) as n_rounds_raised,
        arg_max(source, amount_converted) as raised_source
    from rounds
    where status = 'completed' and round_type in ('seed', 'series', 'strategic', 'other') and amount is not null
    group by firm_id
),

counts as (
    select firm_id, count(*) as n_rounds from rounds group by firm_id
),

valuation as (
    -- the latest; on the same date the larger (a stated "more than" over an implied figure)
    select
        firm_id,
        arg_max(valuation_converted, [epoch(coalesce(announced_on, date '1900-01-01')), valuation_converted])
            as last_valuation,
        arg_max(
            case when valuation is null then 'implied by amount / stake'
                when valuation_qualifier = 'at_least' then 'more than' end,
            [epoch(coalesce(announced_on, date '1900-01-01')), valuation_converted]
        ) as valuation_note,
        arg_max(source, [epoch(coalesce(announced_on, date '1900-01-01')), valuation_converted]) as valuation_source
    from rounds
    where valuation_converted is not null and status = 'completed'
    group by firm_id
),

investor_amounts as (
    select r.firm_id, ri.investor_id, sum(r.amount_converted) as amount, any_value(r.source) as source
    from rounds as r
    join (
        -- investors only: a partner put no money in, a buyer bought the firm
        select round_id, investor_id from investments where list_contains($firm_ids, firm_id) and role = 'investor'
    ) as ri
        on ri.round_id = r.round_id
    where r.status = 'completed'
    group by all
),

largest_investor as (
    select
        firm_id,
        arg_max(investor_id, coalesce(amount, 0)) as investor_id,
        max(amount) as investor_amount,
        arg_max(source, coalesce(amount, 0)) as investor_source
    from investor_amounts
    group by firm_id
),

compared as (
    select firm_n, firm_id from firm_levels where list_contains($firm_ids, firm_id)
),

flows as (
    -- moves in and out at the certainty chosen: over the whole period from the per-firm counts
    -- every load derives, over a narrowed period from the moves themselves
    select cf.firm_id, sum(c.n_in)::bigint as n_gained, sum(c.n_out)::bigint as n_lost
    from firm_move_counts as c
    join compared as cf on cf.firm_n = c.firm_n
    where $include_undated and c.certainty_level >= certainty_level($min_certainty)
    group by cf.firm_id
    union all
    select cf.firm_id, count(*) filter (m.to_n = cf.firm_n), count(*) filter (m.from_n = cf.firm_n)
    from selected_moves($start_year, $end_year, $include_undated, $min_certainty, [], [], '') as m
    join compared as cf on cf.firm_n = m.to_n or cf.firm_n = m.from_n
    where not $include_undated
    group by cf.firm_id
),

pay as (
    select
        c.firm_id,
        max((c.amount_high) * fx.factor) as largest_pay,
        arg_max(c.kind || ', ' || replace(c.period, '_', ' '),
            (c.amount_high) * fx.factor) as largest_pay_kind,
        arg_max(source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision), (c.amount_high) * fx.factor) as pay_source
    from compensation as c
    join sources as s on s.source_id = c.source_id
    left join fx_factors($currency, 0) as fx on fx.currency = c.currency and fx.year = year(c.reported_on)
    where list_contains($firm_ids, c.firm_id) and at_least_certain(c.certainty, $min_certainty)
        and in_period(c.reported_on, $start_year, $end_year, $include_undated)
    group by c.firm_id
),

final as (
    select
        f.firm_id,
        f.firm_label as firm,
        f.kind,
        f.country,
        ra.total_raised,
        ra.raised_qualifier,
        ra.raised_source,
        v.last_valuation,
        v.valuation_note,
        v.valuation_source,
        coalesce(c.n_rounds, 0) as n_rounds,
        inv.firm_label as largest_investor,
        li.investor_amount,
        li.investor_source,
        coalesce(fl.n_gained, 0) as n_gained,
        coalesce(fl.n_lost, 0) as n_lost,
        pay.largest_pay,
        pay.largest_pay_kind,
        pay.pay_source,
        $currency as display_currency
    from firm_levels as f
    left join raised as ra on ra.firm_id = f.firm_id
    left join valuation as v on v.firm_id = f.firm_id
    left join counts as c on c.firm_id = f.firm_id
    left join largest_investor as li on li.firm_id = f.firm_id
    left join firm_levels as inv on inv.firm_id = li.investor_id
    left join flows as fl on fl.firm_id = f.firm_id
    left join pay on pay.firm_id = f.firm_id
    where list_contains($firm_ids, f.firm_id)
)

select * from final
order by total_raised desc nulls last, firm
