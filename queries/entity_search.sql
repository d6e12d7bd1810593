-- The options of a profile picker: one row per person (or firm) whose name matches
-- $search in English or Chinese, most moves first, at most $limit, plus the one already
-- $selected so a shared link keeps its choice.
-- With no search, the people who moved most are read from person_latest alone (one row per
-- person who moved: a top-N over it, not a join of every person); those who never moved are
-- only looked for when $unmoved is true (atlas.fetch.entity_options asks again when the
-- first answer has fewer than $limit people).
-- Params: $entity (VARCHAR: person or firm), $search (VARCHAR, default '', '' = all), $selected (VARCHAR, '' = none),
--         $limit (INTEGER), $unmoved (BOOLEAN, default true)
with

people_moved as (
    select person_id as id, person_label as label, career_seq as n_moves
    from person_latest
    where $entity = 'person' and $search = ''
    order by n_moves desc, label
    limit $limit
),

people_matched as (
    select p.person_id as id, display_name(p.name, p.name_zh) as label, coalesce(l.career_seq, 0) as n_moves
    from people as p
    left join person_latest as l on l.person_id = p.person_id
    where $entity = 'person'
        and ($search <> '' or $unmoved)
        and ($search = '' or contains(lower(p.name), lower($search)) or contains(coalesce(p.name_zh, ''), $search))
    order by n_moves desc, label
    limit $limit
),

people_found as (
    select * from people_moved
    union all
    select * from people_matched
),

firms_found as (
    select f.firm_id as id, display_name(f.name, f.name_zh) as label, 0 as n_moves
    from firms as f
    where $entity = 'firm'
        and ($search = '' or contains(lower(f.name), lower($search)) or contains(coalesce(f.name_zh, ''), $search))
    order by (f.parent_id is null) desc, label
    limit $limit
),

chosen as (
    select person_id as id, display_name(name, name_zh) as label, 0 as n_moves
    from people where $entity = 'person' and person_id = $selected
    union all
    select firm_id, display_name(name, name_zh), 0 from firms where $entity = 'firm' and firm_id = $selected
),

final as (
    select id, any_value(label) as label from (
        select * from chosen union all select * from people_found union all select * from firms_found
    )
    group by id
)

select * from final
order by label, id
