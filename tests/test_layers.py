"""The package is one house in layers: imports only go down, and there is no import circle."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys

import atlas
from tests.support import ROOT

# Lower layers first; a module may import only modules of its own layer or below (the package
# `atlas.ui` and its submodules, `atlas.load` and its steps, count as one layer each).
LAYERS = [
    {
        "atlas.i18n",
        "atlas.sql",
        "atlas.model",
        "atlas.escape",
        "atlas.urlvalues",
        "atlas.pages",
        "atlas.money",
        "atlas.dates",
        "atlas.labels",
        "atlas.names",
        "atlas.similarity",
        "atlas.access",
        "atlas.sandbox",
        "atlas.tokens",
        "atlas.records",
    },
    {
        "atlas.schema",
        "atlas.load",
        "atlas.csvfile",
        "atlas.spreadsheet",
        "atlas.resolve",
        "atlas.byname",
        "atlas.mapping",
        "atlas.mapvalues",
    },
    {
        "atlas.db",
        "atlas.snapshots",
        "atlas.warm",
        "atlas.upload",
        "atlas.audit",
        "atlas.views",
        "atlas.watch",
        "atlas.alerts",
        "atlas.generate",
        "atlas.export",
        "atlas.charts",
        "atlas.tables",
        "atlas.explore",
        "atlas.console",
        "atlas.pull",
    },
    {"atlas.cache", "atlas.fetch", "atlas.serve", "atlas.viewdata"},
    {"atlas.ui", "atlas.profiles", "atlas.api", "atlas.api_access", "atlas.report"},
    {
        "atlas.cli",
        "atlas.cli_pull",
        "atlas.cli_bench",
        "atlas.cli_alerts",
        "atlas.cli_report",
        "atlas.tools",
        "atlas.__main__",
        "atlas",
    },
]


def modules() -> list[str]:
    found = ["atlas"]
    for info in pkgutil.walk_packages(atlas.__path__, "atlas."):
        found.append(info.name)
    return sorted(found)


def _file(name: str):
    path = ROOT / (name.replace(".", "/") + ".py")
    return path if path.exists() else ROOT / name.replace(".", "/") / "__init__.py"


def imports_of(name: str, known: set[str]) -> set[str]:
    """The atlas modules `name` imports anywhere in its file (top level or inside functions)."""
    tree = ast.parse(_file(name).read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("atlas")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("atlas"):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in known else node.module)
    return {m for m in out if m in known and m != name}


def layer(name: str) -> int:
    for i, group in enumerate(LAYERS):
        if name in group or any(name.startswith(g + ".") for g in group if g != "atlas"):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS")


def test_every_module_imports_in_a_fresh_interpreter():
    names = [n for n in modules() if n != "atlas.__main__"]  # importing that one runs the command line
    code = "import importlib, sys\nfor n in sys.argv[1:]:\n    importlib.import_module(n)\nprint('ok')"
    done = subprocess.run([sys.executable, "-c", code, *names], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_import_graph_has_no_cycle_and_only_goes_down():
    names = set(modules())
    graph = {n: imports_of(n, names) for n in names}
    # a package imports its own steps; a step never imports its package back
    for n, targets in graph.items():
        for t in targets:
            assert not n.startswith(t + "."), f"{n} imports its own package {t}"
            if t.startswith(n + "."):
                continue
            assert layer(t) <= layer(n), f"{n} (layer {layer(n)}) imports {t} (layer {layer(t)}): imports go down"
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        path.append(n)
        for t in sorted(graph[n]):
            if state.get(t) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(t) :] + [t]))
            if t not in state:
                visit(t)
        path.pop()
        state[n] = 2

    for n in sorted(names):
        if n not in state:
            visit(n)


def test_nothing_below_the_interface_imports_streamlit_side_modules():
    names = set(modules())
    streamlit_side = {n for n in names if n.startswith(("atlas.ui", "atlas.cache", "atlas.fetch", "atlas.profiles"))}
    for n in names:
        if layer(n) < 3:
            assert not imports_of(n, names) & streamlit_side, n


# ------------------------------------------------------------------------------ sizes and keepers

MAX_LINES = 600


def _sources() -> list:
    return [*sorted((ROOT / "atlas").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]


def test_no_module_is_over_600_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by concern: {long}"


def test_the_address_is_read_and_written_in_one_module():
    """atlas.ui.link is the one keeper of the link: no other module touches st.query_params, no
    widget is bound to the URL by Streamlit, and no page switches page with parameters by itself."""
    keeper = ROOT / "atlas" / "ui" / "link.py"
    found = []
    for p in _sources():
        if p == keeper:
            continue
        text = p.read_text(encoding="utf-8")
        # (Streamlit's st.query_params; a Starlette request's own query_params are an HTTP request's)
        for pattern in (r"\bst\.query_params", 'bind="query-params"', r"switch_page\(", r"\bquery_params="):
            # the benchmark's own: bench_pages and bench_floor run the app's pages in AppTest; floor_app
            # is the bare page whose shape is its address (not the app)
            benchmark = p.name in ("bench_pages.py", "bench_floor.py", "floor_app.py")
            if re.search(pattern, text) and not (benchmark and pattern != 'bind="query-params"'):
                found.append((str(p.relative_to(ROOT)), pattern))
    assert found == []


def _private_session_keys(tree: ast.AST) -> list[str]:
    """The private keys (`_name`) a module reads or writes in st.session_state by name."""

    def on_state(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "session_state"

    def private(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("_"):
            return node.value
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            first = node.values[0].value
            return f"{first}…" if isinstance(first, str) and first.startswith("_") else None
        return None

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and on_state(node.value):
            found.append(private(node.slice))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and on_state(node.func.value):
            found.append(private(node.args[0]) if node.args else None)
        elif isinstance(node, ast.Compare) and any(on_state(c) for c in node.comparators):
            found.append(private(node.left))
    return [k for k in found if k]


def test_the_session_keeps_its_own_entries_in_one_module():
    """atlas.ui.session names every private entry of the session's state; no other module reads
    or writes one by its key (a widget keeps its value under its own key)."""
    keeper = ROOT / "atlas" / "ui" / "session.py"
    found = {
        str(p.relative_to(ROOT)): keys
        for p in _sources()
        if p != keeper and (keys := _private_session_keys(ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert found == {}
    # the check can fail: a module that writes one by its key is found
    assert _private_session_keys(ast.parse('st.session_state["_x"] = 1; st.session_state.get(f"_y{z}")')) == [
        "_x",
        "_y…",
    ]


def _private_names_used(tree: ast.AST, modules: set[str]) -> list[str]:
    """The private names (`_name`, not `_` itself nor a dunder) a module takes from another of ours:
    imported by name, or read off a module of ours it imported."""
    found, bound = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "atlas":
            for alias in node.names:
                if alias.name.startswith("_") and alias.name != "_" and not alias.name.startswith("__"):
                    found.append(f"{node.module}.{alias.name}")
                if f"{node.module}.{alias.name}" in modules:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "atlas" and alias.asname:
                    bound[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{bound[node.value.id]}.{node.attr}")
    return found


def test_no_module_takes_another_modules_private_names():
    """A name with a leading underscore is its module's own: another module that needs it needs it
    public (named without the underscore, with a docstring saying what it is for)."""
    known = set(modules())
    found = {
        str(p.relative_to(ROOT)): names
        for p in _sources()
        if (names := _private_names_used(ast.parse(p.read_text(encoding="utf-8")), known))
    }
    assert found == {}
    # the check can fail
    sample = "from atlas.charts.base import _tip_frame\nfrom atlas import cache\ncache._held()\n"
    assert _private_names_used(ast.parse(sample), known) == ["atlas.charts.base._tip_frame", "atlas.cache._held"]


def test_a_page_reads_only_the_link_parameters_it_declares():
    """Every key a page keeps in the link is declared once, in atlas/pages.py, with its default;
    the declared default reads back as itself."""
    import re

    from atlas.pages import PAGES, SHARED

    declared = {p.name for page in PAGES for p in page.params} | {"lang", "view", "v"}
    used = set()
    for p in _sources():
        text = p.read_text(encoding="utf-8")
        used |= set(re.findall(r"link\.(?:seed|put|initial|declared|hold|asked|present)\(\"(\w+)\"", text))
        used |= set(
            re.findall(r"(?:linked|url_picker|coded_choice|url_int_input|coded_tabs)\([^)]*?key=\"(\w+)\"", text, re.S)
        )
    assert used and used <= declared, used - declared
    for page in PAGES:
        names = [p.name for p in page.params]
        assert len(names) == len(set(names)), page.title
        for p in page.params:
            if p.default in (None, "", []) or p.kind == "years":
                continue
            text = [
                str(v).lower() if isinstance(v, bool) else str(v)
                for v in (p.default if isinstance(p.default, list) else [p.default])
            ]
            assert p.parse(text) == (p.default, True), (page.title, p.name)
    assert SHARED[0].parse(["2010", "2005"]) == ((2005, 2010), True)  # a period in either order
    assert SHARED[0].parse(["2010"])[1] is False  # one year is no period


def test_no_test_imports_another_test_module():
    """What the tests share lives in tests/support.py (and the helpers beside it), never in a test
    module or a conftest that another test imports."""
    bad = []
    for p in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests"):
                last = node.module.rsplit(".", 1)[-1]
                if last.startswith("test_") or last == "conftest":
                    bad.append((str(p.relative_to(ROOT)), node.module))
    assert bad == []


def test_the_frame_wraps_every_page():
    """No page calls the frame or the share box by hand: each is one body under @ui.page."""
    from atlas.pages import PAGES

    for page in PAGES:
        if page.script == "app.py":
            # app.py is the entry point (the server imports it for the data API); its page, the
            # Overview, is atlas/ui/overview_page.py, framed once by ui.shell.page
            body = (ROOT / "atlas" / "ui" / "overview_page.py").read_text(encoding="utf-8")
            assert body.count('page("Overview", CAPTION)(overview)') == 1
            assert "page_frame(" not in body and "share_ui(" not in body
            assert "draw()" in (ROOT / "app.py").read_text(encoding="utf-8")
            continue
        text = (ROOT / page.script).read_text(encoding="utf-8")
        assert text.count("@ui.page(") == 1, page.script
        assert "page_frame(" not in text and "share_ui(" not in text, page.script
        assert f'@ui.page(\n    "{page.title}"' in text or f'@ui.page("{page.title}"' in text, page.script


def test_page_paths_come_from_the_pages_declarations():
    """A page's script or its served path is written in atlas/pages.py only (Page.script,
    Page.url_path): a renamed page file changes one line."""
    import re

    names = r"Talent_flows|Pay_offers|Funding|People_and_firms|Data|Explore"
    # a script; a served path (a bare title such as "Data" is a title, not a path); a relative link
    path = re.compile(
        rf"[\"'](?:pages/\d_\w+\.py|/(?:{names})(?:[?#/][^\"']*)?|(?:Talent_flows|Pay_offers|People_and_firms)[?#][^\"']*)[\"']"
    )
    found = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in _sources()
        if p != ROOT / "atlas" / "pages.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if path.search(line)
    ]
    assert found == []
    assert path.search('href("/Explore", ...)') and path.search('switch("pages/4_People_and_firms.py")')


def test_a_domain_constant_is_written_once():
    """A constant SQL reads (atlas.sql.CONSTANTS) is bound as its parameter, never written into a
    query as a number; the texts that say it read it from Python."""
    from atlas import model, sql

    assert sql.CONSTANTS == {"few_moves": model.FEW_MOVES}
    for name in sql.query_names():
        text = re.sub(r"--[^\n]*", "", sql.query_sql(name))
        if "few_gained" in text or "few_lost" in text:
            assert "$few_moves" in text and not re.search(r"<\s*5\b", text), name
    assert (
        sql.query("firm_rates").bind({"start_year": 2000, "end_year": 2026, "min_certainty": "rumor"})["few_moves"]
        == model.FEW_MOVES
    )
    # nowhere else in Python is the threshold a literal: the help texts and labels format it
    found = [
        str(p.relative_to(ROOT))
        for p in _sources()
        if re.search(r"fewer than 5\b|FEW_MOVES = ", p.read_text(encoding="utf-8")) and p.name != "model.py"
    ]
    assert found == []


def test_one_encoder_writes_every_link():
    """The address (atlas.ui.link.put), the copy link and saved views (atlas.ui.share.view_query)
    and the links into a profile (atlas.ui.filters.carry) all write through Param.encode: no other
    module spells a default or turns a value into a link's text itself."""
    from atlas import pages

    period = pages.SHARED[0]
    assert period.encode((pages.FIRST_YEAR, pages.LAST_YEAR)) is None  # the default: left out
    assert period.encode((2015, 2020)) == ["2015", "2020"]
    assert pages.param_of("Funding", "compare").encode([]) == [""]  # a cleared data default is said
    assert pages.encode_view("Explore", {"table": "moves"}) == [("table", "moves")]  # Explore names its table
    overview = pages.encode_view("Overview", {"certainty": "rumor", "currency": "EUR", "lang": "zh"})
    assert sorted(overview) == [("currency", "EUR"), ("lang", "zh")]  # the default certainty left out
    assert pages.encode_shared({"certainty": "confirmed", "kinds": ["ai_startup"]}, "en") == [
        ("certainty", "confirmed"),
        ("kinds", "ai_startup"),
    ]
    for path in ("atlas/ui/share.py", "atlas/ui/filters.py", "atlas/ui/link.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert '"true" if' not in text and "!= (FIRST_YEAR, LAST_YEAR)" not in text, path


def test_pages_are_short_and_their_sections_read_declared_parameters():
    """No page function is over 80 lines: a long page is a list of sections (atlas/ui/*_page.py),
    each naming the link parameters it reads, every one declared for its page in atlas/pages.py."""
    from atlas.pages import BY_TITLE
    from atlas.ui import flows_page, funding_page, pay_page, people_page

    long = {}
    for p in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 80:
                long[f"{p.name}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert long == {}
    pages_with_sections = (
        ("Talent flows", flows_page),
        ("Funding", funding_page),
        ("People & firms", people_page),
        ("Pay offers", pay_page),
    )
    for title, module in pages_with_sections:
        declared = set(BY_TITLE[title].keys)
        assert module.SECTIONS and all(callable(s.draw) for s in module.SECTIONS)
        undeclared = {s.name: set(s.keys) - declared for s in module.SECTIONS if set(s.keys) - declared}
        assert undeclared == {}, title


def test_only_the_link_keeper_reads_a_link_values_widget_state():
    """A page reads a link parameter's value through atlas.ui.link (`current`, `initial`), never
    `st.session_state.get("<a declared key>")` itself: the view has one reader (issue 42). The
    callbacks that set a widget from a click write its state; they do not read it."""
    from atlas.pages import PAGES, SHARED

    declared = {p.name for p in SHARED} | {p.name for page in PAGES for p in page.own}
    # Explore's table, filters, sort and page are not widgets: its link is checked against the
    # catalog on arrival (explore_ui.read_link) and kept in the session, where its buttons change it
    allowed = {ROOT / "atlas" / "ui" / "link.py", ROOT / "atlas" / "ui" / "explore_ui.py"}
    found = []
    for path in _sources():
        if path in allowed or "atlas" not in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "session_state"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in declared
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value}")
    assert found == []
