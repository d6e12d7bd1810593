-- One person's education, one row per degree: institution, its country, degree, year,
-- source and certainty.
-- Params: $person_id (VARCHAR, default '')
select
    e.institution_id,
    fl.firm_label as institution,
    fl.country,
    e.degree,
    e.year,
    e.note,
    e.certainty,
    source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source
from education as e
join firm_levels as fl on fl.firm_id = e.institution_id
join sources as s on s.source_id = e.source_id
where e.person_id = $person_id
order by e.year nulls last, case e.degree when 'bachelor' then 1 when 'other' then 2 when 'master' then 3 else 4 end
