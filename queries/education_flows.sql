-- Where talent is trained and where it works: one row per (country of a person's first
-- degree, country of the firm of their latest move), with the number of people and their
-- names where five or fewer. First degree: the earliest year, else bachelor before an
-- unspecified degree before master before PhD. The latest move is the last of the career
-- (person_latest); the filters select people by it (its period, certainty, firm kind,
-- country, or the search). People whose latest move is a departure are left out.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []), $search (VARCHAR, default '')
with

latest as not materialized (
    -- where each person works now and where they took their first degree (filters.sql)
    select person_label, works_country, trained_country
    from selected_latest($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

counted as (
    select trained_country, works_country, count(*) as n_people
    from latest
    where trained_country is not null and works_country is not null
    group by all
),

names as (
    select l.trained_country, l.works_country, string_agg(l.person_label, ', ' order by l.person_label) as names
    from latest as l
    semi join (select trained_country, works_country from counted where n_people <= 5) as small
        on small.trained_country = l.trained_country and small.works_country = l.works_country
    group by all
),

final as (
    select c.*, n.names
    from counted as c
    left join names as n using (trained_country, works_country)
)

select * from final
order by n_people desc, trained_country, works_country
