-- The countries firms are in, one row per country code, most firms first; the options of
-- the country filter.
-- Params: none
select country, count(*) as n_firms
from firms
where country is not null
group by country
order by n_firms desc, country
