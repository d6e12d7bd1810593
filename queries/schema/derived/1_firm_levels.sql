-- Derived table firm_levels: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: whole (a few thousand firms).
-- Params: none

-- Each firm with what it rolls up to at every level of the flow views: itself, its
-- top-most parent (Google Brain and Google DeepMind roll up to Google), its kind, its country.
-- Every level also has a small integer code (firm_n, root_n, kind_n, country_n) that the
-- flow queries group 10 million moves by, instead of text (codes.sql: a code never changes).
-- No query walks the parent chain again.
create or replace view firm_levels_source as
with recursive ancestry(firm_id, root_id, depth) as (
    select firm_id, firm_id, 0 from firms
    union all
    select a.firm_id, f.parent_id, a.depth + 1
    from ancestry as a
    join firms as f on f.firm_id = a.root_id
    where f.parent_id is not null and a.depth < 20
),
roots as (
    select firm_id, arg_max(root_id, depth) as root_id from ancestry group by firm_id
),
numbered as (
    select
        f.firm_id,
        display_name(f.name, f.name_zh) as firm_label,
        r.root_id,
        display_name(rf.name, rf.name_zh) as root_label,
        f.kind,
        f.country,
        f.name,
        f.name_zh,
        fc.firm_n,
        kc.n as kind_n,
        cc.n as country_n
    from firms as f
    join roots as r on r.firm_id = f.firm_id
    join firms as rf on rf.firm_id = r.root_id
    -- the codes of codes.sql, given by atlas.derive.assign_codes before any derived table
    join firm_codes as fc on fc.firm_id = f.firm_id
    join group_codes as kc on kc.level = 'kind' and kc.key = f.kind
    join group_codes as cc on cc.level = 'country' and cc.key = coalesce(f.country, '??')
)
select n.*, r.firm_n as root_n
from numbered as n
join numbered as r on r.firm_id = n.root_id;

create table if not exists firm_levels as select * from firm_levels_source;

-- The groups of each flow level with their code, key and label: what a flow query's
-- integer codes turn back into once it has aggregated.
create or replace view flow_groups as
select 'firm' as level, firm_n as group_n, firm_id as group_key, firm_label as label from firm_levels
union all
select 'parent', firm_n, firm_id, firm_label from firm_levels where firm_id = root_id
union all
select distinct 'kind', kind_n, kind, kind from firm_levels
union all
select distinct 'country', country_n, coalesce(country, '??'), coalesce(country, 'country unknown') from firm_levels;
