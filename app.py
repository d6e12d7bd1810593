"""Talent Atlas: the entry point.

Run by Streamlit as the app's script (`__main__`), it draws the Overview page. Imported by the
server (`streamlit run app.py` finds the `app` below and serves it), it is the app: Streamlit,
with the data at a URL (atlas.api: /api/...) beside it in the same process.
"""

import streamlit as st

if __name__ == "__main__":
    from atlas.ui.overview_page import draw

    draw()
else:
    from atlas import api

    app = st.App("app.py", routes=api.routes())
