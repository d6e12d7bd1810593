-- One person's career as stints, one row per move into a firm, in the career's order (the
-- sources' sequence where they give one): the firm, role, start (at its precision) and end
-- (the date of the person's next move, 'date not given' when it has none; open only after the
-- last move), with the move's source and certainty. Undated stints have no start to draw.
-- Params: $person_id (VARCHAR, default ''), $min_certainty (VARCHAR)
with

ordered as (
    -- in the person's career order (move_facts.career_seq: the sources' own sequence, moves.seq,
    -- where every move has one, else by date): ordered by date alone, undated moves of a known
    -- sequence showed two jobs open at once
    select
        m.* exclude (seq),
        lead(m.moved_on) over career as next_on,
        lead(m.moved_on_precision) over career as next_precision,
        lead(m.move_id) over career as next_move,
        row_number() over career as seq
    from moves as m
    join (select move_id, career_seq from move_facts where person_id = $person_id) as c on c.move_id = m.move_id
    where m.person_id = $person_id and at_least_certain(m.certainty, $min_certainty)
    window career as (partition by m.person_id order by c.career_seq)
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
        case when o.next_move is null then 'still there (as far as the sources say)'
            else coalesce(fmt_date(o.next_on, o.next_precision), 'date not given') end as end_text,
        o.next_move is null as is_open,
        coalesce(o.role, o.move_type) || ' · ' || fl.firm_label as stint,
        o.certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        s.publisher as source_publisher
    from ordered as o
    join firm_levels as fl on fl.firm_id = o.to_firm_id
    join sources as s on s.source_id = o.source_id
)

select * from final
order by seq
