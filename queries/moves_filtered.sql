-- The moves the current filters select, newest first, one row per move, with the date at
-- its precision, the person and firms by display name, the source and the certainty.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], empty = every firm kind),
--         $limit (INTEGER)
with

final as (
    select
        m.move_id,
        fmt_date(m.moved_on, m.moved_on_precision) as moved_on,
        m.person_id,
        display_name(p.name, p.name_zh) as person,
        m.from_firm_id,
        display_name(f_from.name, f_from.name_zh) as from_firm,
        m.to_firm_id,
        display_name(f_to.name, f_to.name_zh) as to_firm,
        m.move_type,
        m.role,
        m.certainty,
        s.title as source,
        s.publisher as source_publisher,
        fmt_date(s.published_on, s.published_on_precision) as source_date,
        m.note,
        m.moved_on as sort_date
    from moves as m
    join people as p on p.person_id = m.person_id
    join sources as s on s.source_id = m.source_id
    left join firms as f_from on f_from.firm_id = m.from_firm_id
    left join firms as f_to on f_to.firm_id = m.to_firm_id
    where in_period(m.moved_on, $start_year, $end_year, $include_undated)
        and at_least_certain(m.certainty, $min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, f_from.kind) or list_contains($kinds, f_to.kind))
)

select * exclude (sort_date)
from final
order by sort_date desc nulls last, move_id
limit $limit
