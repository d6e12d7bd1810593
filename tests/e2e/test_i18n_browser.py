"""The Chinese interface in Chromium: every page with `lang=zh` shows only Chinese UI text, the
language switch keeps the view and its link, a Chinese link is the first request a fresh server
gets, an upload's problems and their report read in Chinese, exports follow the language."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from atlas import i18n
from atlas.pages import PAGES
from tests.support import ARTIFACTS, wait_for_app
from tests.visible_text import english_left

ZH = {p.title: i18n.in_language("zh", p.title) for p in PAGES}


def _visible_text(page) -> str:
    """What the reader sees as text: the sidebar and the main area (tables and charts aside), less
    the names of the icons (a Material icon is drawn from its name as text: `dashboard`) and the
    code blocks (a notebook's line of Python is a value to copy, not UI words)."""
    text, icons, code = page.evaluate(
        """() => [
            ['[data-testid="stSidebar"]', '[data-testid="stMain"]']
                .map(s => document.querySelector(s)).filter(Boolean).map(e => e.innerText).join('\\n'),
            Array.from(document.querySelectorAll('[data-testid="stIconMaterial"], [translate="no"][role="img"]'))
                .map(e => e.innerText.trim()),
            Array.from(document.querySelectorAll('[data-testid="stCode"]')).map(e => e.innerText).join('\\n'),
        ]"""
    )
    code_lines = {line.strip() for line in code.splitlines() if line.strip()}
    text = "\n".join(line for line in text.splitlines() if line.strip() not in code_lines)
    for icon in sorted(set(icons), key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z_]){re.escape(icon)}(?![A-Za-z_])", " ", text) if icon else text
    return text


@pytest.mark.parametrize("path,title", [(p.url_path, p.title) for p in PAGES])
def test_every_page_in_chinese_shows_only_chinese_ui_text(server, browser, stored, path, title):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server.url + path + "?lang=zh")
    wait_for_app(page, ZH[title])
    # the Data page's uploader writes its button and limit in English; the page's own style puts
    # Chinese in their place once it is drawn: under load that can come after the text settled
    page.wait_for_function(
        """() => {
            const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
            return !zone || !zone.innerText.includes('per file');
        }""",
        timeout=30000,
    )
    text = _visible_text(page)
    left = {line: w for line in text.splitlines() if (w := english_left(line, stored))}
    assert left == {}
    assert page.title().startswith(ZH[title]) and page.title().endswith("人才图谱")
    assert "lang=zh" in page.url
    page.screenshot(path=str(ARTIFACTS / f"zh_{title.replace(' ', '_').replace('&', 'and')}.png"))
    page.close()


def test_the_same_page_in_english_fails_the_check(server, browser, stored):
    # the check can fail: the English page is full of English UI words
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server.url + "/Talent_flows")
    wait_for_app(page, "Talent flows")
    left = [w for line in _visible_text(page).splitlines() for w in english_left(line, stored)]
    assert "Boomerangs" in left and len(left) > 50
    page.close()


def test_switching_language_keeps_the_view_and_the_link(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server.url + "/Talent_flows?level=kind&certainty=reported&grain=quarter")
    wait_for_app(page, "Talent flows")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator("button").filter(has_text=re.compile("^中文$")).click()
    wait_for_app(page, "人才流动")
    page.wait_for_function("() => location.search.includes('lang=zh')", timeout=20000)
    for part in ("level=kind", "certainty=reported", "grain=quarter"):
        assert part in page.url, (part, page.url)
    # the view is the same, in Chinese: the level picked, the minimum certainty shown in words
    assert page.get_by_role("radio", name="公司类型").is_checked()
    assert page.get_by_role("radio", name="季度").is_checked()
    assert page.locator('input[aria-label="最低可信度"]').input_value() == "已报道"
    # another page keeps the language and the shared filters
    sidebar.locator('[data-testid="stPageLink"]').filter(has_text="融资").click()
    wait_for_app(page, "融资")
    page.wait_for_function("() => location.pathname.endsWith('/Funding')", timeout=20000)
    assert "lang=zh" in page.url and "certainty=reported" in page.url
    # and back to English: the link loses only its lang
    sidebar.locator("button").filter(has_text=re.compile("^English$")).click()
    wait_for_app(page, "Funding")
    page.wait_for_function("() => !location.search.includes('lang=')", timeout=20000)
    assert "certainty=reported" in page.url
    page.close()


def test_a_chinese_link_is_the_first_request_of_a_fresh_server(fresh_server, browser):
    page = browser.new_page(viewport={"width": 800, "height": 1200})
    page.goto(fresh_server.url + "/People_and_firms?lang=zh&person=mu-li")
    wait_for_app(page, "人物与公司")
    page.get_by_role("heading", name="李沐 (Mu Li)").wait_for(timeout=30000)  # the reader's script first
    text = _visible_text(page)
    assert "籍贯：CN" in text
    # the article that first named him, cited with its date at its precision, the Chinese way
    assert "首见于 AI科技评论 (雷峰网), 2023年3月:" in text
    page.close()


def test_copy_link_carries_the_language(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server.url + "/Pay_offers?lang=zh&currency=CNY")
    wait_for_app(page, "薪酬报价")
    link = page.locator('[data-testid="stSidebar"] .atlas-copy-link textarea').input_value()
    assert "lang=zh" in link and "currency=CNY" in link
    other = browser.new_page()
    other.goto(link.strip())
    wait_for_app(other, "薪酬报价")
    other.close()
    page.close()


def test_an_upload_with_problems_is_reported_in_chinese(fresh_server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(fresh_server.url + "/Data?lang=zh")
    wait_for_app(page, "数据")
    header = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"
    bad = tmp_path / "moves.csv"
    bad.write_text(header + "up-1,nobody,,bytedance,2026-13,,joined,leiphone-2023-mu-li-declines-bytedance,maybe,\n")
    empty = tmp_path / "empty" / "pay.csv"
    empty.parent.mkdir()
    empty.write_text("")
    # a whole file's problem: a sentence in the notice
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(empty))
    page.wait_for_selector("text=文件为空", timeout=30000)
    page.goto(fresh_server.url + "/Data?lang=zh")
    wait_for_app(page, "数据")
    # problems of rows: the table and its downloadable report
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.wait_for_selector("text=未写入任何内容", timeout=30000)
    assert page.get_by_role("button", name="提交上传").count() == 0
    page.screenshot(path=str(ARTIFACTS / "zh_upload_problems.png"), full_page=True)
    # the downloadable report: Chinese headers and problems
    button = page.locator(".st-key-dl_upload_problems_CSV button").first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60000) as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        rows = list(csv.reader(io.StringIO(z.read(name).decode("utf-8-sig"))))
        about = z.read("about.txt").decode("utf-8")
    assert rows[0] == ["文件", "表", "行", "列", "值", "问题"]
    problems = {r[3]: r[5] for r in rows[1:]}
    assert problems["person_id"] == "引用了未知的 people id"
    assert problems["certainty"].startswith("不在以下取值中：")
    assert "人才图谱导出文件" in about
    page.close()


def test_an_uploads_problems_follow_a_language_switch(fresh_server, browser, tmp_path):
    """The problems of an upload are kept across runs; after a switch to Chinese they read in
    Chinese (the check is not run again: its problems keep their messages and arguments)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(fresh_server.url + "/Data")
    wait_for_app(page, "Data")
    empty = tmp_path / "pay.csv"
    empty.write_text("")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(empty))
    problems = page.get_by_role("alert").filter(has_text="nothing was written")
    problems.wait_for(timeout=30000)
    assert "the file is empty" in problems.inner_text()
    page.locator('[data-testid="stSidebar"] button').filter(has_text=re.compile("^中文$")).click()
    chinese = page.get_by_role("alert").filter(has_text="未写入任何内容")
    chinese.wait_for(timeout=30000)
    text = chinese.inner_text()
    assert "文件为空" in text and "the file is empty" not in text, text
    page.close()


def test_chart_exports_follow_the_language(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(server.url + "/?lang=zh")
    wait_for_app(page, "概览")
    button = page.locator(".st-key-dl_moves_per_year_SVG button").first
    button.wait_for(timeout=30000)
    with page.expect_download(timeout=60000) as info:
        button.click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert "每年流动次数（按类型）" in svg and "人才图谱 · 概览" in svg and "数据版本 1" in svg
    assert not re.search(r"Moves per year|Talent Atlas", svg)
    page.close()
