-- Rebuilds the tables derived from the facts (see schema.sql): firm_levels, move_facts, then
-- from it the boomerang trips, each person's latest move, each firm's move counts and the
-- people each deal brought, the investments, the pay facts and
-- each firm's number of pay figures. Every load runs it after its commit, in a transaction
-- of its own (atlas.load.refresh_derived_committed).
-- Returns one row: the number of moves.
-- Params: none
create or replace table firm_levels as select * from firm_levels_source;
create or replace table move_facts as select * from move_facts_source;
create or replace table boomerang_trips as select * from boomerang_trips_source;
create or replace table person_latest as select * from person_latest_source;
create or replace table investments as select * from investments_source;
create or replace table firm_move_counts as select * from firm_move_counts_source;
create or replace table deal_people as select * from deal_people_source;
create or replace table pay_facts as select * from pay_facts_source;
create or replace table pay_firm_counts as select * from pay_firm_counts_source;
select count(*) as n_moves from move_facts
