-- Boomerangs: one row per time a person left a firm (or, at parent level, any firm under
-- the same top-most parent) and later came back to it, with the path in between and the
-- months away where both dates are known. A return counts only when it is dated after the
-- departure, or is itself recorded as a return (an undated departure cannot be ordered).
-- Params: $level (VARCHAR: firm or parent), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[]),
--         $countries (VARCHAR[]), $search (VARCHAR)
with

ends as (
    select
        e.*,
        m.from_firm_id,
        m.to_firm_id,
        row_number() over (partition by e.person_id order by e.moved_on nulls first, e.move_id) as seq
    from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search) as e
    join moves as m on m.move_id = e.move_id
),

trips as (
    -- a departure from a group and the first later arrival back in it
    select
        a.person_id,
        a.person_label,
        a.src_key as home_key,
        a.src_label as home_label,
        a.seq as out_seq,
        min(b.seq) as back_seq
    from ends as a
    join ends as b
        on b.person_id = a.person_id and b.seq > a.seq and b.dst_key = a.src_key
        and (b.moved_on > a.moved_on or b.move_type = 'returned')
    where a.src_key is not null and a.dst_key is distinct from a.src_key
    group by all
),

legs as (
    select
        t.person_id,
        t.out_seq,
        string_agg(fl.firm_label, ' → ' order by e.seq) as stops
    from trips as t
    join ends as e on e.person_id = t.person_id and e.seq between t.out_seq and t.back_seq
    left join firm_levels as fl on fl.firm_id = e.to_firm_id
    group by all
),

final as (
    select
        t.person_id,
        t.person_label as person,
        t.home_label as returned_to,
        fo.firm_label || ' → ' || l.stops as path,
        fmt_date(o.moved_on, o.moved_on_precision) as left_on,
        fmt_date(b.moved_on, b.moved_on_precision) as returned_on,
        case when o.moved_on is not null and b.moved_on is not null
            then datediff('month', o.moved_on, b.moved_on) end as months_away,
        b.move_type as return_type,
        b.move_id as return_move_id
    from trips as t
    join ends as o on o.person_id = t.person_id and o.seq = t.out_seq
    join ends as b on b.person_id = t.person_id and b.seq = t.back_seq
    join legs as l on l.person_id = t.person_id and l.out_seq = t.out_seq
    left join firm_levels as fo on fo.firm_id = o.from_firm_id
)

select * from final
order by returned_on desc nulls last, person
