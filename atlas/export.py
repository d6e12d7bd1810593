"""Exports: the data behind a view as CSV or Parquet, a chart as PNG or SVG, all offline, each
carrying its context: what it is, the page's filters, the money basis, the data version, the
sources it draws on and when it was made.

- CSV: a zip of the CSV (opens cleanly in a spreadsheet) and `about.txt` with the context;
- Parquet: the context in the file's key-value metadata (key `talent_atlas`, JSON);
- PNG and SVG: a footnote line under the chart (view, version, n), in one font family that
  covers Chinese (Noto Sans CJK).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from atlas import labels
from atlas.i18n import _, language

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# One family for every exported image: it covers Latin and Chinese (Debian: fonts-noto-cjk).
EXPORT_FONT = "Noto Sans CJK SC"
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
METADATA_KEY = "talent_atlas"


@dataclass(frozen=True)
class ExportContext:
    """What an exported file is and the view it comes from."""

    what: str  # e.g. "net_flow"
    page: str  # e.g. "Talent flows"
    view: tuple[tuple[str, str], ...] = ()  # the page's URL parameters: its filters and choices
    link: str = ""
    money: str = ""  # e.g. "USD, nominal" (about.txt says "Money: USD, nominal", a footnote "money in USD, nominal")
    data_version: int = 0
    made_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def file_stem(self) -> str:
        """talent-atlas_<page>_<what>_v<version>_<YYYYMMDD-HHMM>: what the file is and when."""
        page = re.sub(r"[^a-z0-9]+", "-", self.page.lower()).strip("-")
        what = re.sub(r"[^a-z0-9_]+", "-", self.what.lower()).strip("-")
        return f"talent-atlas_{page}_{what}_v{self.data_version}_{self.made_at:%Y%m%d-%H%M}"

    def filters_text(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.view) or _("defaults (no filter narrowed)")

    def as_dict(self, df: pd.DataFrame | None = None) -> dict:
        out = {
            "what": self.what,
            "page": self.page,
            "filters": self.filters_text(),
            "link": self.link,
            "money": self.money,
            "data_version": self.data_version,
            "made_at": self.made_at.isoformat(),
        }
        if df is not None:
            out["rows"] = len(df)
            out["sources"] = sources_used(df)
        return out


SOURCE_LIST_SEPARATOR = " | "  # a row citing several sources lists them in one cell (`sources`)


def money_basis(currency: str, constant_year: int = 0) -> str:
    """The currency and basis of a view's money, as column headers and exports say it: 'USD, nominal'
    or 'USD of 2020' (constant dollars of that year)."""
    if constant_year:
        return _("{currency} of {year}").format(currency=currency, year=constant_year)
    return _("{currency}, nominal").format(currency=currency)


def sources_used(df: pd.DataFrame) -> list[str]:
    """The sources the rows cite (every column that holds a source label, or a list of them: a
    lift-out's `sources`), in order of first use."""
    cols = [c for c in df.columns if c in ("source", "sources", "source_title") or c.endswith("_source")]
    seen: dict[str, None] = {}
    for c in cols:
        for v in df[c].dropna():
            for one in str(v).split(SOURCE_LIST_SEPARATOR) if c == "sources" else [str(v)]:
                if one.strip():
                    seen.setdefault(one.strip(), None)
    return list(seen)


def neutralize(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """A cell read back from a CSV this app wrote: the apostrophe `neutralize` added is taken off."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def neutralized(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells a spreadsheet would run as formulas (starting with =, +, -, @, a tab
    or a carriage return) start with an apostrophe instead: the cell reads as the text it is."""
    safe = df.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralize)
    return safe


def whole_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Number columns whose every value is whole written as whole numbers: a count with an empty cell
    comes from DuckDB as floats, and a CSV read "2.0" people (issue 40)."""
    out = df
    for column in df.columns:
        values = df[column]
        if pd.api.types.is_float_dtype(values) and values.notna().any():
            known = values.dropna()
            if (known == known.round()).all() and known.abs().max() < 2**53:
                out = out if out is not df else df.copy()
                out[column] = values.astype("Int64")
    return out


def to_csv(df: pd.DataFrame, *, translate_header: bool = True) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Chinese names right), formulas neutralized; the header
    in the reader's language (the data's column names in English, their labels in Chinese), unless
    the columns are the reader's own (a console query's)."""
    safe = whole_numbers(neutralized(df))
    if translate_header and language() != "en":
        safe = safe.rename(columns={c: labels.COLUMNS[c] for c in safe.columns if c in labels.COLUMNS})
    return safe.to_csv(index=False).encode("utf-8-sig")


def about_text(context: ExportContext, df: pd.DataFrame) -> str:
    """The about file of a CSV export: the context in plain words."""
    d = context.as_dict(df)
    lines = [
        _("Talent Atlas export"),
        _("File: {file}").format(file=f"{context.file_stem()}.csv"),
        _("What: {what} (page {page})").format(what=d["what"], page=_(d["page"])),
        _("Filters: {filters}").format(filters=d["filters"]),
        _("Money: {money}").format(money=d["money"] or _("no money values")),
        _("Data version: {version}").format(version=d["data_version"]),
        _("Made: {when}").format(when=d["made_at"]),
        _("Rows: {n}").format(n=f"{d['rows']:,}"),
    ]
    if d["link"]:
        lines.append(_("Link to the view: {link}").format(link=d["link"]))
    lines.append(_("Sources used:") if d["sources"] else _("Sources used: none named in these rows"))
    lines += [f"- {s}" for s in d["sources"]]
    lines += ["", _("Every fact row names its source and how sure the source is (its certainty).")]
    return "\n".join(lines) + "\n"


def to_csv_zip(df: pd.DataFrame, context: ExportContext, *, translate_header: bool = True) -> bytes:
    """A zip of the CSV and its about.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{context.file_stem()}.csv", to_csv(df, translate_header=translate_header))
        z.writestr("about.txt", about_text(context, df).encode("utf-8"))
    return buffer.getvalue()


def to_parquet(df: pd.DataFrame, context: ExportContext | None = None) -> bytes:
    """Parquet bytes of the data, types kept, the context in the key-value metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if context is not None:
        meta = dict(table.schema.metadata or {})
        meta[METADATA_KEY.encode()] = json.dumps(context.as_dict(df), ensure_ascii=False).encode("utf-8")
        table = table.replace_schema_metadata(meta)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def read_parquet_context(data: bytes) -> dict:
    """The context stored in a Parquet export (tests, and anyone checking a file)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(io.BytesIO(data)).metadata or {}
    return json.loads(meta[METADATA_KEY.encode()].decode("utf-8"))


def footnote_lines(context: ExportContext, n: int | None = None, width: int = 110) -> list[str]:
    """The footnote as short lines: who and when first, then the filters, wrapped."""
    import textwrap

    head = [
        f"{_('Talent Atlas')} · {_(context.page)}",
        _("data version {version}").format(version=context.data_version),
    ]
    if n is not None:
        head.append(f"n = {n:,}")
    head.append(f"{context.made_at:%Y-%m-%d %H:%M} UTC")
    rest = _("Filters: {filters}").format(filters=context.filters_text()) + (
        " · " + _("money in {money}").format(money=context.money) if context.money else ""
    )
    return [" · ".join(head), *textwrap.wrap(rest, width=width)]


def with_footnote(chart: alt.TopLevelMixin, context: ExportContext, n: int | None = None) -> alt.TopLevelMixin:
    """The chart with its footnote under it (a bottom title of the whole figure, so the chart's
    own title and legends stay where they are), every text in the export font."""
    spec = chart.to_dict()
    # a chart that sizes itself to its container has no width outside the page: give it one
    if spec.get("width") == "container":
        chart = chart.properties(width=720)
    note = alt.Title(
        footnote_lines(context, n),
        orient="bottom",
        anchor="start",
        fontSize=10,
        fontWeight="normal",
        color="#555",
        offset=10,
    )
    return alt.vconcat(chart, title=note).configure(font=EXPORT_FONT).configure_view(stroke=None)


_fonts_registered = False


def _vl_convert():
    global _fonts_registered
    import vl_convert as vlc

    if not _fonts_registered:
        for d in FONT_DIRS:
            if d.is_dir():
                vlc.register_font_directory(str(d))
        _fonts_registered = True
    return vlc


def _spec_json(chart: alt.TopLevelMixin) -> str:
    """The chart's Vega-Lite as strict JSON: a missing value (NaN in the rows: a round without an
    amount) is null, which vl-convert reads (it refuses NaN, which Altair writes)."""

    def clean(value: object) -> object:
        if isinstance(value, float) and value != value:
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(json.loads(chart.to_json())), allow_nan=False)


def to_png(
    chart: alt.TopLevelMixin, scale: float = 2, context: ExportContext | None = None, n: int | None = None
) -> bytes:
    """The chart rendered to PNG by vl-convert (no browser, no network), with its footnote."""
    if context is not None:
        chart = with_footnote(chart, context, n)
    return _vl_convert().vegalite_to_png(_spec_json(chart), scale=scale)


def to_svg(chart: alt.TopLevelMixin, context: ExportContext | None = None, n: int | None = None) -> str:
    """The chart rendered to SVG by vl-convert, with its footnote."""
    if context is not None:
        chart = with_footnote(chart, context, n)
    return _vl_convert().vegalite_to_svg(_spec_json(chart))
