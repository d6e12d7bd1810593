-- Origin-to-destination flows for the Sankey, one row per (origin, destination) link at
-- the chosen level. Groups outside the top $top_n origins (or destinations) fold into
-- "Other"; links with fewer than $min_count moves are not returned, and every row carries
-- how many moves and links were left out that way. Names are listed for links of <= 5 moves.
-- Params: $level (VARCHAR: firm, parent, kind, country), $start_year (INTEGER),
--         $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[]), $countries (VARCHAR[]), $search (VARCHAR),
--         $top_n (INTEGER), $min_count (INTEGER)
with

ends as materialized (
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

folded as materialized (
    select
        case when sr.rnk <= $top_n then e.src_label else 'Other origins' end as source,
        case when dr.rnk <= $top_n then e.dst_label else 'Other destinations' end as target,
        e.person_label
    from ends as e
    join src_rank as sr on sr.src_label = e.src_label
    join dst_rank as dr on dr.dst_label = e.dst_label
),

counted as (
    select source, target, count(*) as n_moves
    from folded
    group by source, target
),

names as (
    -- names only for the small links: aggregating every name of a big link is wasted work
    select f.source, f.target, string_agg(distinct f.person_label, ', ' order by f.person_label) as names
    from folded as f
    semi join (select source, target from counted where n_moves <= 5) as small
        on small.source = f.source and small.target = f.target
    group by f.source, f.target
),

links as (
    select c.*, n.names
    from counted as c
    left join names as n on n.source = c.source and n.target = c.target
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
