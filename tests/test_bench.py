"""The benchmark runs end to end at the small scale (its times are not asserted)."""

from __future__ import annotations

import os

from atlas import bench


def test_small_benchmark_runs_and_reports_every_page(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", os.environ.get("ATLAS_DB", ""))  # bench.run points it at its own database
    out = tmp_path / "RESULTS.md"
    results = bench.run("small", work=tmp_path / "work", out=out, browser=bool(os.environ.get("CI")) or
                        bench_browser_available())
    text = out.read_text(encoding="utf-8")
    assert results.rows_loaded["moves"] == bench.SCALES["small"].moves
    assert results.load_seconds > 0 and results.raw_load_seconds > 0
    # every page, every view, each with its queries recorded and re-run raw
    assert {(v.page, v.view) for v in results.views} == {(t, name) for _, t, views in bench.PAGES for name, _ in views}
    assert all(v.calls > 0 and v.cold > 0 and v.raw > 0 for v in results.views)
    assert set(results.peer) == {t for _, t, _ in bench.PAGES}
    for heading in ("## Targets", "## Loading", "## Page data", "## The pandas peer"):
        assert heading in text
    assert "| Talent flows | firm level |" in text
    if results.browser:
        assert set(results.browser) == {t for _, t, _ in bench.PAGES} and results.peak_rss


def bench_browser_available() -> bool:
    from atlas.browser import chromium_available

    return chromium_available()
