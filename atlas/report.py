"""A report of any view: one HTML document (and its PDF, by WeasyPrint) with the page's title, its
filters in words, its charts as the page draws them (Altair, rendered to SVG by vl-convert), its
tables (long ones cut, with their count and the address of every row), every source cited with its
certainty, the data version, the date and the link that reopens the view.

The Report buttons of every page (the share box) and `python -m atlas report URL` both come here
(through /api/report/<page>.pdf|html, atlas.api); the rows are the page's own (atlas.viewdata).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from atlas import cache, charts, export, i18n, labels, pages, tables, viewdata
from atlas.i18n import _
from atlas.model import PART_CERTAINTIES
from atlas.pages import LANG_KEY, View

ROWS_SHOWN = 25  # a table longer than this is cut, with its count and its address
LEVELS = labels.Labels({"firm": "Firm", "parent": "Parent firm", "kind": "Firm kind", "country": "Country"})


def _money(values: dict) -> str:
    f = viewdata.Filters.from_values(values)
    return export.money_basis(f.currency, viewdata.PayView.from_values(values).constant_year)


def _until(values: dict) -> str:
    return f"{min(viewdata.Filters.from_values(values).end_year, pages.LAST_YEAR)}-12-31"


# the chart each section draws, as the page draws it: (rows, view values) -> an Altair chart
CHARTS: dict[tuple[str, str], Callable[[pd.DataFrame, dict], object]] = {
    ("Overview", "moves_per_year"): lambda df, v: charts.moves_over_time_chart(df, "year"),
    ("Talent flows", "net_flow"): lambda df, v: charts.net_flow_chart(df, LEVELS[v["level"]]),
    ("Talent flows", "moves_over_time"): lambda df, v: charts.moves_over_time_chart(df, v["grain"]),
    ("Talent flows", "trained_and_working"): lambda df, v: charts.education_flow_chart(df),
    ("Pay offers", "pay_distribution"): lambda df, v: (
        charts.pay_distribution_chart(df, _money(v)) if "bin_low" not in df else charts.pay_bins_chart(df, _money(v))
    ),
    ("Pay offers", "pay_by_firm"): lambda df, v: charts.pay_by_firm_chart(df, _money(v)),
    ("Pay offers", "pay_by_year"): lambda df, v: charts.pay_over_time_chart(df, _money(v)),
    ("Pay offers", "pay_outcomes"): lambda df, v: charts.pay_outcomes_chart(df),
    ("Funding", "capital_raised"): lambda df, v: charts.capital_raised_chart(df, v["currency"], _until(v)),
    ("Funding", "rounds"): lambda df, v: charts.rounds_chart(df, v["currency"]),
    ("Funding", "alliances"): lambda df, v: charts.alliances_chart(df, v["currency"]),
    ("Funding", "money_talent_around"): lambda df, v: charts.around_rounds_chart(df, int(v["mt_months"])),
}
# columns a reader of a report does not read (keys the tables link by, the page's own bookkeeping)
HIDDEN = ("_id", "is_", "n_found", "n_hidden", "n_other", "n_inside", "n_rounds", "n_undated", "_zh", "group_key")


@dataclass
class Part:
    """One section of the report: its heading, its chart (SVG) and its rows."""

    title: str
    rows: pd.DataFrame
    svg: str = ""
    note: str = ""
    address: str = ""
    own_columns: bool = False  # a console query's columns are the reader's own: not renamed


COLUMNS_SHOWN = 10  # a wider table shows its first columns; every column is in its CSV


def _cell(value: object) -> str:
    """A value as a memo reads it: whole amounts with separators, dates without a clock."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return "—"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _shown(df: pd.DataFrame, own_columns: bool = False) -> tuple[pd.DataFrame, int]:
    """The rows a report shows (codes read as words, numbers and dates for a memo) and how many
    columns there were."""
    keep = [c for c in df.columns if not any(h in c for h in HIDDEN) or c == "move_id"]
    out = tables.readable(df[keep].head(ROWS_SHOWN))
    n_columns = len(out.columns)
    out = out.iloc[:, :COLUMNS_SHOWN].map(_cell)
    if own_columns:
        return out, n_columns
    return out.rename(columns={c: labels.COLUMNS[c] for c in out.columns if c in labels.COLUMNS}), n_columns


def _sources(parts: list[Part]) -> list[tuple[str, str]]:
    """Every source the sections' rows cite, with the certainties they are cited at."""
    found: dict[str, set[str]] = {}
    for part in parts:
        df = part.rows
        if "target" in df.columns:
            continue  # a flow's source and target are its two ends, not citations
        for source in export.sources_used(df):
            found.setdefault(source, set())
        if "source" in df.columns and "certainty" in df.columns:
            for source, certainty in zip(df["source"], df["certainty"], strict=True):
                if isinstance(source, str) and isinstance(certainty, str):
                    found.setdefault(source, set()).add(certainty)
    order = {c: i for i, c in enumerate(PART_CERTAINTIES)}  # the surest first
    return [
        (s, ", ".join(labels.CERTAINTIES.get(c, c) for c in sorted(cs, key=lambda c: order.get(c, 9))))
        for s, cs in found.items()
    ]


def _given(view: View) -> dict:
    """The values the view's link gave: what its links and its words name (a value left to its
    default, or to the data, is not written)."""
    return {k: v for k, v in view.values.items() if view.asked.get(k)}


def _filters_in_words(title: str, view: View) -> list[str]:
    page = pages.BY_TITLE[title]
    lines = []
    if page.filtered:
        f = viewdata.Filters.from_values(view.values)
        kinds = ", ".join(labels.FIRM_KINDS.get(k, k) for k in f.kinds) or _("every kind of firm")
        lines.append(
            _("Period: {period}. Certainty: {certainty}. Firms: {kinds}. Money in {money}.").format(
                period=f.period_phrase, certainty=f.certainty_phrase, kinds=kinds, money=_money(view.values)
            )
        )
    own = [(k, v) for k, v in pages.encode_view(title, _given(view)) if k not in pages.SHARED_KEYS and k != LANG_KEY]
    if own:
        lines.append(_("This page's choices: {choices}.").format(choices="; ".join(f"{k} = {v}" for k, v in own)))
    return lines


def parts_of(title: str, view: View, base: str) -> list[Part]:
    """The sections of the view, with their rows and charts (empty ones left out, said)."""
    values = viewdata.link_values(view)
    parts = []
    query = [(k, v) for k, v in pages.encode_view(title, _given(view)) if k != LANG_KEY]
    for d in viewdata.BY_PAGE.get(title, {}).values():
        try:
            rows = viewdata.rows(d, values)
        except viewdata.NeedsValue as exc:
            parts.append(Part(_(d.about), pd.DataFrame(), note=str(exc)))
            continue
        svg = ""
        make = CHARTS.get((title, d.name))
        if make is not None and not rows.empty:
            svg = export.to_svg(make(rows, {**view.values, **values}))
        address = f"{base}/api/{viewdata.page_slug(title)}/{d.slug}.csv" + ("?" + urlencode(query) if query else "")
        parts.append(Part(_(d.about), rows, svg, address=address))
    if title == "Explore":
        parts += _explore_parts(view, base)
    if title == "Data":
        parts.append(Part(_("Tables"), cache.query("table_counts")))
        parts.append(Part(_("Load history"), cache.query("uploads_list")))
    return parts


def _explore_parts(view: View, base: str) -> list[Part]:
    from atlas import console, explore

    text = str(view.values["sql"] or "").strip()
    if text:  # a console query's view: its rows (the caller checked the reader may run SQL)
        try:
            result = cache.console_query(text)
        except console.Refused as exc:
            return [Part(_("SQL console"), pd.DataFrame(), note=str(exc))]
        return [Part(_("SQL console"), result.frame, own_columns=True)]

    catalog = cache.explore("tables")
    name = str(view.values["table"]) if view.values["table"] in catalog else pages.DEFAULT_TABLE
    table = catalog[name]
    filters = []
    for text in view.values["f"]:
        try:
            filters.append(explore.parse_filter(table, text))
        except (explore.BadLink, KeyError, ValueError):
            continue
    sort = explore.parse_sort(table, str(view.values["sort"])) if view.values["sort"] else explore.Sort()
    rows = cache.explore_rows(table, filters, sort)
    query = [*(("f", f) for f in view.values["f"]), *([("sort", view.values["sort"])] if view.values["sort"] else [])]
    return [Part(name, rows, address=f"{base}/api/explore/{name}.csv" + ("?" + urlencode(query) if query else ""))]


STYLE = """
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 9pt; color: #222; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; break-after: avoid; }
.meta { color: #555; font-size: 8.5pt; } .meta a { color: #1f5fa8; word-break: break-all; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; margin: 4pt 0; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 2pt 3pt; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td { word-break: break-word; }
img.chart { max-width: 100%; margin: 4pt 0; } .cut { color: #555; font-size: 8pt; }
ol.sources li { margin-bottom: 2pt; }
"""


def _table_html(df: pd.DataFrame, own_columns: bool = False) -> str:
    shown, n_columns = _shown(df, own_columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if n_columns > len(shown.columns):
        table += (
            "<p class='cut'>"
            + html.escape(
                _("The first {shown} of {n} columns; every column is in the CSV.").format(
                    shown=len(shown.columns), n=n_columns
                )
            )
            + "</p>"
        )
    return table


def html_of(title: str, view: View, base: str, version: int, made_at: dt.datetime | None = None) -> str:
    """The report of the view of the page called `title` as one HTML document (charts inline)."""
    made_at = made_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    pairs = pages.encode_view(title, {**_given(view), LANG_KEY: i18n.language()})
    reopen = base + pages.BY_TITLE[title].url_path + "?" + urlencode([*pairs, ("v", str(version))])
    parts = parts_of(title, view, base)
    out = [
        f"<!doctype html><html lang='{i18n.language()}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(_('Talent Atlas'))} · {html.escape(_(title))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(_('Talent Atlas'))} · {html.escape(_(title))}</h1>",
        *(f"<p class='meta'>{html.escape(line)}</p>" for line in _filters_in_words(title, view)),
        "<p class='meta'>"
        + html.escape(
            _("Data version {version} · made {when} UTC").format(version=version, when=f"{made_at:%Y-%m-%d %H:%M}")
        )
        + " · "
        + html.escape(_("Reopen this view"))
        + f": <a href='{html.escape(reopen)}'>{html.escape(reopen)}</a></p>",
    ]
    for part in parts:
        out.append(f"<h2>{html.escape(part.title)}</h2>")
        if part.note:
            out.append(f"<p class='cut'>{html.escape(part.note)}</p>")
            continue
        if part.rows.empty:
            out.append("<p class='cut'>" + html.escape(_("Nothing under these filters.")) + "</p>")
            continue
        if part.svg:
            data = base64.b64encode(part.svg.encode("utf-8")).decode("ascii")
            out.append(f"<img class='chart' src='data:image/svg+xml;base64,{data}'>")
        out.append(_table_html(part.rows, part.own_columns))
        n = len(part.rows)
        if n > ROWS_SHOWN:
            out.append(
                "<p class='cut'>"
                + html.escape(_("The first {shown} of {n} rows; every row:").format(shown=ROWS_SHOWN, n=f"{n:,}"))
                + f" <a href='{html.escape(part.address)}'>{html.escape(part.address)}</a></p>"
            )
    cited = _sources(parts)
    out.append("<h2>" + html.escape(_("Sources cited")) + "</h2>")
    if cited:
        out.append("<ol class='sources'>")
        out += [
            f"<li>{html.escape(s)}" + (f" <span class='cut'>({html.escape(c)})</span>" if c else "") + "</li>"
            for s, c in cited
        ]
        out.append("</ol>")
    else:
        out.append("<p class='cut'>" + html.escape(_("No source is named in these rows.")) + "</p>")
    out.append(
        "<p class='meta'>"
        + html.escape(_("Every fact row names its source and how sure the source is (its certainty)."))
        + "</p></body></html>"
    )
    return "\n".join(out)


def pdf_of(document: str) -> bytes:
    """The PDF of a report's HTML (WeasyPrint; the CJK font the app's charts use, Noto Sans CJK)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=document).write_pdf()
