-- One firm's (and, if $with_subsidiaries, its subsidiaries') people gained, lost and net
-- over all moves at the certainty selected, one row. Moves between its own units do not count.
-- Params: $firm_id (VARCHAR), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select list(firm_n) as codes from firm_levels
    where firm_id = $firm_id or ($with_subsidiaries and root_id = $firm_id)
),

sides as (
    select
        coalesce(list_contains(f.codes, m.to_n), false) as is_in,
        coalesce(list_contains(f.codes, m.from_n), false) as is_out
    from move_facts as m, family as f
    where m.certainty_level >= certainty_level($min_certainty)
        and (list_contains(f.codes, m.to_n) or list_contains(f.codes, m.from_n))
),

final as (
    select
        count(*) filter (where is_in and not is_out) as n_gained,
        count(*) filter (where is_out and not is_in) as n_lost
    from sides
)

select *, n_gained - n_lost as net from final
