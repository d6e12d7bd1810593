-- The first and last year any dated fact falls in, one row; the default period filter.
-- Params: none
select
    least(
        (select min(year(moved_on)) from moves),
        (select min(year(reported_on)) from compensation),
        (select min(year(announced_on)) from funding_rounds)
    ) as first_year,
    greatest(
        (select max(year(moved_on)) from moves),
        (select max(year(reported_on)) from compensation),
        (select max(year(announced_on)) from funding_rounds)
    ) as last_year
