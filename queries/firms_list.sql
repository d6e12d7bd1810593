-- Every firm, one row each: names, kind, country, parent, and the people it gained and
-- lost across all moves (a firm's own arrivals and departures, not its subsidiaries').
-- Params: $search (VARCHAR, '' = every firm), $kinds (VARCHAR[], empty = every kind)
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
        coalesce(g.n_gained, 0) - coalesce(l.n_lost, 0) as net
    from firms as f
    left join firms as parent on parent.firm_id = f.parent_id
    left join gained as g on g.firm_id = f.firm_id
    left join lost as l on l.firm_id = f.firm_id
    where (len($kinds) = 0 or list_contains($kinds, f.kind))
        and ($search = ''
            or contains(lower(f.name), lower($search))
            or contains(coalesce(f.name_zh, ''), $search))
)

select * from final
order by firm
