-- Firms whose name matches $search, one row each, at most $limit by name: names, kind,
-- country, parent, the people it gained and lost across all moves (its own arrivals and
-- departures, not its subsidiaries'), and n_found, how many matched in all.
-- Params: $search (VARCHAR, '' = every firm), $kinds (VARCHAR[], empty = every kind), $limit (INTEGER)
with

gained as (
    select to_firm_id as firm_id, count(*) as n_gained
    from moves
    where to_firm_id is not null
    group by to_firm_id
),

lost as (
    select from_firm_id as firm_id, count(*) as n_lost
    from moves
    where from_firm_id is not null
    group by from_firm_id
),

matched as (
    select f.*, count(*) over () as n_found
    from firms as f
    where (len($kinds) = 0 or list_contains($kinds, f.kind))
        and ($search = ''
            or contains(lower(f.name), lower($search))
            or contains(coalesce(f.name_zh, ''), $search))
    order by f.name, f.firm_id
    limit $limit
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
        coalesce(l.n_lost, 0) as n_lost,
        coalesce(g.n_gained, 0) - coalesce(l.n_lost, 0) as net,
        f.n_found
    from matched as f
    left join firms as parent on parent.firm_id = f.parent_id
    left join gained as g on g.firm_id = f.firm_id
    left join lost as l on l.firm_id = f.firm_id
)

select * from final
order by firm
