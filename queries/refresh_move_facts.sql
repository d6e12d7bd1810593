-- Rebuilds move_facts from move_facts_source (see schema.sql); every load runs it inside
-- its transaction. Returns one row: the number of moves.
-- Params: none
create or replace table move_facts as select * from move_facts_source;
select count(*) as n_moves from move_facts
