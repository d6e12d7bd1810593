-- Funding rounds and deals the current filters select, largest first (deal_rank: completed ones
-- before those that did not complete, then unknown amounts), one row per round:
-- the original amount, the amount and valuation converted to $currency at the announcement
-- year's rates, the investors, the stated or implied valuation (amount / stake), source and
-- certainty. is_raised marks what counts as capital raised: a completed seed, series,
-- strategic or other round with an amount (never a terminated or rumored deal, never an
-- acquisition or acqui-hire). funding_rounds_count counts what the same filters select.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default [], empty = every firm kind),
--         $countries (VARCHAR[], default [], empty = all), $round_types (VARCHAR[], default [], empty = all),
--         $statuses (VARCHAR[], default [], empty = all), $currency (VARCHAR), $firm_id (VARCHAR, default '', '' = all;
--         else that firm's rounds and those it invested in), $limit (INTEGER)
with

selected as (
    select *
    from selected_rounds(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency
    ) as r
    where $firm_id = '' or r.firm_id = $firm_id
        or r.round_id in (select round_id from round_investors where investor_id = $firm_id)
),

top as (
    -- the rounds listed, chosen before their sources are joined
    select *
    from selected
    order by deal_rank(status, amount_converted) desc nulls last, amount_converted desc nulls last, amount desc nulls last, round_id
    limit $limit
),

final as (
    select
        r.round_id,
        r.firm_id,
        display_name(r.firm_name, r.firm_name_zh) as firm,
        fmt_date(r.announced_on, r.announced_on_precision) as announced_on,
        r.announced_on as announced_date,
        r.round_type,
        r.status,
        r.amount,
        r.amount_qualifier,
        r.currency,
        r.amount_converted,
        $currency as display_currency,
        r.valuation,
        r.valuation_qualifier,
        r.stake_pct,
        -- a stake bought for an amount implies the valuation amount / stake
        case when r.valuation is null and r.amount is not null and r.stake_pct is not null
            then r.amount * 100 / r.stake_pct end as implied_valuation,
        (coalesce(r.valuation, case when r.amount is not null and r.stake_pct is not null
                then r.amount * 100 / r.stake_pct end)) * r.fx_factor as valuation_converted,
        r.status = 'completed' and r.round_type in ('seed', 'series', 'strategic', 'other')
            and r.amount is not null as is_raised,
        r.certainty,
        case when r.announced_on_certainty is distinct from r.certainty then r.announced_on_certainty end
            as announced_on_certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        s.publisher as source_publisher,
        r.note
    from top as r
    join sources as s on s.source_id = r.source_id
),

listed as (
    select * from final
    order by deal_rank(status, amount_converted) desc nulls last, amount_converted desc nulls last, amount desc nulls last, round_id
    limit $limit
),

investors as (
    -- named only for the rounds listed: aggregating every round's investors is wasted work
    select
        ri.round_id,
        -- each firm with what it is to the deal: lead investor, buyer or partner
        string_agg(
            display_name(f.name, f.name_zh) || case
                when ri.role = 'partner' then ' (partner)'
                when ri.role = 'buyer' then ' (buyer)'
                when ri.role = 'payer' then ' (payer)'
                when ri.is_lead then ' (lead)' else '' end,
            ', ' order by ri.is_lead desc, f.name
        ) as investors
    from round_investors as ri
    semi join listed as t on t.round_id = ri.round_id
    join firms as f on f.firm_id = ri.investor_id
    group by ri.round_id
)

select t.*, i.investors
from listed as t
left join investors as i on i.round_id = t.round_id
order by deal_rank(t.status, t.amount_converted) desc nulls last, t.amount_converted desc nulls last, t.amount desc nulls last, t.round_id
