-- A firm's lineage: one row per event (a rename, a merger, an acquisition, an acqui-hire, a team
-- that joined another firm; a successor the source does not name reads as it describes it), every
-- event or, with $firm_id, those where that firm is the one before or the one after; with the
-- deal it came with (an acqui-hire's round, its amount in its own currency), the people that
-- deal brought (deal_people), whether today's lineage counts the firm as its successor, and the
-- source. Newest first.
-- Params: $firm_id (VARCHAR, default '')
with

events as (
    select e.*
    from firm_events as e
    where $firm_id = '' or e.firm_id = $firm_id or e.successor_id = $firm_id
),

final as (
    select
        a.firm_label as firm,
        e.event_type,
        coalesce(b.firm_label, e.successor_described) as successor,
        e.successor_described_zh,
        fmt_date(e.happened_on, e.happened_on_precision) as happened_on,
        case when e.happened_on_certainty is distinct from e.certainty then e.happened_on_certainty end
            as happened_on_certainty,
        r.round_type,
        r.amount,
        r.amount_qualifier,
        r.currency,
        dp.people,
        e.event_type in ('renamed', 'merged_into', 'acquired') and e.successor_id is not null as counted_as_successor,
        e.certainty,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
        e.note,
        e.firm_id,
        e.successor_id,
        e.round_id,
        e.event_id,
        e.happened_on as happened_date
    from events as e
    join firm_levels as a on a.firm_id = e.firm_id
    left join firm_levels as b on b.firm_id = e.successor_id
    join sources as s on s.source_id = e.source_id
    left join funding_rounds as r on r.round_id = e.round_id
    left join deal_people as dp on dp.round_id = e.round_id
)

select * exclude (happened_date) from final
order by happened_date desc nulls last, firm, event_id
