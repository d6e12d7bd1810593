-- Origin-to-destination flows for the Sankey, one row per (origin, destination) link at
-- the chosen level. The $top_n origins (and destinations) drawn are those of the largest flows
-- (a group's largest single flow first, then its total), so among hundreds of groups the diagram
-- shows where people went in numbers, not the groups with many scattered moves; the others fold
-- into "Other". Moves from another origin to another destination are not drawn (they would be
-- one grey block): every row carries how many (n_other_moves). Links with fewer than $min_count
-- moves are not returned, and every row carries how many moves and links were left out that way,
-- and how many moves stayed inside one group (inside_group: not a flow, so not drawn). Names are
-- listed for links of <= 5 moves.
-- Params: $level (VARCHAR: firm, parent, kind, country), $start_year (INTEGER),
--         $end_year (INTEGER), $include_undated (BOOLEAN), $min_certainty (VARCHAR),
--         $kinds (VARCHAR[], default []), $countries (VARCHAR[], default []), $search (VARCHAR, default ''),
--         $top_n (INTEGER), $min_count (INTEGER),
--         $lineage (VARCHAR, its default atlas.pages' LINEAGES[0]: 'today' counts a renamed, merged or acquired firm as its successor)
with

every_pair as (
    select src_n, dst_n, n_moves
    from flow_pairs($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search, lineage := $lineage)
),

inside as (
    -- moves inside one group are not flows (inside_group): counted here, for the caption
    select coalesce(sum(n_moves), 0)::bigint as n_inside_moves from every_pair where inside_group(src_n, dst_n)
),

pairs as (
    -- groups are integer codes (flow_groups); an unknown origin or destination is -1. One row per
    -- link (at firm level every_pair has one row per move): a group's largest flow is a link's total
    select coalesce(src_n, -1) as s_n, coalesce(dst_n, -1) as d_n, sum(n_moves)::bigint as n_moves
    from every_pair
    where not inside_group(src_n, dst_n)
    group by all
),

top_src as (
    select s_n from pairs group by s_n order by max(n_moves) desc, sum(n_moves) desc, s_n limit $top_n
),

top_dst as (
    select d_n from pairs group by d_n order by max(n_moves) desc, sum(n_moves) desc, d_n limit $top_n
),

counted as (
    -- groups outside the top fold into one code per side (-2) before anything is paired, so
    -- the pairing sees at most (top_n + 1)^2 groups however many firms there are
    select coalesce(ts.s_n, -2) as s_n, coalesce(td.d_n, -2) as d_n, sum(p.n_moves)::bigint as n_moves
    from pairs as p
    left join top_src as ts on ts.s_n = p.s_n
    left join top_dst as td on td.d_n = p.d_n
    group by all
),

labels as (
    select group_n, label from flow_groups where level = $level
),

names as (
    -- names only for links of five or fewer moves: the moves are read again, folded the
    -- same way, and only those of such links keep their person's name (when there is no
    -- such link, the empty join ends the read of the moves before it starts)
    select f.s_n, f.d_n, string_agg(distinct f.person_label, ', ' order by f.person_label) as names
    from (
        select e.person_label, coalesce(ts.s_n, -2) as s_n, coalesce(td.d_n, -2) as d_n
        from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search, lineage := $lineage) as e
        left join top_src as ts on ts.s_n = coalesce(e.src_n, -1)
        left join top_dst as td on td.d_n = coalesce(e.dst_n, -1)
        where not inside_group(e.src_n, e.dst_n)
    ) as f
    semi join (select s_n, d_n from counted where n_moves <= 5) as small
        on small.s_n = f.s_n and small.d_n = f.d_n
    group by f.s_n, f.d_n
),

other_to_other as (
    select coalesce(sum(n_moves), 0)::bigint as n_other_moves from counted where s_n = -2 and d_n = -2
),

links as (
    select
        case c.s_n when -1 then 'Unknown origin' when -2 then 'Other origins' else ls.label end as source,
        case c.d_n when -1 then 'Left, destination unknown' when -2 then 'Other destinations'
            else ld.label end as target,
        c.n_moves,
        n.names
    from counted as c
    left join labels as ls on ls.group_n = c.s_n
    left join labels as ld on ld.group_n = c.d_n
    left join names as n on n.s_n = c.s_n and n.d_n = c.d_n
    where not (c.s_n = -2 and c.d_n = -2)
),

final as (
    select
        l.*,
        coalesce(sum(l.n_moves) filter (where l.n_moves < $min_count) over (), 0)::bigint as n_hidden_moves,
        count(*) filter (where l.n_moves < $min_count) over () as n_hidden_links,
        (select n_inside_moves from inside) as n_inside_moves,
        (select n_other_moves from other_to_other) as n_other_moves
    from links as l
)

select * from final
where n_moves >= $min_count
order by n_moves desc, source, target
