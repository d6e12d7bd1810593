-- Derived table boomerang_trips: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by person_id.
-- Params: none

-- Every boomerang of every career, at firm and at parent level: one row per departure
-- from a group followed, as the next event of that person in that group, by an arrival
-- back in it (dated after the departure, or recorded as a return). Derived from
-- move_facts by every load (atlas.derived); the boomerangs query filters it.
create or replace view boomerang_trips_source as
with
ends as (
    -- people and groups by their integer codes (person_n, firm_levels)
    select
        lvl.level_i,
        m.person_n, m.career_seq, m.moved_on, m.move_type,
        level_n(lvl.level, m.from_n, m.from_root_n, null, null) as src_key,
        level_n(lvl.level, m.to_n, m.to_root_n, null, null) as dst_key
    from move_facts as m
    cross join (values ('firm', 0), ('parent', 1)) as lvl(level, level_i)
    where in_scope_person_n(m.person_n)
),
events as (
    -- each event packed into one integer that sorts as (level, group, career step, in
    -- after out): 1 bit in/out, 21 bits career step, 31 bits group, then the level. One
    -- integer sorts far faster than four columns, and it carries all four.
    select person_n, ((level_i::bigint * 2147483648 + src_key) * 2097152 + career_seq) * 2 as k, moved_on, move_type
    from ends where src_key is not null and src_key is distinct from dst_key
    union all
    select person_n, ((level_i::bigint * 2147483648 + dst_key) * 2097152 + career_seq) * 2 + 1, moved_on, move_type
    from ends where dst_key is not null and src_key is distinct from dst_key
),
ordered as (
    -- one window per person (faster than one per person and group): the previous event
    -- counts only when it is of the same level and group
    select person_n, k, moved_on, move_type, lag(k) over w as prev_k, lag(moved_on) over w as prev_on
    from events
    window w as (partition by person_n order by k)
),
trips as materialized (
    -- an arrival right after a departure from the same group (k // 2^22: level and group)
    select
        case k // 4194304 // 2147483648 when 0 then 'firm' else 'parent' end as level,
        person_n,
        (k // 4194304 % 2147483648)::integer as group_key,
        prev_k // 2 % 2097152 as out_seq,
        k // 2 % 2097152 as back_seq
    from ordered
    where k % 2 = 1 and prev_k % 2 = 0 and prev_k // 4194304 = k // 4194304
        and (moved_on > prev_on or move_type = 'returned')
),
legs as materialized (
    -- the firms joined from leaving to coming back
    -- (a list of career steps sorted, then joined: faster than an ordered string_agg)
    select
        t.level, t.person_n, t.out_seq,
        array_to_string(
            list_transform(list_sort(list({'seq': m.career_seq, 'label': m.to_label})), lambda x: x.label), ' → '
        ) as stops
    from trips as t
    join move_facts as m on m.person_n = t.person_n and m.career_seq between t.out_seq and t.back_seq
    where in_scope_person_n(m.person_n)
    group by all
),
-- the two moves of each trip, read apart: joined straight to each other the optimizer may
-- pair every move of a person with every other (both share the person's code)
ends_of_trips as materialized (
    select m.*
    from move_facts as m
    semi join (
        select person_n, out_seq as career_seq from trips union select person_n, back_seq from trips
    ) as e on e.person_n = m.person_n and e.career_seq = m.career_seq
    where in_scope_person_n(m.person_n)
)
-- what the boomerangs query shows and filters on, copied from both moves so it reads one
-- table, newest return first
select
    t.level,
    o.person_id,
    t.group_key,
    t.out_seq,
    t.back_seq,
    o.move_id as out_move_id,
    b.move_id as back_move_id,
    o.from_label || ' → ' || l.stops as path,
    o.person_label,
    case t.level when 'firm' then o.from_label else o.from_root_label end as returned_to,
    o.from_label as home_firm,
    o.moved_on as left_date,
    fmt_date(o.moved_on, o.moved_on_precision) as left_on,
    b.moved_on as returned_date,
    b.year as return_year,
    fmt_date(b.moved_on, b.moved_on_precision) as returned_on,
    b.move_type as return_type,
    -- the trip begins at the outbound move's origin: as sure as that origin too
    least(o.certainty_level, o.from_level, b.certainty_level) as certainty_level,
    o.from_kind as home_kind,
    b.to_kind as return_kind,
    o.from_country as home_country,
    b.to_country as return_country,
    o.search_text || ' ' || b.search_text as search_text
from trips as t
join legs as l on l.level = t.level and l.person_n = t.person_n and l.out_seq = t.out_seq
join ends_of_trips as o on o.person_n = t.person_n and o.career_seq = t.out_seq
join ends_of_trips as b on b.person_n = t.person_n and b.career_seq = t.back_seq
order by b.moved_on desc nulls last, o.person_label;

create table if not exists boomerang_trips as select * from boomerang_trips_source;
