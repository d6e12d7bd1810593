-- Derived table firm_move_counts: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by delta (atlas.load.derived).
-- Params: none

-- Moves into and out of each firm (itself, not its subsidiaries) per certainty level, derived
-- by every load: the firm lists and comparisons add these up instead of reading every move.
-- A move in counts at the move's certainty, a move out at its origin's (from_level).
create or replace view firm_move_counts_source as
with sides as (
    select to_n as firm_n, certainty_level, count(*) as n_in, 0 as n_out
    from move_facts where to_n is not null group by all
    union all
    select from_n, from_level, 0, count(*)
    from move_facts where from_n is not null group by all
)
select firm_n, certainty_level, sum(n_in)::bigint as n_in, sum(n_out)::bigint as n_out
from sides
group by all;

create table if not exists firm_move_counts as select * from firm_move_counts_source;
