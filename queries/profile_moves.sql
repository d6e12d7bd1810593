-- The moves on a profile, newest first, one row per move: a person's own moves, or every
-- move into or out of a firm (and, if $with_subsidiaries, the firms under it), at most
-- 1,000. Pass '' for the id not used.
-- Params: $person_id (VARCHAR, default ''), $firm_id (VARCHAR, default ''), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select firm_n from firm_family($firm_id, $with_subsidiaries)
),

chosen as (
    -- the person's moves, or the moves into or out of the family (by the firms' integer
    -- codes), the newest 1,000; a move between two units of the family is listed once
    select m.*
    from move_facts as m
    where m.certainty_level >= certainty_level($min_certainty)
        and (($person_id <> '' and m.person_id = $person_id)
            or m.to_n in (select firm_n from family) or m.from_n in (select firm_n from family))
    order by m.moved_on desc nulls last, m.move_id
    limit 1000
),

final as (
    -- the columns of move_rows (queries/schema/filters.sql), every list of moves alike; read here
    -- for the 1,000 chosen only (the view joined whole is ten times slower at 10M moves)
    select
        m.move_id,
        fmt_date(m.moved_on, m.moved_on_precision) as moved_on,
        m.person_id,
        m.person_label as person,
        m.from_firm_id,
        m.from_label as from_firm,
        m.to_firm_id,
        m.to_label as to_firm,
        m.move_type,
        m.role,
        m.certainty,
        case when m.from_level < m.certainty_level then m.origin_certainty end as origin_certainty,
        case when m.moved_on_certainty is distinct from m.certainty then m.moved_on_certainty end as moved_on_certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        s.publisher as source_publisher,
        fmt_date(s.published_on, s.published_on_precision) as source_date,
        m.note,
        m.moved_on as sort_date
    from chosen as m
    join sources as s on s.source_id = m.source_id
)

select * exclude (sort_date) from final
order by sort_date desc nulls last, move_id
