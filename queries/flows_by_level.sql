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
    -- an unknown origin or destination is a group of its own ('~'), labelled below
    select person_label, coalesce(src_key, '~') as src_key, coalesce(dst_key, '~') as dst_key
    from flow_ends($level, $start_year, $end_year, $include_undated, $min_certainty, $kinds, $countries, $search)
),

top_src as (
    select list(src_key) as keys from (
        select src_key from ends group by src_key order by count(*) desc, src_key limit $top_n
    )
),

top_dst as (
    select list(dst_key) as keys from (
        select dst_key from ends group by dst_key order by count(*) desc, dst_key limit $top_n
    )
),

folded as (
    -- groups outside the top fold into one key per side before anything is paired, so the
    -- pairing sees at most (top_n + 1)^2 groups however many firms there are
    select
        e.person_label,
        case when list_contains(ts.keys, e.src_key) then e.src_key else '~other' end as s_key,
        case when list_contains(td.keys, e.dst_key) then e.dst_key else '~other' end as d_key
    from ends as e, top_src as ts, top_dst as td
),

counted as (
    select s_key, d_key, count(*) as n_moves
    from folded
    group by s_key, d_key
),

labels as (
    select firm_id as group_key, firm_label as label from firm_levels where $level in ('firm', 'parent')
),

names as (
    -- names only for links of five or fewer moves
    select f.s_key, f.d_key, string_agg(distinct f.person_label, ', ' order by f.person_label) as names
    from folded as f
    semi join (select s_key, d_key from counted where n_moves <= 5) as small
        on small.s_key = f.s_key and small.d_key = f.d_key
    group by f.s_key, f.d_key
),

links as (
    select
        case c.s_key when '~' then 'Unknown origin' when '~other' then 'Other origins'
            else coalesce(ls.label, c.s_key) end as source,
        case c.d_key when '~' then 'Left, destination unknown' when '~other' then 'Other destinations'
            else coalesce(ld.label, c.d_key) end as target,
        c.n_moves,
        n.names
    from counted as c
    left join labels as ls on ls.group_key = c.s_key
    left join labels as ld on ld.group_key = c.d_key
    left join names as n on n.s_key = c.s_key and n.d_key = c.d_key
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
