"""Accounts and roles: the roles file, the rules, and the write paths refusing on the server
(AppTest sets the signed-in user; the real sign-in is exercised in a browser elsewhere)."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil

import duckdb
import pytest

from atlas import access, sql, upload, views
from atlas.access import Identity
from tests.support import ROOT, plain

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
        ('verified_issuers = "https://id.example.com"\n', "line 1: verified_issuers must be a list"),
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

    def make(script: str, email: str | None, name: str = "Tester", anonymous: str = "viewer", verified: object = True):
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
        at.user = (
            {"is_logged_in": True, "email": email, "name": name, "email_verified": verified}
            if email
            else {"is_logged_in": False}
        )
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
    # no pull either: the section says who may, and where a viewer sees what was pulled
    assert "Pulls need the editor role" in _texts(at) and "load history below" in _texts(at)
    assert not [b for b in at.button if b.label == "Fetch and preview"]


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


def _undo_box(at):
    """The undo panel's confirmation (keyed by the version it undoes)."""
    return next(c for c in at.checkbox if c.label.startswith("Yes, undo data version"))


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
    _undo_box(at).check().run()
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
    _undo_box(at).check().run()
    at.button(key="undo_button").click().run()
    assert not at.error, [e.value for e in at.error]
    with _app_connection() as c:
        assert c.execute(
            "select uploader, uploader_email, mode from uploads order by upload_id desc limit 1"
        ).fetchall() == [("Bo", "bo@example.com", "undo")]  # the address for admins only
        undone = c.execute("select max(upload_id) from uploads where mode <> 'undo'").fetchall()[0][0]
    # issue 31: the panel no longer offers to undo the version just undone
    assert any(f"Version {undone} undone" in s.value for s in at.success), [s.value for s in at.success]
    assert not any(f"data version {undone}" in c.label for c in at.checkbox)
    assert not any(f"data version {undone})" in e.label for e in at.expander)


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


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "ana@example.com", "email_verified": True}, "ana@example.com"),
        ({"email": "  Ana@Example.COM ", "email_verified": True}, "ana@example.com"),  # trimmed, case-blind
        ({"email": "ana@example.com", "email_verified": "true"}, "ana@example.com"),  # some providers send text
        ({"email": "ana@example.com", "email_verified": False}, ""),  # issue 29: it signed Ana in as admin
        ({"email": "ana@example.com", "email_verified": "false"}, ""),
        ({"email": "ana@example.com"}, ""),  # no claim: not verified
        ({"email": "ana@example.com", "iss": "https://id.partner.org/"}, "ana@example.com"),  # a trusted provider
        ({"email": "ana@example.com", "iss": "https://id.elsewhere.net"}, ""),
        ({"email": "not an address", "email_verified": True}, ""),
        ({"email_verified": True}, ""),
    ],
)
def test_only_a_verified_address_counts(claims, expected):
    roles = dataclasses.replace(access.parse_roles(ROLES), verified_issuers=("https://id.partner.org",))
    assert access.verified_email(claims, roles) == expected
    parsed = access.parse_roles('verified_issuers = ["https://id.partner.org/"]\n' + ROLES)
    assert parsed.verified_issuers == ("https://id.partner.org",)


def test_an_unverified_address_signs_in_as_a_guest_not_as_its_owner(team_app):
    at, _ = team_app("pages/5_Data.py", "ana@example.com", "Mallory", verified=False)
    open_page(at)
    assert not at.exception
    assert "has not verified the address ana@example.com" in _texts(at)
    assert "Uploads, merges and undo need the editor role" in _texts(at)  # not Ana's admin role
    at, _ = team_app("app.py", "ana@example.com", "Mallory", anonymous="none", verified=False)
    open_page(at)
    assert "has not verified the address" in _texts(at) and "Latest moves" not in _texts(at)


def test_addresses_are_compared_trimmed_and_case_blind(team_app):
    at, _ = team_app("pages/5_Data.py", "  ANA@Example.com ", "Ana")
    open_page(at)
    assert "Signed in as **Ana <ana@example.com>** · admin" in _texts(at)
    bo = Identity("Bo", "bo@example.com", "editor", team=True)
    assert access.may_undo(bo, " BO@example.com ") and access.may_delete_view(bo, "Bo@Example.com")


def test_a_guest_cannot_save_a_view_and_an_owner_deletes_their_own(team_app):
    guest = Identity("", "", "viewer", team=True)
    assert not access.may_save_view(guest) and access.may_save_view(VIEWER) and access.may_save_view(access.LOCAL)
    assert "needs a signed-in team member" in access.refusal(guest, "saving a view")
    at, _ = team_app("app.py", None)
    open_page(at)
    assert "Saving needs a signed-in team member" in _texts(at)
    assert not [f for f in at.text_input if f.label == "Name"]  # no form to fill in
    at, db = team_app("app.py", "reader@partner.org", "Rea")
    with duckdb.connect(str(db)) as con:
        views.save_view(con, "Rea's view", "", "Overview", "", "Rea", "reader@partner.org")
    open_page(at)
    at.selectbox(key="delete_slug").select("rea-s-view").run()
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete_go").click().run()
    assert not at.error, [e.value for e in at.error]
    with _app_connection() as c:
        assert c.execute("select count(*) from saved_views where slug = 'rea-s-view'").fetchall() == [(0,)]


def test_uploaders_addresses_reach_admins_only(team_app, tmp_path):
    """An older database recorded uploaders as "Name <address>" where every reader reads it: the
    table browser, the console, the Parquet zip. The address stays in the admins' audit log only."""
    from atlas import console
    from atlas import db as atlas_db

    at, path = team_app("pages/5_Data.py", "bo@example.com", "Bo")
    con = duckdb.connect(str(path))
    f = tmp_path / "people.csv"
    f.write_text("person_id,name\nnew-person,New Person\n", encoding="utf-8")
    with upload.stage_upload([("people.csv", f)]) as staged:
        assert upload.commit(con, staged, "Bo <bo@example.com>", uploader_email="bo@example.com").ok
    views.save_view(con, "Bo's view", "", "Overview", "", "Bo <bo@example.com>", "bo@example.com")
    con.close()
    app = atlas_db.connect(path)
    try:
        assert app.execute("select uploader from uploads order by upload_id desc limit 1").fetchall() == [("Bo",)]
        assert app.execute("select saved_by from saved_views").fetchall() == [("Bo",)]
        _version, folder = console.snapshot(app, path)
        found = duckdb.connect().execute(
            "select count(*) from (select columns(*)::varchar as v from read_parquet($f, union_by_name = true)) "
            "where v like '%@%'",
            {"f": [str(p) for p in folder.glob("*.parquet")]},
        )
        assert found.fetchone()[0] == 0
        assert "@" not in console.run(app, path, "select string_agg(uploader, ' ') as u from uploads").frame.u[0]
        audit = sql.run_query(app, "audit_log", {"limit": 100})  # the admins' page
    finally:
        app.close()
    assert "bo@example.com" in set(audit.email)


def test_no_address_reaches_a_reader_who_is_not_an_admin(team_app, tmp_path):
    """Every table a guest's or an editor's Overview and Data page receive (hidden columns too: the
    browser gets the whole frame) holds no e-mail address; the admin's audit log does."""
    at, path = team_app("app.py", None)
    con = duckdb.connect(str(path))
    f = tmp_path / "people.csv"
    f.write_text("person_id,name\nmail-person,Mail Person\n", encoding="utf-8")
    with upload.stage_upload([("people.csv", f)]) as staged:
        assert upload.commit(con, staged, "Bo", uploader_email="bo@example.com").ok
    views.save_view(con, "Bo's view", "", "Overview", "", "Bo", "bo@example.com")
    con.close()
    for script, email in (("app.py", None), ("pages/5_Data.py", None), ("pages/5_Data.py", "bo@example.com")):
        at, _ = team_app(script, email, "Bo")
        open_page(at)
        sent = " ".join(df.value.astype(str).to_csv() for df in at.dataframe)
        assert "Bo" in sent and "@" not in sent, (script, email)
    at, _ = team_app("pages/5_Data.py", "ana@example.com", "Ana")
    open_page(at)
    assert "bo@example.com" in " ".join(df.value.astype(str).to_csv() for df in at.dataframe)


def test_a_pull_is_checked_again_at_the_commit(team_app, monkeypatch):
    """An editor fetches and previews a pull from OpenAlex; the roles file makes them a viewer
    before they commit: the role is read again on the server at the click, and nothing is written."""
    from tests.source_server import SourceServer
    from tests.sources_canned import openalex_source

    source = SourceServer()
    try:
        openalex_source(source)
        monkeypatch.setenv("ATLAS_OPENALEX_URL", source.url)
        at, db = team_app("pages/5_Data.py", "bo@example.com", "Bo")
        open_page(at)
        assert at.text_input(key="pull_mailto").value == "bo@example.com"  # their own address, for the polite pool
        at.text_area(key="pull_institutions").input("I1")
        at.text_input(key="pull_mailto").input("")  # the canned source answers requests without one
        next(b for b in at.button if b.label == "Fetch and preview").click()
        at.run()
        assert not at.exception
        assert "Fetched 3 author(s) and 4 institution(s)" in _texts(at)
        assert at.button(key="pull_commit").label == "Commit the pull"
        with _app_connection() as c:
            before = c.execute("select count(*) from moves").fetchone()
        (db.parent / "roles.toml").write_text(ROLES.replace('"@example.com" = "editor"', '"@example.com" = "viewer"'))
        at.button(key="pull_commit").click().run()
        assert not at.exception
        assert "Pulls need the editor role; Bo <bo@example.com> reads as a viewer" in _texts(at)
        with _app_connection() as c:
            assert c.execute("select count(*) from moves").fetchone() == before
            assert c.execute("select count(*) from uploads where uploader like '%pull%'").fetchone() == (0,)
    finally:
        source.close()


def test_the_audit_log_is_kept_until_what_it_reads_changes(team_app, monkeypatch):
    """The admins' audit log is read and formatted again only when one of its sources changed: a
    view saved between two runs (no new data version) is in the next run's log; a run with nothing
    new reads only the log's few-number mark."""
    from atlas import cache

    at, _ = team_app("pages/5_Data.py", "ana@example.com", "Ana")
    open_page(at)

    def events() -> int:
        caption = next(c.value for c in at.caption if c.value.startswith("The latest "))
        return int(caption.split()[2].replace(",", ""))

    before = events()
    reads: list[str] = []
    fresh = cache.query_fresh
    monkeypatch.setattr(cache, "query_fresh", lambda name, **p: reads.append(name) or fresh(name, **p))
    at.run()
    assert events() == before and "audit_log" not in reads
    with _app_connection() as con:
        views.save_view(con, "Ana's audit check", "", "Data", "", "Ana", "ana@example.com")
    at.run()
    assert events() == before + 1 and reads.count("audit_log") == 1
    log = next(d.value for d in at.dataframe if "action" in d.value.columns)
    assert "Ana's audit check (?view=ana-s-audit-check)" in set(log.detail)
