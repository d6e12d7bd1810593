-- Derived table investments: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by round_id.
-- Params: none

-- One row per investor in a round, with what the funding filters need of the round and
-- its firm: derived by every load (atlas.derived) so the investor
-- queries read one table instead of joining millions of investors to a million rounds.
create or replace view investments_source as
select
    ri.investor_id,
    ri.is_lead,
    -- investor (the default), buyer or partner
    coalesce(ri.role, 'investor') as role,
    r.round_id,
    r.firm_id,
    r.announced_on,
    year(r.announced_on) as year,
    r.certainty,
    f.kind,
    f.country,
    r.round_type,
    r.status,
    r.amount,
    r.amount_qualifier,
    r.currency,
    r.stake_pct
from round_investors as ri
join funding_rounds as r on r.round_id = ri.round_id
join firms as f on f.firm_id = r.firm_id
where in_scope_round(r.round_id);

create table if not exists investments as select * from investments_source;
