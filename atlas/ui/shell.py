"""The shell of every page: the frame before its body, the notice and the share box after it."""

from __future__ import annotations

from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from atlas.ui.frame import page_frame
from atlas.ui.share import share_ui


def page(title: str, caption: str = ""):
    """The frame of a page, as a decorator: config, menu, language, title and the shared filters
    before the page's body (called with them), the notice and the share box after it, also when
    the body stops early (st.stop: an empty view). A page is its body, nothing else:

        @ui.page("Pay offers", N_("Salaries, …"))
        def pay_offers(filters: ui.Filters) -> None:
            ...
    """

    def run(body):
        filters = page_frame(title, caption)
        try:
            body(filters)
        except StopException:
            share_ui()
            raise
        share_ui()
        return body

    return run
