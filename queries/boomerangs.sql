-- Boomerangs: one row per time a person left a firm (or, at parent level, any firm under
-- the same top-most parent) and later came back to it, with the path in between and the
-- months away where both dates are known; the $limit most recent returns, each row also
-- carrying the total found. Trips are found on whole careers (boomerang_trips); the
-- filters then select trips: the return in the period, both moves at least as certain as
-- the minimum, and the kind, country and search matched by the departure or the return.
-- Params: $level (VARCHAR: firm or parent), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $search (VARCHAR, default ''), $limit (INTEGER)
with

selected as not materialized (
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
    -- boomerang_trips is stored newest return first, so this reads only its first blocks
    select *
    from selected
    -- the return move breaks ties (two undated returns of one person): the same link lists the
    -- same rows in the same order every time
    order by returned_date desc nulls last, person_label, back_move_id, out_move_id
    limit $limit
),

final as (
    select
        r.person_id,
        r.person_label as person,
        r.returned_to,
        r.path,
        r.left_on,
        r.returned_on,
        case when r.left_date is not null and r.returned_date is not null
            then datediff('month', r.left_date, r.returned_date) end as months_away,
        r.return_type,
        r.back_move_id as return_move_id,
        (select count(*) from selected) as n_found,
        r.returned_date,
        r.out_move_id
    from recent as r
)

select * exclude (returned_date, out_move_id) from final
order by returned_date desc nulls last, person, return_move_id, out_move_id
