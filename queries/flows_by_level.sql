-- Origin-to-destination flows for the Sankey, one row per (origin, destination) link at
-- the chosen level. Groups outside the top $top_n origins (or destinations) fold into
-- "Other"; links with fewer than $min_count moves are not returned, and every row carries
-- how many moves and links were left out that way. Names are listed for links of <= 5 moves.
-- Params: $level (VARCHAR: firm, parent, kind, country), $start_year (INTEGER),
--         $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[]), $countries (VARCHAR[]), $search (VARCHAR),
--         $top_n (INTEGER), $min_count (INTEGER)
with

ends as (
    select * from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

src_rank as (
    select src_label, row_number() over (order by count(*) desc, src_label) as rnk
    from ends group by src_label
),

dst_rank as (
    select dst_label, row_number() over (order by count(*) desc, dst_label) as rnk
    from ends group by dst_label
),

folded as (
    select
        case when sr.rnk <= $top_n then e.src_label else 'Other origins' end as source,
        case when dr.rnk <= $top_n then e.dst_label else 'Other destinations' end as target,
        e.person_label
    from ends as e
    join src_rank as sr on sr.src_label = e.src_label
    join dst_rank as dr on dr.dst_label = e.dst_label
),

links as (
    select
        source,
        target,
        count(*) as n_moves,
        case when count(*) <= 5 then string_agg(distinct person_label, ', ' order by person_label) end as names
    from folded
    group by source, target
),

final as (
    select
        *,
        coalesce(sum(n_moves) filter (where n_moves < $min_count) over (), 0)::bigint as n_hidden_moves,
        count(*) filter (where n_moves < $min_count) over () as n_hidden_links
    from links
)

select * from final
where n_moves >= $min_count
order by n_moves desc, source, target
