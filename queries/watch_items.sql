-- What a watchlist follows: one row per person or firm, with its name as every page shows it;
-- people first, then firms, by name.
-- Params: $list_id (VARCHAR)
select
    w.entity_kind,
    w.entity_id,
    coalesce(display_name(p.name, p.name_zh), f.firm_label, w.entity_id) as label,
    w.added_at
from watch_items as w
left join people as p on w.entity_kind = 'person' and p.person_id = w.entity_id
left join firm_levels as f on w.entity_kind = 'firm' and f.firm_id = w.entity_id
where w.list_id = $list_id
order by w.entity_kind = 'firm', label
