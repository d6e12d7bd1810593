-- Derived table pay_facts: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by comp_id (whole when exchange rates change).
-- Params: none

-- Every pay figure with what the pay filters and tables need of its firm, person and source,
-- its year, certainty level, midpoint and exchange-rate key: derived by every load
-- (atlas.derived) so the pay queries read one table, join a few dozen rates
-- on an integer, and fetch names only for the figures they list (by pay_n).
create or replace view pay_facts_source as
select
    c.*,
    cc.pay_n,  -- the figure's code (codes.sql): fetches its names once a listing has picked it
    fl.firm_n,
    f.name as firm_name,
    f.name_zh as firm_name_zh,
    fl.firm_label,
    f.kind as firm_kind,
    display_name(p.name, p.name_zh) as person_label,
    source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source_title,
    s.publisher as source_publisher,
    year(c.reported_on) as year_reported,
    certainty_level(c.certainty) as certainty_level,
    (c.amount_low + c.amount_high) / 2 as amount_mid,
    fx_key(c.currency, year(c.reported_on)) as fx_key
from compensation as c
join comp_codes as cc on cc.comp_id = c.comp_id
join firms as f on f.firm_id = c.firm_id
join firm_levels as fl on fl.firm_id = c.firm_id
left join people as p on p.person_id = c.person_id
left join sources as s on s.source_id = c.source_id
-- stored largest first (in US dollars at the rate of its year): the figures a page lists are
-- then in the first blocks, the only ones whose names and sources are read
left join fx_rates as usd on usd.currency = c.currency and usd.year = year(c.reported_on)
where in_scope_comp(c.comp_id)
order by c.amount_high * usd.usd_per_unit desc nulls last, c.amount_low * usd.usd_per_unit desc nulls last, c.comp_id;

create table if not exists pay_facts as select * from pay_facts_source;
