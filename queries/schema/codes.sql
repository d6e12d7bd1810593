-- The small integer codes the derived tables group and join by (person_n, firm_n, kind_n,
-- country_n, pay_n), and the scope of a derive. Logic, no facts: re-run with the derived
-- tables, but the code tables themselves are kept (`create ... if not exists`).
-- Params: none

-- A code, once given, never changes: a new person, firm, kind, country or pay figure gets the
-- next free number (atlas.derive.assign_codes), so an upload that adds one never renumbers
-- the millions of rows that carry the others, and a derived table refreshed for the rows an
-- upload touched equals one rebuilt from scratch. A code whose entry was removed is not reused.
create table if not exists person_codes (person_id varchar primary key, person_n integer not null);
create table if not exists firm_codes (firm_id varchar primary key, firm_n integer not null);
create table if not exists comp_codes (comp_id varchar primary key, pay_n integer not null);
-- level is 'kind' or 'country'; key is the kind, or the country ('??' when unknown)
create table if not exists group_codes (level varchar, key varchar, n integer not null, primary key (level, key));

-- The scope of a derive. Here, every row: a full rebuild. An incremental refresh
-- (atlas.derive) redefines these as temporary macros on its own cursor, over temporary
-- tables of the people, rounds and pay figures an upload touched, and the derived
-- tables' source views (derived/*.sql) then compute only those rows.
create or replace macro in_scope_person(person_id) as true;
-- the same people by their codes: tables that carry person_n are filtered on an integer
create or replace macro in_scope_person_n(person_n) as true;
create or replace macro in_scope_round(round_id) as true;
create or replace macro in_scope_comp(comp_id) as true;
