-- Every source, one row each: what it is (an article, or an upload that named no source for
-- some rows), its title (the source's own headline, or a description where the copy has
-- none), publisher, date at its precision, address when known, the label every table cites
-- it by, and how many fact rows (moves, pay figures, approaches, rounds, education) cite it.
-- Params: none
with

citations as (
    select source_id, count(*) as n_facts from (
        select source_id from moves
        union all select source_id from compensation
        union all select source_id from approaches
        union all select source_id from funding_rounds
        union all select source_id from education
    )
    group by source_id
),

final as (
    select
        s.source_id,
        coalesce(s.kind, 'article') as kind,
        case when s.title_kind = 'description' then s.title else '“' || s.title || '”' end as title,
        coalesce(s.title_kind, 'headline') as title_kind,
        case when s.title_kind = 'description' then s.title_zh end as title_zh,
        s.publisher,
        fmt_date(s.published_on, s.published_on_precision) as published_on,
        s.language,
        s.url,
        source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as label,
        coalesce(c.n_facts, 0) as n_facts
    from sources as s
    left join citations as c on c.source_id = s.source_id
)

select * from final
order by kind = 'upload', published_on, source_id
