-- The firms that made at least one pay offer, one row each with its number of figures, most
-- figures first: the options of the offering-firm filter. Only the $limit firms with the most
-- figures are listed, plus every firm in $include (the ones a link or the current pick names),
-- so the picker never sends tens of thousands of options to the browser.
-- Params: $limit (INTEGER), $include (VARCHAR[])
with

counted as (
    -- grouped by the firm's integer code, named after
    select firm_n, count(*) as n_figures
    from pay_facts
    group by firm_n
),

final as (
    select fl.firm_id, fl.firm_label as firm, c.n_figures
    from counted as c
    join firm_levels as fl on fl.firm_n = c.firm_n
    qualify row_number() over (order by c.n_figures desc, fl.firm_label) <= $limit
        or list_contains($include, fl.firm_id)
)

select * from final
order by n_figures desc, firm
