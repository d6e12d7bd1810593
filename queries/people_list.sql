-- People whose name matches $search, one row each, at most $limit by name: names, what
-- they are known for, their latest firm (none after a departure), their number of moves
-- and of sources, and n_found, how many matched in all.
-- Params: $search (VARCHAR, '' = everyone; matched case-insensitively in either name), $limit (INTEGER)
with

found as (
    select p.*, count(*) over () as n_found
    from people as p
    where $search = ''
        or contains(lower(p.name), lower($search))
        or contains(coalesce(p.name_zh, ''), $search)
    order by p.name, p.person_id
    limit $limit
),

n_sources as (
    select m.person_id, count(distinct m.source_id) as n_sources
    from moves as m
    semi join found as f on f.person_id = m.person_id
    group by m.person_id
),

final as (
    select
        f.person_id,
        display_name(f.name, f.name_zh) as person,
        f.known_for,
        f.origin_country,
        l.to_label as current_firm,
        coalesce(l.career_seq, 0) as n_moves,
        coalesce(n.n_sources, 0) as n_sources,
        f.n_found
    from found as f
    left join person_latest as l on l.person_id = f.person_id
    left join n_sources as n on n.person_id = f.person_id
)

select * from final
order by person
