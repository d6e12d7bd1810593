-- The firms that made at least one pay offer, one row each with its number of figures, most
-- figures first: the options of the offering-firm filter. Only the $limit firms with the most
-- figures are listed, plus every firm in $include (the ones a link or the current pick names),
-- so the picker never sends tens of thousands of options to the browser.
-- Params: $limit (INTEGER), $include (VARCHAR[])
with

final as (
    select firm_id, firm_label as firm, n_figures
    from pay_firm_counts
    qualify row_number() over (order by n_figures desc, firm_label) <= $limit
        or list_contains($include, firm_id)
)

select * from final
order by n_figures desc, firm
