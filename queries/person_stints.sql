-- One person's career as stints, one row per move into a firm: the firm, role, start (at
-- its precision) and end (the date of the person's next dated move; NULL while still
-- there), with the move's source and certainty. Undated stints have no start to draw.
-- Params: $person_id (VARCHAR, default ''), $min_certainty (VARCHAR)
with

ordered as (
    select
        m.*,
        lead(m.moved_on) over (partition by m.person_id order by m.moved_on nulls first, m.move_id) as next_on,
        lead(m.moved_on_precision) over (
            partition by m.person_id order by m.moved_on nulls first, m.move_id
        ) as next_precision,
        row_number() over (partition by m.person_id order by m.moved_on nulls first, m.move_id) as seq
    from moves as m
    where m.person_id = $person_id and at_least_certain(m.certainty, $min_certainty)
),

final as (
    select
        o.move_id,
        o.seq,
        o.to_firm_id as firm_id,
        fl.firm_label as firm,
        coalesce(o.role, o.move_type) as role,
        o.move_type,
        o.moved_on as start_date,
        coalesce(fmt_date(o.moved_on, o.moved_on_precision), 'date not given') as start_text,
        o.next_on as end_date,
        case when o.next_on is null then 'still there (as far as the sources say)'
            else fmt_date(o.next_on, o.next_precision) end as end_text,
        o.next_on is null as is_open,
        coalesce(o.role, o.move_type) || ' · ' || fl.firm_label as stint,
        o.certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source
    from ordered as o
    join firm_levels as fl on fl.firm_id = o.to_firm_id
    join sources as s on s.source_id = o.source_id
)

select * from final
order by seq
