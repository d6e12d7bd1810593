-- The moves on a profile, newest first, one row per move: a person's own moves, or every
-- move into or out of a firm (and, if $with_subsidiaries, the firms under it). Pass '' for
-- the id not used.
-- Params: $person_id (VARCHAR), $firm_id (VARCHAR), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select firm_id from firm_levels
    where firm_id = $firm_id or ($with_subsidiaries and root_id = $firm_id)
),

final as (
    select
        m.move_id,
        fmt_date(m.moved_on, m.moved_on_precision) as moved_on,
        m.person_id,
        display_name(p.name, p.name_zh) as person,
        m.from_firm_id,
        fa.firm_label as from_firm,
        m.to_firm_id,
        fb.firm_label as to_firm,
        m.move_type,
        m.role,
        m.certainty,
        s.title as source,
        s.publisher as source_publisher,
        m.note,
        m.moved_on as sort_date
    from moves as m
    join people as p on p.person_id = m.person_id
    join sources as s on s.source_id = m.source_id
    left join firm_levels as fa on fa.firm_id = m.from_firm_id
    left join firm_levels as fb on fb.firm_id = m.to_firm_id
    where at_least_certain(m.certainty, $min_certainty)
        and (m.person_id = $person_id
            or m.from_firm_id in (select firm_id from family)
            or m.to_firm_id in (select firm_id from family))
)

select * exclude (sort_date) from final
order by sort_date desc nulls last, move_id
