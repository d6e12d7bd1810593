-- Every source article, one row each, with its date at its precision and how many fact
-- rows (moves, pay figures, rounds, education) cite it.
-- Params: none
with

citations as (
    select source_id, count(*) as n_facts from (
        select source_id from moves
        union all select source_id from compensation
        union all select source_id from funding_rounds
        union all select source_id from education
    )
    group by source_id
),

final as (
    select
        s.source_id,
        s.title,
        s.publisher,
        fmt_date(s.published_on, s.published_on_precision) as published_on,
        s.language,
        s.url,
        coalesce(c.n_facts, 0) as n_facts
    from sources as s
    left join citations as c on c.source_id = s.source_id
)

select * from final
order by published_on, source_id
