-- Whom one group gained people from and lost people to, one row per (direction,
-- counterpart) at the chosen level, with the first and latest date (at their precision; NULL
-- when every move is undated), how many are undated, and the people's full names (the first
-- 20 by name, then how many more); the 25 largest counterparts in each direction.
-- Params: $level (VARCHAR), $focus (VARCHAR: the group key), $start_year (INTEGER),
--         $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []), $search (VARCHAR, default ''),
--         $lineage (VARCHAR, its default atlas.pages' LINEAGES[0]: 'today' counts a renamed, merged or acquired firm as its successor)
with

groups as (
    select group_n, group_key, label from flow_groups where level = $level
),

focus as (
    select group_n from groups where group_key = $focus
),

ends as (
    select src_n, dst_n, person_label, moved_on, moved_on_precision
    from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search, lineage := $lineage)
    where not inside_group(src_n, dst_n)
        and (src_n = (select group_n from focus) or dst_n = (select group_n from focus))
),

sides as (
    select 'gained from' as direction, src_n as other_n, person_label, moved_on, moved_on_precision
    from ends where dst_n = (select group_n from focus)
    union all
    select 'lost to', dst_n, person_label, moved_on, moved_on_precision
    from ends where src_n = (select group_n from focus)
),

counted as (
    select
        direction,
        other_n,
        count(*) as n_moves,
        arg_min(fmt_date(moved_on, moved_on_precision), moved_on) as first_on,
        arg_max(fmt_date(moved_on, moved_on_precision), moved_on) as last_on,
        count(*) filter (where moved_on is null) as n_undated,
        list_sort(list(distinct person_label)) as people
    from sides
    group by direction, other_n
),

final as (
    select
        c.direction,
        case when c.other_n is not null then g.label
            when c.direction = 'gained from' then 'Unknown origin'
            else 'Left, destination unknown' end as counterpart,
        c.n_moves,
        c.first_on,
        c.last_on,
        c.n_undated,
        array_to_string(c.people[1:20], ', ')
            || case when len(c.people) > 20 then ' and ' || (len(c.people) - 20) || ' more' else '' end as names
    from counted as c
    left join groups as g on g.group_n = c.other_n
)

select * from final
qualify row_number() over (partition by direction order by n_moves desc, counterpart) <= 25
order by direction, n_moves desc, counterpart
