"""Accounts and roles: the roles file, the rules, and the write paths refusing on the server
(AppTest sets the signed-in user; the real sign-in is exercised in a browser elsewhere)."""

from __future__ import annotations

import contextlib
import shutil

import duckdb
import pytest

from atlas import access, upload, views
from atlas.access import Identity
from tests.conftest import ROOT, plain

ROLES = """# who may do what
anonymous = "viewer"
[roles]
"ana@example.com" = "admin"
"@example.com" = "editor"
"reader@partner.org" = "viewer"
"""


def test_a_roles_file_gives_addresses_and_domains_their_roles():
    roles = access.parse_roles(ROLES)
    assert roles.role_of("ana@example.com") == "admin"  # her own entry wins over the domain's
    assert roles.role_of("Bo@Example.com") == "editor"
    assert roles.role_of("reader@partner.org") == "viewer"
    assert roles.role_of("someone@elsewhere.net") is None
    assert roles.role_of(None) == "viewer"  # a guest, per `anonymous`
    assert access.parse_roles('[roles]\n"a@b.io" = "admin"\n').role_of(None) is None  # default: sign in first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[roles]\n"ana@example.com" = "admin"\n"bo@example.com" = "owner"\n', "line 3: unknown role 'owner'"),
        ('[roles]\n"not an address" = "viewer"\n', "line 2: 'not an address' is neither an e-mail address"),
        ('anonymous = "admin"\n', "line 1: a reader who has not signed in may only view"),
        ('anonymous = "everyone"\n', "line 1: anonymous must be viewer or none"),
        ('colour = "blue"\n', "line 1: unknown setting 'colour'"),
        ('anonymous = "viewer"\nconsole = "everybody"\n', "line 2: console must be one of anyone, signed-in"),
        ('[roles\n"a@b.io" = "admin"\n', "roles file: "),
    ],
)
def test_a_broken_roles_file_is_refused_with_its_line(text, message):
    with pytest.raises(access.RolesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        access.parse_roles(text)


VIEWER = Identity("Rea", "reader@partner.org", "viewer", team=True)
EDITOR = Identity("Bo", "bo@example.com", "editor", team=True)
ADMIN = Identity("Ana", "ana@example.com", "admin", team=True)
NOBODY = Identity("X", "x@elsewhere.net", None, team=True)


def test_what_each_role_may_do():
    assert [access.may_upload(VIEWER, m) for m in ("append", "upsert", "replace")] == [False, False, False]
    assert [access.may_upload(EDITOR, m) for m in ("append", "upsert", "replace")] == [True, True, False]
    assert [access.may_upload(ADMIN, m) for m in ("append", "upsert", "replace")] == [True, True, True]
    assert access.may_undo(EDITOR, "bo@example.com") and not access.may_undo(EDITOR, "ana@example.com")
    assert not access.may_undo(EDITOR, None)  # an upload from the command line or local mode is an admin's
    assert access.may_undo(ADMIN, "bo@example.com") and not access.may_undo(VIEWER, "reader@partner.org")
    assert access.allowed(EDITOR, "merge") and not access.allowed(VIEWER, "merge")
    assert access.may_delete_view(VIEWER, "reader@partner.org") and not access.may_delete_view(VIEWER, "bo@example.com")
    assert access.may_delete_view(ADMIN, "bo@example.com")
    assert access.allowed(ADMIN, "audit") and not access.allowed(EDITOR, "audit")
    assert not any(access.allowed(NOBODY, a) for a in access.ACTIONS)
    assert all(access.allowed(access.LOCAL, a) for a in access.ACTIONS)  # local mode: everything, as before


@pytest.fixture
def team_app(seed_db_path, tmp_path, monkeypatch):
    """An AppTest factory in team mode on a private database copy, signed in as `email` (or a guest)."""
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("ATLAS_DB", str(db))

    def make(script: str, email: str | None, name: str = "Tester", anonymous: str = "viewer"):
        roles.write_text(ROLES.replace('anonymous = "viewer"', f'anonymous = "{anonymous}"'), encoding="utf-8")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.page = script  # opened by `open_page`
        at.secrets["auth"] = {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "x" * 32,
            "client_id": "atlas",
            "client_secret": "secret",
            "server_metadata_url": "http://localhost:1/.well-known/openid-configuration",
        }
        at.secrets["atlas"] = {"roles_file": str(roles)}
        at.user = {"is_logged_in": True, "email": email, "name": name} if email else {"is_logged_in": False}
        return at, db

    return make


@contextlib.contextmanager
def _app_connection():
    """The app's own connection (a second one to the same file with other settings is refused)."""
    from atlas import cache

    yield cache.connection().cursor()


def open_page(at):
    """The app's first run, then a switch to the page under test (AppTest starts at app.py)."""
    at.run()
    if at.page != "app.py":
        at.switch_page(at.page).run()
    return at


def _texts(at) -> str:
    return plain(
        " ".join(
            [e.value for e in at.info]
            + [e.value for e in at.error]
            + [e.value for e in at.warning]
            + [c.value for c in at.caption]
        )
    )


def test_a_viewer_reads_the_data_page_but_gets_no_upload(team_app):
    at, _ = team_app("pages/5_Data.py", "reader@partner.org", "Rea")
    open_page(at)
    assert not at.exception
    assert "Uploads, merges and undo need the editor role" in _texts(at)
    assert "Signed in as **Rea <reader@partner.org>** · viewer" in _texts(at)


def test_a_guest_reads_read_only_and_an_unknown_address_is_stopped(team_app):
    at, _ = team_app("app.py", None)
    open_page(at)
    assert not at.exception and "Reading as a guest" in _texts(at)
    at, _ = team_app("app.py", "x@elsewhere.net", "X")
    open_page(at)  # an unknown address reads as a guest where guests may read...
    assert not at.exception and "Signed in as **X <x@elsewhere.net>** · viewer" in _texts(at)
    at, _ = team_app("app.py", "x@elsewhere.net", "X", anonymous="none")
    open_page(at)  # ...and is stopped where they may not
    assert "has no role in Talent Atlas" in _texts(at)


def test_an_editor_cannot_undo_an_upload_someone_else_made(team_app, tmp_path):
    at, db = team_app("pages/5_Data.py", "bo@example.com", "Bo")
    con = duckdb.connect(str(db))
    path = tmp_path / "people.csv"
    path.write_text("person_id,name\nnew-person,New Person\n", encoding="utf-8")
    with upload.stage_upload([("people.csv", path)]) as staged:
        done = upload.commit(con, staged, "Ana <ana@example.com>", uploader_email="ana@example.com")
    assert done.ok
    before = con.execute("select count(*) from uploads").fetchall()
    con.close()
    open_page(at)
    at.checkbox(key="undo_sure").check().run()
    at.button(key="undo_button").click().run()
    assert "Not allowed: undoing an upload someone else made" in _texts(at)
    with _app_connection() as c:
        assert c.execute("select count(*) from uploads").fetchall() == before
        assert c.execute("select count(*) from people where person_id = 'new-person'").fetchall() == [(1,)]


def test_an_editor_undoes_their_own_upload_and_the_record_names_them(team_app, tmp_path):
    at, db = team_app("pages/5_Data.py", "bo@example.com", "Bo")
    con = duckdb.connect(str(db))
    path = tmp_path / "people.csv"
    path.write_text("person_id,name\nnew-person,New Person\n", encoding="utf-8")
    with upload.stage_upload([("people.csv", path)]) as staged:
        assert upload.commit(con, staged, "Bo <bo@example.com>", uploader_email="bo@example.com").ok
    con.close()
    open_page(at)
    at.checkbox(key="undo_sure").check().run()
    at.button(key="undo_button").click().run()
    assert not at.error, [e.value for e in at.error]
    with _app_connection() as c:
        assert c.execute(
            "select uploader, uploader_email, mode from uploads order by upload_id desc limit 1"
        ).fetchall() == [("Bo <bo@example.com>", "bo@example.com", "undo")]


def test_a_viewer_cannot_delete_a_view_someone_else_saved(team_app):
    at, db = team_app("app.py", "reader@partner.org", "Rea")
    with duckdb.connect(str(db)) as con:
        views.save_view(con, "Bo's view", "", "Overview", "", "Bo <bo@example.com>", "bo@example.com")
    open_page(at)
    slug = "bo-s-view"
    at.selectbox(key="delete_slug").select(slug).run()
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete_go").click().run()
    assert "Not allowed: deleting a view someone else saved" in _texts(at)
    with _app_connection() as c:
        assert c.execute("select count(*) from saved_views where slug = $s", {"s": slug}).fetchall() == [(1,)]


def test_a_broken_roles_file_stops_team_mode_with_its_line(team_app, tmp_path):
    at, _ = team_app("app.py", "ana@example.com")
    (tmp_path / "roles.toml").write_text('[roles]\n"ana@example.com" = "boss"\n', encoding="utf-8")
    open_page(at)
    assert "Team mode cannot start" in _texts(at) and "line 2: unknown role 'boss'" in _texts(at)


def test_xsrf_protection_and_the_upload_limit_stay_on():
    import tomllib

    from streamlit import config

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"].get("enableXsrfProtection", True) is True
    assert settings["server"]["maxUploadSize"] == upload.MAX_FILE_BYTES // 2**20
    assert config.get_option("server.enableXsrfProtection") is True


def test_who_may_use_the_sql_console():
    guest = Identity("", "", "viewer", team=True)
    # default: signed-in users; a guest reads the tables but runs no SQL
    assert access.parse_roles('anonymous = "viewer"\n').console == "signed-in"
    assert [access.may_use_console(i, "signed-in") for i in (guest, VIEWER, EDITOR)] == [False, True, True]
    assert [access.may_use_console(i, "anyone") for i in (guest, VIEWER, NOBODY)] == [True, True, False]
    assert [access.may_use_console(i, "editor") for i in (VIEWER, EDITOR, ADMIN)] == [False, True, True]
    assert access.may_use_console(access.LOCAL, "admin")  # local mode: the analyst's own machine
    assert access.allowed(EDITOR, "download_database") and not access.allowed(VIEWER, "download_database")


def test_a_guest_browses_explore_but_runs_no_sql(team_app):
    at, _ = team_app("pages/6_Explore.py", None)
    at.query_params["sql"] = "select count(*) from moves"
    open_page(at)
    assert not at.exception
    assert len(at.dataframe) >= 1  # the table browser
    assert "The SQL console is for signed-in team members" in _texts(at)
    assert "The DuckDB file itself is for editors and admins" in _texts(at)
