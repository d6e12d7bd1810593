"""Tables as the pages show them: query rows in, display-ready DataFrames out.

Amounts become readable text ('USD 10M–100M', 'more than USD 1B') beside the original
figure, so no table implies a precision its source does not have.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from atlas import labels
from atlas.i18n import _, language
from atlas.money import format_amount
from atlas.pages import PROFILES

PROFILE_PAGE = PROFILES.url_path.lstrip("/")  # relative: it works under a proxy's path prefix too


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def latest_firm(people: pd.DataFrame) -> pd.DataFrame:
    """People with their latest firm as text: the firm, or why it cannot be named; what each is
    known for in the reader's language where the data gives it."""
    out = people.copy()
    if language() == "zh" and "known_for_zh" in out:
        out["known_for"] = out["known_for_zh"].where(out["known_for_zh"].notna(), out["known_for"])
    out["current_firm"] = [
        firm if known else _("unknown: the order of their moves is not given")
        for firm, known in zip(people.current_firm, people.order_known, strict=True)
    ]
    return out


def pay_table(df: pd.DataFrame) -> pd.DataFrame:
    """Pay figures with the original amount and the converted range as text."""
    out = df.copy()
    out["original"] = [
        format_amount(_none(lo), _none(hi), cur)
        for lo, hi, cur in zip(df.amount_low, df.amount_high, df.currency, strict=True)
    ]
    out["converted"] = [
        format_amount(_none(lo), _none(hi), dc) if _none(lo) is not None else _("no rate for that year")
        for lo, hi, dc in zip(df.low_converted, df.high_converted, df.display_currency, strict=True)
    ]
    out["period"] = out["period"].map(lambda p: labels.PERIODS.get(p, p))
    return out


def rounds_table(df: pd.DataFrame) -> pd.DataFrame:
    """Funding rounds with the original and converted amounts and the valuation as text."""
    out = df.copy()
    out["original"] = [
        format_amount(_none(a), None, cur, q)
        for a, cur, q in zip(df.amount, df.currency, df.amount_qualifier, strict=True)
    ]
    out["converted"] = [
        format_amount(_none(a), None, dc, q) if _none(a) is not None else "—"
        for a, dc, q in zip(df.amount_converted, df.display_currency, df.amount_qualifier, strict=True)
    ]
    # the valuation in the view's currency (like the amount), and as the article gave it
    out["valuation_text"] = [
        "—"
        if _none(v) is None and _none(iv) is None
        else _("no rate for that year")
        if _none(vc) is None
        else format_amount(vc, None, dc, q if _none(v) is not None else None)
        + ("" if _none(v) is not None else _(" (implied)"))
        for v, iv, vc, dc, q in zip(
            df.valuation,
            df.implied_valuation,
            df.valuation_converted,
            df.display_currency,
            df.valuation_qualifier,
            strict=True,
        )
    ]
    out["valuation_original"] = [
        format_amount(_none(v), None, cur, q)
        if _none(v) is not None
        else (format_amount(iv, None, cur) + _(" (implied)") if _none(iv) is not None else "—")
        for v, iv, cur, q in zip(df.valuation, df.implied_valuation, df.currency, df.valuation_qualifier, strict=True)
    ]
    out["stake"] = [f"{s:g}%" if _none(s) is not None else "—" for s in df.stake_pct]
    out["investors"] = out["investors"].astype(object).where(out["investors"].notna(), _("not named"))
    return out


def undated(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Show a missing date as 'not given' rather than an empty cell."""
    out = df.copy()
    out[column] = out[column].fillna(_("not given"))
    return out


def moves_table(df: pd.DataFrame) -> pd.DataFrame:
    """Moves with 'not given' for an unknown date (firm cells stay empty when not known), and the
    certainty of each part the source is less sure of than the move in the certainty cell."""
    return part_certainty(undated(df, "moved_on"))


def part_certainty(df: pd.DataFrame) -> pd.DataFrame:
    """The certainty cell of each fact with the parts its source is less sure of than of the fact:
    'reported; origin inferred; date inferred' (the query's origin_certainty and the date's
    *_on_certainty, empty where a part is as sure as the fact). Rows without such a part keep
    their code, read as a word by `readable`."""
    named = (
        ("origin_certainty", _("origin")),
        ("moved_on_certainty", _("date")),
        ("announced_on_certainty", _("date")),
        ("happened_on_certainty", _("date")),
    )
    parts = [(c, w) for c, w in named if c in df]
    if not parts or all(df[c].isna().all() for c, _w in parts):
        return df
    out = df.copy()

    def cell(row) -> str:
        said = [labels.CERTAINTIES.get(row.certainty, row.certainty)]
        said += [
            _("{part} {certainty}").format(part=w, certainty=labels.CERTAINTIES.get(row[c], row[c]))
            for c, w in parts
            if isinstance(row[c], str)
        ]
        return _("; ").join(said) if len(said) > 1 else row.certainty

    out["certainty"] = out.apply(cell, axis=1)
    return out


def readable(df: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Codes as a reader reads them (`signing_bonus` -> 'signing bonus', `ai_startup` -> 'AI
    startup') and every missing text value as '—', the same in every table. Columns in `keep`
    (profile links: an unnamed person links nowhere) are left as they are."""
    out = df.copy()
    for c in out.columns:
        if c in keep or not (out[c].dtype == object or pd.api.types.is_string_dtype(out[c])):
            continue
        codes = labels.BY_COLUMN.get(c)
        values = out[c].astype(object)
        if codes is not None:
            values = values.map(lambda v, codes=codes: codes.get(v, v) if isinstance(v, str) else v)
        out[c] = values.where(values.notna(), labels.MISSING)
    return labels.localize(out)


def dashes(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Show missing values of these text columns as '—' instead of None."""
    out = df.copy()
    for c in columns:
        out[c] = out[c].astype(object).where(out[c].notna(), "—")
    return labels.localize(out)


def profile_url(kind: str, entity_id: str, label: str, carry: list[tuple[str, str]] = ()) -> str:
    """A link to a person or firm profile that keeps the shared filters; the label after '#'
    is what a table shows (LinkColumn's display_text takes it from there)."""
    query = urlencode([(kind, entity_id), *carry])
    return f"{PROFILE_PAGE}?{query}#{label}"


def link_column(df: pd.DataFrame, label_col: str, id_col: str, kind: str, carry=()) -> pd.DataFrame:
    """Turn `label_col` into profile links (None stays None: an unnamed person links nowhere)."""
    out = df.copy()
    out[label_col] = [
        profile_url(kind, i, lbl, carry) if isinstance(i, str) and isinstance(lbl, str) else lbl
        for i, lbl in zip(df[id_col], df[label_col], strict=True)
    ]
    return out


def months_text(months: pd.Series) -> list[str]:
    """'about 20 months' (or 'dates not known') for a column of month counts."""
    out = []
    for m in months:
        if m is None or pd.isna(m):
            out.append(_("dates not known"))
        elif m >= 24:
            out.append(_("about {n:.1f} years").format(n=m / 12))
        else:
            out.append(_("about {n} months").format(n=int(m)))
    return out


def compare_table(df: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The firm comparison with every amount as honest text."""
    out = df.copy()
    out["raised"] = [
        format_amount(_none(v), None, currency, _none(q)) if _none(v) is not None else "—"
        for v, q in zip(df.total_raised, df.raised_qualifier, strict=True)
    ]
    out["valuation"] = [
        (
            format_amount(_none(v), None, currency, "at_least" if n == "more than" else None)
            if _none(v) is not None
            else "—"
        )
        + (" (" + _("implied by amount / stake") + ")" if n == "implied by amount / stake" else "")
        for v, n in zip(df.last_valuation, df.valuation_note, strict=True)
    ]
    out["pay"] = [
        f"{format_amount(_none(v), None, currency)} ({labels.PAY_KINDS.get(k, k)})" if _none(v) is not None else "—"
        for v, k in zip(df.largest_pay, df.largest_pay_kind, strict=True)
    ]
    return dashes(out, ["raised_source", "valuation_source", "largest_investor", "investor_source", "pay_source"])


def deals_table(df: pd.DataFrame) -> pd.DataFrame:
    """Deals with the amount as text in the display currency."""
    out = df.copy()
    out["converted"] = [
        format_amount(_none(a), None, dc, q) if _none(a) is not None else _("not reported")
        for a, dc, q in zip(df.amount_converted, df.display_currency, df.amount_qualifier, strict=True)
    ]
    return out


def top_firms_listed(figures: pd.DataFrame, n: int, listed_limit: int) -> list[str]:
    """The `n` firms with the largest single figure, read off a listing of figures largest first
    (pay_figures), or [] when the listing cannot tell.

    A firm's first row in the listing is its largest figure, so the first `n` distinct firms
    are the top `n`, provided the listing holds every figure (fewer than `listed_limit` rows)
    or at least `n` distinct firms; otherwise a firm could have its largest figure below the
    cut, and the query must find the top firms itself (pass [] to pay_by_firm).
    """
    firms = figures["firm_id"].drop_duplicates().tolist()
    if len(figures) < listed_limit or len(firms) >= n:
        return firms[:n]
    return []


def split_pay_summary(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of pay_over_time_and_outcomes as its two tables: by year (year, kind, period,
    n_figures, min_low, median_mid, max_high) and by outcome (outcome, period, n_figures,
    median_mid), each in its reading order."""
    by_year = df[df["summary"] == "year"].drop(columns=["summary", "outcome"])
    by_year = by_year.astype({"year": "int64"}).sort_values(["year", "period", "kind"]).reset_index(drop=True)
    outcomes = df[df["summary"] == "outcome"][["outcome", "period", "n_figures", "median_mid"]]
    return by_year, outcomes.sort_values(["period", "outcome"]).reset_index(drop=True)


MONEY_TALENT_COUNTS = ("in_before", "in_same", "in_after", "out_before", "out_same", "out_after")


def money_talent_by_kind(rounds: pd.DataFrame) -> pd.DataFrame:
    """Money and talent across firms of a kind, from the round-by-round rows (money_talent_rounds,
    at most a few hundred): per kind, the rounds, the firms and the six counts summed (a move near
    two rounds of its firm counts for each: the counts are of moves × rounds, and say so), most
    rounds first. A deal that fell through (status terminated) brought no money: it is left out
    here (the round-by-round table keeps it, with its status). The same rounds as the table beside
    it, so the two always agree (a query of its own read every move again: 0.3-0.45 s at 10M)."""
    rounds = rounds[rounds["status"] != "terminated"] if "status" in rounds else rounds
    if rounds.empty:
        return pd.DataFrame(columns=["kind", "n_rounds", "n_firms", *MONEY_TALENT_COUNTS])
    grouped = rounds.groupby("kind", sort=False)
    out = grouped[list(MONEY_TALENT_COUNTS)].sum().astype("int64")
    out.insert(0, "n_firms", grouped["firm_id"].nunique())
    out.insert(0, "n_rounds", grouped["round_id"].count())
    out = out.reset_index().sort_values(["n_rounds", "kind"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def pay_years(figures: pd.DataFrame, constant_year: int = 0) -> list[int]:
    """The years a view of pay figures converts at: each figure's year, and the constant year."""
    return sorted({*figures["year_reported"].dropna().astype(int), *([constant_year] if constant_year else [])})


def years_of(dates: pd.Series) -> list[int]:
    """The distinct years of a column of dates (undated rows left out), in order."""
    return sorted({int(d.year) for d in pd.to_datetime(dates.dropna())})


_AT_PRECISION = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


def console_view(df: pd.DataFrame) -> pd.DataFrame:
    """A console result as the page shows it: a date whose result also holds its
    `<name>_precision` at that precision ('2023', never '2023-01-01'), and an empty text cell as
    '—', never 'None'. The chart and the downloads keep the values as they are."""
    out = df.copy()
    for c in df.columns:
        if f"{c}_precision" not in df.columns or not (
            pd.api.types.is_datetime64_any_dtype(df[c]) or df[c].map(lambda v: hasattr(v, "strftime")).any()
        ):
            continue
        out[c] = [
            v.strftime(_AT_PRECISION.get(p, "%Y-%m-%d")) if hasattr(v, "strftime") and not pd.isna(v) else None
            for v, p in zip(df[c], df[f"{c}_precision"], strict=True)
        ]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object).where(out[c].notna(), labels.MISSING)
    return out
