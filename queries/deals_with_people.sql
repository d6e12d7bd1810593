-- Deals (acquisitions, acqui-hires, and hires: money paid to bring people over): one row per
-- deal, the 500 largest (deal_rank: completed ones first), with the buyer, the amount in $currency, the status, and the
-- people who moved from the target to the buyer in the deal's year (from the moves
-- table, matched by every load: deal_people), with the source.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []),
--         $statuses (VARCHAR[], default []), $currency (VARCHAR)
with

top as materialized (
    -- the 500 largest deals
    select *
    from selected_rounds(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, []::varchar[], $statuses,
        $currency
    )
    where round_type in ('acquisition', 'acquihire', 'hire')
    order by deal_rank(status, amount_converted) desc nulls last, amount_converted desc nulls last, round_id
    limit 500
),

largest as materialized (
    -- with their buyer (or, in older data, the lead investor), looked up for these rounds only
    select t.*, ri.investor_id as buyer_id
    from top as t
    left join (
        select round_id, investor_id from round_investors
        where (role in ('buyer', 'payer') or (role is null and is_lead)) and round_id in (select round_id from top)
        qualify row_number() over (partition by round_id order by role in ('buyer', 'payer') desc, investor_id) = 1
    ) as ri on ri.round_id = t.round_id
),

people_moved as (
    -- who moved from the target to the buyer in the deal's year (deal_people, every load)
    select dp.round_id, dp.people, dp.n_people
    from deal_people as dp
    semi join largest as d on d.round_id = dp.round_id
),

final as (
    select
        d.round_id,
        d.firm_id,
        target.firm_label as target,
        d.buyer_id,
        buyer.firm_label as buyer,
        d.round_type,
        d.status,
        fmt_date(d.announced_on, d.announced_on_precision) as announced_on,
        d.amount,
        d.amount_qualifier,
        d.currency,
        d.amount_converted,
        $currency as display_currency,
        pm.people,
        coalesce(pm.n_people, 0) as n_people,
        d.certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        d.note
    from largest as d
    join firm_levels as target on target.firm_id = d.firm_id
    left join firm_levels as buyer on buyer.firm_id = d.buyer_id
    join sources as s on s.source_id = d.source_id
    left join people_moved as pm on pm.round_id = d.round_id
)

select * from final
order by deal_rank(status, amount_converted) desc nulls last, amount_converted desc nulls last, round_id
