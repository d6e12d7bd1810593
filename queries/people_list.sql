-- Every person, one row each: names, what they are known for, their latest known firm
-- (NULL when their latest move is a departure), their number of moves and sources.
-- Params: $search (VARCHAR, '' = everyone; matched case-insensitively in either name)
with

ranked_moves as (
    select
        m.*,
        row_number() over (
            partition by m.person_id order by m.moved_on desc nulls last, m.move_id desc
        ) as recency
    from moves as m
),

latest as (
    select person_id, to_firm_id
    from ranked_moves
    where recency = 1
),

n_moves as (
    select person_id, count(*) as n_moves, count(distinct source_id) as n_sources
    from moves
    group by person_id
),

final as (
    select
        p.person_id,
        display_name(p.name, p.name_zh) as person,
        p.known_for,
        p.origin_country,
        display_name(f.name, f.name_zh) as current_firm,
        coalesce(n.n_moves, 0) as n_moves,
        coalesce(n.n_sources, 0) as n_sources
    from people as p
    left join latest as l on l.person_id = p.person_id
    left join firms as f on f.firm_id = l.to_firm_id
    left join n_moves as n on n.person_id = p.person_id
    where $search = ''
        or contains(lower(p.name), lower($search))
        or contains(coalesce(p.name_zh, ''), $search)
)

select * from final
order by person
