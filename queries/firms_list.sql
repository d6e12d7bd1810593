-- Firms whose name matches $search, one row each, at most $limit by name: names, kind,
-- country, parent, and the people it gained and lost over all time at the certainty filter,
-- at both levels, each named: the firm alone (n_gained, n_lost, net: its own arrivals and
-- departures) and with its subsidiaries (n_gained_group, ...: moves between its own units
-- are neither; equal to the firm alone for a firm without subsidiaries). The same levels give
-- the same numbers as Talent flows (levels firm and parent, every year) and the profiles.
-- n_found: how many matched in all.
-- Params: $search (VARCHAR, default '', '' = every firm), $kinds (VARCHAR[], default [], empty = every kind),
--         $min_certainty (VARCHAR, default 'rumor'), $limit (INTEGER)
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
    select m.*, fl.firm_n, fl.root_n, exists (select 1 from firms as c where c.parent_id = m.firm_id) as has_subsidiaries
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
    where c.certainty_level >= certainty_level($min_certainty)
    group by c.firm_n
),

group_roots as (
    -- top-level firms with subsidiaries: their family is every firm that rolls up to them
    select firm_n from listed where has_subsidiaries and firm_n = root_n
),

group_counts as (
    select g.firm_n,
        (select count(*) from move_facts as m
            where m.to_root_n = g.firm_n and m.from_root_n is distinct from g.firm_n
                and m.certainty_level >= certainty_level($min_certainty)) as n_gained,
        (select count(*) from move_facts as m
            where m.from_root_n = g.firm_n and m.to_root_n is distinct from g.firm_n
                and m.from_level >= certainty_level($min_certainty)) as n_lost
    from group_roots as g
),

final as (
    select
        f.firm_id,
        display_name(f.name, f.name_zh) as firm,
        f.kind,
        f.country,
        display_name(parent.name, parent.name_zh) as parent,
        fmt_date(f.founded_on, f.founded_on_precision) as founded_on,
        coalesce(c.n_gained, 0) as n_gained,
        coalesce(c.n_lost, 0) as n_lost,
        coalesce(c.n_gained, 0) - coalesce(c.n_lost, 0) as net,
        coalesce(g.n_gained, c.n_gained, 0) as n_gained_group,
        coalesce(g.n_lost, c.n_lost, 0) as n_lost_group,
        coalesce(g.n_gained, c.n_gained, 0) - coalesce(g.n_lost, c.n_lost, 0) as net_group,
        f.has_subsidiaries,
        (select count(*) from matched) as n_found
    from listed as f
    left join firms as parent on parent.firm_id = f.parent_id
    left join counts as c on c.firm_n = f.firm_n
    left join group_counts as g on g.firm_n = f.firm_n
)

select * from final
order by firm, firm_id
