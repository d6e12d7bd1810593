-- Lift-outs: one row per group of people who moved from the same origin to the same destination,
-- each move within $window_days of the one before it, two people or more: a team that left
-- together. The $limit most recent groups, each row carrying how many were found. Dated moves
-- only; a date known to the month or the year counts as its first day, and the row says how
-- coarse its dates are (date_known_to: day, month or year), and how sure it is: of the moves and of
-- their origin (an origin the source implies is 'inferred', with the note that says why). $firm_id ('' for every firm) keeps the
-- groups into or out of that firm (with its subsidiaries when $with_subsidiaries).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []), $search (VARCHAR, default ''),
--         $window_days (INTEGER), $firm_id (VARCHAR, default ''), $with_subsidiaries (BOOLEAN, default false),
--         $limit (INTEGER)
with

family as (
    select firm_n from firm_family($firm_id, $with_subsidiaries)
),

dated as (
    select s.move_id, s.person_id, s.person_label, s.from_firm_id, s.to_firm_id, s.from_label, s.to_label,
        s.moved_on, s.moved_on_precision, s.source_id,
        -- a team is as sure as its least sure move and origin; an inferred origin keeps its note
        least(s.certainty_level, s.from_level) as certainty_level,
        case when s.from_level < s.certainty_level then s.note end as origin_note
    from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search) as s
    where s.moved_on is not null and s.from_level >= certainty_level($min_certainty)
        and s.from_firm_id is not null and s.to_firm_id is not null and s.from_firm_id <> s.to_firm_id
        and ($firm_id = '' or s.from_n in (select firm_n from family) or s.to_n in (select firm_n from family))
),

shared as (
    -- only an origin and destination that two people or more took can hold a lift-out
    select from_firm_id, to_firm_id from dated group by all having count(distinct person_id) >= 2
),

ordered as (
    select d.*,
        case when date_diff('day', lag(d.moved_on) over w, d.moved_on) <= $window_days then 0 else 1 end as starts
    from dated as d
    semi join shared as p on p.from_firm_id = d.from_firm_id and p.to_firm_id = d.to_firm_id
    window w as (partition by d.from_firm_id, d.to_firm_id order by d.moved_on, d.move_id)
),

numbered as (
    select *,
        sum(starts) over (
            partition by from_firm_id, to_firm_id order by moved_on, move_id rows unbounded preceding
        ) as group_n
    from ordered
),

groups as (
    select
        from_firm_id, to_firm_id, group_n,
        any_value(from_label) as origin,
        any_value(to_label) as destination,
        min(moved_on) as first_date,
        max(moved_on) as last_date,
        count(distinct person_id) as n_people,
        string_agg(distinct person_label, ', ' order by person_label) as people,
        max(case moved_on_precision when 'day' then 0 when 'month' then 1 else 2 end) as coarsest,
        min(certainty_level) as certainty_level,
        list(distinct source_id) as source_ids,
        string_agg(distinct origin_note, ' | ') as origin_note
    from numbered
    group by from_firm_id, to_firm_id, group_n
    having count(distinct person_id) >= 2
),

recent as (
    select *, count(*) over () as n_found
    from groups
    order by first_date desc, n_people desc, origin, destination
    limit $limit
),

final as (
    select
        r.origin,
        r.destination,
        r.n_people,
        r.people,
        fmt_date(r.first_date, ['day', 'month', 'year'][r.coarsest + 1]) as first_on,
        fmt_date(r.last_date, ['day', 'month', 'year'][r.coarsest + 1]) as last_on,
        ['day', 'month', 'year'][r.coarsest + 1] as date_known_to,
        certainty_name(r.certainty_level) as certainty,
        r.origin_note,
        (
            select string_agg(source_label(s.title, s.title_kind, s.publisher, s.published_on,
                s.published_on_precision), ' | ' order by s.published_on, s.title)
            from sources as s where list_contains(r.source_ids, s.source_id)
        ) as sources,
        r.from_firm_id,
        r.to_firm_id,
        r.n_found,
        r.first_date
    from recent as r
)

select * exclude (first_date) from final
order by first_date desc, n_people desc, origin, destination
