"""The data at a URL against a real server (`streamlit run app.py`, the routes beside the app): a
notebook's `pandas.read_csv(url)` gets the rows the page's CSV download holds, for every page's
default view and a filtered one; the index, the formats, the version pin and the refusals."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from atlas import pages, viewdata, views
from atlas.tools.browser import Server
from tests.support import get, wait_for_app

pytestmark = pytest.mark.browser

CONSOLE_QUERY = "select to_firm_id, count(*) as n from moves group by 1 order by n desc, to_firm_id limit 5"


@pytest.fixture(scope="module")
def api_server(seed_db_path, tmp_path_factory):
    """A server over the seed with two saved views: a console query and a Talent flows view."""
    folder = tmp_path_factory.mktemp("api")
    db = folder / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    con = duckdb.connect(str(db))
    views.save_view(con, "Top destinations", "", "Explore", f"tab=SQL+console&sql={CONSOLE_QUERY}", "Ana")
    views.save_view(con, "Confirmed firm flows", "", "Talent flows", "level=firm&certainty=confirmed", "Ana")
    con.close()
    server = Server(db, folder / "streamlit.log")
    yield server
    server.stop()


def page_download(browser, url: str, title: str, key: str) -> pd.DataFrame:
    """The CSV inside the zip the page's own CSV button of `key` downloads."""
    page = browser.new_page(viewport={"width": 1440, "height": 1600})
    try:
        page.goto(url)
        wait_for_app(page, title)
        button = page.locator(f".st-key-dl_{key}_CSV button").first
        button.wait_for(timeout=60000)
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=60000) as info:
            button.click()
        data = Path(info.value.path()).read_bytes()
    finally:
        page.close()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        return pd.read_csv(io.BytesIO(z.read(name)))


# (page, its download's name, the API's section path, a filtered view's query)
VIEWS = [
    ("Overview", "latest_moves", "overview/latest-moves", "period=2020&period=2025&certainty=reported"),
    ("Talent flows", "net_flow", "talent-flows/net-flow", "level=firm&certainty=confirmed&period=2022&period=2025"),
    ("Pay offers", "pay_figures", "pay-offers/pay-figures", "currency=CNY&certainty=reported"),
    ("Funding", "rounds", "funding/rounds", "period=2023&period=2025&statuses=completed"),
    ("People & firms", "people", "people-and-firms/people", "q=Li"),
]


@pytest.mark.parametrize(("title", "key", "path", "filtered"), VIEWS, ids=[v[0] for v in VIEWS])
def test_read_csv_of_the_url_is_the_pages_download(api_server, browser, title, key, path, filtered):
    page = pages.BY_TITLE[title]
    for query in ("", filtered):
        from_page = page_download(browser, api_server.url + page.url_path + "?" + query, title, key)
        from_url = pd.read_csv(f"{api_server.url}/api/{path}.csv?{query}")
        assert len(from_url) > 0, (title, query)
        pd.testing.assert_frame_equal(from_url, from_page)


def test_explore_tables_and_a_chinese_view_read_as_their_downloads(api_server, browser):
    # an Explore table, filtered and sorted: the page's download of it
    query = "table=moves&f=move_type.eq.joined&sort=-moved_on"
    from_page = page_download(browser, f"{api_server.url}/Explore?{query}", "Explore", "explore_moves")
    from_url = pd.read_csv(f"{api_server.url}/api/explore/moves.csv?f=move_type.eq.joined&sort=-moved_on")
    assert set(from_url["move_type"]) == {"joined"}
    pd.testing.assert_frame_equal(from_url, from_page)
    # in Chinese: the header and the names as the Chinese page's download has them
    query = "lang=zh&level=firm"
    from_page = page_download(browser, f"{api_server.url}/Talent_flows?{query}", "人才流动", "net_flow")
    from_url = pd.read_csv(f"{api_server.url}/api/talent-flows/net-flow.csv?{query}")
    pd.testing.assert_frame_equal(from_url, from_page)
    assert "字节跳动" in " ".join(from_url.astype(str).to_numpy().ravel())


def test_the_index_lists_every_section_with_its_parameters(api_server):
    status, headers, body = get(api_server.url + "/api/")
    assert status == 200
    doc = json.loads(body)
    paths = {e["path"]: e for e in doc["endpoints"]}
    for d in viewdata.DATASETS:
        entry = paths[f"/api/{viewdata.page_slug(d.page)}/{d.slug}.csv"]
        # the parameters are the declarations' (atlas.pages), never written twice
        names = [p["name"] for p in entry["parameters"]]
        assert names[:4] == list(pages.SHARED_KEYS)
        for p in entry["parameters"]:
            declared = pages.param_of(d.page, p["name"])
            assert p["kind"] == declared.kind and p["expects"] == declared.expects()
    net = paths["/api/talent-flows/net-flow.csv"]
    assert [p["name"] for p in net["parameters"]][4:] == ["level", "search", "countries", "top", "min_n", "lineage"]
    assert "/api/explore/moves.csv" in paths and "/api/saved/top-destinations.csv" in paths
    assert int(headers["x-atlas-data-version"]) == doc["data_version"] == 1


def test_formats_version_and_refusals(api_server):
    base = api_server.url + "/api/talent-flows/net-flow"
    status, headers, csv_body = get(base + ".csv?level=firm")
    assert status == 200 and headers["x-atlas-data-version"] == "1"
    as_csv = pd.read_csv(io.BytesIO(csv_body))
    status, headers, body = get(base + ".json?level=firm")
    doc = json.loads(body)
    assert status == 200 and doc["data_version"] == 1 and doc["page"] == "Talent flows"
    assert doc["filters"] == "level=firm" and "/Talent_flows?level=firm&v=1" in doc["link"]
    assert [r["group_key"] for r in doc["rows"]] == as_csv["group_key"].tolist()
    assert [r["net"] for r in doc["rows"]] == as_csv["net"].tolist()
    status, _h, body = get(base + ".parquet?level=firm")
    as_parquet = pd.read_parquet(io.BytesIO(body))
    assert status == 200 and as_parquet["group_key"].tolist() == as_csv["group_key"].tolist()
    # the version pinned: the same answers, another one is refused with the current version
    assert get(base + ".csv?level=firm&v=1")[0] == 200
    status, _h, body = get(base + ".csv?level=firm&v=7")
    assert status == 409 and json.loads(body)["data_version"] == 1
    # bad input: a value the parser refuses, a parameter the section does not read, no such section
    status, _h, body = get(base + ".csv?top=1e309")
    assert status == 400 and "top=1e309: expects a whole number from 3 to 40" in json.loads(body)["error"]
    status, _h, body = get(base + ".csv?currency=USD&sql=select%201")
    assert status == 400 and "sql" in json.loads(body)["error"]
    assert get(api_server.url + "/api/talent-flows/nothing.csv")[0] == 404
    assert get(base + ".xlsx")[0] == 404
    # a section that needs a pick says which
    status, _h, body = get(api_server.url + "/api/talent-flows/counterparts.csv")
    assert status == 400 and "focus" in json.loads(body)["error"]
    status, _h, body = get(api_server.url + "/api/talent-flows/counterparts.csv?focus=google")
    assert status == 200 and len(pd.read_csv(io.BytesIO(body))) > 0


def test_saved_views_answer_at_their_slug(api_server, seed_db_path):
    status, _h, body = get(api_server.url + "/api/saved/top-destinations.csv")
    assert status == 200
    top = pd.read_csv(io.BytesIO(body))
    assert list(top.columns) == ["to_firm_id", "n"] and len(top) == 5
    # the same rows as the query itself over the seed
    con = duckdb.connect(str(seed_db_path), read_only=True)
    try:
        expected = con.execute(CONSOLE_QUERY).df()
    finally:
        con.close()
    assert top["to_firm_id"].tolist() == expected["to_firm_id"].tolist() and top["n"].tolist() == expected["n"].tolist()
    # a saved view of a page: each of its sections, in its link's view
    status, _h, body = get(api_server.url + "/api/saved/confirmed-firm-flows/net-flow.csv")
    direct = pd.read_csv(api_server.url + "/api/talent-flows/net-flow.csv?level=firm&certainty=confirmed")
    assert status == 200
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(body)), direct)
    status, _h, body = get(api_server.url + "/api/saved/confirmed-firm-flows.csv")
    assert status == 404 and "net-flow" in json.loads(body)["error"]
    assert get(api_server.url + "/api/saved/no-such-view.csv")[0] == 404


@pytest.mark.parametrize(
    ("width", "path", "title", "button", "expected"),
    [
        (1440, "/Talent_flows?level=firm&certainty=reported", "Talent flows", "Report (PDF)", "net +4"),
        (800, "/Funding?lang=zh&currency=CNY", "融资", "报告（PDF）", "人才图谱 · 融资"),
    ],
)
def test_a_view_is_a_sourced_pdf_in_one_click(api_server, browser, width, path, title, button, expected):
    import pypdf

    page = browser.new_page(viewport={"width": width, "height": 1000})
    try:
        page.goto(api_server.url + path)
        wait_for_app(page, title)
        link = page.get_by_role("link", name=button)
        box = link.bounding_box()
        assert box is not None and box["y"] + box["height"] < 1000  # in view as the page opens: one click
        href = link.get_attribute("href")
        assert href.startswith(api_server.url + "/api/report/") and ".pdf?" in href
        answer = page.request.get(href)
        assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(answer.body())).pages)
        assert expected in text
        assert ("Reopen this view" if width == 1440 else "重新打开此视图") in text
    finally:
        page.close()
