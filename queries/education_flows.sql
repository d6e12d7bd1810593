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
    -- person_latest: where each person works now and where they took their first degree
    select
        l.person_label,
        l.to_country as works_country,
        case certainty_level($min_certainty)
            when 3 then l.trained_country_3 when 2 then l.trained_country_2 else l.trained_country_1
        end as trained_country
    from person_latest as l
    where l.to_firm_id is not null
        and (case when l.moved_on is null then $include_undated else l.year between $start_year and $end_year end)
        and l.certainty_level >= certainty_level($min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, l.to_kind))
        and (len($countries) = 0 or list_contains($countries, l.to_country))
        and ($search = '' or contains(l.search_text, lower($search)))
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
