-- Whom one group gained people from and lost people to, one row per (direction,
-- counterpart) at the chosen level, with the names where there are five or fewer; the 25
-- largest counterparts in each direction.
-- Params: $level (VARCHAR), $focus (VARCHAR: the group key), $start_year (INTEGER),
--         $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[]), $countries (VARCHAR[]), $search (VARCHAR)
with

ends as (
    select * from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
    where src_key is distinct from dst_key
),

sides as (
    select 'gained from' as direction, src_label as counterpart, person_label from ends where dst_key = $focus
    union all
    select 'lost to', dst_label, person_label from ends where src_key = $focus
),

final as (
    select
        direction,
        counterpart,
        count(*) as n_moves,
        case when count(*) <= 5 then string_agg(distinct person_label, ', ' order by person_label) end as names
    from sides
    group by direction, counterpart
)

select * from final
qualify row_number() over (partition by direction order by n_moves desc, counterpart) <= 25
order by direction, n_moves desc, counterpart
