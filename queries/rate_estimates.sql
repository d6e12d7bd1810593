-- The exchange rates among $currencies and $years that are estimates (the year was not closed or
-- its annual average not published when the data was built): one row per currency and year, with
-- what the table says of it. A page that converts with one says so, as it does for the price index.
-- Params: $currencies (VARCHAR[]), $years (INTEGER[])
select currency, year, usd_per_unit, source
from fx_rates
where list_contains($currencies, currency) and list_contains($years, year) and source ilike 'estimate%'
    and currency <> 'USD'
order by year, currency
