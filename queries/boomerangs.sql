-- Boomerangs: one row per time a person left a firm (or, at parent level, any firm under
-- the same top-most parent) and later came back to it, with the path in between and the
-- months away where both dates are known; the $limit most recent returns, each row also
-- carrying the total found. Trips are found on whole careers (boomerang_trips); the
-- filters then select trips: the return in the period, both moves at least as certain as
-- the minimum, and the kind, country and search matched by the departure or the return.
-- Params: $level (VARCHAR: firm or parent), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[]),
--         $countries (VARCHAR[]), $search (VARCHAR), $limit (INTEGER)
with

selected as (
    select *
    from boomerang_trips as t
    where t.level = $level
        and (case when t.returned_date is null then $include_undated
            else t.return_year between $start_year and $end_year end)
        and t.certainty_level >= certainty_level($min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, t.home_kind) or list_contains($kinds, t.return_kind))
        and (len($countries) = 0 or list_contains($countries, t.home_country)
            or list_contains($countries, t.return_country))
        and ($search = '' or contains(t.search_text, lower($search)))
),

recent as (
    select *, count(*) over () as n_found
    from selected
    order by returned_date desc nulls last, person_label
    limit $limit
),

legs as (
    -- the firms joined between leaving and coming back, only for the trips listed
    select r.person_id, r.out_seq, string_agg(m.to_label, ' → ' order by m.career_seq) as stops
    from recent as r
    join move_facts as m on m.person_id = r.person_id and m.career_seq between r.out_seq and r.back_seq
    group by all
),

final as (
    select
        r.person_id,
        r.person_label as person,
        r.returned_to,
        r.home_firm || ' → ' || l.stops as path,
        r.left_on,
        r.returned_on,
        case when r.left_date is not null and r.returned_date is not null
            then datediff('month', r.left_date, r.returned_date) end as months_away,
        r.return_type,
        r.back_move_id as return_move_id,
        r.n_found,
        r.returned_date
    from recent as r
    join legs as l on l.person_id = r.person_id and l.out_seq = r.out_seq
)

select * exclude (returned_date) from final
order by returned_date desc nulls last, person
