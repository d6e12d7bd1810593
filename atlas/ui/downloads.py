"""Download buttons for the data behind a table or chart (CSV, Parquet) and the chart (PNG, SVG),
each file named for what it is and when, and carrying the view it comes from (atlas.export)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from atlas import cache, export, i18n
from atlas.i18n import _
from atlas.pages import BY_TITLE
from atlas.ui import link, session
from atlas.ui.plots import altair_of
from atlas.ui.share import view_query
from atlas.viewdata import Filters, PayView


def export_context(name: str) -> export.ExportContext:
    """The context of an export made now from the current page: its filters (as the share link
    carries them), the money basis, the data version."""
    page = session.PAGE.get("Overview")
    view = tuple(view_query(page))
    version = cache.version()[0]  # the version this run shows (its snapshot), read once per run
    filters = session.FILTERS.get() or Filters()  # the declarations' defaults before any is drawn
    currency = filters.currency
    constant = link.current("constant") if page == "Pay offers" else None
    money = export.money_basis(currency, PayView.from_values({"constant": constant}).constant_year)
    entry = BY_TITLE.get(page)
    base = (st.context.url or "").split("?")[0]
    view_link = base + ("?" + urlencode([*view, ("v", str(version))]) if base else "")
    return export.ExportContext(
        what=name,
        page=page if entry is None else entry.title,
        view=view,
        link=view_link,
        money=money,  # "USD, nominal": each file says it in its own words (about.txt, the image's footnote)
        data_version=version,
    )


def downloads_ui(name: str, df=None, chart=None, rows=None, translate_header: bool = True, lazy: bool = True) -> None:
    """Download buttons for the data behind a table or chart (CSV zipped with its about.txt,
    Parquet with its metadata) and the chart itself (PNG, SVG, with a footnote); files are made
    only when clicked. `rows`: a function that reads the data when a button is clicked (a filtered
    table's every row), instead of `df`; `translate_header=False` for columns that are the reader's
    own (a console query's); `lazy=False` makes the files as the page runs (a small result whose
    page goes on with a form: a deferred download's request raced the form's submission in CI)."""
    context = export_context(name)
    stem = context.file_stem()
    n = len(df) if df is not None else None
    buttons = []
    if df is not None or rows is not None:
        data = (lambda: df) if df is not None else rows
        buttons += [
            (
                "CSV",
                f"{stem}.zip",
                "application/zip",
                lambda: export.to_csv_zip(data(), context, translate_header=translate_header),
            ),
            ("Parquet", f"{stem}.parquet", "application/octet-stream", lambda: export.to_parquet(data(), context)),
        ]
    if chart is not None:
        buttons += [
            ("PNG", f"{stem}.png", "image/png", lambda: export.to_png(altair_of(chart), context=context, n=n)),
            ("SVG", f"{stem}.svg", "image/svg+xml", lambda: export.to_svg(altair_of(chart), context=context, n=n)),
        ]
    with st.container(horizontal=True, gap="small"):
        for label, file_name, mime, make in buttons:
            st.download_button(
                label,
                # made on another thread, after the run: in this run's language
                data=i18n.bound(make) if lazy else make(),
                file_name=file_name,
                mime=mime,
                key=f"dl_{name}_{label}",
                on_click="ignore",
                icon=":material/download:",
                help=_("Download {file}").format(file=file_name)
                + (_(" (the CSV with about.txt: filters, money, data version, sources)") if label == "CSV" else ""),
                width="content",
                type="tertiary",
            )
