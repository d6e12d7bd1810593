-- The firms directly under one firm, one row per subsidiary.
-- Params: $firm_id (VARCHAR, default '')
select fl.firm_id, fl.firm_label as firm, fl.kind, fl.country
from firms as f
join firm_levels as fl on fl.firm_id = f.firm_id
where f.parent_id = $firm_id
order by fl.firm_label, fl.firm_id
