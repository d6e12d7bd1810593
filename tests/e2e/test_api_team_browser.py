"""The data at a URL in team mode, against a real OpenID Connect provider: a guest where anonymous
readers are let in, the signed-in browser session's cookie, a personal token made on the Data page
(shown once, counted) and revoked there (then 401), and a guest where anonymous is off (401)."""

from __future__ import annotations

import json
import re

import pytest

from atlas import tokens
from tests.e2e.oidc import ROLES, sign_in, start_team
from tests.support import get, wait_for_app

pytestmark = pytest.mark.browser

SECTION = "/api/talent-flows/net-flow.csv?level=firm"


def _saved_query(db) -> None:  # noqa: ANN001
    import duckdb

    from atlas import views

    con = duckdb.connect(str(db))
    views.save_view(con, "Moves", "", "Explore", "tab=SQL+console&sql=select+count(*)+as+n+from+moves", "Ana")
    con.close()


@pytest.fixture(scope="module")
def team(seed_db_path, tmp_path_factory):
    server, provider = start_team(seed_db_path, tmp_path_factory.mktemp("apiteam"), prepare=_saved_query)
    yield server
    server.stop()
    provider.stop()


def test_guest_session_token_and_revocation(team, browser):
    # anonymous readers are viewers here: a guest reads, but not a console query's rows (the
    # roles file's console setting is the default, signed-in)
    status, headers, _body = get(team.url + SECTION)
    assert status == 200 and headers["x-atlas-access"] == "guest"
    status, _h, body = get(team.url + "/api/saved/moves.csv")
    assert status == 403 and "may not run SQL" in json.loads(body)["error"]

    page = sign_in(browser, team, "rea@partner.org", height=2400)
    context = page.context
    try:
        # the browser's signed-in session reads with its cookie
        answer = context.request.get(team.url + SECTION)
        assert answer.status == 200 and answer.headers["x-atlas-access"] == "session"
        answer = context.request.get(team.url + "/api/saved/moves.csv")
        assert answer.status == 200 and answer.text().splitlines()[-1] == "49"  # the seed's moves

        # a token made on the Data page, shown once
        page.goto(team.url + "/Data")
        wait_for_app(page, "Data")
        page.get_by_role("textbox", name="Name of a new token").fill("notebook")
        page.get_by_role("button", name="Make a token").click()
        page.get_by_text("Token made. Copy it now").wait_for(timeout=30000)
        token = re.search(r"ta_[0-9a-f]{12}_[\w-]+", page.inner_text("[data-testid='stMain']")).group(0)
        stored = tokens.path_for(team.db_path).read_text(encoding="latin-1")
        assert token.split("_", 2)[2] not in stored  # only its hash is kept

        for _ in range(3):
            status, headers, _body = get(team.url + SECTION, token=token)
            assert status == 200 and headers["x-atlas-access"] == "token"
        held = tokens.listed(tokens.path_for(team.db_path), "rea@partner.org")
        assert [(t.label, t.requests) for t in held] == [("notebook", 3)]

        # anonymous readers shut out: a guest is refused, the token and the session still read
        team.roles.write_text(ROLES.replace('anonymous = "viewer"', 'anonymous = "none"'), encoding="utf-8")
        status, _h, body = get(team.url + SECTION)
        assert status == 401 and "Sign in first" in json.loads(body)["error"]
        assert get(team.url + SECTION, token=token)[0] == 200
        assert context.request.get(team.url + SECTION).status == 200
        assert get(team.url + SECTION, token="ta_000000000000_forged")[0] == 401

        # revoked on the Data page: 401 from then on
        page.reload()
        wait_for_app(page, "Data")
        page.get_by_text("Your personal tokens").wait_for(timeout=30000)
        page.get_by_role("button", name="Revoke").click()
        # no live token left: nothing to revoke (the table, a canvas, says "revoked"; the store too)
        page.get_by_role("button", name="Revoke").wait_for(state="detached", timeout=30000)
        assert [t.revoked_at is not None for t in tokens.listed(tokens.path_for(team.db_path), "rea@partner.org")] == [
            True
        ]
        status, _h, body = get(team.url + SECTION, token=token)
        assert status == 401 and "not valid" in json.loads(body)["error"]
    finally:
        team.roles.write_text(ROLES, encoding="utf-8")
        page.close()
