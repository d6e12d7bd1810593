-- One firm's (and, if $with_subsidiaries, its subsidiaries') people gained, lost and net
-- over all moves at the certainty selected, one row. Moves between its own units do not count.
-- Params: $firm_id (VARCHAR), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select firm_id from firm_levels
    where firm_id = $firm_id or ($with_subsidiaries and root_id = $firm_id)
),

sides as (
    select
        coalesce(m.to_firm_id in (select firm_id from family), false) as is_in,
        coalesce(m.from_firm_id in (select firm_id from family), false) as is_out
    from moves as m
    where at_least_certain(m.certainty, $min_certainty)
),

final as (
    select
        count(*) filter (where is_in and not is_out) as n_gained,
        count(*) filter (where is_out and not is_in) as n_lost
    from sides
)

select *, n_gained - n_lost as net from final
