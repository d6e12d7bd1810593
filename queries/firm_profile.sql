-- One firm's header for the profile: names, kind, country, founding date at its precision,
-- parent and top-most parent. One row (none for an unknown id).
-- Params: $firm_id (VARCHAR, default '')
select
    f.firm_id,
    fl.firm_label as firm,
    f.kind,
    f.country,
    fmt_date(f.founded_on, f.founded_on_precision) as founded_on,
    f.parent_id,
    parent.firm_label as parent,
    fl.root_id,
    fl.root_label,
    source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source
from firms as f
join firm_levels as fl on fl.firm_id = f.firm_id
left join firm_levels as parent on parent.firm_id = f.parent_id
left join sources as s on s.source_id = f.source_id
where f.firm_id = $firm_id
