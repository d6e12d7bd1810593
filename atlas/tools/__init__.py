"""Tooling apart from the app's runtime: the benchmark (`python -m atlas bench`) and the
Streamlit-server-plus-Chromium helpers it shares with the browser tests. The app never imports it."""
