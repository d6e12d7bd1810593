-- Helper macros every query shares: dates at their precision, names, periods, certainty
-- levels, flow-level codes and money conversion. They hold no data and read only base tables.
-- Params: none

-- A date at the precision it was reported with: 2023 stays '2023', never '2023-01-01'.
create or replace macro fmt_date(d, p) as
    case p
        when 'day' then strftime(d, '%Y-%m-%d')
        when 'month' then strftime(d, '%Y-%m')
        when 'year' then strftime(d, '%Y')
    end;

-- A name as the UI shows it: English, then Chinese where there is one.
-- A source as every table cites it: publisher, date at its precision, and the title, quoted
-- when it is the source's own headline and unquoted when it only describes an untitled copy.
create or replace macro source_label(title, title_kind, publisher, published_on, precision) as
    concat_ws(', ', publisher, fmt_date(published_on, precision))
    || ': ' || case when title_kind = 'description' then title else '“' || title || '”' end;

create or replace macro display_name(name, name_zh) as
    case when name_zh is null or name_zh = '' then name else name || ' (' || name_zh || ')' end;

-- Whether a dated fact (in_period), or its year (in_year), falls in the selected period;
-- undated facts count only when the whole period is selected (the analyst has not narrowed
-- the time range).
create or replace macro in_year(y, start_year, end_year, include_undated) as
    case when y is null then include_undated else y between start_year and end_year end;

create or replace macro in_period(d, start_year, end_year, include_undated) as
    in_year(year(d), start_year, end_year, include_undated);

-- The order of certainty levels: a rumor < inferred < reported < confirmed. A whole fact is
-- confirmed, reported or a rumor; a part of it (a move's origin, a date) may also be inferred:
-- worked out from what the source states, not stated by it, and not hearsay either.
create or replace macro certainty_level(c) as
    case c when 'confirmed' then 4 when 'reported' then 3 when 'inferred' then 2 when 'rumor' then 1 end;

-- A certainty level's name (the inverse of certainty_level).
create or replace macro certainty_name(level) as ['rumor', 'inferred', 'reported', 'confirmed'][level];

-- The order of degrees within one year, for "the first degree": bachelor, other, master, doctorate.
create or replace macro degree_order(degree) as
    case degree when 'bachelor' then 1 when 'other' then 2 when 'master' then 3 else 4 end;

-- Whether a certainty is at least the minimum selected.
create or replace macro at_least_certain(c, min_c) as certainty_level(c) >= certainty_level(min_c);

-- The one ranking rule of every list of rounds and deals, largest first: completed ones by their
-- amount, then the ones that did not complete (terminated, rumored: what they were reported
-- at, never ranked among what happened), then those whose amount is not known. Used as
--   order by deal_rank(status, amount_converted) desc nulls last, amount_converted desc nulls last, ...
create or replace macro deal_rank(status, amount_converted) as
    case when status = 'completed' then amount_converted end;

-- The code of a firm at a flow level (see firm_levels).
create or replace macro level_n(level, firm_n, root_n, kind_n, country_n) as
    case level when 'firm' then firm_n when 'parent' then root_n when 'kind' then kind_n
        when 'country' then country_n end;

-- The one rule of every flow query for a move inside one group at the chosen level (Google
-- Brain to Google DeepMind at the parent level, two US firms at the country level): it is
-- neither a flow, nor a gain, nor a loss. The Sankey, the net chart, the counterparts and the
-- firm lists' "with subsidiaries" counts all leave it out; the Sankey says how many it left.
-- A move with an unknown end is never inside a group.
create or replace macro inside_group(src_n, dst_n) as coalesce(src_n = dst_n, false);

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

-- The keys a name is matched by (atlas.names computes the same in Python for what an analyst
-- types or uploads): latin_key folds case, accents, punctuation and word order ("Li Mu" and
-- "Mu Li" are one key) and, for a firm, drops company suffixes ("OpenAI Inc." = "OpenAI");
-- zh_key keeps the Chinese characters, letters and digits, and drops 有限公司-style suffixes of a firm.
create or replace macro name_words(s, firm) as
    list_filter(
        list_transform(
            string_split(regexp_replace(lower(strip_accents(s)), '[^a-z0-9]+', ' ', 'g'), ' '),
            -- a firm's abbreviations written out (atlas.names.FIRM_ABBREVIATIONS)
            lambda x: case when not firm then x
                when x = 'univ' then 'university' when x = 'inst' then 'institute'
                when x in ('tech', 'technol') then 'technology' when x = 'natl' then 'national'
                when x = 'intl' then 'international' when x = 'lab' then 'laboratory'
                when x = 'labs' then 'laboratories' when x = 'dept' then 'department'
                when x in ('ctr', 'centre') then 'center' when x = 'sci' then 'science'
                when x = 'acad' then 'academy' else x end),
        lambda x: x <> '' and not (firm and list_contains(
            ['inc', 'incorporated', 'ltd', 'limited', 'llc', 'corp', 'corporation', 'co', 'company', 'gmbh', 'plc',
             'ag', 'pte', 'pty', 'sa', 'srl', 'bv', 'group', 'holdings', 'the'], x))
    );

-- a person's words in any order (Li Mu = Mu Li); a firm's keep theirs (Neural Quantum is not Quantum Neural)
create or replace macro latin_key(s, firm) as
    array_to_string(case when firm then name_words(s, firm) else list_sort(name_words(s, firm)) end, ' ');

-- the words run together: spaces and hyphens inside a name do not count (Deep Mind = DeepMind);
-- a stored person's name also family name first (Song-Chun Zhu = Zhu Songchun)
create or replace macro compact_key(s, firm) as array_to_string(name_words(s, firm), '');
create or replace macro raw_compact_key(s) as array_to_string(name_words(s, false), '');
create or replace macro compact_key_family_first(s) as
    array_to_string(list_concat(list_slice(name_words(s, false), -1, -1), list_slice(name_words(s, false), 1, -2)), '');

create or replace macro zh_key(s, firm) as
    case when firm
        then regexp_replace(lower(regexp_replace(s, '[^\p{Han}A-Za-z0-9]', '', 'g')),
                            '(科技|网络|信息|技术|智能)*(股份)?有限(责任)?公司$|集团$', '')
        else lower(regexp_replace(s, '[^\p{Han}A-Za-z0-9]', '', 'g'))
    end;
