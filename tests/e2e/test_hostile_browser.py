"""Hostile names in a real browser (issue 14): uploaded through the Data page, then every page that
shows them opened, the Sankey hovered node by node and link by link. No script runs, no live link
to a foreign site appears and no image is requested from a foreign host."""

from __future__ import annotations

from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from atlas import views
from tests.support import ARTIFACTS, leftover_uploads, vega_point_showing, wait_for_app

pytestmark = pytest.mark.browser

EVIL = "evil.example"
XSS = "window.__xss=(window.__xss||0)+1"
PEOPLE = [
    ("hostile-img", f'<img src=x onerror="{XSS}">'),
    ("hostile-link", f"[Sign in again](https://{EVIL}/login)"),
    ("hostile-image", f"![m](http://{EVIL}/x.png)"),
    ("hostile-code", f"`x` <script>{XSS}</script> $y$ https://{EVIL}/bare"),
]
FIRM = f'<img src=http://{EVIL}/f.png onerror="{XSS}">Evil Corp'
SOURCE_TITLE = f"[Sign in again](https://{EVIL}/t)"
PUBLISHER = f"![p](http://{EVIL}/p.png)"
ROLE = f'<b onmouseover="{XSS}">CEO</b>'


def hostile_files(tmp_path):
    src = tmp_path / "sources.csv"
    src.write_text(
        "source_id,title,publisher,url,published_on,language\n"
        f'evil-src,"{SOURCE_TITLE}","{PUBLISHER}",https://{EVIL}/article,2025-01,en\n',
        encoding="utf-8",
    )
    firms = tmp_path / "firms.csv"
    firms.write_text(
        "firm_id,name,name_zh,kind,country,parent_id,founded_on,source_id\n"
        f'evil-corp,"{FIRM.replace(chr(34), chr(34) * 2)}",[恶意](https://{EVIL}),ai_startup,US,,2024,evil-src\n',
        encoding="utf-8",
    )
    people = tmp_path / "people.csv"
    rows = "".join(
        f'{pid},"{name.replace(chr(34), chr(34) * 2)}",,"{SOURCE_TITLE}",US,evil-src\n' for pid, name in PEOPLE
    )
    people.write_text("person_id,name,name_zh,known_for,origin_country,source_id\n" + rows, encoding="utf-8")
    moves = tmp_path / "moves.csv"
    lines = [
        f'm-{pid},{pid},google,evil-corp,2025-01,"{ROLE.replace(chr(34), chr(34) * 2)}",joined,evil-src,reported,'
        f'"{SOURCE_TITLE}"\n'
        for pid, _ in PEOPLE
    ]
    lines.append("m-back,hostile-img,evil-corp,openai,2025-06,,joined,evil-src,rumor,\n")
    moves.write_text(
        "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n" + "".join(lines),
        encoding="utf-8",
    )
    return [str(p) for p in (src, firms, people, moves)]


# the text of the Sankey's tooltip (a div ECharts shows over the page) once it differs from `before`
_TIP_NEW = """before => { const t = [...document.querySelectorAll('div')]
  .filter(d => d.style.zIndex === '9999999' && d.style.display !== 'none')
  .map(d => d.innerText).join(' | '); return t && t !== before ? t : null; }"""


class Watch:
    """What a page did that it must not: requests to other hosts, dialogs, script run by a name."""

    def __init__(self, page, base: str):
        self.page = page
        self.host = urlparse(base).hostname
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("dialog", self._dialog)

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in (self.host, "localhost"):
            self.foreign.append(request.url)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, where: str) -> None:
        assert self.page.evaluate("() => window.__xss") is None, f"a name ran script on {where}"
        assert not self.dialogs, (where, self.dialogs)
        assert not self.foreign, (where, self.foreign)
        # no live link and no image pointing at the foreign host, anywhere in the document
        links = self.page.locator(f'a[href*="{EVIL}"]')
        assert links.count() == 0, (where, [(a.get_attribute("href"), a.inner_text()) for a in links.all()])
        assert self.page.locator(f'img[src*="{EVIL}"]').count() == 0, where
        assert self.page.locator('[data-testid="stException"]').count() == 0, where


def visit(page, watch: Watch, url: str, title: str, shot: str, expect: str | None = None) -> None:
    page.goto(url)
    wait_for_app(page, title)
    if expect:
        page.get_by_text(expect, exact=False).first.wait_for(timeout=30000)
    page.screenshot(path=str(ARTIFACTS / f"hostile_{shot}.png"), full_page=True)
    watch.check(url)


def test_hostile_names_never_run_link_or_load(fresh_server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    watch = Watch(page, fresh_server.url)
    base = fresh_server.url

    # uploaded through the Data page, like any analyst's files
    page.goto(base + "/Data")
    wait_for_app(page, "Data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(hostile_files(tmp_path))
    page.wait_for_selector("text=No problem found", timeout=60000)
    watch.check("the Data page preview")
    page.get_by_label("Your name (recorded with the upload)").fill(f'<img src=x onerror="{XSS}">')
    # staged once per content: reruns (the mode picked back and forth) write no new copy
    assert len(leftover_uploads()) == 1
    page.get_by_text("Upsert: add new ids, update existing ones").click()
    page.wait_for_selector("text=No problem found", timeout=60000)
    page.get_by_text("Append: new ids only").click()
    page.wait_for_selector("text=No problem found", timeout=60000)
    assert len(leftover_uploads()) == 1
    page.get_by_role("button", name="Commit the upload").click()
    page.wait_for_selector("text=the pages' tables with it", timeout=60000)
    watch.check("the Data page after the commit")
    assert leftover_uploads() == []  # committed: the copies are gone

    visit(page, watch, base + "/", "Overview", "overview")
    # the names read as written, as text
    visit(
        page,
        watch,
        base + "/People_and_firms?person=hostile-link",
        "People & firms",
        "person_link",
        expect="[Sign in again](https",
    )
    visit(
        page, watch, base + "/People_and_firms?person=hostile-img", "People & firms", "person_img", expect="<img src=x"
    )
    visit(page, watch, base + "/People_and_firms?person=hostile-image", "People & firms", "person_image")
    visit(page, watch, base + "/People_and_firms?person=hostile-code", "People & firms", "person_code", expect="$y$")
    visit(page, watch, base + "/People_and_firms?firm=evil-corp", "People & firms", "firm", expect="Evil Corp")
    visit(page, watch, base + "/Data", "Data", "data")
    visit(page, watch, base + "/Pay_offers", "Pay offers", "pay")
    visit(page, watch, base + "/Funding", "Funding", "funding")
    # the group's own heading in "gained from, lost to"
    visit(
        page,
        watch,
        base + "/Talent_flows?level=firm&top=40&focus=evil-corp",
        "Talent flows",
        "flows_focus",
        expect="Evil Corp",
    )

    # Vega tooltips of the bars (gained and lost per firm): the name shown as text (an <img> drawn
    # as HTML would leave no such text in the tooltip)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    hostile = "<img src=http://evil.example/f.png"
    point = vega_point_showing(page, chart.locator("canvas, svg").first, hostile)
    assert point, "no bar's tooltip shows the hostile name as text"
    page.mouse.move(*point)  # the real pointer there: the tooltip it shows, read as the reader sees it
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible", timeout=5000)
    assert hostile in tip.inner_text()
    watch.check("the bar chart, hovered")

    # the Sankey drawn as SVG: every node and link hovered, each tooltip showing the names as text
    visit(page, watch, base + "/Talent_flows?level=firm&top=40&img=SVG", "Talent flows", "sankey")
    chart = page.locator('.st-key-sankey [data-testid="stEChartsChart"]').first
    chart.scroll_into_view_if_needed()
    marks = chart.locator("svg path")
    n = marks.count()
    assert n > 10
    tips, last = set(), ""
    for i in range(n):
        mark = marks.nth(i)
        if not mark.is_visible():
            continue
        box = mark.bounding_box()
        if not box or box["width"] < 2 or box["height"] < 2:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:  # until the diagram's tooltip shows another text than the last one (or none comes)
            tip = page.wait_for_function(_TIP_NEW, arg=last, timeout=1000).json_value()
        except PlaywrightTimeout:
            continue
        tips.add(tip)
        last = tip
        if any("Evil Corp" in t and "<img src=" in t for t in tips) and any(
            "[Sign in again](https://evil.example/login)" in t for t in tips
        ):
            break  # both hostile names' tooltips are found (as text)
    watch.check("the Sankey, hovered")
    assert any("Evil Corp" in t and "<img src=" in t for t in tips), tips  # the name, shown as text
    assert any("[Sign in again](https://evil.example/login)" in t for t in tips), tips
    page.screenshot(path=str(ARTIFACTS / "hostile_sankey_hovered.png"), full_page=True)

    # a saved view whose name, note and author are hostile, opened by its short link
    page.locator('[data-testid="stSidebar"]').get_by_text("Save this view").click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    name = f"[Sign in again](https://{EVIL}/v)"
    sidebar.get_by_label("Name", exact=True).fill(name)
    sidebar.get_by_label("Note").fill(f"![n](http://{EVIL}/n.png) `tick`")
    sidebar.get_by_label("Your name").fill(f'<img src=x onerror="{XSS}">')
    sidebar.get_by_role("button", name="Save view").click()
    page.wait_for_selector("text=Saved. Short link", timeout=60000)
    slug = views.slugify(name)
    visit(page, watch, f"{base}/?view={slug}", "Talent flows", "saved_view", expect="Saved view [Sign in again](https")
    visit(page, watch, base + "/", "Overview", "overview_saved")

    # crafted links: every value echoed escaped and shortened
    crafted = (
        f"/Funding?statuses={quote(f'[Sign in again](https://{EVIL})')}"
        f"&min_n={quote(f'![m](http://{EVIL}/x.png)')}&{quote('ke`y')}=1&view={quote('`x` [a](https://evil.example)')}"
    )
    visit(page, watch, base + crafted, "Funding", "crafted_link", expect="Part of this link was ignored")
    notice = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("[Sign in again](https" in t and "evil.example)" in t for t in notice), notice
    page.close()
