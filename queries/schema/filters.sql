-- The filtered selections every page's queries share (moves, flow ends, pay figures, rounds):
-- table macros over the derived tables, so they are created after them. They hold no data.
-- Params: none

-- Whether a move is in the view of the shared filters (and the flow pages' country and search):
-- one rule for selected_moves and the lists of moves (move_rows). A move matches a firm kind or
-- country when either end has it; the search matches the person or either firm, in English or
-- Chinese; an undated move only while the period is not narrowed.
-- The move is in view at its own certainty (certainty_level); its origin (from_level) matches a
-- kind or country only when it is as sure as the certainty chosen.
create or replace macro move_ends_in_view(certainty_level, from_level, from_kind, to_kind, from_country, to_country,
        min_certainty, kinds, countries) as
    certainty_level >= certainty_level(min_certainty)
    and (len(kinds) = 0 or list_contains(kinds, to_kind)
        or (list_contains(kinds, from_kind) and from_level >= certainty_level(min_certainty)))
    and (len(countries) = 0 or list_contains(countries, to_country)
        or (list_contains(countries, from_country) and from_level >= certainty_level(min_certainty)));

create or replace macro move_in_view(moved_on, year, certainty_level, from_level, from_kind, to_kind, from_country,
        to_country, search_text, start_year, end_year, include_undated, min_certainty, kinds, countries, search) as
    (case when moved_on is null then include_undated else year between start_year and end_year end)
    and move_ends_in_view(certainty_level, from_level, from_kind, to_kind, from_country, to_country,
        min_certainty, kinds, countries)
    and (search = '' or contains(search_text, lower(search)));

-- The moves the shared filters of the flow views select, with both ends at every level,
-- read from move_facts (one wide row per move, refreshed by every load) so no query joins
-- 10 million moves to people and firms again.
create or replace macro selected_moves(start_year, end_year, include_undated, min_certainty, kinds, countries, search) as table
select *
from move_facts as m
where move_in_view(m.moved_on, m.year, m.certainty_level, m.from_level, m.from_kind, m.to_kind, m.from_country, m.to_country,
    m.search_text, start_year, end_year, include_undated, min_certainty, kinds, countries, search);

-- Today's lineage: each firm that was renamed, merged into another or acquired whole, with the
-- firm it is today (following a chain of such events) as the integer codes of every flow level.
-- A firm with no such event is itself today and is not listed; an acqui-hire leaves the firm itself.
create or replace view firm_successors as
with recursive chain(firm_id, successor_id, depth) as (
    -- a firm sold to a buyer the source does not name counts as itself
    select firm_id, successor_id, 1 from firm_events
    where event_type in ('renamed', 'merged_into', 'acquired') and successor_id is not null
    union all
    select c.firm_id, e.successor_id, c.depth + 1
    from chain as c
    join firm_events as e on e.firm_id = c.successor_id and e.event_type in ('renamed', 'merged_into', 'acquired')
        and e.successor_id is not null
    where c.depth < 20
),
today as (
    select firm_id, arg_max(successor_id, depth) as today_id from chain group by firm_id
)
select
    a.firm_n, a.firm_id, a.firm_label,
    b.firm_n as today_n, b.root_n as today_root_n, b.kind_n as today_kind_n, b.country_n as today_country_n,
    b.firm_id as today_id, b.firm_label as today_label
from today as t
join firm_levels as a on a.firm_id = t.firm_id
join firm_levels as b on b.firm_id = t.today_id;

-- The selected moves with both ends as the integer code of their group at one flow level
-- (see firm_levels and flow_groups). An unknown origin, or a departure with no known
-- destination, has a NULL code.
create or replace macro flow_ends(level, start_year, end_year, include_undated, min_certainty, kinds, countries, search,
        lineage := 'then') as table
-- on today's lineage a renamed, merged or acquired firm at either end counts as its successor
-- (firm_successors); as the firms stood, the joins match nothing and each move keeps its own firms
select
    s.move_id,
    s.person_id,
    s.person_label,
    s.move_type,
    s.moved_on,
    s.moved_on_precision,
    s.from_firm_id,
    s.to_firm_id,
    s.career_seq,
    -- an origin less sure than the certainty chosen (an inferred one at "reported") is not
    -- counted as that firm's: the flow comes from an unknown origin
    case when s.from_level >= certainty_level(min_certainty) then
        level_n(level, coalesce(a.today_n, s.from_n), coalesce(a.today_root_n, s.from_root_n),
            coalesce(a.today_kind_n, s.from_kind_n), coalesce(a.today_country_n, s.from_country_n))
    end as src_n,
    level_n(level, coalesce(b.today_n, s.to_n), coalesce(b.today_root_n, s.to_root_n),
        coalesce(b.today_kind_n, s.to_kind_n), coalesce(b.today_country_n, s.to_country_n)) as dst_n
from selected_moves(start_year, end_year, include_undated, min_certainty, kinds, countries, search) as s
left join firm_successors as a on lineage = 'today' and a.firm_n = s.from_n
left join firm_successors as b on lineage = 'today' and b.firm_n = s.to_n;

-- The selected moves as (origin group, destination group, n_moves) at one flow level, for
-- the queries to add up: from the pre-counted flow_cells at the kind and country levels when
-- no search narrows the moves (a few hundred thousand rows instead of every move), else one
-- row per move of flow_ends (at the firm and parent levels there are nearly as many pairs as
-- moves: grouping them first doubled the time at 10M). The same sums either way
-- (tests/test_flow_cells.py). Only one branch reads anything: the other's guard is
-- false for the whole query.
create or replace macro flow_pairs(level, start_year, end_year, include_undated, min_certainty, kinds, countries, search,
        lineage := 'then') as table
select
    case when c.from_level >= certainty_level(min_certainty) then
        level_n(level, null, null, c.from_kind_n, c.from_country_n)
    end as src_n,
    level_n(level, null, null, c.to_kind_n, c.to_country_n) as dst_n,
    sum(c.n_moves)::bigint as n_moves
from flow_cells as c
where level in ('kind', 'country') and search = '' and lineage <> 'today'
    and (case when c.year is null then include_undated else c.year between start_year and end_year end)
    and move_ends_in_view(c.certainty_level, c.from_level, c.from_kind, c.to_kind, c.from_country, c.to_country,
        min_certainty, kinds, countries)
group by all
union all
select src_n, dst_n, 1::bigint as n_moves
from flow_ends(level, start_year, end_year, include_undated, min_certainty, kinds, countries, search, lineage := lineage)
where not (level in ('kind', 'country') and search = '' and lineage <> 'today');

-- The pay figures the filters select, each with its low, midpoint and high converted by
-- fx_factors; every pay query reads this, so the filters mean the same everywhere.
-- p_person / p_firm: '' = all; the lists: empty = all.
create or replace macro selected_pay(start_year, end_year, include_undated, min_certainty, kinds, display,
        constant_year, p_person, p_firm, firm_ids, pay_kinds, outcomes) as table
select
    c.*,
    c.amount_low * fx.factor as low_converted,
    c.amount_high * fx.factor as high_converted,
    c.amount_mid * fx.factor as mid_converted
from pay_facts as c
left join (select fx_key(currency, year) as fx_key, factor from fx_factors(display, constant_year)) as fx
    on fx.fx_key = c.fx_key
where in_year(c.year_reported, start_year, end_year, include_undated)  -- in_period on the stored year
    and c.certainty_level >= certainty_level(min_certainty)
    and (len(kinds) = 0 or list_contains(kinds, c.firm_kind))
    and (p_person = '' or c.person_id = p_person)
    and (p_firm = '' or c.firm_id = p_firm)
    and (len(firm_ids) = 0 or list_contains(firm_ids, c.firm_id))
    and (len(pay_kinds) = 0 or list_contains(pay_kinds, c.kind))
    and (len(outcomes) = 0 or list_contains(outcomes, c.outcome));

-- Whether a round or deal (its date, certainty, firm kind and country, type and status)
-- passes the funding filters; selected_rounds and the investments queries share it.
create or replace macro round_matches(announced_on, certainty, kind, country, round_type, status,
        start_year, end_year, include_undated, min_certainty, kinds, countries, round_types, statuses) as
    in_period(announced_on, start_year, end_year, include_undated)
    and at_least_certain(certainty, min_certainty)
    and (len(kinds) = 0 or list_contains(kinds, kind))
    and (len(countries) = 0 or list_contains(countries, country))
    and (len(round_types) = 0 or list_contains(round_types, round_type))
    and (len(statuses) = 0 or list_contains(statuses, status));

-- The funding rounds and deals the filters select, with the firm's names and each amount
-- converted by fx_factors (fx_factor is kept for converting valuations). Lists: empty = all.
create or replace macro selected_rounds(start_year, end_year, include_undated, min_certainty, kinds, countries,
        round_types, statuses, display) as table
select
    r.*,
    f.name as firm_name,
    f.name_zh as firm_name_zh,
    fx.factor as fx_factor,
    r.amount * fx.factor as amount_converted
from funding_rounds as r
join firms as f on f.firm_id = r.firm_id
left join fx_factors(display, 0) as fx on fx.currency = r.currency and fx.year = year(r.announced_on)
where round_matches(r.announced_on, r.certainty, f.kind, f.country, r.round_type, r.status,
    start_year, end_year, include_undated, min_certainty, kinds, countries, round_types, statuses);

-- The people the filters select by their latest move (person_latest), for the trained-in /
-- works-in views: where they work (the country of that move's firm; departures left out) and
-- the country of their first degree counted at the certainty chosen. The matrix and the people
-- behind one of its cells both read this, so a cell lists exactly the people it counts.
create or replace macro selected_latest(start_year, end_year, include_undated, min_certainty, kinds, countries,
        search) as table
select
    l.person_id,
    l.person_label,
    l.to_firm_id,
    l.to_label,
    l.moved_on,
    l.moved_on_precision,
    l.to_country as works_country,
    case certainty_level(min_certainty)
        when 4 then l.trained_country_4 when 3 then l.trained_country_3 when 2 then l.trained_country_2
        else l.trained_country_1
    end as trained_country
from person_latest as l
where l.to_firm_id is not null
    and (case when l.moved_on is null then include_undated else l.year between start_year and end_year end)
    and l.certainty_level >= certainty_level(min_certainty)
    and (len(kinds) = 0 or list_contains(kinds, l.to_kind))
    and (len(countries) = 0 or list_contains(countries, l.to_country))
    and (search = '' or contains(l.search_text, lower(search)));

-- A firm's family: the firm itself and, when with_subsidiaries, every firm that rolls up to it
-- (firm_levels.root_id), as the firms' integer codes. The profile's moves, nets and flows over
-- time all count a firm this way.
create or replace macro firm_family(firm, with_subsidiaries) as table
select firm_n from firm_levels
where firm <> '' and (firm_id = firm or (with_subsidiaries and root_id = firm));

-- Every list of moves shows a move alike: these columns (then sort_date and what a query filters
-- on, left out of what it shows). A filter on the view reaches move_facts' scan, and only the
-- moves it keeps are joined to their source.
create or replace view move_rows as
select
    m.move_id,
    fmt_date(m.moved_on, m.moved_on_precision) as moved_on,
    m.person_id,
    m.person_label as person,
    m.from_firm_id,
    m.from_label as from_firm,
    m.to_firm_id,
    m.to_label as to_firm,
    m.move_type,
    m.role,
    m.certainty,
    -- how sure the source is of the origin, where it is less sure than of the move
    case when m.from_level < m.certainty_level then m.origin_certainty end as origin_certainty,
    case when m.moved_on_certainty is distinct from m.certainty then m.moved_on_certainty end as moved_on_certainty,
    source_label(s.title, s.title_kind, s.publisher, s.published_on, s.published_on_precision) as source,
    s.publisher as source_publisher,
    fmt_date(s.published_on, s.published_on_precision) as source_date,
    m.note,
    m.moved_on as sort_date,
    m.certainty_level,
    m.from_level,
    m.from_n,
    m.to_n,
    m.year,
    m.from_kind,
    m.to_kind,
    m.from_country,
    m.to_country,
    m.search_text
from move_facts as m
join sources as s on s.source_id = m.source_id;

-- Money and talent. A round and a move are compared at the coarser of their two precisions
-- (compared_precision), each date as the first day of its day, month or year: equal there, the
-- move is in the same period as the round and their order is unknown ('same'); else it is
-- 'before' or 'after' when within `months` of the round, and NULL outside (round_relation).
create or replace macro compared_precision(p1, p2) as
    ['day', 'month', 'year'][greatest(list_position(['day', 'month', 'year'], p1), list_position(['day', 'month', 'year'], p2))];

create or replace macro round_relation(round_on, move_on, precision, months) as
    case
        when date_trunc(precision, move_on) = date_trunc(precision, round_on) then 'same'
        when date_trunc(precision, move_on) < date_trunc(precision, round_on)
            and date_trunc(precision, move_on) >= date_trunc(precision, round_on) - to_months(months) then 'before'
        when date_trunc(precision, move_on) > date_trunc(precision, round_on)
            and date_trunc(precision, move_on) <= date_trunc(precision, round_on) + to_months(months) then 'after'
    end;

-- The rounds money and talent sets moves against: the `lim` most recent dated rounds and deals the
-- funding filters select (with `firm`, that firm's, and its subsidiaries' when with_subsidiaries),
-- each with its firm's code and kind; n_rounds: how many dated ones the filters select.
create or replace macro money_rounds(start_year, end_year, min_certainty, kinds, countries, round_types, statuses,
        display, firm, with_subsidiaries, lim) as table
select
    r.round_id, r.firm_id, fl.firm_n, fl.firm_label, fl.kind, r.round_type, r.status,
    r.announced_on, r.announced_on_precision, r.amount_converted, r.amount_qualifier, r.certainty,
    r.announced_on_certainty,
    r.source_id, count(*) over () as n_rounds
from selected_rounds(start_year, end_year, false, min_certainty, kinds, countries, round_types, statuses,
    display) as r
join firm_levels as fl on fl.firm_id = r.firm_id
where r.announced_on is not null
    and (firm = '' or fl.firm_n in (select firm_n from firm_family(firm, with_subsidiaries)))
order by r.announced_on desc, r.round_id
limit lim;

-- The moves into and out of each of those rounds' firms (the firm itself, not its subsidiaries)
-- within `months` of the round, at least min_certainty: one row per round, direction ('in' or
-- 'out'), relation, month from the round (offset_months: the move's month less the round's, at
-- the precision compared) and precision compared, with how many moves. The moves are read once,
-- counted by firm and date, so a firm with a hundred thousand moves costs its dates, not its moves.
create or replace macro round_move_counts(start_year, end_year, min_certainty, kinds, countries, round_types,
        statuses, display, firm, with_subsidiaries, months, lim) as table
with rounds as (
    select * from money_rounds(start_year, end_year, min_certainty, kinds, countries, round_types, statuses,
        display, firm, with_subsidiaries, lim)
),
sides as (
    select to_n as firm_n, 'in' as direction, moved_on, moved_on_precision, count(*) as n_moves
    from move_facts
    where to_n in (select firm_n from rounds) and moved_on is not null
        and certainty_level >= certainty_level(min_certainty) and from_n is distinct from to_n
    group by all
    union all
    select from_n, 'out', moved_on, moved_on_precision, count(*)
    from move_facts
    where from_n in (select firm_n from rounds) and moved_on is not null
        and from_level >= certainty_level(min_certainty) and from_n is distinct from to_n
    group by all
),
pairs as (
    select
        r.round_id, r.firm_id, r.kind, r.announced_on, s.direction, s.moved_on, s.n_moves,
        compared_precision(r.announced_on_precision, s.moved_on_precision) as compared_to
    from rounds as r
    join sides as s
        on s.firm_n = r.firm_n
        -- a year either side of the window is room enough for dates truncated to their year
        and s.moved_on between r.announced_on - to_months(months + 12) and r.announced_on + to_months(months + 12)
)
select
    round_id, firm_id, kind, direction,
    round_relation(announced_on, moved_on, compared_to, months) as relation,
    date_diff('month', date_trunc(compared_to, announced_on), date_trunc(compared_to, moved_on)) as offset_months,
    compared_to,
    sum(n_moves)::bigint as n_moves
from pairs
where round_relation(announced_on, moved_on, compared_to, months) is not null
group by all;
