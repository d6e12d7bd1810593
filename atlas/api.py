"""The data at a URL: every section of every page as CSV, JSON or Parquet, Explore's tables and
saved console queries, beside the app in the same process (app.py mounts these routes on Streamlit's
own server: `st.App`), so `make run` and `make serve` answer at the same addresses.

    /api/                                     the index: every endpoint and its parameters
    /api/<page>/<section>.csv|json|parquet    a section of a page, with the page's link parameters
    /api/explore/<table>.csv|json|parquet     a table of the data model, with Explore's f= and sort=
    /api/saved/<slug>.csv|json|parquet        a saved console query or Explore table
    /api/saved/<slug>/<section>.csv|…         a section of a saved view of a page

A section's rows are the page's download's (atlas.viewdata: one function reads them for both); the
link parameters are read by the one parser (atlas.pages.View). The data version is in the
`X-Atlas-Data-Version` header and in the JSON; `v=N` pins it (another version answers 409).
Access as the pages: anyone in local mode; in team mode a personal token (atlas.tokens), the
signed-in session's cookie, or a guest where the roles file lets anonymous readers in.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

import pandas as pd
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from atlas import alerts, cache, console, explore, export, i18n, pages, sql, viewdata, watch
from atlas.api_access import ApiError, check_access, check_console, error
from atlas.i18n import _
from atlas.pages import LANG_KEY, View

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
VERSION_HEADER = "X-Atlas-Data-Version"
TIME_LIMIT_S = 30.0  # a request's time limit (the rows it reads are bounded by each section's own limit)
MAX_BYTES = 64 * 2**20  # the largest answer (a CSV of Explore's 100,000 rows fits several times)
MAX_AT_ONCE = 4  # requests computed at once per process; more wait, then answer 503
GENERAL = ("v", "token", LANG_KEY)  # parameters every endpoint takes


cache.quiet_outside_runs()  # a request's queries run outside any page run


# ---- what is asked -------------------------------------------------------------------------------


def _asked(request: Request) -> dict[str, list[str]]:
    asked: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        asked.setdefault(key, []).append(value)
    return asked


def _read_view(title: str, asked: dict, allowed: tuple[str, ...]) -> View:
    """The view a request's parameters say, each read by its one parser; a parameter the endpoint
    does not take, or a value it cannot read, is refused with what it takes."""
    unknown = sorted(set(asked) - set(allowed) - set(GENERAL))
    if unknown:
        raise ApiError(400, f"Not a parameter of this endpoint: {', '.join(unknown)}.", parameters=list(allowed))
    view = View.read(title, asked)
    bad = [k for k in allowed if asked.get(k) and not view.ok[k]]
    if bad:
        declared = pages.param_of(title, bad[0])
        raise ApiError(400, f"{bad[0]}={', '.join(asked[bad[0]])[:80]!s}: expects {declared.expects()}.")
    return view


def _language(asked: dict) -> str:
    lang = (asked.get(LANG_KEY) or [i18n.DEFAULT])[-1]
    if lang not in i18n.LANGUAGES:
        raise ApiError(400, f"lang={lang[:20]}: expects one of {', '.join(i18n.LANGUAGES)}.")
    return lang


def _pin(asked: dict, version: int) -> None:
    values = asked.get("v")
    if not values:
        return
    if len(values) != 1 or not values[0].isdigit():
        raise ApiError(400, "v= expects one data version (a whole number).")
    if int(values[0]) != version:
        raise ApiError(
            409,
            f"This link pins data version {values[0]}; the data is at version {version} now. "
            "Drop v= to read the current version (the load history on the Data page says what changed).",
            data_version=version,
        )


def section_keys(dataset: viewdata.Dataset) -> tuple[str, ...]:
    """The link parameters a section's rows read: the shared filters where they apply, the page's
    head (the controls every section reads) and its own."""
    page = pages.BY_TITLE[dataset.page]
    shared = pages.SHARED_KEYS if page.filtered else ()
    return (*shared, *viewdata.HEAD_KEYS.get(dataset.page, ()), *dataset.keys)


# ---- the answer ----------------------------------------------------------------------------------


class _Answers:
    """The answers made, kept per (endpoint, view, data version, language, format): a warm request
    is a lookup, not a new CSV of the same rows. Bounded in bytes; least recently used out first."""

    MAX_BYTES = 64 * 2**20

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self.size = 0

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self.lock:
            hit = self.kept.get(key)
            if hit is not None:
                self.kept.move_to_end(key)
            return hit

    def put(self, key: tuple, body: bytes, name: str) -> None:
        if len(body) > self.MAX_BYTES // 4:
            return
        with self.lock:
            if key in self.kept:
                return
            self.kept[key] = (body, name)
            self.size += len(body)
            while self.size > self.MAX_BYTES:
                _k, (old, _n) = self.kept.popitem(last=False)
                self.size -= len(old)


_answers = _Answers()


def _response(body: bytes, fmt: str, name: str, version: int) -> Response:
    headers = {
        VERSION_HEADER: str(version),
        "Content-Disposition": f'inline; filename="{name}"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type=FORMATS[fmt], headers=headers)


def _answer(df: pd.DataFrame, fmt: str, context: export.ExportContext, *, translate_header: bool) -> Response:
    if fmt == "csv":
        body = export.to_csv(df, translate_header=translate_header)
    elif fmt == "parquet":
        body = export.to_parquet(df, context)
    else:
        rows = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        body = json.dumps({**context.as_dict(df), "columns": list(df.columns), "rows": rows}, ensure_ascii=False)
        body = body.encode("utf-8")
    if len(body) > MAX_BYTES:
        raise ApiError(413, f"The answer is larger than {MAX_BYTES // 2**20} MB: narrow it with filters.")
    return _response(body, fmt, f"{context.file_stem()}.{fmt}", context.data_version)


def _link(request: Request, title: str, view_pairs: list[tuple[str, str]], version: int) -> str:
    base = str(request.base_url).rstrip("/")
    return base + pages.BY_TITLE[title].url_path + "?" + urlencode([*view_pairs, ("v", str(version))])


_gate = threading.BoundedSemaphore(MAX_AT_ONCE)
_counter = iter(range(1, 10**12))


def _computed(request: Request, work) -> Response:
    """Run `work(version)` in one data snapshot, in the request's language; at most MAX_AT_ONCE at once."""
    if not _gate.acquire(timeout=TIME_LIMIT_S):
        raise ApiError(503, "The server is busy with other requests for data; ask again in a few seconds.")
    try:
        asked = _asked(request)
        lang = _language(asked)
        before = i18n.language()
        i18n.set_language(lang)
        try:
            with cache.request_snapshot(f"api-{next(_counter)}") as version:
                _pin(asked, version[0])
                return work(asked, version[0])
        finally:
            i18n.set_language(before)
    finally:
        _gate.release()


async def _endpoint(request: Request, work) -> Response:
    try:
        how = check_access(request)
        started = dt.datetime.now(dt.UTC)
        response = await asyncio.wait_for(run_in_threadpool(_computed, request, work), TIME_LIMIT_S)
        response.headers["X-Atlas-Access"] = how.split(" ")[0]
        response.headers["Server-Timing"] = (
            f"total;dur={(dt.datetime.now(dt.UTC) - started).total_seconds() * 1000:.0f}"
        )
        return response
    except ApiError as exc:
        return error(exc)
    except TimeoutError:
        return error(
            ApiError(504, f"Stopped after {TIME_LIMIT_S:.0f} s: narrow the view (a shorter period, a filter).")
        )
    except console.Refused as exc:
        return error(ApiError(400, str(exc)))


def _fmt(request: Request) -> str:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise ApiError(404, f"No format “{fmt[:20]}”: the formats are {', '.join(FORMATS)}.")
    return fmt


def section_rows(title: str, dataset: viewdata.Dataset, view: View) -> pd.DataFrame:
    try:
        return viewdata.rows(dataset, viewdata.link_values(view))
    except viewdata.NeedsValue as exc:
        raise ApiError(400, str(exc)) from None


def _section_response(request: Request, title: str, dataset: viewdata.Dataset, asked: dict, version: int) -> Response:
    fmt = _fmt(request)
    keys = section_keys(dataset)
    view = _read_view(title, asked, keys)
    key = (
        "section",
        title,
        dataset.name,
        repr(sorted((k, v) for k, v in asked.items() if k != "token")),  # the same rows for every reader
        version,
        i18n.language(),
        fmt,
        str(request.base_url),
    )
    kept = _answers.get(key)
    if kept is not None:
        return _response(kept[0], fmt, kept[1], version)
    df = section_rows(title, dataset, view)
    values = {k: view.values[k] for k in keys if view.asked.get(k)}
    pairs = pages.encode_view(title, {**values, LANG_KEY: i18n.language()})
    filters = viewdata.Filters.from_values(view.values)
    constant = viewdata.PayView.from_values(view.values).constant_year if title == "Pay offers" else 0
    context = export.ExportContext(
        what=dataset.name,
        page=title,
        view=tuple(pairs),
        link=_link(request, title, pairs, version),
        money=export.money_basis(filters.currency, constant),
        data_version=version,
    )
    response = _answer(df, fmt, context, translate_header=True)
    _answers.put(key, response.body, f"{context.file_stem()}.{fmt}")
    return response


async def section(request: Request) -> Response:
    page_slug, name = request.path_params["page"], request.path_params["section"]
    title = viewdata.PAGE_OF_SLUG.get(page_slug)
    dataset = viewdata.BY_PAGE.get(title, {}).get(name) if title else None
    if dataset is None:
        return error(ApiError(404, f"No endpoint /api/{page_slug[:40]}/{name[:40]}: see /api/ for every one."))
    return await _endpoint(request, lambda asked, version: _section_response(request, title, dataset, asked, version))


def _explore_response(request: Request, name: str, filters_text: list[str], sort_text: str, version: int) -> Response:
    fmt = _fmt(request)
    catalog = cache.explore("tables")
    if name not in catalog:
        raise ApiError(404, f"No table “{name[:40]}”: the tables are {', '.join(catalog)}.")
    table = catalog[name]
    try:
        filters = [explore.parse_filter(table, f) for f in filters_text]
        for f in filters:
            cache.explore("check", table, (f,))
        sort = explore.parse_sort(table, sort_text)
    except (explore.BadLink, KeyError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    df = cache.explore_rows(table, filters, sort)
    pairs = [("table", name), *(("f", f) for f in filters_text), *([("sort", sort_text)] if sort_text else [])]
    context = export.ExportContext(
        what=f"explore_{name}",
        page="Explore",
        view=tuple(pairs),
        link=_link(request, "Explore", pairs, version),
        data_version=version,
    )
    return _answer(df, fmt, context, translate_header=False)


async def explore_table(request: Request) -> Response:
    name = request.path_params["table"]

    def work(asked: dict, version: int) -> Response:
        view = _read_view("Explore", asked, ("f", "sort"))
        return _explore_response(request, name, list(view.values["f"]), str(view.values["sort"]), version)

    return await _endpoint(request, work)


def _saved(slug: str) -> tuple[str, dict]:
    saved = cache.query_fresh("saved_views_list")
    match = saved[saved["slug"] == slug]
    if match.empty:
        raise ApiError(404, f"There is no saved view called “{slug[:60]}”.")
    row = match.iloc[0]
    asked: dict[str, list[str]] = {}
    for key, value in parse_qsl(str(row["query"]), keep_blank_values=True):
        asked.setdefault(key, []).append(value)
    return str(row["page"]), asked


def _saved_response(request: Request, slug: str, name: str | None, asked: dict, version: int) -> Response:
    page, stored = _saved(slug)
    extra = sorted(set(asked) - set(GENERAL))
    if extra:
        raise ApiError(400, f"A saved view takes no parameters of its own ({', '.join(extra)}): it is its link.")
    stored.pop("v", None)
    stored.pop(LANG_KEY, None)
    if page == "Explore" and name is None:
        if stored.get("sql"):
            fmt = _fmt(request)
            check_console(request)
            result = cache.console_query(stored["sql"][-1])
            pairs = [("sql", stored["sql"][-1])]
            context = export.ExportContext(
                what=f"query_{slug}",
                page="Explore",
                view=tuple(pairs),
                link=_link(request, "Explore", pairs, version),
                data_version=version,
            )
            return _answer(result.frame, fmt, context, translate_header=False)
        view = View.read("Explore", stored)
        return _explore_response(
            request, str(view.values["table"]), list(view.values["f"]), str(view.values["sort"]), version
        )
    dataset = viewdata.BY_PAGE.get(page, {}).get(name or "")
    if dataset is None:
        sections = ", ".join(viewdata.BY_PAGE.get(page, {})) or "none"
        raise ApiError(404, f"The saved view “{slug}” is of the page {page}: ask for one of its sections ({sections}).")
    kept = {k: v for k, v in stored.items() if k in section_keys(dataset)}
    return _section_response(request, page, dataset, kept, version)


async def saved_view(request: Request) -> Response:
    slug, name = request.path_params["slug"], request.path_params.get("section")
    return await _endpoint(request, lambda asked, version: _saved_response(request, slug, name, asked, version))


def _feed(request: Request, list_id: str, version: int) -> Response:
    """The Atom feed of a watchlist's changes: the Overview's, every version since the list was made."""
    from feedgen.feed import FeedGenerator

    cur = cache.connection().cursor()
    try:
        found = watch.find(cur, list_id=list_id)
        if found is None:
            raise ApiError(404, "No watchlist has this id: it may have been made on another database.")
        changes = watch.changes(cur, list_id, 0)
        items = sql.run_query(cur, "watch_items", {"list_id": list_id})
        loaded = dict(cur.execute("select upload_id, uploaded_at from uploads").fetchall())
    finally:
        cur.close()
    base = str(request.base_url).rstrip("/")
    n_people = int((items["entity_kind"] == "person").sum())
    feed = FeedGenerator()
    feed.id(f"tag:talent-atlas,{list_id}:watchlist")
    feed.title(f"Talent Atlas watchlist: {n_people} person(s), {len(items) - n_people} firm(s)")
    feed.subtitle("Moves, pay figures and rounds of the people and firms followed, each with its source and certainty")
    feed.link(href=f"{base}/?{urlencode([('watch', list_id)])}", rel="alternate")
    feed.link(href=str(request.url.remove_query_params("token")), rel="self")
    stamps = [_stamp(loaded.get(int(v))) for v in changes["version"]] or [_stamp(None)]
    feed.updated(max(stamps))
    for row, stamp in zip(reversed(list(changes.itertuples())), reversed(stamps), strict=False):
        entry = feed.add_entry()
        entry.id(f"tag:talent-atlas,{list_id}:{row.fact}:{row.fact_id}:v{int(row.version)}")
        entry.title(alerts.describe(row))
        entry.link(href=alerts.view_of(row, base))
        entry.updated(stamp)
        entry.content(
            f"{row.on_date or 'undated'}; {row.certainty}; data version {int(row.version)}. Source: {row.source}",
            type="text",
        )
    body = feed.atom_str(pretty=True)
    headers = {VERSION_HEADER: str(version), "Cache-Control": "no-store"}
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)


def _stamp(value: object) -> dt.datetime:
    if value is None or pd.isna(value):
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    stamp = pd.Timestamp(value).to_pydatetime()
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


async def watch_feed(request: Request) -> Response:
    list_id = request.path_params["list_id"]

    def work(asked: dict, version: int) -> Response:
        extra = sorted(set(asked) - {"token"})
        if extra:
            raise ApiError(400, f"A feed takes no parameters ({', '.join(extra)}).")
        return _feed(request, list_id, version)

    return await _endpoint(request, work)


REPORT_FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
PAGE_SLUGS = {viewdata.page_slug(p.title): p.title for p in pages.PAGES}


def _report(request: Request, title: str, fmt: str, asked: dict, version: int) -> Response:
    from atlas import report

    page = pages.BY_TITLE[title]
    view = _read_view(title, asked, page.keys)
    if title == "Explore" and view.values["sql"]:
        check_console(request)
    base = str(request.base_url).rstrip("/")
    document = report.html_of(title, view, base, version)
    body = report.pdf_of(document) if fmt == "pdf" else document.encode("utf-8")
    name = f"talent-atlas_{viewdata.page_slug(title)}_report_v{version}_{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}.{fmt}"
    headers = {
        VERSION_HEADER: str(version),
        "Content-Disposition": f'inline; filename="{name}"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type=REPORT_FORMATS[fmt], headers=headers)


async def view_report(request: Request) -> Response:
    slug, fmt = request.path_params["page"], request.path_params["fmt"]
    title = PAGE_SLUGS.get(slug)
    if title is None or fmt not in REPORT_FORMATS:
        return error(ApiError(404, f"No report /api/report/{slug[:40]}.{fmt[:10]}: a page's slug, then .pdf or .html."))
    return await _endpoint(request, lambda asked, version: _report(request, title, fmt, asked, version))


def _param_doc(p: pages.Param) -> dict:
    default = list(p.default) if isinstance(p.default, tuple | list) else p.default
    out = {"name": p.name, "kind": p.kind, "default": default, "expects": p.expects()}
    if p.data_default:
        out["default"] = "from the data"
    return out


def index_document(base: str) -> dict:
    """Every endpoint, its path (with .csv) and its parameters: from the declarations of the pages'
    link parameters and of the sections (never written twice)."""
    endpoints = []
    for d in viewdata.DATASETS:
        path = f"/api/{viewdata.page_slug(d.page)}/{d.slug}"
        endpoints.append(
            {
                "path": path + ".csv",
                "url": base + path + ".csv",
                "formats": list(FORMATS),
                "page": d.page,
                "section": d.name,
                "about": _(d.about),
                "parameters": [_param_doc(pages.param_of(d.page, k)) for k in section_keys(d)],
            }
        )
    explore_params = [_param_doc(pages.param_of("Explore", k)) for k in ("f", "sort")]
    tables = list(cache.explore("tables"))
    for name in tables:
        endpoints.append(
            {
                "path": f"/api/explore/{name}.csv",
                "url": f"{base}/api/explore/{name}.csv",
                "formats": list(FORMATS),
                "page": "Explore",
                "section": name,
                "about": _("The table {table}, filtered and sorted as on the Explore page").format(table=name),
                "parameters": explore_params,
            }
        )
    saved = cache.query_fresh("saved_views_list")
    for row in saved.itertuples():
        endpoints.append(
            {
                "path": f"/api/saved/{row.slug}.csv"
                if row.page == "Explore"
                else f"/api/saved/{row.slug}/<section>.csv",
                "url": f"{base}/api/saved/{row.slug}.csv" if row.page == "Explore" else "",
                "formats": list(FORMATS),
                "page": row.page,
                "section": row.slug,
                "about": str(row.name),
                "parameters": [],
            }
        )
    return {
        "title": "Talent Atlas data API",
        "formats": list(FORMATS),
        "general_parameters": {
            "v": "the data version to read: another version answers 409 (the current one is in the "
            f"{VERSION_HEADER} header)",
            LANG_KEY: "zh: names in Chinese script first and the CSV header in Chinese",
            "token": "a personal token (team mode; the Authorization: Bearer header is better)",
        },
        "endpoints": endpoints,
    }


async def index(request: Request) -> Response:
    def work(asked: dict, version: int) -> Response:
        base = str(request.base_url).rstrip("/")
        doc = index_document(base)
        return JSONResponse({**doc, "data_version": version}, headers={VERSION_HEADER: str(version)})

    return await _endpoint(request, work)


def routes() -> list[Route]:
    """The routes app.py mounts beside Streamlit's."""
    return [
        Route("/api", index),
        Route("/api/", index),
        Route("/api/index.json", index),
        Route("/api/explore/{table}.{fmt}", explore_table),
        Route("/api/saved/{slug}.{fmt}", saved_view),
        Route("/api/saved/{slug}/{section}.{fmt}", saved_view),
        Route("/api/watch/{list_id}.atom", watch_feed),
        Route("/api/report/{page}.{fmt}", view_report),
        Route("/api/{page}/{section}.{fmt}", section),
    ]
