-- Talent Atlas schema: every table of the data model, re-runnable on an empty database.
-- A date column X is stored as X (DATE, first day of its period) plus X_precision
-- ('year', 'month' or 'day'): CSVs accept YYYY, YYYY-MM or YYYY-MM-DD and the UI shows
-- each date at the precision it was reported with.
-- Values are checked here (types, enums, ranges, a departure may lack a destination); ids
-- and references of the data model's tables are enforced by the loader (atlas.load), the
-- only writer, with set-based checks over a whole upload: DuckDB's per-row key and
-- foreign-key indexes made a 10-million-move load several times slower (see bench/RESULTS.md).
-- The base tables: the facts and the app's own records. Versioned apart from the macros and
-- the derived tables (atlas.schema): editing those never touches stored data or undo logs.
-- Params: none

create table if not exists sources (
    source_id             varchar not null,
    title                 varchar not null,
    publisher             varchar not null,
    url                   varchar,
    published_on          date,
    published_on_precision varchar check (published_on_precision in ('year', 'month', 'day')),
    language              varchar,
    -- what the source is: an article (counted as such), a report or dataset, or an upload
    -- that named no source for some of its rows (the upload itself stands as their source)
    kind                  varchar check (kind in ('article', 'report', 'dataset', 'upload', 'other')),
    -- 'headline': the title is the source's own; 'description': the copy has no headline
    -- and the title describes it (shown unquoted, never as the source's words)
    title_kind            varchar check (title_kind in ('headline', 'description')),
    -- a description in Chinese too, for the Chinese pages (a headline is the source's own words)
    title_zh              varchar check (length(title_zh) <= 500),
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
    known_for_zh   varchar check (length(known_for_zh) <= 500),  -- the same in Chinese, for the Chinese pages
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
    -- the move's place in the person's career as the sources order it (1, 2, ...): orders
    -- moves the sources leave undated; when a person's moves have neither distinct dates
    -- nor a full sequence, the order of their career is shown as unknown
    seq               integer check (seq between 1 and 10000),
    -- how sure the source is of each part of the move apart from the move itself (NULL: as
    -- sure as the move): an origin the source implies but does not state is 'inferred'
    -- (worked on LLaMA, so left Meta), never a rumor; likewise a date worked out from others
    origin_certainty  varchar check (origin_certainty in ('confirmed', 'reported', 'inferred', 'rumor')),
    moved_on_certainty varchar check (moved_on_certainty in ('confirmed', 'reported', 'inferred', 'rumor')),
    -- only a departure may have no destination
    check (to_firm_id is not null or move_type = 'left'),
    check (origin_certainty is null or from_firm_id is not null),
    check (moved_on_certainty is null or moved_on is not null),
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

-- Offers and approaches an article tells without a figure: which firm approached whom (a named
-- person, or people it describes: "Chinese scientists at big firms abroad"), who made the
-- approach when named, when, what was offered in words (in English and Chinese), and how it
-- ended. A pay offer with a figure is a row of compensation instead.
create table if not exists approaches (
    approach_id         varchar not null check (regexp_full_match(approach_id, '[a-z0-9][a-z0-9._-]*')),
    firm_id             varchar not null,
    person_id           varchar,
    people_described    varchar check (length(people_described) <= 200),
    people_described_zh varchar check (length(people_described_zh) <= 200),
    approached_by_id    varchar,
    approached_on       date,
    approached_on_precision varchar check (approached_on_precision in ('year', 'month', 'day')),
    offer_text          varchar not null check (length(offer_text) between 1 and 500),
    offer_text_zh       varchar check (length(offer_text_zh) <= 500),
    outcome             varchar not null check (outcome in ('offered', 'accepted', 'declined', 'unknown')),
    source_id           varchar not null,
    certainty           varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    note                varchar,
    check (person_id is not null or people_described is not null),
    check ((approached_on is null) = (approached_on_precision is null))
);

create table if not exists funding_rounds (
    round_id            varchar not null check (regexp_full_match(round_id, '[a-z0-9][a-z0-9._-]*')),
    firm_id             varchar not null,
    announced_on        date,
    announced_on_precision varchar check (announced_on_precision in ('year', 'month', 'day')),
    round_type          varchar not null check (round_type in ('seed', 'series', 'strategic', 'acquisition', 'acquihire', 'hire', 'partnership', 'other')),
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
    -- how sure the source is of the date apart from the round (NULL: as sure as the round)
    announced_on_certainty varchar check (announced_on_certainty in ('confirmed', 'reported', 'inferred', 'rumor')),
    check ((announced_on is null) = (announced_on_precision is null)),
    check (announced_on_certainty is null or announced_on is not null)
);

create table if not exists round_investors (
    round_id    varchar not null,
    investor_id varchar not null,
    is_lead     boolean not null default false,
    -- what the firm is to the deal: an investor (the default), the buyer of an acquisition
    -- or acquihire, the payer of a hire (money paid to bring people over, as "Microsoft spent
    -- USD 650M to hire its co-founder": no firm bought), or a partner of a partnership (no money
    -- changes hands in the record)
    role        varchar check (role in ('investor', 'buyer', 'payer', 'partner'))
);

-- A firm's lineage as dated events: renamed (the same firm under a new id), merged into another,
-- acquired whole, acqui-hired (its people joined the buyer under a deal, round_id; the firm
-- goes on), or its team joined another firm (the source names no deal; the firm goes on). A
-- successor the source does not name (sold to "an unnamed listed company") has no id: the
-- event says what the source says of it (successor_described) and the firm counts as itself. Flows counted on today's lineage count a renamed, merged or acquired firm as its
-- successor (firm_successors); as the firms stood at the time, as the move named it.
create table if not exists firm_events (
    event_id              varchar not null check (regexp_full_match(event_id, '[a-z0-9][a-z0-9._-]*')),
    firm_id               varchar not null,
    event_type            varchar not null check (event_type in ('renamed', 'merged_into', 'acquired', 'acquihire', 'team_joined')),
    successor_id          varchar,
    happened_on           date,
    happened_on_precision varchar check (happened_on_precision in ('year', 'month', 'day')),
    round_id              varchar,
    source_id             varchar not null,
    certainty             varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    note                  varchar,
    -- how sure the source is of the date apart from the event (NULL: as sure as the event)
    happened_on_certainty varchar check (happened_on_certainty in ('confirmed', 'reported', 'inferred', 'rumor')),
    successor_described   varchar check (length(successor_described) <= 200),
    successor_described_zh varchar check (length(successor_described_zh) <= 200),
    check (firm_id <> successor_id),
    check (successor_id is not null or successor_described is not null),
    check ((happened_on is null) = (happened_on_precision is null)),
    check (happened_on_certainty is null or happened_on is not null)
);

-- How many people a firm had in a year, as a source gives it: the denominator of the rates
-- (people gained and lost per 100 staff per year).
create table if not exists headcounts (
    firm_id    varchar not null,
    year       integer not null check (year between 1900 and 2100),
    headcount  integer not null check (headcount > 0),
    source_id  varchar not null,
    certainty  varchar not null check (certainty in ('confirmed', 'reported', 'rumor')),
    note       varchar,
    -- "a technical team of fewer than 15": 15 with qualifier fewer_than, never a false exact figure
    headcount_qualifier varchar check (headcount_qualifier in ('exact', 'fewer_than', 'about')),
    -- what the figure counts, in words, when it is not the whole staff ("technical team", "first
    -- core team"): a rate says what it divides by
    counted    varchar check (length(counted) <= 200),
    counted_zh varchar check (length(counted_zh) <= 200)
);

-- Other spellings of a person's or firm's name (Traditional script, another order, a company
-- suffix, a variant the articles use): uploads and searches by name match them. `origin` says
-- where one came from: seed, upload N (an analyst confirmed it in a review), merge N.
create table if not exists aliases (
    entity_kind varchar not null check (entity_kind in ('person', 'firm')),
    entity_id   varchar not null,
    alias       varchar not null check (length(alias) between 1 and 200),
    language    varchar,
    origin      varchar
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
    saved_by     varchar not null check (length(saved_by) between 1 and 200),
    saved_at     timestamp not null default current_timestamp,
    data_version integer not null,
    -- team mode: the e-mail of who saved it (a viewer may delete only their own)
    saved_by_email varchar
);

-- Watchlists (the app's own records): the people and firms an analyst follows, one list per owner
-- (team mode: the signed-in e-mail, lowercased; local mode: 'local'), with the data version they
-- last looked at (the Overview shows what changed since). A list is opened by its own link,
-- ?watch=<list_id>: a random id, never the owner's address.
create table if not exists watch_lists (
    list_id      varchar primary key check (regexp_full_match(list_id, '[a-z0-9]{12}')),
    owner        varchar not null unique check (length(owner) between 1 and 320),
    seen_version integer not null,
    seen_at      timestamp not null default current_timestamp
);

create table if not exists watch_items (
    list_id     varchar not null,
    entity_kind varchar not null check (entity_kind in ('person', 'firm')),
    entity_id   varchar not null,
    added_at    timestamp not null default current_timestamp,
    primary key (list_id, entity_kind, entity_id)
);

-- Column mappings: how the columns of another tool's export read as ours (atlas.mapping), saved
-- by name on the Data page or given to `python -m atlas load --mapping NAME`.
create table if not exists column_mappings (
    name       varchar primary key check (length(name) between 1 and 100),
    target     varchar not null,
    columns    varchar not null,  -- JSON: our column -> their column
    header_key varchar not null,  -- the file layout it was made for: its column names, folded and sorted
    saved_by   varchar not null check (length(saved_by) between 1 and 200),
    saved_at   timestamp not null default current_timestamp
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
    mode        varchar not null check (mode in ('build', 'append', 'upsert', 'replace', 'undo', 'merge')),
    file_names  varchar not null,
    sha256      varchar,
    row_counts  varchar not null,
    tables      varchar not null,
    -- an upload by name: every distinct name with its decision, rule and score (JSON)
    name_decisions varchar,
    -- team mode: the signed-in identity's e-mail (an editor may undo only their own upload)
    uploader_email varchar
);

-- The audit log's own events (uploads, undos and merges are in `uploads`, saved views in
-- `saved_views`): deleted views and every refused write, with who and the data version then.
create table if not exists audit_events (
    happened_at  timestamp not null default current_timestamp,
    who          varchar not null,
    email        varchar,
    action       varchar not null,
    detail       varchar,
    data_version integer not null
);

-- Uploads reversed by an undo (itself an upload of mode 'undo'). The rows an upload
-- inserted and the rows as they were before it changed them live in undo_<table>,
-- created by atlas.load on first use.
create table if not exists undone_uploads (
    upload_id integer primary key references uploads (upload_id),
    undo_id   integer not null references uploads (upload_id)
);
