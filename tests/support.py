"""What the tests share, in one module no test is: the project's root, the known defaults of the
queries (read from the app's own declarations), helpers to write and compare data, and the browser
fixtures' server and wait. A test module imports this, never another test module or a conftest."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb

from atlas import schema, sql
from atlas.model import TABLES
from atlas.tools.browser import Server, wait_for_app  # noqa: F401 - the browser tests' server and wait
from atlas.ui import Filters, FlowView

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots and downloads of the browser tests

# The parameters of every query at the app's defaults (the shared filters, the Talent flows
# page's own controls), then those no page declares a default for.
FLOW_DEFAULTS = {**Filters().params(), **FlowView().params()}
DEFAULTS = {
    **FLOW_DEFAULTS,
    "limit": 1000,
    "unmoved": True,
    "include": [],
    "top_firm_ids": [],
    "focus": "bytedance",
    "grain": "year",
    "person_id": "",
    "firm_id": "",
    "with_subsidiaries": True,
    "constant_year": 0,
    "firm_ids": [],
    "pay_kinds": [],
    "outcomes": [],
    "round_types": [],
    "statuses": [],
    "entity": "person",
    "selected": "",
    "slug": "no-such-view",
    "version": 0,
    "max_named": 20,
    "lineage": "then",
    "list_id": "",
    "owner": "",
}


def leftover_uploads() -> list[Path]:
    """Upload folders (atlas.upload.TEMP_PREFIX) still on disk anywhere under the run's temporary
    folder (tests/conftest.py gives the run, and the servers it starts, a folder of its own)."""
    return sorted(Path(tempfile.gettempdir()).rglob("atlas-upload-*"))


def q(con, name, **overrides):
    params = {**DEFAULTS, **sql.CONSTANTS, **overrides}
    return sql.run_query(con, name, {k: params[k] for k in sql.used_params(name)})


def plain(markdown: str) -> str:
    """Text written through `atlas.escape.md` as a reader sees it (the backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


MOVES_HEADER = "move_id,person_id,from_firm_id,to_firm_id,moved_on,role,move_type,source_id,certainty,note\n"


def snapshot(con) -> dict[str, list]:
    return {t.name: sorted(con.execute(f"select * from {t.name}").fetchall(), key=repr) for t in TABLES}


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def differences(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Per derived table, (rows only in it, rows only in a full rebuild); empty when all agree."""
    from atlas.load.derived import REFRESH

    cur = con.cursor()
    try:
        for table in REFRESH:
            cur.execute(f"create or replace temp table kept_{table} as select * from {table}")
        cur.execute("begin transaction")
        schema.refresh_derived(cur)  # the full rebuild, compared, then rolled back
        out = {}
        for table in REFRESH:
            extra = cur.execute(
                f"select count(*) from (select * from kept_{table} except all select * from {table})"
            ).fetchall()[0][0]
            missing = cur.execute(
                f"select count(*) from (select * from {table} except all select * from kept_{table})"
            ).fetchall()[0][0]
            if extra or missing:
                out[table] = (extra, missing)
        cur.execute("rollback")
        return out
    finally:
        cur.close()


def upload_for_mapping(page, url: str, path: Path, timeout: int = 60000) -> None:  # noqa: ANN001
    """In Chromium: open the Data page, upload `path`, and wait for its mapping step (another
    tool's columns) to be drawn and still."""
    page.goto(url + "/Data")
    wait_for_app(page, "Data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text(f"Columns of {path.name}").first.wait_for(timeout=timeout)
    wait_for_app(page, "Data")


def run_bench(tmp_path, *sections: str) -> str:
    """`python -m atlas bench --scale check` with these section options, in its own process (as an
    analyst runs it, and clear of the browser tests' Playwright loop); the report's text."""
    import os
    import subprocess
    import sys

    out = tmp_path / "RESULTS.md"
    # its own process, as an analyst runs it (and clear of the browser tests' Playwright loop)
    args = [
        sys.executable,
        "-m",
        "atlas",
        "bench",
        "--scale",
        "check",
        "--work",
        str(tmp_path / "w"),
        "--out",
        str(out),
        *sections,
    ]
    from atlas.tools.browser import HEADLESS_SHELL

    env = {k: v for k, v in os.environ.items() if k != "ATLAS_DB"}
    if os.path.exists(HEADLESS_SHELL):  # as the browser tests (the check's times are not asserted)
        env["ATLAS_CHROMIUM"] = HEADLESS_SHELL
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(encoding="utf-8")


def get(url: str, token: str = "") -> tuple[int, dict, bytes]:
    """An HTTP GET (a personal token as its bearer): status, headers, body; an error status too."""
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    request = Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urlopen(request, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Inbox:
    """An aiosmtpd handler: the messages a real SMTP server on localhost received."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's handler
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


# The sweep, inside the page: a pointer move over each point of a grid on the chart (on the element
# under the point, as the browser would), read back from the tooltip at once; the point whose
# tooltip shows the text, or null. One call instead of two round trips per point.
_VEGA_SWEEP = """([root, text]) => {
  const box = root.getBoundingClientRect();
  const tip = () => document.querySelector('#vg-tooltip-element');
  for (let y = box.top + 4; y < box.bottom; y += 5) {
    for (let j = 1; j < 24; j++) {
      const x = box.left + box.width * j / 24;
      const target = document.elementFromPoint(x, y);
      if (!target || !root.contains(target)) continue;
      for (const kind of ['pointermove', 'mousemove']) {
        const Kind = kind === 'pointermove' ? PointerEvent : MouseEvent;
        target.dispatchEvent(new Kind(kind, {clientX: x, clientY: y, bubbles: true, pointerType: 'mouse'}));
      }
      const e = tip();
      if (e && e.classList.contains('visible') && e.textContent.includes(text)) return [x, y];
    }
  }
  return null;
}"""


def vega_point_showing(page, drawn, text: str):  # noqa: ANN001, ANN201 - Playwright's page and locator
    """The viewport point of a Vega chart (`drawn`: its canvas or svg) whose tooltip shows `text`
    after a pointer move there, swept on a grid inside the page; None where no mark shows it."""
    return page.evaluate(_VEGA_SWEEP, [drawn.element_handle(), text])


def choose(page, select, option: str, tries: int = 4) -> None:  # noqa: ANN001 - Playwright's page and locator
    """Open the select box `select` and pick `option`. Under load the first click can land while
    the sidebar is drawn again and its list never opens: the click is tried again (the list's
    option is still found by role and text, and clicked once)."""
    for attempt in range(tries):
        select.click()
        choice = page.get_by_role("option", name=option)
        try:
            choice.wait_for(timeout=5000 if attempt < tries - 1 else 30000)
        except Exception:  # noqa: BLE001 - Playwright's timeout: the list did not open, click again
            page.keyboard.press("Escape")
            continue
        choice.click()
        return
    raise AssertionError(f"the select box never offered {option!r}")


def vega_lite_specs(at) -> list[dict]:  # noqa: ANN001 - a finished AppTest
    """Every Vega-Lite spec a finished AppTest run sends to the browser (its datasets apart)."""
    import json

    from atlas.tools.bench_pages import sent

    return [json.loads(node.proto.spec) for node in sent(at, "vega_lite_chart")]


def schema_errors(spec: dict) -> str | None:
    """What the Vega-Lite schema (Altair's) finds wrong in `spec`, or None: the app converts its charts
    without the check (atlas/ui/plots.py), so the tests make it."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    error = validate_jsonschema(spec, load_schema(), raise_error=False)
    return None if error is None else f"{error.message} at {list(error.absolute_path)}"
