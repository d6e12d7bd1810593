-- The people behind one cell of the trained-in / works-in matrix (education_flows): one row
-- per person whose first degree is in $trained and whose latest firm is in $works, under the
-- same filters, with the latest firm and move date, by name; at most 500.
-- Params: $trained (VARCHAR), $works (VARCHAR), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $search (VARCHAR, default '')
with

latest as (
    select
        l.person_id,
        l.person_label,
        l.to_firm_id,
        l.to_label,
        fmt_date(l.moved_on, l.moved_on_precision) as moved_on,
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

final as (
    select person_id, person_label as person, to_firm_id, to_label as latest_firm, moved_on
    from latest
    where trained_country = $trained and works_country = $works
)

select * from final
order by person
limit 500
