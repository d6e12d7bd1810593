-- Derived table move_facts: kept up to date by every load (atlas.derive); the comments
-- below say what one row is and what it is for. Refreshed: by person_id (every move of each person an upload touched).
-- Params: none

-- One wide row per move: the person's names and both firms at every flow level. The table
-- move_facts holds a copy that every load refreshes (atlas.derived), so
-- the flow views filter and group one table instead of joining millions of moves again.
create or replace view move_facts_source as
select
    m.*,
    year(m.moved_on) as year,
    -- how sure the source is of the move (its destination, its person): what a firm's gains
    -- and the lists of moves count by
    certainty_level(m.certainty) as certainty_level,
    -- how sure it is of the origin (as sure as the move unless origin_certainty says less, as an
    -- inferred origin does): what a firm's losses count by, and below the certainty chosen a
    -- flow's origin reads as unknown (flow_ends)
    certainty_level(coalesce(m.origin_certainty, m.certainty)) as from_level,
    -- the move's place in the person's career: by the sources' own sequence (moves.seq) when
    -- every move of the person has one, else by date with undated moves first
    row_number() over (
        partition by p.person_n
        order by case when o.seq_complete then m.seq end, m.moved_on nulls first, m.move_id
    ) as career_seq,
    -- whether that order is known: a full, distinct sequence, or distinct dates on every move;
    -- where it is not, pages say so instead of naming a guessed latest firm
    o.seq_complete or o.dates_complete as career_order_known,
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
-- each person also has an integer code (person_n, codes.sql) that careers are partitioned by
join (
    select p.*, pc.person_n from people as p join person_codes as pc on pc.person_id = p.person_id
    where in_scope_person(p.person_id)
) as p
    on p.person_id = m.person_id
join (
    select
        person_id,
        count(seq) = count(*) and count(distinct seq) = count(*) as seq_complete,
        count(moved_on) = count(*) and count(distinct moved_on) = count(*) as dates_complete
    from moves
    where in_scope_person(person_id)
    group by person_id
) as o on o.person_id = m.person_id
left join firm_levels as fa on fa.firm_id = m.from_firm_id
left join firm_levels as fb on fb.firm_id = m.to_firm_id
-- every move in a full rebuild; the moves of the people an upload touched in a refresh
where in_scope_person(m.person_id)
-- stored newest first: the moves tables list the latest moves, and a period filter then
-- skips whole blocks of rows by their date range
order by m.moved_on desc nulls last, m.move_id;

create table if not exists move_facts as select * from move_facts_source;
