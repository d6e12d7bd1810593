-- Money and talent, per round: one row per dated round or deal (the $limit most recent under the
-- funding filters; with $firm_id, that firm's and, with $with_subsidiaries, its subsidiaries'),
-- with the people who joined and left its firm (the firm alone) within $months before and after
-- it, and in the same period when the dates are too coarse to order them (round_moves says how
-- they are compared). n_rounds: the dated rounds selected; n_undated: those without a date,
-- which cannot be compared.
-- Params: $start_year (INTEGER), $end_year (INTEGER), $min_certainty (VARCHAR), $kinds (VARCHAR[], default []),
--         $countries (VARCHAR[], default []), $round_types (VARCHAR[], default []),
--         $statuses (VARCHAR[], default []), $currency (VARCHAR), $firm_id (VARCHAR, default ''),
--         $with_subsidiaries (BOOLEAN, default false), $months (INTEGER), $limit (INTEGER)
with

pairs as (
    select * from round_moves(
        $start_year, $end_year, $min_certainty, $kinds, $countries, $round_types, $statuses, $currency,
        $firm_id, $with_subsidiaries, $months, $limit
    )
),

per_round as (
    select
        round_id,
        any_value(firm_id) as firm_id,
        any_value(firm_label) as firm,
        any_value(kind) as kind,
        any_value(round_type) as round_type,
        any_value(status) as status,
        any_value(announced_on) as announced_date,
        any_value(announced_on_precision) as announced_on_precision,
        any_value(amount_converted) as amount_converted,
        any_value(amount_qualifier) as amount_qualifier,
        any_value(certainty) as certainty,
        any_value(source_id) as source_id,
        any_value(n_rounds) as n_rounds,
        count(*) filter (where direction = 'in' and relation = 'before') as in_before,
        count(*) filter (where direction = 'in' and relation = 'same') as in_same,
        count(*) filter (where direction = 'in' and relation = 'after') as in_after,
        count(*) filter (where direction = 'out' and relation = 'before') as out_before,
        count(*) filter (where direction = 'out' and relation = 'same') as out_same,
        count(*) filter (where direction = 'out' and relation = 'after') as out_after,
        string_agg(distinct person_label, ', ' order by person_label) filter (where direction = 'in') as joined,
        string_agg(distinct person_label, ', ' order by person_label) filter (where direction = 'out') as left_firm,
        max(list_position(['day', 'month', 'year'], compared_to)) as coarsest
    from pairs
    group by round_id
),

final as (
    select
        r.firm,
        r.round_type,
        r.status,
        fmt_date(r.announced_date, r.announced_on_precision) as announced_on,
        r.amount_converted,
        r.amount_qualifier,
        $currency as display_currency,
        r.in_before, r.in_same, r.in_after,
        r.out_before, r.out_same, r.out_after,
        r.joined,
        r.left_firm,
        ['day', 'month', 'year'][r.coarsest] as compared_to,
        r.certainty,
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
        r.announced_date
    from per_round as r
    join sources as s on s.source_id = r.source_id
)

select * exclude (announced_date) from final
order by announced_date desc, round_id
