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
    -- keys only: labels are looked up for the few groups drawn
    select move_id, src_key, dst_key
    from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

group_labels as (
    select firm_id as group_key, firm_label as label from firm_levels where $level in ('firm', 'parent')
),

src_rank as (
    -- rank whole groups first (thousands), then fold: pairs of groups can be millions
    select
        e.src_key,
        case when e.src_key is null then 'Unknown origin' else coalesce(any_value(g.label), e.src_key) end as label,
        row_number() over (order by count(*) desc, e.src_key nulls last) as rnk
    from ends as e
    left join group_labels as g on g.group_key = e.src_key
    group by e.src_key
),

dst_rank as (
    select
        e.dst_key,
        case when e.dst_key is null then 'Left, destination unknown'
            else coalesce(any_value(g.label), e.dst_key) end as label,
        row_number() over (order by count(*) desc, e.dst_key nulls last) as rnk
    from ends as e
    left join group_labels as g on g.group_key = e.dst_key
    group by e.dst_key
),

folded as materialized (
    -- each move as (origin rank, destination rank); ranks past top_n share one "Other" slot
    select
        e.move_id,
        least(sr.rnk, $top_n + 1) as s_rnk,
        least(dr.rnk, $top_n + 1) as d_rnk
    from ends as e
    join src_rank as sr on sr.src_key is not distinct from e.src_key
    join dst_rank as dr on dr.dst_key is not distinct from e.dst_key
),

counted as (
    select s_rnk, d_rnk, count(*) as n_moves
    from folded
    group by s_rnk, d_rnk
),

names as (
    -- names only for links of five or fewer moves
    select f.s_rnk, f.d_rnk, string_agg(distinct m.person_label, ', ' order by m.person_label) as names
    from folded as f
    semi join (select s_rnk, d_rnk from counted where n_moves <= 5) as small
        on small.s_rnk = f.s_rnk and small.d_rnk = f.d_rnk
    join move_facts as m on m.move_id = f.move_id
    group by f.s_rnk, f.d_rnk
),

links as (
    select
        coalesce(sr.label, 'Other origins') as source,
        coalesce(dr.label, 'Other destinations') as target,
        c.n_moves,
        n.names
    from counted as c
    left join src_rank as sr on sr.rnk = c.s_rnk and c.s_rnk <= $top_n
    left join dst_rank as dr on dr.rnk = c.d_rnk and c.d_rnk <= $top_n
    left join names as n on n.s_rnk = c.s_rnk and n.d_rnk = c.d_rnk
),

final as (
    select
        l.*,
        coalesce(sum(l.n_moves) filter (where l.n_moves < $min_count) over (), 0)::bigint as n_hidden_moves,
        count(*) filter (where l.n_moves < $min_count) over () as n_hidden_links
    from links as l
)

select * from final
where n_moves >= $min_count
order by n_moves desc, source, target
