-- People gained, lost and net per group at the chosen level, one row per group, for the
-- $top_n most active groups, sorted by net. Moves inside one group (Google Brain to Google
-- DeepMind at parent level) are neither a gain nor a loss. is_small marks groups with
-- fewer than $min_count moves in and out, which charts grey out.
-- Params: $level (VARCHAR), $start_year (INTEGER), $end_year (INTEGER),
--         $include_undated (BOOLEAN), $min_certainty (VARCHAR), $kinds (VARCHAR[]),
--         $countries (VARCHAR[]), $search (VARCHAR), $top_n (INTEGER), $min_count (INTEGER)
with

ends as (
    select * from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
    where src_key is distinct from dst_key
),

gained as (
    select dst_key as group_key, any_value(dst_label) as label, count(*) as n_gained
    from ends where dst_key is not null group by dst_key
),

lost as (
    select src_key as group_key, any_value(src_label) as label, count(*) as n_lost
    from ends where src_key is not null group by src_key
),

joined as (
    select
        coalesce(g.group_key, l.group_key) as group_key,
        coalesce(g.label, l.label) as label,
        coalesce(g.n_gained, 0) as n_gained,
        coalesce(l.n_lost, 0) as n_lost
    from gained as g
    full outer join lost as l on l.group_key = g.group_key
),

final as (
    select
        *,
        n_gained - n_lost as net,
        n_gained + n_lost as n_total,
        n_gained + n_lost < $min_count as is_small
    from joined
    order by n_total desc, group_key
    limit $top_n
)

select * from final
order by net desc, n_total desc, label
