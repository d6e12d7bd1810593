-- Every firm as an option of the firms compared on the Funding page, one row each: those with
-- the most capital raised (in US dollars) first, then by rounds and deals, then by people moved
-- in and out, so a firm with no round (Google, Meta, ByteDance) can be compared too. Only the
-- $limit first are listed, plus every firm in $include (the ones a link or the current pick
-- names); the default pick is the five first.
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

moved as (
    select firm_n, sum(n_in + n_out)::bigint as n_moves from firm_move_counts group by firm_n
),

final as (
    select fl.firm_id, fl.firm_label as firm, coalesce(c.n_rounds, 0) as n_rounds, c.raised_usd,
        coalesce(m.n_moves, 0) as n_moves
    from firm_levels as fl
    left join counted as c on c.firm_id = fl.firm_id
    left join moved as m on m.firm_n = fl.firm_n
    qualify row_number() over (
        order by c.raised_usd desc nulls last, coalesce(c.n_rounds, 0) desc, coalesce(m.n_moves, 0) desc, fl.firm_label
    ) <= $limit
        or list_contains($include, fl.firm_id)
)

select * from final
order by raised_usd desc nulls last, n_rounds desc, n_moves desc, firm
