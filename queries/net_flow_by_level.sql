-- People gained, lost and net per group at the chosen level, one row per group, for the
-- $top_n most active groups, sorted by net. Moves inside one group (Google Brain to Google
-- DeepMind at parent level) are neither a gain nor a loss. is_small marks groups with
-- fewer than $min_count moves in and out, which charts grey out.
-- Params: $level (VARCHAR), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $search (VARCHAR, default ''), $top_n (INTEGER), $min_count (INTEGER),
--         $lineage (VARCHAR, its default atlas.pages' LINEAGES[0]: 'today' counts a renamed, merged or acquired firm as its successor)
with

ends as (
    select src_n, dst_n, n_moves
    from flow_pairs($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search, lineage := $lineage)
    where not inside_group(src_n, dst_n)
),

sides as (
    -- one pass: arrivals per destination and departures per origin
    select grouping(src_n) = 1 as is_gain, coalesce(src_n, dst_n) as group_n, sum(n_moves) as n
    from ends
    group by grouping sets ((src_n), (dst_n))
),

joined as (
    select
        group_n,
        coalesce(sum(n) filter (where is_gain), 0)::bigint as n_gained,
        coalesce(sum(n) filter (where not is_gain), 0)::bigint as n_lost
    from sides
    where group_n is not null
    group by group_n
),

top as (
    select *, n_gained + n_lost as n_total
    from joined
    order by n_total desc, group_n
    limit $top_n
),

final as (
    select
        fg.group_key,
        fg.label,
        t.n_gained,
        t.n_lost,
        t.n_gained - t.n_lost as net,
        t.n_total,
        t.n_total < $min_count as is_small
    from top as t
    join flow_groups as fg on fg.level = $level and fg.group_n = t.group_n
)

select * from final
order by net desc, n_total desc, label
