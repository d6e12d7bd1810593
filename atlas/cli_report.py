"""`python -m atlas report URL --out view.pdf`: a view's report (atlas.report) as a PDF and an HTML
file beside it, from the view's link as the Copy link box gives it.

The dashboard the link names makes it when it answers (/api/report/…: in team mode pass a personal
token with --token); else it is made here from the database (--db), with the link's view.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from atlas import db, i18n, pages


def register(sub) -> None:  # noqa: ANN001 - argparse's subparsers
    rp = sub.add_parser(
        "report",
        help="A view's report: PDF and HTML (title, filters, charts, tables, sources, data version, link).",
        description="Write the report of the view a link names: URL is the page's link (the Copy link box's).",
    )
    rp.add_argument("url", help="the view's link, e.g. http://localhost:8501/Talent_flows?level=firm")
    rp.add_argument("--out", type=Path, required=True, help="the PDF to write (the HTML goes beside it, .html)")
    rp.add_argument("--token", default="", help="a personal token, for a dashboard in team mode")
    rp.add_argument("--db", type=Path, default=None, help="the database to read when the dashboard does not answer")
    rp.set_defaults(func=_report)


def page_of(url: str) -> tuple[pages.Page, list[tuple[str, str]], str]:
    """The page a link opens, its query and its origin; a link to no page is an error."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    page = next((p for p in pages.PAGES if p.url_path == path), None)
    if page is None:
        known = ", ".join(p.url_path for p in pages.PAGES)
        raise ValueError(f"{url} opens no page of Talent Atlas (the pages are {known}).")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "v"]
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return page, query, origin


def _from_server(origin: str, slug: str, query: list, fmt: str, token: str) -> bytes | None:
    if not origin:
        return None
    address = f"{origin}/api/report/{slug}.{fmt}" + ("?" + urlencode(query) if query else "")
    request = urllib.request.Request(address, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.read()
    except urllib.error.HTTPError as e:
        raise ValueError(f"{address} answered {e.code}: {e.read()[:300].decode('utf-8', 'replace')}") from None
    except OSError:
        return None  # no dashboard there: made here


def _made_here(page: pages.Page, query: list, origin: str) -> tuple[bytes, bytes]:
    from atlas import cache, report

    asked: dict[str, list[str]] = {}
    for k, v in query:
        asked.setdefault(k, []).append(v)
    i18n.set_language((asked.get(pages.LANG_KEY) or [i18n.DEFAULT])[-1])
    view = pages.View.read(page.title, asked)
    with cache.request_snapshot("report") as version:
        document = report.html_of(page.title, view, origin, version[0])
    return report.pdf_of(document), document.encode("utf-8")


def _report(args: argparse.Namespace) -> int:
    import os

    from atlas import cache
    from atlas.viewdata import page_slug

    cache.quiet_outside_runs()
    try:
        page, query, origin = page_of(args.url)
        slug = page_slug(page.title)
        pdf = _from_server(origin, slug, query, "pdf", args.token)
        if pdf is not None:
            html = _from_server(origin, slug, query, "html", args.token) or b""
            how = f"made by the dashboard at {origin}"
        else:
            if args.db:
                os.environ["ATLAS_DB"] = str(args.db)
            pdf, html = _made_here(page, query, origin)
            how = f"made here from {db.db_path()}"
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pdf)
    beside = args.out.with_suffix(".html")
    beside.write_bytes(html)
    print(f"Wrote {args.out} ({len(pdf):,} bytes) and {beside}, {how}.")
    return 0
