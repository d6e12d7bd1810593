-- Rates with their denominators: one row per firm and year with a headcount on record (headcounts),
-- every firm or, with $firm_id, that one, within the period: the people it gained and lost that
-- year (dated moves into and out of the firm alone, at least $min_certainty), the same per 100
-- staff (a headcount of "fewer than" N: the rate is more than the one given; counted: what the
-- figure counts when not the whole staff), and whether a rate rests on fewer than $few_moves moves (few_gained, few_lost: read it as an
-- anecdote, not a rate); with the headcount's source. The $limit largest firms first.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR), $firm_id (VARCHAR, default ''),
--         $limit (INTEGER, default 500), $few_moves (INTEGER, constant: atlas.model.FEW_MOVES)
with

counted as (
    select h.*, fl.firm_n, fl.firm_label
    from headcounts as h
    join firm_levels as fl on fl.firm_id = h.firm_id
    where h.year between $start_year and $end_year
        and ($firm_id = '' or h.firm_id = $firm_id)
        and at_least_certain(h.certainty, $min_certainty)
),

moved as (
    select to_n as firm_n, year, count(*) as n_in, 0 as n_out
    from move_facts
    where to_n in (select firm_n from counted) and year between $start_year and $end_year
        and certainty_level >= certainty_level($min_certainty) and from_n is distinct from to_n
    group by all
    union all
    select from_n, year, 0, count(*)
    from move_facts
    where from_n in (select firm_n from counted) and year between $start_year and $end_year
        and from_level >= certainty_level($min_certainty) and from_n is distinct from to_n
    group by all
),

per_year as (
    select firm_n, year, sum(n_in)::bigint as gained, sum(n_out)::bigint as lost from moved group by all
),

final as (
    select
        c.firm_label as firm,
        c.year,
        c.headcount,
        coalesce(c.headcount_qualifier, 'exact') as headcount_qualifier,
        c.counted,
        c.counted_zh,
        coalesce(m.gained, 0) as gained,
        coalesce(m.lost, 0) as lost,
        round(coalesce(m.gained, 0) * 100.0 / c.headcount, 1) as gained_per_100,
        round(coalesce(m.lost, 0) * 100.0 / c.headcount, 1) as lost_per_100,
        coalesce(m.gained, 0) < $few_moves as few_gained,
        coalesce(m.lost, 0) < $few_moves as few_lost,
        c.certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        c.note,
        c.firm_id
    from counted as c
    left join per_year as m on m.firm_n = c.firm_n and m.year = c.year
    join sources as s on s.source_id = c.source_id
)

select * from final
order by headcount desc, firm, year desc
limit $limit
