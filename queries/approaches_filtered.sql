-- Offers and approaches told without a figure that the filters select, newest first, one row
-- per approach: the firm that approached, the person approached (or the people the source
-- describes, in English and Chinese), who made the approach, when (at its precision), what was
-- offered in words (English and Chinese), the outcome, certainty and source. A person's or a
-- firm's profile passes its id: the approaches to that person, made by that person, or by that
-- firm (with its subsidiaries when $with_subsidiaries).
-- Params: $start_year (INTEGER), $end_year (INTEGER), $include_undated (BOOLEAN),
--         $min_certainty (VARCHAR), $kinds (VARCHAR[], default [], firm kinds; empty = all),
--         $firm_ids (VARCHAR[], default [], approaching firms; empty = all), $outcomes (VARCHAR[], default [], empty = all),
--         $person_id (VARCHAR, default '', '' = all), $firm_id (VARCHAR, default '', '' = all),
--         $with_subsidiaries (BOOLEAN, default false)
with

family as (
    -- the firm, and its subsidiaries when asked: the one rule of every profile (firm_family)
    select fl.firm_id from firm_levels as fl semi join firm_family($firm_id, $with_subsidiaries) as f using (firm_n)
),

final as (
    select
        a.approach_id,
        fmt_date(a.approached_on, a.approached_on_precision) as approached_on,
        a.firm_id,
        display_name(f.name, f.name_zh) as firm,
        a.person_id,
        coalesce(display_name(p.name, p.name_zh), a.people_described) as person,
        a.people_described_zh,
        a.approached_by_id,
        display_name(b.name, b.name_zh) as approached_by,
        a.offer_text,
        a.offer_text_zh,
        a.outcome,
        a.certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        a.note,
        a.approached_on as sort_date
    from approaches as a
    join firms as f on f.firm_id = a.firm_id
    left join people as p on p.person_id = a.person_id
    left join people as b on b.person_id = a.approached_by_id
    join sources as s on s.source_id = a.source_id
    where in_period(a.approached_on, $start_year, $end_year, $include_undated)
        and at_least_certain(a.certainty, $min_certainty)
        and (len($kinds) = 0 or list_contains($kinds, f.kind))
        and (len($firm_ids) = 0 or list_contains($firm_ids, a.firm_id))
        and (len($outcomes) = 0 or list_contains($outcomes, a.outcome))
        and ($person_id = '' or $person_id in (a.person_id, a.approached_by_id))
        and ($firm_id = '' or a.firm_id in (select firm_id from family))
)

select * exclude (sort_date) from final
order by sort_date desc nulls last, firm, approach_id
