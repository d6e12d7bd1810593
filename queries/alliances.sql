-- Strategic alliances: one row per (investor, buyer or partner; backed firm) pair, with what
-- it is to the firm (roles: investor, buyer, partner), the number of
-- rounds, the total amount in $currency (completed deals only, with "more than" kept), the
-- amount of the deals that did not complete (terminated or announced: never in the total), the largest stake, the
-- statuses seen and the round types, and whether a round had other backers too (shared: its amount is
-- the whole round's, not this backer's share); the $top_n investors by total amount, and for each
-- the 10 firms it put the most into (so a chart draws at most 10 x $top_n cells).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []),
--         $round_types (VARCHAR[], default []), $statuses (VARCHAR[], default []), $currency (VARCHAR), $top_n (INTEGER)
with

pairs as (
    -- investments: one row per investor in a round, with the round's filter columns
    select
        i.investor_id,
        i.firm_id,
        i.round_type,
        i.status,
        i.stake_pct,
        i.role,
        case when i.status = 'completed' then i.amount * fx.factor end as amount_converted,
        -- a deal that did not complete (terminated, announced) keeps what it was reported at,
        -- apart: shown as such, never added to the total
        case when i.status <> 'completed' then i.amount * fx.factor end as offered_converted,
        i.amount_qualifier,
        -- how many investors, buyers or partners the round has: a round's amount is the whole round's,
        -- never one co-investor's share (the articles do not split it)
        count(*) over (partition by i.round_id) as n_backers
    from investments as i
    left join fx_factors($currency, 0) as fx on fx.currency = i.currency and fx.year = i.year
    where round_matches(i.announced_on, i.certainty, i.kind, i.country, i.round_type, i.status,
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $round_types, $statuses)
),

top_investors as (
    select investor_id, coalesce(sum(amount_converted), 0) as total
    from pairs
    group by investor_id
    order by total desc, investor_id
    limit $top_n
),

grouped as (
    -- each top investor's ten largest pairs, by ids; statuses, types and labels are added
    -- to those alone (ties keep the firm ids in order)
    select
        p.investor_id,
        p.firm_id,
        count(*) as n_rounds,
        sum(p.amount_converted) as total_converted,
        -- a sum with a "more than" amount in it is itself at least that much
        case when bool_or(p.amount_qualifier = 'at_least' and p.amount_converted is not null) then 'at_least'
            when bool_or(p.amount_qualifier = 'about' and p.amount_converted is not null) then 'about'
            end as total_qualifier,
        sum(p.offered_converted) as offered_converted,
        case when bool_or(p.amount_qualifier = 'at_least' and p.offered_converted is not null) then 'at_least'
            when bool_or(p.amount_qualifier = 'about' and p.offered_converted is not null) then 'about'
            end as offered_qualifier,
        max(p.stake_pct) as max_stake_pct,
        bool_or(p.n_backers > 1) as shared
    from pairs as p
    semi join top_investors as t on t.investor_id = p.investor_id
    group by p.investor_id, p.firm_id
    qualify row_number() over (
        partition by p.investor_id order by total_converted desc nulls last, n_rounds desc, p.firm_id
    ) <= 10
),

kinds as (
    select
        p.investor_id,
        p.firm_id,
        string_agg(distinct p.status, ', ' order by p.status) as statuses,
        string_agg(distinct p.round_type, ', ' order by p.round_type) as round_types,
        string_agg(distinct p.role, ', ' order by p.role) as roles
    from pairs as p
    semi join grouped as g on g.investor_id = p.investor_id and g.firm_id = p.firm_id
    group by p.investor_id, p.firm_id
),

final as (
    select
        g.investor_id,
        inv.firm_label as investor,
        g.firm_id,
        fl.firm_label as firm,
        g.n_rounds,
        g.total_converted,
        g.total_qualifier,
        g.offered_converted,
        g.offered_qualifier,
        g.max_stake_pct,
        g.shared,
        k.statuses,
        k.round_types,
        k.roles,
        t.total as investor_total
    from grouped as g
    join kinds as k on k.investor_id = g.investor_id and k.firm_id = g.firm_id
    join top_investors as t on t.investor_id = g.investor_id
    join firm_levels as inv on inv.firm_id = g.investor_id
    join firm_levels as fl on fl.firm_id = g.firm_id
)

select * from final
order by investor_total desc, investor, total_converted desc nulls last, firm
