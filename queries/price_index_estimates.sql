-- The years among $years whose US price index (cpi) is an estimate, not the final annual
-- average: one row per such year, with what the table says of it (the pages that show money of
-- a constant year say so).
-- Params: $years (INTEGER[])
select year, cpi_u, source
from cpi
where list_contains($years, year) and source ilike 'estimate%'
order by year
