-- One person's header for the profile: names, what they are known for, origin, and the
-- article that first names them. One row (none for an unknown id).
-- Params: $person_id (VARCHAR, default '')
select
    p.person_id,
    display_name(p.name, p.name_zh) as person,
    p.name,
    p.name_zh,
    p.known_for,
    p.known_for_zh,
    p.origin_country,
    source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
    s.publisher as source_publisher
from people as p
left join sources as s on s.source_id = p.source_id
where p.person_id = $person_id
