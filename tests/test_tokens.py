"""Personal tokens of the data API (atlas.tokens): stored hashed, counted, revoked by their owner only."""

from __future__ import annotations

import sqlite3

import pytest

from atlas import tokens


def test_a_token_is_stored_hashed_counted_and_revoked_by_its_owner(tmp_path):
    path = tmp_path / "atlas.duckdb.records.sqlite"
    secret = tokens.create(path, "ana@example.com", "Ana", "notebook")
    assert secret.startswith("ta_")
    token_id, hidden = secret.removeprefix("ta_").split("_", 1)
    stored = sqlite3.connect(path).execute("select id, secret_sha256 from tokens").fetchall()
    assert stored[0][0] == token_id and hidden not in stored[0][1] and len(stored[0][1]) == 64
    assert tokens.check(path, secret).owner_email == "ana@example.com"
    assert tokens.check(path, secret).requests == 2
    assert tokens.check(path, f"ta_{token_id}_wrong") is None
    assert tokens.check(path, "not a token") is None
    # only its owner revokes it
    assert not tokens.revoke(path, "mallory@example.com", token_id)
    assert tokens.check(path, secret) is not None
    assert tokens.revoke(path, "ana@example.com", token_id)
    assert tokens.check(path, secret) is None
    assert not tokens.revoke(path, "ana@example.com", token_id)  # already revoked
    [held] = tokens.listed(path, "ana@example.com")
    assert held.revoked_at and held.requests == 3


@pytest.mark.parametrize(
    ("email", "label"), [("", "notebook"), ("ana@example.com", ""), ("ana@example.com", "x" * 101)]
)
def test_a_token_needs_an_owner_and_a_name(tmp_path, email, label):
    with pytest.raises(tokens.TokenError):
        tokens.create(tmp_path / "t.sqlite", email, "Ana", label)


def test_an_owner_holds_at_most_twenty_live_tokens(tmp_path):
    path = tmp_path / "t.sqlite"
    for i in range(tokens.MAX_PER_OWNER):
        tokens.create(path, "ana@example.com", "Ana", f"t{i}")
    with pytest.raises(tokens.TokenError, match="revoke one first"):
        tokens.create(path, "ana@example.com", "Ana", "one more")
    assert tokens.create(path, "bo@example.com", "Bo", "first")
