-- People whose name matches $search, one row each, at most $limit by name: names, what
-- they are known for, their latest firm (none after a departure; none either when the order
-- of their moves is unknown, then order_known is false), their number of moves
-- and of sources, and n_found, how many matched in all.
-- Params: $search (VARCHAR, default '', '' = everyone; matched case-insensitively in either name), $limit (INTEGER)
with

matched as not materialized (
    select p.*
    from people as p
    where $search = ''
        or contains(lower(p.name), lower($search))
        or contains(coalesce(p.name_zh, ''), $search)
),

found as (
    select * from matched
    order by name, person_id
    limit $limit
),

final as (
    select
        f.person_id,
        display_name(f.name, f.name_zh) as person,
        f.known_for,
        f.known_for_zh,
        f.origin_country,
        case when coalesce(l.career_order_known, true) then l.to_label end as current_firm,
        coalesce(l.career_order_known, true) as order_known,
        coalesce(l.career_seq, 0) as n_moves,
        coalesce(l.n_sources, 0) as n_sources,
        (select count(*) from matched) as n_found
    from found as f
    left join person_latest as l on l.person_id = f.person_id
)

select * from final
order by person, person_id
