-- Derived table deal_people: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by round_id.
-- Params: none

-- The people each deal brought: for every acquisition, acqui-hire or hire with a buyer or payer (in older
-- data, the lead investor), the moves from the target to the buyer in the deal's year (any move when
-- either date is unknown), one row per deal; derived by every load so the deals query
-- never reads the moves.
create or replace view deal_people_source as
with deals as (
    select r.round_id, r.announced_on, t.firm_n as target_n, b.firm_n as buyer_n
    from funding_rounds as r
    join round_investors as ri
        on ri.round_id = r.round_id and (ri.role in ('buyer', 'payer') or (ri.role is null and ri.is_lead))
    join firm_levels as t on t.firm_id = r.firm_id
    join firm_levels as b on b.firm_id = ri.investor_id
    where r.round_type in ('acquisition', 'acquihire', 'hire') and in_scope_round(r.round_id)
)
select
    d.round_id,
    string_agg(m.person_label, ', ' order by m.person_name) as people,
    count(*) as n_people
from deals as d
join (
    -- only the moves that leave a deal's target: the few deals of a refresh read few moves' names
    select from_n, to_n, moved_on, year, person_label, person_name from move_facts
    where from_n in (select target_n from deals)
) as m
    on m.from_n = d.target_n and m.to_n = d.buyer_n
    and (d.announced_on is null or m.moved_on is null or m.year = year(d.announced_on))
group by d.round_id;

create table if not exists deal_people as select * from deal_people_source;
