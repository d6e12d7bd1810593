"""A deterministic synthetic dataset at scale, written as upload-format CSVs.

Everything is generated inside DuckDB from `range()` and a seeded hash, so 10 million
moves take seconds and the same seed always gives the same files. The shape is meant to
be realistic: firm sizes follow a power law (a few big tech firms take most moves),
subsidiaries roll up to parents, careers are chains (each move leaves the firm the last
one joined), some moves return to an earlier firm (boomerangs), activity grows over the
years, date precisions and currencies are mixed, and some facts are rumors.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from atlas.db import SEED_DIR


@dataclass(frozen=True)
class Sizes:
    """How many rows of each kind to generate."""

    people: int = 1_000_000
    firms: int = 20_000
    moves: int = 10_000_000
    rounds: int = 1_000_000
    comp: int = 1_000_000
    sources: int = 5_000


SMALL = Sizes(people=20_000, firms=2_000, moves=200_000, rounds=20_000, comp=20_000, sources=500)
# a check that the whole benchmark runs (the test suite runs it): every part, on little data
CHECK = Sizes(people=2_000, firms=300, moves=20_000, rounds=2_000, comp=2_000, sources=100)
LARGE = Sizes()

# u(i, salt): a uniform number in [0, 1) from the seed, the row and a salt.
_MACROS = """
create or replace temp macro u(i, salt) as (hash(i, salt, getvariable('seed')) % 1000003) / 1000003.0;
create or replace temp macro pick(i, salt, xs) as xs[1 + floor(u(i, salt) * len(xs))::integer];
create or replace temp macro skewed(i, salt, n) as least(n - 1, floor(n * pow(u(i, salt), 3)))::bigint;
create or replace temp macro pdate(y, m, d, p) as case p
    when 'day' then printf('%04d-%02d-%02d', y, m, d)
    when 'month' then printf('%04d-%02d', y, m)
    when 'year' then printf('%04d', y) end;
create or replace temp macro precision_of(i, salt) as
    case when u(i, salt) < 0.5 then 'day' when u(i, salt) < 0.8 then 'month' when u(i, salt) < 0.96 then 'year' end;
"""

COUNTRIES = ["US", "US", "US", "US", "CN", "CN", "CN", "GB", "FR", "CA", "DE", "SG", "IN", "JP", "IL"]
CURRENCIES = ["USD"] * 7 + ["CNY"] * 2 + ["EUR", "GBP", "CAD"]


def generate(out: Path, sizes: Sizes, seed: int = 1) -> dict[str, int]:
    """Write one CSV per table into `out`; returns the row count per table."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set variable seed = $seed", {"seed": seed})
    con.execute(_MACROS)
    n_big = max(5, sizes.firms // 400)
    n_uni = max(5, sizes.firms // 40)
    n_inv = max(5, sizes.firms // 40)
    p = {
        "n_people": sizes.people,
        "n_firms": sizes.firms,
        "n_moves": sizes.moves,
        "n_rounds": sizes.rounds,
        "n_comp": sizes.comp,
        "n_sources": sizes.sources,
        "n_big": n_big,
        "n_uni": n_uni,
        "n_inv": n_inv,
        "countries": COUNTRIES,
        "currencies": CURRENCIES,
    }
    statements = {
        "sources": """
            select 'src-' || i as source_id, 'Synthetic article ' || i as title,
                pick(i, 1, ['Wire A', 'Wire B', 'Daily C', 'Review D']) as publisher, null as url,
                pdate(2010 + floor(u(i, 2) * 17)::integer, 1 + floor(u(i, 3) * 12)::integer, 1, 'month')
                    as published_on,
                pick(i, 4, ['en', 'zh']) as language
            from range($n_sources) t(i)""",
        # Firms 0..n_big-1 are big tech; each later firm is a lab under a big tech parent,
        # a university, an investor, or (most) a startup.
        "firms": """
            select 'firm-' || i as firm_id, 'Firm ' || i as name,
                case when u(i, 5) < 0.3 then '公司' || i end as name_zh,
                case when i < $n_big then 'big_tech'
                    when i < $n_big * 3 then 'research_lab'
                    when i < $n_big * 3 + $n_uni then 'university'
                    when i < $n_big * 3 + $n_uni + $n_inv then 'investor'
                    when u(i, 6) < 0.9 then 'ai_startup' else 'other' end as kind,
                pick(i, 7, $countries) as country,
                case when i >= $n_big and i < $n_big * 3 then 'firm-' || (i % $n_big) end as parent_id,
                pdate(1990 + floor(u(i, 8) * 36)::integer, 1 + floor(u(i, 9) * 12)::integer, 1,
                    case when u(i, 10) < 0.5 then 'year' when u(i, 10) < 0.8 then 'month' end) as founded_on,
                null as source_id
            from range($n_firms) t(i)""",
        "people": """
            select 'person-' || i as person_id, 'Person ' || i as name,
                case when u(i, 11) < 0.3 then '人' || i end as name_zh,
                null as known_for, pick(i, 12, $countries) as origin_country, null as source_id
            from range($n_people) t(i)""",
        "education": """
            select 'person-' || i as person_id,
                'firm-' || ($n_big * 3 + floor(u(i, 13) * $n_uni)::bigint) as institution_id,
                'bachelor' as degree, 1990 + floor(u(i, 14) * 30)::integer as year,
                'src-' || floor(u(i, 15) * $n_sources)::bigint as source_id,
                pick(i, 16, ['confirmed', 'reported', 'reported', 'rumor']) as certainty, null as note
            from range($n_people) t(i) where u(i, 17) < 0.6""",
        # Move i is step k of person p's career; step k leaves the firm step k-1 joined.
        # A step is a return (boomerang) with 8% chance: it goes back to the firm of step k-2.
        "moves": """
            with steps as (
                select i, i % $n_people as p, i // $n_people as k from range($n_moves) t(i)
            ),
            chosen as (
                select *,
                    u(p * 1000 + k, 20) < 0.08 and k >= 2 as is_return,
                    skewed(p * 1000 + k, 21, $n_firms) as firm_k,
                    skewed(p * 1000 + k - 1, 21, $n_firms) as firm_prev,
                    skewed(p * 1000 + k - 2, 21, $n_firms) as firm_prev2,
                    least(2026, 2000 + floor(pow(u(p, 22), 0.5) * 14)::integer + k * 2
                        + floor(u(i, 23) * 2)::integer) as y
                from steps
            )
            select 'move-' || i as move_id, 'person-' || p as person_id,
                case when k > 0 and u(i, 24) > 0.05 then 'firm-' || firm_prev end as from_firm_id,
                case when u(i, 25) < 0.04 and not is_return then null
                    when is_return then 'firm-' || firm_prev2 else 'firm-' || firm_k end as to_firm_id,
                pdate(y, 1 + floor(u(i, 26) * 12)::integer, 1 + floor(u(i, 27) * 28)::integer,
                    precision_of(i, 28)) as moved_on,
                pick(i, 29, ['Researcher', 'Engineer', 'Scientist', 'Founder', 'Director']) as role,
                case when u(i, 25) < 0.04 and not is_return then 'left'
                    when is_return then 'returned'
                    when u(i, 30) < 0.1 then 'founded'
                    when u(i, 30) < 0.14 then 'acquihire' else 'joined' end as move_type,
                'src-' || floor(u(i, 31) * $n_sources)::bigint as source_id,
                pick(i, 32, ['confirmed', 'reported', 'reported', 'reported', 'rumor']) as certainty,
                null as note
            from chosen""",
        "compensation": """
            with base as (
                select i, pick(i, 40, ['base_salary', 'annual_total', 'signing_bonus', 'equity', 'package']) as kind,
                    pick(i, 41, $currencies) as currency,
                    pow(10, 5 + u(i, 42) * 3.5) as amount
                from range($n_comp) t(i)
            )
            select 'comp-' || i as comp_id,
                case when u(i, 43) < 0.8 then 'person-' || floor(u(i, 44) * $n_people)::bigint end as person_id,
                'firm-' || skewed(i, 45, $n_firms) as firm_id, kind,
                round(amount) as amount_low,
                round(amount * case when u(i, 46) < 0.3 then 1 + u(i, 47) * 4 else 1 end) as amount_high,
                currency,
                case when kind in ('signing_bonus', 'equity', 'package') then 'one_time' else 'per_year' end
                    as period,
                pick(i, 48, ['offered', 'accepted', 'accepted', 'declined', 'unknown']) as outcome,
                pdate(2010 + floor(pow(u(i, 49), 0.5) * 17)::integer, 1 + floor(u(i, 50) * 12)::integer, 1,
                    case when u(i, 51) < 0.6 then 'month' else 'year' end) as reported_on,
                'src-' || floor(u(i, 52) * $n_sources)::bigint as source_id,
                pick(i, 53, ['confirmed', 'reported', 'reported', 'rumor']) as certainty,
                null as amount_text, null as note
            from base""",
        "funding_rounds": """
            select 'round-' || i as round_id, 'firm-' || skewed(i, 60, $n_firms) as firm_id,
                pdate(2010 + floor(pow(u(i, 61), 0.5) * 17)::integer, 1 + floor(u(i, 62) * 12)::integer,
                    1 + floor(u(i, 63) * 28)::integer, coalesce(precision_of(i, 64), 'year')) as announced_on,
                pick(i, 65, ['seed', 'series', 'series', 'series', 'strategic', 'acquisition', 'acquihire', 'other'])
                    as round_type,
                case when u(i, 66) < 0.9 then round(pow(10, 5 + u(i, 67) * 5)) end as amount,
                pick(i, 68, $currencies) as currency,
                case when u(i, 69) < 0.4 then round(pow(10, 7 + u(i, 70) * 5)) end as valuation,
                case when u(i, 71) < 0.2 then round(1 + u(i, 72) * 30, 1) end as stake_pct,
                case when u(i, 73) < 0.9 then 'completed' when u(i, 73) < 0.95 then 'terminated' else 'rumored' end
                    as status,
                'src-' || floor(u(i, 74) * $n_sources)::bigint as source_id,
                pick(i, 75, ['confirmed', 'reported', 'reported', 'rumor']) as certainty,
                case when u(i, 76) < 0.1 then 'at_least' else 'exact' end as amount_qualifier,
                null as valuation_qualifier, null as note
            from range($n_rounds) t(i)""",
        # One to three investors per round, from big tech and investor firms.
        "round_investors": """
            select distinct on (round_id, investor_id) * from (
                select 'round-' || i as round_id,
                    case when u(i * 4 + j, 80) < 0.4 then 'firm-' || floor(u(i * 4 + j, 81) * $n_big)::bigint
                        else 'firm-' || ($n_big * 3 + $n_uni + floor(u(i * 4 + j, 82) * $n_inv)::bigint) end
                        as investor_id,
                    j = 0 as is_lead
                from range($n_rounds) t(i), range(3) s(j)
                where j = 0 or u(i * 4 + j, 83) < 0.5
            )
            -- the same seed must give the same file: fix which duplicate is kept, and the order
            order by round_id, investor_id, is_lead desc""",
        # One firm in a hundred (past the big ones) merged into or acquired by a big firm: today's
        # lineage then counts it as that firm.
        "firm_events": """
            select 'event-' || i as event_id, 'firm-' || i as firm_id,
                pick(i, 90, ['merged_into', 'acquired', 'acquihire', 'renamed']) as event_type,
                'firm-' || floor(u(i, 91) * $n_big)::bigint as successor_id,
                pdate(2012 + floor(u(i, 92) * 14)::integer, 1 + floor(u(i, 93) * 12)::integer, 1, 'month')
                    as happened_on,
                null as round_id,
                'src-' || floor(u(i, 94) * $n_sources)::bigint as source_id,
                pick(i, 95, ['confirmed', 'reported', 'reported', 'rumor']) as certainty,
                null as note
            from range($n_big, $n_firms) t(i)
            where u(i, 96) < 0.01
            order by i""",
        # A headcount for one firm in five, for each of the last ten years.
        "headcounts": """
            select 'firm-' || i as firm_id, y as year,
                (10 + floor(pow(u(i, 97), 4) * 50000))::integer as headcount,
                'src-' || floor(u(i * 16 + y, 98) * $n_sources)::bigint as source_id,
                pick(i * 16 + y, 99, ['confirmed', 'reported', 'reported', 'rumor']) as certainty,
                null as note
            from range($n_firms) t(i), range(2017, 2027) s(y)
            where u(i, 100) < 0.2
            order by i, y""",
    }
    counts = {}
    for table, sql in statements.items():
        path = out / f"{table}.csv"
        used = {k: v for k, v in p.items() if f"${k}" in sql}
        # the relation API takes the path as a value: nothing is formatted into SQL
        con.sql(sql, params=used).write_csv(str(path), header=True)
        counts[table] = con.execute("select count(*) from read_csv($path)", {"path": str(path)}).fetchall()[0][0]
    shutil.copy(SEED_DIR / "fx_rates.csv", out / "fx_rates.csv")
    counts["fx_rates"] = len((out / "fx_rates.csv").read_text(encoding="utf-8").splitlines()) - 1
    con.close()
    return counts
