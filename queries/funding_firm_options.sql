-- The firms with at least one round or deal, one row each, most capital raised first:
-- the options (and the default pick) of the firms compared on the Funding page.
-- Params: none
select
    r.firm_id,
    fl.firm_label as firm,
    count(*) as n_rounds,
    sum(r.amount * fx.usd_per_unit) filter (
        where r.status = 'completed' and r.round_type in ('seed', 'series', 'strategic', 'other')
    ) as raised_usd
from funding_rounds as r
join firm_levels as fl on fl.firm_id = r.firm_id
left join fx_rates as fx on fx.currency = r.currency and fx.year = year(r.announced_on)
group by all
order by raised_usd desc nulls last, n_rounds desc, firm
