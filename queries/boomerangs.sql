-- Boomerangs: one row per time a person left a firm (or, at parent level, any firm under
-- the same top-most parent) and later came back to it, with the path in between and the
-- months away where both dates are known; the $limit most recent returns, each row also
-- carrying the total found. A return counts only when it is dated after the departure, or
-- is itself recorded as a return (an undated departure cannot be ordered).
-- Params: $level (VARCHAR: firm or parent), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[]),
--         $countries (VARCHAR[]), $search (VARCHAR), $limit (INTEGER)
with

ends as materialized (
    select
        *,
        row_number() over (partition by person_id order by moved_on nulls first, move_id) as seq
    from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

events as (
    -- leaving a group and arriving in one, as events per (person, group) in career order;
    -- an arrival right after a departure from the same group is a return
    select person_id, src_key as group_key, seq, 'out' as kind, moved_on, move_type, move_id
    from ends where src_key is not null and src_key is distinct from dst_key
    union all
    select person_id, dst_key, seq, 'in', moved_on, move_type, move_id
    from ends where dst_key is not null and src_key is distinct from dst_key
),

ordered as (
    select
        *,
        lag(kind) over w as prev_kind,
        lag(seq) over w as prev_seq,
        lag(moved_on) over w as prev_on
    from events
    window w as (partition by person_id, group_key order by seq, kind desc)
),

trips as (
    select
        person_id,
        group_key,
        prev_seq as out_seq,
        seq as back_seq,
        count(*) over () as n_found
    from ordered
    where kind = 'in' and prev_kind = 'out' and (moved_on > prev_on or move_type = 'returned')
    order by moved_on desc nulls last, person_id
    limit $limit
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
        o.person_label as person,
        o.src_label as returned_to,
        fo.firm_label || ' → ' || l.stops as path,
        fmt_date(o.moved_on, o.moved_on_precision) as left_on,
        fmt_date(b.moved_on, b.moved_on_precision) as returned_on,
        case when o.moved_on is not null and b.moved_on is not null
            then datediff('month', o.moved_on, b.moved_on) end as months_away,
        b.move_type as return_type,
        b.move_id as return_move_id,
        t.n_found,
        b.moved_on as sort_date
    from trips as t
    join ends as o on o.person_id = t.person_id and o.seq = t.out_seq
    join ends as b on b.person_id = t.person_id and b.seq = t.back_seq
    join legs as l on l.person_id = t.person_id and l.out_seq = t.out_seq
    left join firm_levels as fo on fo.firm_id = o.from_firm_id
)

select * exclude (sort_date) from final
order by sort_date desc nulls last, person
