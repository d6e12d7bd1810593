-- Derived table flow_cells: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by delta (atlas.load.derived).
-- Params: none

-- The moves counted by both ends' kind and country, year and certainty: one row per
-- combination that has moves (about 230,000 rows for 10M moves). The flow queries read these
-- counts instead of every move at the kind and country levels when no search narrows the
-- moves (flow_cell_ends, filters.sql); the filters mean the same on both paths. A move with
-- no known origin (or destination) has NULL codes on that side; an undated one a NULL year.
create or replace view flow_cells_source as
select
    from_kind_n, to_kind_n, from_country_n, to_country_n,
    from_kind, to_kind, from_country, to_country,
    year, certainty_level, from_level,
    count(*)::bigint as n_moves
from move_facts
group by all;

create table if not exists flow_cells as select * from flow_cells_source;
