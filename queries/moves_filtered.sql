-- The moves the current filters select, newest first, one row per move, with the date at
-- its precision, the person and firms by display name, the source and the certainty.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default [], empty = every firm kind),
--         $countries (VARCHAR[], default [], empty = every country), $search (VARCHAR, default '', '' = all),
--         $limit (INTEGER)
with

final as (
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
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        s.publisher as source_publisher,
        fmt_date(s.published_on, s.published_on_precision) as source_date,
        m.note,
        m.moved_on as sort_date
    from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search) as m
    join sources as s on s.source_id = m.source_id
)

select * exclude (sort_date)
from final
order by sort_date desc nulls last, move_id
limit $limit
