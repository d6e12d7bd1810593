-- Where talent is trained and where it works: one row per (country of a person's first
-- degree, country of the firm of their latest selected move), with the number of people
-- and their names where five or fewer. First degree: the earliest year, else bachelor
-- before an unspecified degree before master before PhD. People whose latest move is a
-- departure with no known destination have no current country and are left out.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[]), $countries (VARCHAR[]), $search (VARCHAR)
with

first_degree as (
    select
        e.person_id,
        arg_min(
            f.country,
            [coalesce(e.year, 9999), case e.degree when 'bachelor' then 1 when 'other' then 2
                when 'master' then 3 else 4 end]
        ) as trained_country
    from education as e
    join firms as f on f.firm_id = e.institution_id
    where at_least_certain(e.certainty, $min_certainty)
    group by e.person_id
),

latest as (
    select
        person_id,
        person_label,
        arg_max_null(to_country, seq) as works_country,
        arg_max_null(to_firm_id, seq) as works_firm
    from (
        select *, row_number() over (partition by person_id order by moved_on nulls first, move_id) as seq
        from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
    )
    group by person_id, person_label
),

final as (
    select
        d.trained_country,
        l.works_country,
        count(*) as n_people,
        case when count(*) <= 5 then string_agg(l.person_label, ', ' order by l.person_label) end as names
    from first_degree as d
    join latest as l on l.person_id = d.person_id
    where l.works_firm is not null and l.works_country is not null
    group by all
)

select * from final
order by n_people desc, trained_country, works_country
