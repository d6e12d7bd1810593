-- The people behind one cell of the trained-in / works-in matrix (education_flows): one row
-- per person whose first degree is in $trained and whose latest firm is in $works, under the
-- same filters, with the latest firm and move date, by name; at most 500.
-- Params: $trained (VARCHAR), $works (VARCHAR), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $search (VARCHAR, default '')
with

latest as (
    select *, fmt_date(moved_on, moved_on_precision) as moved_text
    from selected_latest($start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

final as (
    select person_id, person_label as person, to_firm_id, to_label as latest_firm, moved_text as moved_on
    from latest
    where trained_country = $trained and works_country = $works
)

select * from final
order by person, person_id
limit 500
