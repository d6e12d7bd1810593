-- Rows per table of the data model, one row per table, in load order.
-- Params: none
with

final as (
    select 1 as ord, 'sources' as table_name, count(*) as n_rows from sources
    union all select 2, 'firms', count(*) from firms
    union all select 3, 'people', count(*) from people
    union all select 3.5, 'aliases', count(*) from aliases
    union all select 4, 'education', count(*) from education
    union all select 5, 'moves', count(*) from moves
    union all select 6, 'compensation', count(*) from compensation
    union all select 6.5, 'approaches', count(*) from approaches
    union all select 7, 'funding_rounds', count(*) from funding_rounds
    union all select 8, 'round_investors', count(*) from round_investors
    union all select 8.3, 'firm_events', count(*) from firm_events
    union all select 8.6, 'headcounts', count(*) from headcounts
    union all select 9, 'fx_rates', count(*) from fx_rates
    union all select 10, 'cpi', count(*) from cpi
)

select table_name, n_rows from final
order by ord
