-- People into and out of one firm (and, if $with_subsidiaries, the firms under it) per
-- year, one row per year with a dated move; moves between two of its own units are not
-- counted. Names are listed where five or fewer.
-- Params: $firm_id (VARCHAR), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select list(firm_n) as codes from firm_levels
    where firm_id = $firm_id or ($with_subsidiaries and root_id = $firm_id)
),

sides as (
    -- the moves touching the family, found by the firms' integer codes in move_facts
    select
        m.year,
        coalesce(list_contains(f.codes, m.to_n), false) as is_in,
        coalesce(list_contains(f.codes, m.from_n), false) as is_out,
        m.person_label as person
    from move_facts as m, family as f
    where m.moved_on is not null and m.certainty_level >= certainty_level($min_certainty)
        and (list_contains(f.codes, m.to_n) or list_contains(f.codes, m.from_n))
),

final as (
    select
        year,
        count(*) filter (where is_in) as n_in,
        count(*) filter (where is_out) as n_out,
        case when count(*) <= 5 then string_agg(person, ', ' order by person) end as names
    from sides
    where is_in <> is_out
    group by year
)

select *, n_in - n_out as net from final
order by year
