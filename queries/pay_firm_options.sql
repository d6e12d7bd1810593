-- The firms that made at least one pay offer, one row each with its number of figures:
-- the options of the offering-firm filter.
-- Params: none
select c.firm_id, fl.firm_label as firm, count(*) as n_figures
from compensation as c
join firm_levels as fl on fl.firm_id = c.firm_id
group by all
order by n_figures desc, firm
