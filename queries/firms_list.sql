-- Firms whose name matches $search, one row each, at most $limit by name: names, kind,
-- country, parent, the people it gained and lost across all moves (its own arrivals and
-- departures, not its subsidiaries'), and n_found, how many matched in all.
-- Params: $search (VARCHAR, default '', '' = every firm), $kinds (VARCHAR[], default [], empty = every kind), $limit (INTEGER)
with

matched as (
    select f.*
    from firms as f
    where (len($kinds) = 0 or list_contains($kinds, f.kind))
        and ($search = ''
            or contains(lower(f.name), lower($search))
            or contains(coalesce(f.name_zh, ''), $search))
),

listed as (
    select m.*, fl.firm_n
    from matched as m
    join firm_levels as fl on fl.firm_id = m.firm_id
    order by m.name, m.firm_id
    limit $limit
),

counts as (
    -- from the per-firm move counts of every load, for the listed firms only
    select c.firm_n, sum(c.n_in)::bigint as n_gained, sum(c.n_out)::bigint as n_lost
    from firm_move_counts as c
    semi join listed as l on l.firm_n = c.firm_n
    group by c.firm_n
),

final as (
    select
        f.firm_id,
        display_name(f.name, f.name_zh) as firm,
        f.kind,
        f.country,
        display_name(parent.name, parent.name_zh) as parent,
        fmt_date(f.founded_on, f.founded_on_precision) as founded_on,
        coalesce(g.n_gained, 0) as n_gained,
        coalesce(g.n_lost, 0) as n_lost,
        coalesce(g.n_gained, 0) - coalesce(g.n_lost, 0) as net,
        (select count(*) from matched) as n_found
    from listed as f
    left join firms as parent on parent.firm_id = f.parent_id
    left join counts as g on g.firm_n = f.firm_n
)

select * from final
order by firm
