"""Authentication: bearer token -> principal, and the client-credentials grant."""

from __future__ import annotations

import time
import uuid
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import tokens
from app.auth.cache import PrincipalCache
from app.auth.issuers import ExternalIssuer, Issuers
from app.auth.principal import ROLE_ORG_KINDS, Principal, Role, role_for_org_kind
from app.clients.models import ApiClient
from app.clients.secrets import verify_secret
from app.core.errors import AppError, Unauthorized
from app.reference.service import find_organisation

ALL_SCOPES = ("read", "write")


class OAuthError(AppError):
    """An OAuth 2.0 token-endpoint error (RFC 6749 §5.2), as problem+json with the `error` code."""

    slug, title = "oauth-error", "Token request refused"

    def __init__(self, error: str, detail: str, status: int = 400) -> None:
        super().__init__(detail, error=error)
        self.status = status
        if status == 401:
            self.headers = {"WWW-Authenticate": 'Basic realm="token"'}


async def authenticate(
    session: AsyncSession, issuers: Issuers, token: str, cache: PrincipalCache | None = None
) -> Principal:
    """Verify a bearer token and return its principal, or raise 401."""
    if cache is not None and (cached := cache.get(token)) is not None:
        return cached
    try:
        header, unverified = tokens.unverified_parts(token)
    except tokens.TokenError as exc:
        raise Unauthorized(str(exc)) from exc
    iss = unverified.get("iss")
    if iss == issuers.own_issuer:
        principal, claims = await _own_token(session, issuers, token, header)
    elif isinstance(iss, str) and iss in issuers.external:
        principal, claims = await _external_token(session, issuers.external[iss], token, header, issuers.leeway)
    else:
        raise Unauthorized("token issuer is not trusted")
    if cache is not None:
        cache.put(token, principal, claims)
    return principal


async def _own_token(
    session: AsyncSession, issuers: Issuers, token: str, header: dict[str, Any]
) -> tuple[Principal, dict[str, Any]]:
    key = issuers.keyring.verifiers.get(header.get("kid") or "")
    if key is None:
        raise Unauthorized("token signing key is unknown")
    try:
        claims = tokens.verify(
            token,
            key,
            algorithm=issuers.keyring.signing.algorithm,
            issuer=issuers.own_issuer,
            audience=issuers.own_audience,
            leeway=issuers.leeway,
        )
    except tokens.TokenError as exc:
        raise Unauthorized(str(exc)) from exc
    client = await session.get(ApiClient, str(claims.get("sub")))
    if client is None or not client.enabled:
        raise Unauthorized("the client of this token is unknown or disabled")
    if claims.get("gen") != client.secret_generation:
        raise Unauthorized("this token was issued before the client's secret was rotated")
    scopes = frozenset(str(claims.get("scope", "")).split()) & frozenset(client.scopes.split())
    principal = Principal(
        role=Role(client.role),
        org_id=client.organisation_id,
        scopes=scopes,
        client_id=client.id,
        issuer=issuers.own_issuer,
        token_id=claims.get("jti"),
    )
    return principal, claims


async def _external_token(
    session: AsyncSession, issuer: ExternalIssuer, token: str, header: dict[str, Any], leeway: int
) -> tuple[Principal, dict[str, Any]]:
    kid = header.get("kid")
    key = await issuer.jwks.key(kid) if isinstance(kid, str) else None
    if key is None:
        raise Unauthorized("token signing key is unknown")
    try:
        claims = tokens.verify(
            token, key, algorithm=issuer.algorithm, issuer=issuer.issuer, audience=issuer.audience, leeway=leeway
        )
    except tokens.TokenError as exc:
        raise Unauthorized(str(exc)) from exc
    org_value = issuer.claim(claims, issuer.org_claim)
    if not isinstance(org_value, str):
        raise Unauthorized(f"token has no organisation in {issuer.org_claim}")
    if issuer.org_prefix:
        if not org_value.startswith(issuer.org_prefix):
            raise Unauthorized(f"organisation in {issuer.org_claim} is not of the form {issuer.org_prefix}<number>")
        org_value = org_value[len(issuer.org_prefix) :]
    org = await find_organisation(session, org_value)
    if org is None or not org.active:
        raise Unauthorized("the token's organisation is not registered with the service")
    role: Role | None
    if issuer.role_claim:
        raw = issuer.claim(claims, issuer.role_claim)
        mapped = issuer.role_map.get(str(raw), raw)
        role = Role(mapped) if mapped in Role.__members__ else None
    else:
        role = role_for_org_kind(org.kind)
    if role is None or org.kind not in ROLE_ORG_KINDS[role]:
        raise Unauthorized("the token's organisation cannot act in any role of this service")
    raw_scopes = issuer.claim(claims, issuer.scope_claim)
    names = raw_scopes.split() if isinstance(raw_scopes, str) else list(raw_scopes or [])
    scopes = frozenset(issuer.scope_map.get(s, s) for s in names) & frozenset(ALL_SCOPES)
    principal = Principal(
        role=role,
        org_id=org.id,
        scopes=scopes,
        client_id=str(claims.get("client_id") or claims.get("sub")),
        issuer=issuer.issuer,
        token_id=claims.get("jti"),
    )
    return principal, claims


def mint(issuers: Issuers, *, client: ApiClient, scopes: list[str], ttl: int) -> dict[str, Any]:
    """Sign a token for a registered client; returns the OAuth token response."""
    now = int(time.time())
    claims = {
        "iss": issuers.own_issuer,
        "aud": issuers.own_audience,
        "sub": client.id,
        "client_id": client.id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "role": client.role,
        "org": client.organisation_id,
        "scope": " ".join(scopes),
        "gen": client.secret_generation,
    }
    return {
        "access_token": issuers.keyring.sign(claims),
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": " ".join(scopes),
    }


async def client_credentials(
    session: AsyncSession, issuers: Issuers, *, client_id: str, client_secret: str, scope: str | None, ttl: int
) -> dict[str, Any]:
    """The OAuth2 client-credentials grant."""
    client = await session.get(ApiClient, client_id)
    ok = await anyio.to_thread.run_sync(verify_secret, client.secret_hash if client else None, client_secret)
    if client is None or not ok:
        raise OAuthError("invalid_client", "Unknown client or wrong secret.", status=401)
    if not client.enabled:
        raise OAuthError("invalid_client", "The client is disabled.", status=401)
    allowed = client.scopes.split()
    requested = scope.split() if scope else allowed
    if not requested or any(s not in allowed for s in requested):
        raise OAuthError("invalid_scope", f"Allowed scopes for this client: {' '.join(allowed)}.")
    return mint(issuers, client=client, scopes=requested, ttl=ttl)
