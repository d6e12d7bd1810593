"""Download buttons for the data behind a table or chart (CSV, Parquet) and the chart (PNG, SVG)."""

from __future__ import annotations

import streamlit as st

from atlas import export


def downloads_ui(name: str, df=None, chart=None) -> None:
    """Download buttons for the data behind a table or chart (CSV, Parquet) and the chart
    itself (PNG, SVG); files are made only when clicked."""
    buttons = []
    if df is not None:
        buttons += [
            ("CSV", f"{name}.csv", "text/csv", lambda: export.to_csv(df)),
            ("Parquet", f"{name}.parquet", "application/octet-stream", lambda: export.to_parquet(df)),
        ]
    if chart is not None:
        buttons += [
            ("PNG", f"{name}.png", "image/png", lambda: export.to_png(chart)),
            ("SVG", f"{name}.svg", "image/svg+xml", lambda: export.to_svg(chart)),
        ]
    with st.container(horizontal=True, gap="small"):
        for label, file_name, mime, make in buttons:
            st.download_button(
                label,
                data=make,
                file_name=file_name,
                mime=mime,
                key=f"dl_{name}_{label}",
                on_click="ignore",
                icon=":material/download:",
                help=f"Download {file_name}",
                width="content",
                type="tertiary",
            )
