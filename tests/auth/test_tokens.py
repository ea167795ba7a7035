"""Every token that must not get in answers 401 problem+json."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.auth.tokens import KeyRing
from app.core.config import PROJECT_ROOT
from tests.auth import forge
from tests.conftest import DIRECTORATE

pytestmark = pytest.mark.anyio

URL = "/api/v1/me"


@pytest.fixture
async def registered(make_client):
    client, _ = await make_client("directorate", DIRECTORATE)
    return client


async def assert_401(client, token: str | None, reason_part: str | None = None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    r = await client.get(URL, headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    if reason_part:
        assert reason_part in r.json()["detail"]


async def test_a_good_token_gets_in(app, client, registered):
    token = app.state.issuers.keyring.sign(forge.claims_for(app, registered.id))
    r = await client.get(URL, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["role"] == "directorate"


async def test_no_token(client):
    await assert_401(client, None, "bearer token is required")
    r = await client.get(URL, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401


async def test_malformed_token(client):
    await assert_401(client, "not-a-jwt")
    await assert_401(client, "a.b.c")


async def test_alg_none(app, client, registered):
    await assert_401(
        client, forge.alg_none(forge.claims_for(app, registered.id), app.state.issuers.keyring.signing.kid)
    )


async def test_hs256_signed_with_the_public_key(app, client, registered):
    ring = app.state.issuers.keyring
    token = forge.hs256_with_public_key(forge.claims_for(app, registered.id), ring.signing.kid, ring.signing.public_jwk)
    await assert_401(client, token, "algorithm")


async def test_unknown_kid(app, client, registered, tmp_path: Path):
    stranger = KeyRing.from_directory(tmp_path, "RS256", None, create=True)
    await assert_401(client, stranger.sign(forge.claims_for(app, registered.id)), "key is unknown")


async def test_known_kid_but_another_key(app, client, registered, tmp_path: Path):
    stranger = KeyRing.from_directory(tmp_path, "RS256", None, create=True)
    kid = app.state.issuers.keyring.signing.kid
    (tmp_path / f"{stranger.signing.kid}.pem").rename(tmp_path / f"{kid}.pem")
    impostor = KeyRing.from_directory(tmp_path, "RS256", kid, create=False)
    await assert_401(client, impostor.sign(forge.claims_for(app, registered.id)), "signature")


async def test_expired(app, client, registered):
    now = int(time.time())
    claims = forge.claims_for(app, registered.id, iat=now - 3600, nbf=now - 3600, exp=now - 600)
    await assert_401(client, app.state.issuers.keyring.sign(claims), "expired")


async def test_not_yet_valid(app, client, registered):
    now = int(time.time())
    await assert_401(client, app.state.issuers.keyring.sign(forge.claims_for(app, registered.id, nbf=now + 600)))
    await assert_401(client, app.state.issuers.keyring.sign(forge.claims_for(app, registered.id, iat=now + 600)))


async def test_within_leeway_is_accepted(app, client, registered):
    now = int(time.time())
    token = app.state.issuers.keyring.sign(forge.claims_for(app, registered.id, nbf=now + 10, iat=now + 10))
    assert (await client.get(URL, headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_wrong_issuer(app, client, registered):
    token = app.state.issuers.keyring.sign(forge.claims_for(app, registered.id, iss="https://evil.example"))
    await assert_401(client, token, "issuer")


async def test_wrong_audience(app, client, registered):
    await assert_401(client, app.state.issuers.keyring.sign(forge.claims_for(app, registered.id, aud="another-api")))


@pytest.mark.parametrize("claim", ["exp", "iat", "aud"])
async def test_required_claim_missing(app, client, registered, claim):
    await assert_401(client, app.state.issuers.keyring.sign(forge.claims_for(app, registered.id, **{claim: None})))


async def test_jwe_is_not_accepted(client):
    await assert_401(client, forge.jwe_shaped(), "JWE")


async def test_token_of_an_unregistered_client(app, client):
    await assert_401(client, app.state.issuers.keyring.sign(forge.claims_for(app, "c-never-registered")), "client")


async def test_disabled_clients_token(app, client, make_client):
    disabled, _ = await make_client("directorate", DIRECTORATE, enabled=False)
    await assert_401(client, app.state.issuers.keyring.sign(forge.claims_for(app, disabled.id)), "disabled")


def test_jose_is_imported_in_exactly_one_module():
    importers = [
        p.relative_to(PROJECT_ROOT).as_posix()
        for p in (PROJECT_ROOT / "app").rglob("*.py")
        if any(line.startswith(("import jose", "from jose")) for line in p.read_text(encoding="utf-8").splitlines())
    ]
    assert importers == ["app/auth/tokens.py"]
