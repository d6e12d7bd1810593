-- People into and out of one firm (and, if $with_subsidiaries, the firms under it) per
-- year, one row per year with a dated move; moves between two of its own units are not
-- counted. Names are listed where five or fewer.
-- Params: $firm_id (VARCHAR), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select firm_id from firm_levels
    where firm_id = $firm_id or ($with_subsidiaries and root_id = $firm_id)
),

sides as (
    select
        year(m.moved_on) as year,
        m.to_firm_id in (select firm_id from family) as is_in,
        m.from_firm_id in (select firm_id from family) as is_out,
        display_name(p.name, p.name_zh) as person
    from moves as m
    join people as p on p.person_id = m.person_id
    where m.moved_on is not null and at_least_certain(m.certainty, $min_certainty)
),

final as (
    select
        year,
        count(*) filter (where is_in and not coalesce(is_out, false)) as n_in,
        count(*) filter (where is_out and not coalesce(is_in, false)) as n_out,
        case when count(*) <= 5 then string_agg(person, ', ' order by person) end as names
    from sides
    where coalesce(is_in, false) <> coalesce(is_out, false)
    group by year
)

select *, n_in - n_out as net from final
order by year
