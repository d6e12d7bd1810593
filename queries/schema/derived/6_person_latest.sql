-- Derived table person_latest: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by person_id.
-- Params: none

-- Each person's latest move (the last of their career), derived by every load: where they
-- work now is its destination (none after a departure).
-- It also carries how many sources tell of the person's moves, and the country of the person's first degree (the earliest; at one year a
-- bachelor before a master before a doctorate) counting only education rows at least
-- rumored, inferred, reported or confirmed (trained_country_N: level N or above), for the trained-to-works flows.
create or replace view person_latest_source as
with first_degrees as (
    select
        e.person_id,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)]) as trained_country_1,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)])
            filter (where certainty_level(e.certainty) >= 2) as trained_country_2,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)])
            filter (where certainty_level(e.certainty) >= 3) as trained_country_3,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)])
            filter (where certainty_level(e.certainty) >= 4) as trained_country_4
    from education as e
    join firms as f on f.firm_id = e.institution_id
    where in_scope_person(e.person_id)
    group by e.person_id
)
,
source_counts as (
    select person_id, count(distinct source_id) as n_sources from moves where in_scope_person(person_id) group by person_id
)
,
latest as (
    select person_n, max(career_seq) as career_seq from move_facts where in_scope_person_n(person_n) group by person_n
)
select m.*, d.trained_country_1, d.trained_country_2, d.trained_country_3, d.trained_country_4, sc.n_sources
from move_facts as m
semi join latest as l on l.person_n = m.person_n and l.career_seq = m.career_seq
left join first_degrees as d on d.person_id = m.person_id
left join source_counts as sc on sc.person_id = m.person_id
where in_scope_person_n(m.person_n);

create table if not exists person_latest as select * from person_latest_source;
