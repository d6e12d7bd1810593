-- The firms with at least one round or deal, one row each, most capital raised (in US
-- dollars) first: the options (and the default pick) of the firms compared on the Funding
-- page. Only the $limit firms that raised the most are listed, plus every firm in $include
-- (the ones a link or the current pick names).
-- Params: $limit (INTEGER), $include (VARCHAR[])
with

counted as (
    select
        r.firm_id,
        count(*) as n_rounds,
        sum(r.amount * fx.usd_per_unit) filter (
            where r.status = 'completed' and r.round_type in ('seed', 'series', 'strategic', 'other')
        ) as raised_usd
    from funding_rounds as r
    left join fx_rates as fx on fx.currency = r.currency and fx.year = year(r.announced_on)
    group by r.firm_id
),

final as (
    select c.firm_id, fl.firm_label as firm, c.n_rounds, c.raised_usd
    from counted as c
    join firm_levels as fl on fl.firm_id = c.firm_id
    qualify row_number() over (order by c.raised_usd desc nulls last, c.n_rounds desc, fl.firm_label) <= $limit
        or list_contains($include, c.firm_id)
)

select * from final
order by raised_usd desc nulls last, n_rounds desc, firm
