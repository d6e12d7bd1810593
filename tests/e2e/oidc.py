"""A real OpenID Connect provider on localhost for the sign-in tests (`oidc-provider-mock`, offline),
and the Streamlit secrets and roles file that point team mode at it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from atlas.tools.browser import _free_port

ROLES = """# the team of the sign-in tests
anonymous = "viewer"
[roles]
"ana@example.com" = "admin"
"bo@example.com" = "editor"
"rea@partner.org" = "viewer"
"""
PEOPLE = {
    "ana@example.com": "Ana Admin",
    "bo@example.com": "Bo Editor",
    "rea@partner.org": "Rea Viewer",
}


class Provider:
    """`python -m oidc_provider_mock` on a free port; its users carry an e-mail and a name."""

    def __init__(self, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start; see {log}")
        for email, name in PEOPLE.items():
            add_user(self.url, email, {"email": email, "name": name, "email_verified": True})

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def add_user(provider_url: str, sub: str, claims: dict) -> None:
    """Give the provider's user `sub` these claims (what it signs in with)."""
    req = urllib.request.Request(provider_url + f"/users/{sub}", data=json.dumps(claims).encode(), method="PUT")
    req.add_header("Content-Type", "application/json")
    urllib.request.urlopen(req, timeout=5).close()


def team_config(folder: Path, provider: Provider, app_port: int) -> list[str]:
    """Write the secrets (an [auth] section for the provider) and the roles file; the Streamlit
    arguments that use them."""
    roles = folder / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-string-for-the-tests-only-0123456789"\n'
        'client_id = "talent-atlas"\n'
        'client_secret = "talent-atlas-secret"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n'
        "\n[atlas]\n"
        f'roles_file = "{roles}"\n',
        encoding="utf-8",
    )
    return ["--secrets.files", str(secrets)]


def start_team(seed_db_path: Path, folder: Path, prepare=None):  # noqa: ANN001, ANN201 - (Server, Provider)
    """A copy of the seed served in team mode against a provider of its own: (server, provider);
    the server's `provider_url` and `roles` (the roles file) are set. `prepare(db_path)` runs on
    the copy before the server holds it."""
    import shutil

    from atlas.tools.browser import Server

    db = folder / "atlas.duckdb"
    shutil.copy(seed_db_path, db)
    if prepare is not None:
        prepare(db)
    provider = Provider(folder / "oidc.log")
    port = _free_port()
    server = Server(db, folder / "streamlit.log", extra_args=team_config(folder, provider, port), port=port)
    server.provider_url = provider.url
    server.roles = folder / "roles.toml"
    return server, provider


def sign_in(browser, server, email: str, signed_in: str = "Signed in as", height: int = 2000):  # noqa: ANN001, ANN201
    """A fresh browser session signed in as the provider's user `email` through its form, once the
    sidebar says `signed_in`: its page, a tab in a context of its own (`page.context`, its cookies the
    session's; `page.close()` ends it)."""
    from atlas.tools.browser import wait_for_app
    from tests.support import ARTIFACTS

    page = browser.new_page(viewport={"width": 1440, "height": height})
    page.goto(server.url + "/")
    wait_for_app(page, "Overview")
    page.get_by_role("button", name="Sign in").first.click()
    page.wait_for_selector('input[name="sub"]', timeout=30000)
    page.fill('input[name="sub"]', email)
    page.get_by_role("button", name="Authorize").click()
    try:
        page.get_by_text(signed_in).first.wait_for(timeout=30000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"signin_failed_{email.replace('@', '_')}.png"), full_page=True)
        raise
    return page
