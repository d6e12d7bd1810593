-- Money and talent, per round: one row per dated round or deal (the $limit most recent under the
-- funding filters; with $firm_id, that firm's and, with $with_subsidiaries, its subsidiaries'),
-- with the moves into and out of its firm (the firm alone) within $months before and after it,
-- and in the same period when the dates are too coarse to order them (round_relation says how
-- they are compared), and who joined and left: named for a round with at most $max_named such
-- moves (a large firm's hundreds are counted, not listed), with the least certain of those moves'
-- certainty (moves_certainty) beside the round's own. n_rounds: the dated rounds selected;
-- n_undated: those without a date, which cannot be compared.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $round_types (VARCHAR[], default []),
--         $statuses (VARCHAR[], default []), $currency (VARCHAR), $firm_id (VARCHAR, default ''),
--         $with_subsidiaries (BOOLEAN, default false), $months (INTEGER), $limit (INTEGER),
--         $max_named (INTEGER, default 20)
with

rounds as materialized (
    select * from money_rounds(
        $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency,
        $firm_id, $with_subsidiaries, $limit
    )
),

counts as materialized (
    select * from round_move_counts(
        $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency,
        $firm_id, $with_subsidiaries, $months, $limit
    )
),

per_round as (
    select
        round_id,
        sum(n_moves) filter (where direction = 'in' and relation = 'before') as in_before,
        sum(n_moves) filter (where direction = 'in' and relation = 'same') as in_same,
        sum(n_moves) filter (where direction = 'in' and relation = 'after') as in_after,
        sum(n_moves) filter (where direction = 'out' and relation = 'before') as out_before,
        sum(n_moves) filter (where direction = 'out' and relation = 'same') as out_same,
        sum(n_moves) filter (where direction = 'out' and relation = 'after') as out_after,
        sum(n_moves) as n_moves,
        max(list_position(['day', 'month', 'year'], compared_to)) as coarsest
    from counts
    group by round_id
),

named_rounds as (
    select r.round_id, r.firm_n, r.announced_on, r.announced_on_precision
    from rounds as r
    join per_round as c on c.round_id = r.round_id
    where c.n_moves <= $max_named
),

named_moves as (
    -- the moves of those rounds' firms, with their people, read only for them
    select to_n as firm_n, 'in' as direction, moved_on, moved_on_precision, person_label, certainty_level
    from move_facts
    where to_n in (select firm_n from named_rounds) and moved_on is not null
        and certainty_level >= certainty_level($min_certainty) and from_n is distinct from to_n
    union all
    select from_n, 'out', moved_on, moved_on_precision, person_label, from_level
    from move_facts
    where from_n in (select firm_n from named_rounds) and moved_on is not null
        and from_level >= certainty_level($min_certainty) and from_n is distinct from to_n
),

names as (
    select
        r.round_id,
        string_agg(distinct m.person_label, ', ' order by m.person_label) filter (where m.direction = 'in') as joined,
        string_agg(distinct m.person_label, ', ' order by m.person_label) filter (where m.direction = 'out')
            as left_firm,
        -- the least certain of the moves named: the joiners' own certainty, beside the round's
        min(m.certainty_level) as moves_certainty_level
    from named_rounds as r
    join named_moves as m on m.firm_n = r.firm_n
    where round_relation(
        r.announced_on, m.moved_on, compared_precision(r.announced_on_precision, m.moved_on_precision), $months
    ) is not null
    group by r.round_id
),

final as (
    select
        r.firm_label as firm,
        r.round_type,
        r.status,
        fmt_date(r.announced_on, r.announced_on_precision) as announced_on,
        r.amount_converted,
        r.amount_qualifier,
        $currency as display_currency,
        coalesce(c.in_before, 0) as in_before,
        coalesce(c.in_same, 0) as in_same,
        coalesce(c.in_after, 0) as in_after,
        coalesce(c.out_before, 0) as out_before,
        coalesce(c.out_same, 0) as out_same,
        coalesce(c.out_after, 0) as out_after,
        n.joined,
        n.left_firm,
        ['day', 'month', 'year'][c.coarsest] as compared_to,
        r.certainty,
        case when r.announced_on_certainty is distinct from r.certainty then r.announced_on_certainty end
            as announced_on_certainty,
        certainty_name(n.moves_certainty_level) as moves_certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        r.kind,
        r.firm_id,
        r.round_id,
        r.n_rounds,
        (
            select count(*) from selected_rounds(
                $start_year, $end_year, true, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency
            ) as u
            where u.announced_on is null
                and ($firm_id = '' or u.firm_id in (
                    select fl.firm_id from firm_levels as fl
                    where fl.firm_n in (select firm_n from firm_family($firm_id, $with_subsidiaries))
                ))
        ) as n_undated,
        r.announced_on as announced_date
    from rounds as r
    left join per_round as c on c.round_id = r.round_id
    left join names as n on n.round_id = r.round_id
    join sources as s on s.source_id = r.source_id
)

select * exclude (announced_date) from final
order by announced_date desc, round_id
