-- One firm's (and, if $with_subsidiaries, its subsidiaries') people gained, lost and net
-- over all moves at the certainty selected, one row: a move in at the move's certainty, a move
-- out at its origin's (an inferred origin is not a loss at "reported"). Moves between its own units do not count.
-- Params: $firm_id (VARCHAR, default ''), $with_subsidiaries (BOOLEAN), $min_certainty (VARCHAR)
with

family as (
    select firm_n from firm_family($firm_id, $with_subsidiaries)
),

final as (
    -- arrivals from outside the family and departures to outside it, by the firms' integer
    -- codes in move_facts (one condition per count: each reads only its matches)
    select
        (select count(*) from move_facts as m
            where m.to_n in (select firm_n from family) and not coalesce(m.from_n in (select firm_n from family), false)
                and m.certainty_level >= certainty_level($min_certainty)) as n_gained,
        (select count(*) from move_facts as m
            where m.from_n in (select firm_n from family) and not coalesce(m.to_n in (select firm_n from family), false)
                and m.from_level >= certainty_level($min_certainty)) as n_lost
)

select *, n_gained - n_lost as net from final
