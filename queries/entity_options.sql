-- Every person and firm id with its display label, one row each, people first: the
-- options of the profile pickers.
-- Params: none
select 'person' as entity, person_id as id, display_name(name, name_zh) as label from people
union all
select 'firm', firm_id, display_name(name, name_zh) from firms
order by entity desc, label
