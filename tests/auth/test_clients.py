"""Registering clients, the client-credentials grant, disabling, rotating, and key rotation."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.tokens import KeyRing, write_new_key
from app.clients.models import ApiClient
from tests.auth import forge
from tests.conftest import DIRECTORATE, TROMSO

pytestmark = pytest.mark.anyio


async def register(client, auth, **body) -> dict:
    payload = {"name": "Tromsø sak", "role": "school_owner", "organisation_id": TROMSO} | body
    r = await client.post("/api/v1/clients", json=payload, headers=await auth("directorate"))
    assert r.status_code == 201, r.text
    return r.json() | {"location": r.headers["location"]}


async def grant(client, client_id: str, secret: str, **extra) -> tuple[int, dict]:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret} | extra
    r = await client.post("/api/v1/auth/token", data=form)
    return r.status_code, r.json()


async def test_register_then_get_a_token_and_act_as_the_organisation(client, auth, db):
    reg = await register(client, auth)
    assert reg["location"] == f"/api/v1/clients/{reg['id']}"
    assert reg["role"] == "school_owner" and reg["organisation_id"] == TROMSO and reg["enabled"] is True
    stored = await db.scalar(sa.select(ApiClient.secret_hash).where(ApiClient.id == reg["id"]))
    assert stored.startswith("$argon2id$") and reg["client_secret"] not in stored
    status, token = await grant(client, reg["id"], reg["client_secret"])
    assert status == 200 and token["token_type"] == "Bearer" and token["expires_in"] > 0
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() | {"client_id": None} == {
        "role": "school_owner",
        "organisation_id": TROMSO,
        "organisation_name": "Tromsø",
        "scopes": ["read", "write"],
        "client_id": None,
        "issuer": "https://skoleutvikling.udir.no",
    }
    got = await client.get(reg["location"], headers=await auth("directorate"))
    assert "client_secret" not in got.json()


async def test_http_basic_client_authentication(client, auth):
    reg = await register(client, auth)
    basic = base64.b64encode(f"{reg['id']}:{reg['client_secret']}".encode()).decode()
    r = await client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"


async def test_wrong_secret_unknown_client_and_wrong_grant(client, auth):
    reg = await register(client, auth)
    status, body = await grant(client, reg["id"], "wrong")
    assert status == 401 and body["error"] == "invalid_client"
    status, body = await grant(client, "c-unknown", "wrong")
    assert status == 401 and body["error"] == "invalid_client"
    r = await client.post("/api/v1/auth/token", data={"grant_type": "password", "client_id": reg["id"]})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    assert r.headers["content-type"] == "application/problem+json"


async def test_scope_is_narrowed_and_a_read_token_cannot_write(client, auth):
    reg = await register(client, auth, role="directorate", organisation_id=DIRECTORATE)
    status, token = await grant(client, reg["id"], reg["client_secret"], scope="read")
    assert status == 200 and token["scope"] == "read"
    h = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await client.get("/api/v1/clients", headers=h)).status_code == 200
    r = await client.post(
        "/api/v1/clients", json={"name": "x", "role": "school_owner", "organisation_id": TROMSO}, headers=h
    )
    assert r.status_code == 403 and "write" in r.json()["detail"]
    status, body = await grant(client, reg["id"], reg["client_secret"], scope="admin")
    assert status == 400 and body["error"] == "invalid_scope"


async def test_a_read_only_client_cannot_get_write(client, auth):
    reg = await register(client, auth, scopes=["read"])
    status, body = await grant(client, reg["id"], reg["client_secret"], scope="read write")
    assert status == 400 and body["error"] == "invalid_scope"


async def test_role_must_fit_the_organisation(client, auth):
    r = await client.post(
        "/api/v1/clients",
        json={"name": "x", "role": "county_governor", "organisation_id": TROMSO},
        headers=await auth("directorate"),
    )
    assert r.status_code == 409 and r.json()["rule"] == "role-matches-organisation"
    r = await client.post(
        "/api/v1/clients",
        json={"name": "x", "role": "school_owner", "organisation_id": "000000000"},
        headers=await auth("directorate"),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/organisation_id"


async def test_disabling_stops_new_and_existing_tokens(client, auth):
    reg = await register(client, auth)
    _, token = await grant(client, reg["id"], reg["client_secret"])
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200  # now verified and cached
    h = await auth("directorate")
    url = reg["location"]
    assert (await client.patch(url, json={"enabled": False}, headers=h)).status_code == 428
    assert (await client.patch(url, json={"enabled": False}, headers={**h, "If-Match": '"7"'})).status_code == 412
    etag = (await client.get(url, headers=h)).headers["etag"]
    r = await client.patch(
        url, json={"enabled": False}, headers={**h, "If-Match": etag, "Content-Type": "application/merge-patch+json"}
    )
    assert r.status_code == 200 and r.json()["enabled"] is False and r.headers["etag"] != etag
    status, body = await grant(client, reg["id"], reg["client_secret"])
    assert status == 401 and body["error"] == "invalid_client"
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401


async def test_rotating_the_secret_invalidates_the_old_secret_and_tokens(client, auth):
    reg = await register(client, auth)
    _, old_token = await grant(client, reg["id"], reg["client_secret"])
    before = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token['access_token']}"})
    assert before.status_code == 200  # now verified and cached
    r = await client.post(f"{reg['location']}/rotate-secret", headers=await auth("directorate"))
    assert r.status_code == 200
    new_secret = r.json()["client_secret"]
    assert new_secret != reg["client_secret"]
    assert (await grant(client, reg["id"], reg["client_secret"]))[0] == 401
    status, new_token = await grant(client, reg["id"], new_secret)
    assert status == 200
    old = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token['access_token']}"})
    new = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {new_token['access_token']}"})
    assert old.status_code == 401 and new.status_code == 200


async def test_list_clients_filters(client, auth):
    reg = await register(client, auth)
    h = await auth("directorate")
    r = await client.get("/api/v1/clients", params={"organisation": TROMSO, "role": "school_owner"}, headers=h)
    assert reg["id"] in [c["id"] for c in r.json()["items"]]
    assert all(c["organisation_id"] == TROMSO for c in r.json()["items"])


async def test_key_rotation_publishes_both_keys_and_old_tokens_still_verify(app, client, make_client, tmp_path: Path):
    ring = app.state.issuers.keyring
    directory = tmp_path / "keys"
    directory.mkdir()
    old_file = directory / "old.pem"
    old_file.write_bytes(_pem_of(app))
    old_ring = KeyRing.from_directory(directory, "RS256", "old", create=False)
    new_kid = write_new_key(directory, "RS256").stem
    rotated = KeyRing.from_directory(directory, "RS256", new_kid, create=False)
    assert {k["kid"] for k in rotated.jwks()["keys"]} == {"old", new_kid}
    c, _ = await make_client("directorate", DIRECTORATE)
    issued_before = old_ring.sign(forge.claims_for(app, c.id))
    app.state.issuers.keyring = rotated
    try:
        issued_after = rotated.sign(forge.claims_for(app, c.id))
        assert forge_kid(issued_after) == new_kid
        for token in (issued_before, issued_after):
            assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert {k["kid"] for k in jwks["keys"]} == {"old", new_kid}
        assert all("d" not in k for k in jwks["keys"])
    finally:
        app.state.issuers.keyring = ring


def _pem_of(app) -> bytes:
    settings = app.state.settings
    kid = app.state.issuers.keyring.signing.kid
    return (settings.signing_keys_dir / f"{kid}.pem").read_bytes()


def forge_kid(token: str) -> str:
    import json

    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=="))["kid"]
