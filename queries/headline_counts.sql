-- Headline counts for the Overview, one row: the entities in the database and the facts
-- the current filters select.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default [], empty = every firm kind)
with

chosen_moves as (
    select move_id from selected_moves($start_year, $end_year, $include_undated, $min_certainty, $kinds, []::varchar[], '')
),

chosen_pay as (
    select comp_id
    from selected_pay(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, 'USD', 0,
        '', '', []::varchar[], []::varchar[], []::varchar[]
    )
),

chosen_rounds as (
    select round_id
    from selected_rounds(
        $start_year, $end_year, $include_undated, $min_certainty, $kinds, []::varchar[], []::varchar[],
        []::varchar[], 'USD'
    )
),

final as (
    select
        (select count(*) from people) as n_people,
        (select count(*) from firms) as n_firms,
        -- articles (and reports, datasets) apart from the uploads that stand as their own source
        (select count(*) from sources where coalesce(kind, 'article') <> 'upload') as n_sources,
        (select count(*) from sources where kind = 'upload') as n_upload_sources,
        (select count(*) from chosen_moves) as n_moves,
        (select count(*) from chosen_pay) as n_pay_figures,
        (select count(*) from chosen_rounds) as n_rounds
)

select * from final
