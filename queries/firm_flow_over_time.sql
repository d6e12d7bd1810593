-- People into and out of one firm (and, if $with_subsidiaries, the firms under it) per
-- year, one row per year with a dated move; moves between two of its own units are not
-- counted. Names are listed where five or fewer.
-- Params: $firm_id (VARCHAR, default ''), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select firm_n from firm_family($firm_id, $with_subsidiaries)
),

sides as (
    -- arrivals from outside the family and departures to outside it, found by the firms'
    -- integer codes in move_facts (one condition per branch: each reads only its matches)
    select m.year, true as is_in, m.person_label as person
    from move_facts as m
    where m.to_n in (select firm_n from family) and not coalesce(m.from_n in (select firm_n from family), false)
        and m.moved_on is not null and m.certainty_level >= certainty_level($min_certainty)
    union all
    select m.year, false, m.person_label
    from move_facts as m
    where m.from_n in (select firm_n from family) and not coalesce(m.to_n in (select firm_n from family), false)
        and m.moved_on is not null and m.from_level >= certainty_level($min_certainty)
),

counted as (
    select year, count(*) filter (where is_in) as n_in, count(*) filter (where not is_in) as n_out
    from sides
    group by year
),

names as (
    -- names only for years of five or fewer moves
    select year, string_agg(person, ', ' order by person) as names
    from sides
    where year in (select year from counted where n_in + n_out <= 5)
    group by year
),

final as (
    select c.*, n.names
    from counted as c
    left join names as n using (year)
)

select *, n_in - n_out as net from final
order by year
