-- Derived table pay_firm_counts: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: whole (one count per firm).
-- Params: none

-- How many pay figures each firm offered, most first (the offering-firm picker's options),
-- derived by every load.
create or replace view pay_firm_counts_source as
select fl.firm_id, fl.firm_label, c.n_figures
from (select firm_n, count(*) as n_figures from pay_facts group by firm_n) as c
join firm_levels as fl on fl.firm_n = c.firm_n
order by c.n_figures desc, fl.firm_label;

create table if not exists pay_firm_counts as select * from pay_firm_counts_source;
