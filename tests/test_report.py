"""A report of any view (atlas.report, /api/report/<page>.pdf|html, `python -m atlas report`): the
PDF's text (pypdf) holds the view's numbers, its filters in words, its sources with their
certainty, the data version and the link that reopens it, in English and in Chinese."""

from __future__ import annotations

import html
import io
import subprocess
import sys

import pypdf
import pytest

from tests.support import ROOT


@pytest.fixture
def client(scratch_db, monkeypatch):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from atlas import api, cache

    monkeypatch.setenv("ATLAS_DB", str(scratch_db))
    yield TestClient(Starlette(routes=api.routes()))
    cache.connection().close()


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_talent_flows_report_holds_the_views_numbers_and_sources(client):
    answer = client.get("/api/report/talent-flows.pdf?level=firm&certainty=reported")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-atlas-data-version"] == "1"
    text = pdf_text(answer.content)
    assert "Talent Atlas · Talent flows" in text
    assert "Certainty: reported or confirmed facts (inferences left out)" in text
    assert "This page's choices: level = firm." in text
    assert "Reopen this view: http://testserver/Talent_flows?certainty=reported&level=firm&v=1" in text.replace(
        "\n", ""
    )
    # the net chart as drawn and its table: Meta Superintelligence Labs gains 4 at "reported"
    assert "Gained, lost and net, by firm" in text and "net +4" in text
    # every source, with the certainty its rows are cited at
    assert "Sources cited" in text
    assert "机器之心 (微信公众号), 2024-11: Yi Tay returns to Google DeepMind" in text
    assert "(confirmed, reported)" in text
    assert "rumor" not in text.split("Sources cited")[1]  # rumors are filtered out of this view


def test_a_chinese_report_is_in_chinese(client):
    answer = client.get("/api/report/funding.pdf?lang=zh&currency=CNY")
    text = pdf_text(answer.content)
    assert text.splitlines()[0] == "人才图谱 · 融资"
    assert "时间：所有年份，含无日期的事实。可信度：所有可信度（含传闻）。公司：所有类型的公司。" in text
    assert "数据版本 1 · 生成于" in text
    # the chart and the rounds as the Chinese page shows them, and the sources with their certainty
    assert "Mistral AI" in text and "“独家丨一位 AI 科学家,拒绝了张一鸣开出的千万年薪” (已报道)" in text
    html = client.get("/api/report/funding.html?lang=zh&currency=CNY").text
    assert html.startswith("<!doctype html><html lang='zh'>")


def test_every_page_has_a_report(client):
    from atlas import pages, viewdata

    for page in pages.PAGES:
        answer = client.get(f"/api/report/{viewdata.page_slug(page.title)}.html")
        assert answer.status_code == 200, (page.title, answer.text[:300])
        assert f"<h1>Talent Atlas · {html.escape(page.title)}</h1>" in answer.text
    assert client.get("/api/report/nowhere.pdf").status_code == 404
    bad = client.get("/api/report/talent-flows.pdf?top=1e309")
    assert bad.status_code == 400 and "top=1e309" in bad.json()["error"]


def test_the_command_line_writes_the_pdf_and_the_html(scratch_db, tmp_path):
    out = tmp_path / "view.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "atlas",
            "report",
            "http://127.0.0.1:9/Pay_offers?currency=CNY&certainty=reported",
            "--out",
            str(out),
            "--db",
            str(scratch_db),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "made here from" in done.stdout
    text = pdf_text(out.read_bytes())
    assert "Talent Atlas · Pay offers" in text and "Money in CNY, nominal" in text
    assert (tmp_path / "view.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    wrong = subprocess.run(
        [sys.executable, "-m", "atlas", "report", "http://127.0.0.1:9/Nowhere", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 1 and "opens no page of Talent Atlas" in wrong.stderr


def test_a_console_querys_view_reports_its_rows(client):
    answer = client.get("/api/report/explore.html?tab=SQL+console&sql=select+count(*)+as+n_moves+from+moves")
    assert answer.status_code == 200
    assert "<h2>SQL console</h2>" in answer.text and "<th>n_moves</th>" in answer.text and "<td>49</td>" in answer.text
