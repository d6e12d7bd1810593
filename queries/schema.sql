-- Talent Atlas schema: every table of the data model, re-runnable on an empty database.
-- A date column X is stored as X (DATE, first day of its period) plus X_precision
-- ('year', 'month' or 'day'): CSVs accept YYYY, YYYY-MM or YYYY-MM-DD and the UI shows
-- each date at the precision it was reported with.
-- Values are checked here (types, enums, ranges, a departure may lack a destination); ids
-- and references of the data model's tables are enforced by the loader (atlas.load), the
-- only writer, with set-based checks over a whole upload: DuckDB's per-row key and
-- foreign-key indexes made a 10-million-move load several times slower (see bench/RESULTS.md).
-- Params: none

create table if not exists sources (
    source_id             varchar not null,
    title                 varchar not null,
    publisher             varchar not null,
    url                   varchar,
    published_on          date,
    published_on_precision varchar check (published_on_precision in ('year', 'month', 'day')),
    language              varchar,
    check ((published_on is null) = (published_on_precision is null))
);

create table if not exists firms (
    firm_id             varchar not null check (regexp_full_match(firm_id, '[a-z0-9][a-z0-9._-]*')),
    name                varchar not null,
    name_zh             varchar,
    kind                varchar not null check (kind in ('big_tech', 'ai_startup', 'research_lab', 'investor', 'university', 'other')),
    country             varchar check (regexp_full_match(country, '[A-Z]{2}')),
    parent_id           varchar,
    founded_on          date,
    founded_on_precision varchar check (founded_on_precision in ('year', 'month', 'day')),
    source_id           varchar,
    check (parent_id is null or parent_id <> firm_id),
    check ((founded_on is null) = (founded_on_precision is null))
);

create table if not exists people (
    person_id      varchar not null check (regexp_full_match(person_id, '[a-z0-9][a-z0-9._-]*')),
    name           varchar not null,
    name_zh        varchar,
    known_for      varchar,
    origin_country varchar check (regexp_full_match(origin_country, '[A-Z]{2}')),
    source_id      varchar
);

create table if not exists education (
    person_id      varchar not null,
    institution_id varchar not null,
    degree         varchar not null check (degree in ('bachelor', 'master', 'phd', 'other')),
    year           integer check (year between 1900 and 2100),
    source_id      varchar not null,
    certainty      varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    note           varchar
);

create table if not exists moves (
    move_id           varchar not null check (regexp_full_match(move_id, '[a-z0-9][a-z0-9._-]*')),
    person_id         varchar not null,
    from_firm_id      varchar,
    to_firm_id        varchar,
    moved_on          date,
    moved_on_precision varchar check (moved_on_precision in ('year', 'month', 'day')),
    role              varchar,
    move_type         varchar not null check (move_type in ('joined', 'founded', 'returned', 'acquihire', 'left')),
    source_id         varchar not null,
    certainty         varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    note              varchar,
    -- only a departure may have no destination
    check (to_firm_id is not null or move_type = 'left'),
    check ((moved_on is null) = (moved_on_precision is null))
);

create table if not exists compensation (
    comp_id            varchar not null check (regexp_full_match(comp_id, '[a-z0-9][a-z0-9._-]*')),
    person_id          varchar,
    firm_id            varchar not null,
    kind               varchar not null check (kind in ('base_salary', 'annual_total', 'signing_bonus', 'equity', 'package')),
    amount_low         double not null check (amount_low >= 0),
    amount_high        double not null check (amount_high >= 0),
    currency           varchar not null check (regexp_full_match(currency, '[A-Z]{3}')),
    period             varchar not null check (period in ('one_time', 'per_year')),
    outcome            varchar not null check (outcome in ('offered', 'accepted', 'declined', 'unknown')),
    reported_on        date not null,
    reported_on_precision varchar not null check (reported_on_precision in ('year', 'month', 'day')),
    source_id          varchar not null,
    certainty          varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    amount_text        varchar,
    note               varchar,
    check (amount_low <= amount_high)
);

create table if not exists funding_rounds (
    round_id            varchar not null check (regexp_full_match(round_id, '[a-z0-9][a-z0-9._-]*')),
    firm_id             varchar not null,
    announced_on        date,
    announced_on_precision varchar check (announced_on_precision in ('year', 'month', 'day')),
    round_type          varchar not null check (round_type in ('seed', 'series', 'strategic', 'acquisition', 'acquihire', 'other')),
    amount              double check (amount >= 0),
    currency            varchar not null check (regexp_full_match(currency, '[A-Z]{3}')),
    valuation           double check (valuation >= 0),
    stake_pct           double check (stake_pct > 0 and stake_pct <= 100),
    status              varchar not null check (status in ('completed', 'terminated', 'rumored')),
    source_id           varchar not null,
    certainty           varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    -- "more than USD 1 billion" is stored as 1e9 with qualifier at_least, never as a false exact figure
    amount_qualifier    varchar check (amount_qualifier in ('exact', 'at_least', 'about')),
    valuation_qualifier varchar check (valuation_qualifier in ('exact', 'at_least', 'about')),
    note                varchar,
    check ((announced_on is null) = (announced_on_precision is null))
);

create table if not exists round_investors (
    round_id    varchar not null,
    investor_id varchar not null,
    is_lead     boolean not null default false
);

create table if not exists fx_rates (
    currency     varchar not null check (regexp_full_match(currency, '[A-Z]{3}')),
    year         integer not null check (year between 1900 and 2100),
    usd_per_unit double not null check (usd_per_unit > 0),
    source       varchar not null,
    primary key (currency, year)
);

-- Saved views: a named link to a page and its filters, with who saved it, when, and the
-- data version it was saved on. Opened with ?view=<slug>.
create table if not exists saved_views (
    slug         varchar primary key check (regexp_full_match(slug, '[a-z0-9][a-z0-9-]{0,59}')),
    name         varchar not null check (length(name) between 1 and 200),
    note         varchar check (length(note) <= 2000),
    page         varchar not null,
    query        varchar not null,
    saved_by     varchar not null check (length(saved_by) between 1 and 100),
    saved_at     timestamp not null default current_timestamp,
    data_version integer not null
);

-- US consumer prices (CPI-U annual average) for expressing amounts in constant dollars.
create table if not exists cpi (
    year   integer primary key check (year between 1900 and 2100),
    cpi_u  double not null check (cpi_u > 0),
    source varchar not null
);

-- Internal: one row per committed load (the seed build is the first); the highest
-- upload_id is the data version that links and caches are keyed on.
create sequence if not exists upload_ids start 1;
create table if not exists uploads (
    upload_id   integer primary key default nextval('upload_ids'),
    uploaded_at timestamp not null default current_timestamp,
    uploader    varchar not null,
    mode        varchar not null check (mode in ('build', 'append', 'upsert', 'replace', 'undo')),
    file_names  varchar not null,
    sha256      varchar,
    row_counts  varchar not null,
    tables      varchar not null
);

-- Uploads reversed by an undo (itself an upload of mode 'undo'). The rows an upload
-- inserted and the rows as they were before it changed them live in undo_<table>,
-- created by atlas.load on first use.
create table if not exists undone_uploads (
    upload_id integer primary key references uploads (upload_id),
    undo_id   integer not null references uploads (upload_id)
);

-- A date at the precision it was reported with: 2023 stays '2023', never '2023-01-01'.
create or replace macro fmt_date(d, p) as
    case p
        when 'day' then strftime(d, '%Y-%m-%d')
        when 'month' then strftime(d, '%Y-%m')
        when 'year' then strftime(d, '%Y')
    end;

-- A name as the UI shows it: English, then Chinese where there is one.
create or replace macro display_name(name, name_zh) as
    case when name_zh is null or name_zh = '' then name else name || ' (' || name_zh || ')' end;

-- Whether a dated fact (in_period), or its year (in_year), falls in the selected period;
-- undated facts count only when the whole period is selected (the analyst has not narrowed
-- the time range).
create or replace macro in_year(y, start_year, end_year, include_undated) as
    case when y is null then include_undated else y between start_year and end_year end;
create or replace macro in_period(d, start_year, end_year, include_undated) as
    in_year(year(d), start_year, end_year, include_undated);

-- The order of certainty levels: a rumor < reported < confirmed.
create or replace macro certainty_level(c) as
    case c when 'confirmed' then 3 when 'reported' then 2 when 'rumor' then 1 end;

-- The order of degrees within one year, for "the first degree": bachelor, other, master, doctorate.
create or replace macro degree_order(degree) as
    case degree when 'bachelor' then 1 when 'other' then 2 when 'master' then 3 else 4 end;

-- Whether a certainty is at least the minimum selected.
create or replace macro at_least_certain(c, min_c) as certainty_level(c) >= certainty_level(min_c);

-- Each firm with what it rolls up to at every level of the flow views: itself, its
-- top-most parent (Google Brain and Google DeepMind roll up to Google), its kind, its country.
-- Every level also has a small integer code (firm_n, root_n, kind_n, country_n) that the
-- flow queries group 10 million moves by, instead of text. firm_levels is derived by every
-- load (queries/refresh_move_facts.sql) so no query walks the parent chain again.
create or replace view firm_levels_source as
with recursive ancestry(firm_id, root_id, depth) as (
    select firm_id, firm_id, 0 from firms
    union all
    select a.firm_id, f.parent_id, a.depth + 1
    from ancestry as a
    join firms as f on f.firm_id = a.root_id
    where f.parent_id is not null and a.depth < 20
),
roots as (
    select firm_id, arg_max(root_id, depth) as root_id from ancestry group by firm_id
),
numbered as (
    select
        f.firm_id,
        display_name(f.name, f.name_zh) as firm_label,
        r.root_id,
        display_name(rf.name, rf.name_zh) as root_label,
        f.kind,
        f.country,
        f.name,
        f.name_zh,
        row_number() over (order by f.firm_id)::integer as firm_n,
        dense_rank() over (order by f.kind)::integer as kind_n,
        dense_rank() over (order by coalesce(f.country, '??'))::integer as country_n
    from firms as f
    join roots as r on r.firm_id = f.firm_id
    join firms as rf on rf.firm_id = r.root_id
)
select n.*, r.firm_n as root_n
from numbered as n
join numbered as r on r.firm_id = n.root_id;
create table if not exists firm_levels as select * from firm_levels_source;

-- The groups of each flow level with their code, key and label: what a flow query's
-- integer codes turn back into once it has aggregated.
create or replace view flow_groups as
select 'firm' as level, firm_n as group_n, firm_id as group_key, firm_label as label from firm_levels
union all
select 'parent', firm_n, firm_id, firm_label from firm_levels where firm_id = root_id
union all
select distinct 'kind', kind_n, kind, kind from firm_levels
union all
select distinct 'country', country_n, coalesce(country, '??'), coalesce(country, 'country unknown') from firm_levels;

-- The code of a firm at a flow level (see firm_levels).
create or replace macro level_n(level, firm_n, root_n, kind_n, country_n) as
    case level when 'firm' then firm_n when 'parent' then root_n when 'kind' then kind_n
        when 'country' then country_n end;

-- One wide row per move: the person's names and both firms at every flow level. The table
-- move_facts holds a copy that every load refreshes (queries/refresh_move_facts.sql), so
-- the flow views filter and group one table instead of joining millions of moves again.
create or replace view move_facts_source as
select
    m.*,
    year(m.moved_on) as year,
    certainty_level(m.certainty) as certainty_level,
    -- the move's place in the person's career; undated moves (early steps the articles
    -- leave undated) come first
    row_number() over (partition by p.person_n order by m.moved_on nulls first, m.move_id) as career_seq,
    p.person_n,
    p.name as person_name,
    display_name(p.name, p.name_zh) as person_label,
    fa.firm_label as from_label, fa.root_label as from_root_label,
    fa.kind as from_kind, fa.country as from_country,
    fb.firm_label as to_label, fb.root_label as to_root_label,
    fb.kind as to_kind, fb.country as to_country,
    fa.firm_n as from_n, fa.root_n as from_root_n, fa.kind_n as from_kind_n, fa.country_n as from_country_n,
    fb.firm_n as to_n, fb.root_n as to_root_n, fb.kind_n as to_kind_n, fb.country_n as to_country_n,
    -- what the person-or-firm search looks in, lowercased once here rather than per query
    lower(concat_ws(' ', p.name, p.name_zh, fa.name, fa.name_zh, fb.name, fb.name_zh)) as search_text
from moves as m
-- each person also gets an integer code (person_n) that careers are partitioned by
join (select *, row_number() over (order by person_id)::integer as person_n from people) as p
    on p.person_id = m.person_id
left join firm_levels as fa on fa.firm_id = m.from_firm_id
left join firm_levels as fb on fb.firm_id = m.to_firm_id
-- stored newest first: the moves tables list the latest moves, and a period filter then
-- skips whole blocks of rows by their date range
order by m.moved_on desc nulls last, m.move_id;
create table if not exists move_facts as select * from move_facts_source;

-- The moves the shared filters of the flow views select, with both ends at every level,
-- read from move_facts (one wide row per move, refreshed by every load) so no query joins
-- 10 million moves to people and firms again. A move matches a firm kind or country when
-- either end has it; the search matches the person or either firm, in English or Chinese.
create or replace macro selected_moves(start_year, end_year, include_undated, min_certainty, kinds, countries, search) as table
select *
from move_facts as m
where (case when m.moved_on is null then include_undated else m.year between start_year and end_year end)
    and m.certainty_level >= certainty_level(min_certainty)
    and (len(kinds) = 0 or list_contains(kinds, m.from_kind) or list_contains(kinds, m.to_kind))
    and (len(countries) = 0 or list_contains(countries, m.from_country) or list_contains(countries, m.to_country))
    and (search = '' or contains(m.search_text, lower(search)));

-- The selected moves with both ends as the integer code of their group at one flow level
-- (see firm_levels and flow_groups). An unknown origin, or a departure with no known
-- destination, has a NULL code.
create or replace macro flow_ends(level, start_year, end_year, include_undated, min_certainty, kinds, countries, search) as table
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
    level_n(level, s.from_n, s.from_root_n, s.from_kind_n, s.from_country_n) as src_n,
    level_n(level, s.to_n, s.to_root_n, s.to_kind_n, s.to_country_n) as dst_n
from selected_moves(start_year, end_year, include_undated, min_certainty, kinds, countries, search) as s;

-- Every boomerang of every career, at firm and at parent level: one row per departure
-- from a group followed, as the next event of that person in that group, by an arrival
-- back in it (dated after the departure, or recorded as a return). Derived from
-- move_facts by every load (queries/refresh_move_facts.sql); the boomerangs query filters it.
create or replace view boomerang_trips_source as
with
ends as (
    -- people and groups by their integer codes (person_n, firm_levels)
    select
        lvl.level_i,
        m.person_n, m.career_seq, m.moved_on, m.move_type,
        level_n(lvl.level, m.from_n, m.from_root_n, null, null) as src_key,
        level_n(lvl.level, m.to_n, m.to_root_n, null, null) as dst_key
    from move_facts as m
    cross join (values ('firm', 0), ('parent', 1)) as lvl(level, level_i)
),
events as (
    -- each event packed into one integer that sorts as (level, group, career step, in
    -- after out): 1 bit in/out, 21 bits career step, 31 bits group, then the level. One
    -- integer sorts far faster than four columns, and it carries all four.
    select person_n, ((level_i::bigint * 2147483648 + src_key) * 2097152 + career_seq) * 2 as k, moved_on, move_type
    from ends where src_key is not null and src_key is distinct from dst_key
    union all
    select person_n, ((level_i::bigint * 2147483648 + dst_key) * 2097152 + career_seq) * 2 + 1, moved_on, move_type
    from ends where dst_key is not null and src_key is distinct from dst_key
),
ordered as (
    -- one window per person (faster than one per person and group): the previous event
    -- counts only when it is of the same level and group
    select person_n, k, moved_on, move_type, lag(k) over w as prev_k, lag(moved_on) over w as prev_on
    from events
    window w as (partition by person_n order by k)
),
trips as (
    -- an arrival right after a departure from the same group (k // 2^22: level and group)
    select
        case k // 4194304 // 2147483648 when 0 then 'firm' else 'parent' end as level,
        person_n,
        (k // 4194304 % 2147483648)::integer as group_key,
        prev_k // 2 % 2097152 as out_seq,
        k // 2 % 2097152 as back_seq
    from ordered
    where k % 2 = 1 and prev_k % 2 = 0 and prev_k // 4194304 = k // 4194304
        and (moved_on > prev_on or move_type = 'returned')
),
legs as (
    -- the firms joined from leaving to coming back
    -- (a list of career steps sorted, then joined: faster than an ordered string_agg)
    select
        t.level, t.person_n, t.out_seq,
        array_to_string(
            list_transform(list_sort(list({'seq': m.career_seq, 'label': m.to_label})), lambda x: x.label), ' → '
        ) as stops
    from trips as t
    join move_facts as m on m.person_n = t.person_n and m.career_seq between t.out_seq and t.back_seq
    group by all
)
-- what the boomerangs query shows and filters on, copied from both moves so it reads one
-- table, newest return first
select
    t.level,
    o.person_id,
    t.group_key,
    t.out_seq,
    t.back_seq,
    o.move_id as out_move_id,
    b.move_id as back_move_id,
    o.from_label || ' → ' || l.stops as path,
    o.person_label,
    case t.level when 'firm' then o.from_label else o.from_root_label end as returned_to,
    o.from_label as home_firm,
    o.moved_on as left_date,
    fmt_date(o.moved_on, o.moved_on_precision) as left_on,
    b.moved_on as returned_date,
    b.year as return_year,
    fmt_date(b.moved_on, b.moved_on_precision) as returned_on,
    b.move_type as return_type,
    least(o.certainty_level, b.certainty_level) as certainty_level,
    o.from_kind as home_kind,
    b.to_kind as return_kind,
    o.from_country as home_country,
    b.to_country as return_country,
    o.search_text || ' ' || b.search_text as search_text
from trips as t
join legs as l on l.level = t.level and l.person_n = t.person_n and l.out_seq = t.out_seq
join move_facts as o on o.person_n = t.person_n and o.career_seq = t.out_seq
join move_facts as b on b.person_n = t.person_n and b.career_seq = t.back_seq
order by b.moved_on desc nulls last, o.person_label;
create table if not exists boomerang_trips as select * from boomerang_trips_source;

-- Moves into and out of each firm (itself, not its subsidiaries) per certainty level, derived
-- by every load: the firm lists and comparisons add these up instead of reading every move.
create or replace view firm_move_counts_source as
with sides as (
    select to_n as firm_n, certainty_level, count(*) as n_in, 0 as n_out
    from move_facts where to_n is not null group by all
    union all
    select from_n, certainty_level, 0, count(*)
    from move_facts where from_n is not null group by all
)
select firm_n, certainty_level, sum(n_in)::bigint as n_in, sum(n_out)::bigint as n_out
from sides
group by all;
create table if not exists firm_move_counts as select * from firm_move_counts_source;

-- The people each deal brought: for every acquisition or acqui-hire with a lead investor
-- (the buyer), the moves from the target to the buyer in the deal's year (any move when
-- either date is unknown), one row per deal; derived by every load so the deals query
-- never reads the moves.
create or replace view deal_people_source as
with deals as (
    select r.round_id, r.announced_on, t.firm_n as target_n, b.firm_n as buyer_n
    from funding_rounds as r
    join round_investors as ri on ri.round_id = r.round_id and ri.is_lead
    join firm_levels as t on t.firm_id = r.firm_id
    join firm_levels as b on b.firm_id = ri.investor_id
    where r.round_type in ('acquisition', 'acquihire')
)
select
    d.round_id,
    string_agg(m.person_label, ', ' order by m.person_name) as people,
    count(*) as n_people
from deals as d
join move_facts as m
    on m.from_n = d.target_n and m.to_n = d.buyer_n
    and (d.announced_on is null or m.moved_on is null or m.year = year(d.announced_on))
group by d.round_id;
create table if not exists deal_people as select * from deal_people_source;

-- Each person's latest move (the last of their career), derived by every load: where they
-- work now is its destination (none after a departure).
-- It also carries how many sources tell of the person's moves, and the country of the person's first degree (the earliest; at one year a
-- bachelor before a master before a doctorate) counting only education rows at least
-- rumored, reported or confirmed, for the trained-to-works flows.
create or replace view person_latest_source as
with first_degrees as (
    select
        e.person_id,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)]) as trained_country_1,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)])
            filter (where certainty_level(e.certainty) >= 2) as trained_country_2,
        arg_min(f.country, [coalesce(e.year, 9999), degree_order(e.degree)])
            filter (where certainty_level(e.certainty) >= 3) as trained_country_3
    from education as e
    join firms as f on f.firm_id = e.institution_id
    group by e.person_id
)
,
source_counts as (
    select person_id, count(distinct source_id) as n_sources from moves group by person_id
)
,
latest as (
    select person_n, max(career_seq) as career_seq from move_facts group by person_n
)
select m.*, d.trained_country_1, d.trained_country_2, d.trained_country_3, sc.n_sources
from move_facts as m
semi join latest as l on l.person_n = m.person_n and l.career_seq = m.career_seq
left join first_degrees as d on d.person_id = m.person_id
left join source_counts as sc on sc.person_id = m.person_id;
create table if not exists person_latest as select * from person_latest_source;

-- Money in one place, shared by the pay and funding queries: fx_factors gives, for every
-- (currency, year) in fx_rates, the factor that converts an amount reported in that
-- currency that year to the display currency: at the yearly average rates of that year
-- (nominal), or, when constant_year is given (not 0), first to US dollars of that year,
-- then to dollars of constant_year with US CPI, then to the display currency at
-- constant_year's rate. Queries join it once (a few dozen rows) and multiply; an amount
-- with no rate or CPI for its year converts to NULL and is shown as such.
create or replace macro fx_factors(display, constant_year) as table
select
    s.currency,
    s.year,
    case when constant_year is null or constant_year = 0
        then s.usd_per_unit / d.usd_per_unit
        else s.usd_per_unit * (select ci.cpi_u from cpi as ci where ci.year = constant_year) / c.cpi_u
            / (select dc.usd_per_unit from fx_rates as dc where dc.currency = display and dc.year = constant_year)
    end as factor
from fx_rates as s
join fx_rates as d on d.currency = display and d.year = s.year
left join cpi as c on c.year = s.year;

-- A currency and year as one integer (ISO 4217 codes are three letters A-Z): pay figures
-- join their exchange rate on this instead of on text and a year.
create or replace macro fx_key(currency, year) as
    year * 17576 + (ascii(currency[1]) - 65) * 676 + (ascii(currency[2]) - 65) * 26 + (ascii(currency[3]) - 65);

-- Every pay figure with what the pay filters and tables need of its firm, person and source,
-- its year, certainty level, midpoint and exchange-rate key: derived by every load
-- (queries/refresh_move_facts.sql) so the pay queries read one table, join a few dozen rates
-- on an integer, and fetch names only for the figures they list (by pay_n).
create or replace view pay_facts_source as
select
    c.*,
    row_number() over (order by c.comp_id)::integer as pay_n,  -- in comp_id order: a tiebreak for it
    fl.firm_n,
    f.name as firm_name,
    f.name_zh as firm_name_zh,
    fl.firm_label,
    f.kind as firm_kind,
    display_name(p.name, p.name_zh) as person_label,
    s.title as source_title,
    s.publisher as source_publisher,
    year(c.reported_on) as year_reported,
    certainty_level(c.certainty) as certainty_level,
    (c.amount_low + c.amount_high) / 2 as amount_mid,
    fx_key(c.currency, year(c.reported_on)) as fx_key
from compensation as c
join firms as f on f.firm_id = c.firm_id
join firm_levels as fl on fl.firm_id = c.firm_id
left join people as p on p.person_id = c.person_id
left join sources as s on s.source_id = c.source_id
-- stored largest first (in US dollars at the rate of its year): the figures a page lists are
-- then in the first blocks, the only ones whose names and sources are read
left join fx_rates as usd on usd.currency = c.currency and usd.year = year(c.reported_on)
order by c.amount_high * usd.usd_per_unit desc nulls last, c.amount_low * usd.usd_per_unit desc nulls last, c.comp_id;
create table if not exists pay_facts as select * from pay_facts_source;

-- How many pay figures each firm offered, most first (the offering-firm picker's options),
-- derived by every load.
create or replace view pay_firm_counts_source as
select fl.firm_id, fl.firm_label, c.n_figures
from (select firm_n, count(*) as n_figures from pay_facts group by firm_n) as c
join firm_levels as fl on fl.firm_n = c.firm_n
order by c.n_figures desc, fl.firm_label;
create table if not exists pay_firm_counts as select * from pay_firm_counts_source;

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

-- One row per investor in a round, with what the funding filters need of the round and
-- its firm: derived by every load (queries/refresh_move_facts.sql) so the investor
-- queries read one table instead of joining millions of investors to a million rounds.
create or replace view investments_source as
select
    ri.investor_id,
    ri.is_lead,
    r.round_id,
    r.firm_id,
    r.announced_on,
    year(r.announced_on) as year,
    r.certainty,
    f.kind,
    f.country,
    r.round_type,
    r.status,
    r.amount,
    r.currency,
    r.stake_pct
from round_investors as ri
join funding_rounds as r on r.round_id = ri.round_id
join firms as f on f.firm_id = r.firm_id;
create table if not exists investments as select * from investments_source;
