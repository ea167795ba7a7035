"""Tokens from external issuers (Maskinporten style), verified against a local JWKS file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from app.auth.issuers import load_external
from app.auth.tokens import KeyRing
from tests.auth import forge
from tests.conftest import CG_VESTLAND, TROMSO

pytestmark = pytest.mark.anyio

ISSUER = "https://test.maskinporten.no/"
AUDIENCE = "https://skoleutvikling.udir.no"


@pytest.fixture
def maskinporten(tmp_path: Path) -> tuple[KeyRing, Path]:
    ring = KeyRing.from_directory(tmp_path / "mp-keys", "RS256", None, create=True)
    (tmp_path / "mp-jwks.json").write_text(json.dumps(ring.jwks()))
    config = [
        {
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "algorithm": "RS256",
            "jwks_file": "mp-jwks.json",
            "org_claim": "consumer.ID",
            "org_prefix": "0192:",
            "scope_map": {"udir:skoleutvikling.read": "read", "udir:skoleutvikling.write": "write"},
        }
    ]
    (tmp_path / "issuers.json").write_text(json.dumps(config))
    return ring, tmp_path / "issuers.json"


@pytest.fixture
async def external_client(app, maskinporten):
    _, config = maskinporten
    saved = app.state.issuers.external
    app.state.issuers.external = load_external(config, 60)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        app.state.issuers.external = saved


def mp_token(ring: KeyRing, consumer_id: str, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 120,
        "jti": "mp-1",
        "client_id": "a-client-id-that-names-nothing",
        "scope": "udir:skoleutvikling.read",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": consumer_id},
    } | overrides
    return ring.sign({k: v for k, v in claims.items() if v is not None})


async def me(client, token: str) -> httpx.Response:
    return await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


async def test_maskinporten_token_acts_for_the_consumer_organisation(external_client, maskinporten, db):
    ring, _ = maskinporten
    r = await me(external_client, mp_token(ring, f"0192:{CG_VESTLAND}"))
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "county_governor" and r.json()["organisation_id"] == CG_VESTLAND
    assert r.json()["scopes"] == ["read"] and r.json()["issuer"] == ISSUER


async def test_organisation_never_comes_from_client_id(external_client, maskinporten, db):
    ring, _ = maskinporten
    r = await me(external_client, mp_token(ring, "0192:974760665", client_id=TROMSO))
    assert r.json()["organisation_id"] == CG_VESTLAND


async def test_unregistered_or_malformed_consumer_is_401(external_client, maskinporten, db):
    ring, _ = maskinporten
    assert (await me(external_client, mp_token(ring, "0192:999999999"))).status_code == 401
    assert (await me(external_client, mp_token(ring, CG_VESTLAND))).status_code == 401
    assert (await me(external_client, mp_token(ring, "0192:", consumer=None))).status_code == 401


async def test_external_token_checks_audience_expiry_and_key(external_client, maskinporten, tmp_path, db):
    ring, _ = maskinporten
    now = int(time.time())
    assert (await me(external_client, mp_token(ring, f"0192:{CG_VESTLAND}", aud="other"))).status_code == 401
    expired = mp_token(ring, f"0192:{CG_VESTLAND}", iat=now - 999, exp=now - 500)
    assert (await me(external_client, expired)).status_code == 401
    stranger = KeyRing.from_directory(tmp_path / "stranger", "RS256", None, create=True)
    assert (await me(external_client, mp_token(stranger, f"0192:{CG_VESTLAND}"))).status_code == 401
    none = forge.alg_none(
        {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60, "consumer": {"ID": f"0192:{CG_VESTLAND}"}},
        ring.signing.kid,
    )
    assert (await me(external_client, none)).status_code == 401


async def test_external_read_scope_cannot_write(external_client, maskinporten, db):
    ring, _ = maskinporten
    token = mp_token(ring, "0192:970018131")
    r = await external_client.post(
        "/api/v1/clients",
        json={"name": "x", "role": "school_owner", "organisation_id": TROMSO},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403


async def test_a_deactivated_organisation_is_refused_though_its_token_was_cached(
    external_client, maskinporten, auth, db
):
    ring, _ = maskinporten
    udir = await auth("directorate")
    r = await external_client.post(
        "/api/v1/organisations",
        json={"kind": "university", "name": "Testhøgskolen", "orgnr": "988983837"},
        headers=udir,
    )
    assert r.status_code == 201, r.text
    org = r.json()
    token = mp_token(ring, "0192:988983837")
    assert (await me(external_client, token)).status_code == 200  # now verified and cached
    r = await external_client.patch(
        f"/api/v1/organisations/{org['id']}",
        json={"active": False},
        headers={**udir, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await me(external_client, token)).status_code == 401
