-- Moves per year and move type for the moves the filters select, one row per (year, type);
-- undated moves are left out because they have no year to sit on.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], empty = every firm kind)
with

selected as (
    select m.*
    from moves as m
    left join firms as f_from on f_from.firm_id = m.from_firm_id
    left join firms as f_to on f_to.firm_id = m.to_firm_id
    where m.moved_on is not null
        and year(m.moved_on) between $start_year and $end_year
        and at_least_certain(m.certainty, $min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, f_from.kind) or list_contains($kinds, f_to.kind))
),

final as (
    select year(moved_on) as year, move_type, count(*) as n_moves
    from selected
    group by all
)

select * from final
order by year, move_type
