"""The token endpoint (OAuth2 client credentials), the public keys, and /me."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request, Response

from app.auth import service
from app.auth.schemas import Me, TokenResponse
from app.core.errors import error_responses
from app.core.routing import DomainRouter
from app.deps import PrincipalDep, SessionDep
from app.reference.service import find_organisation

router = DomainRouter(tags=["authentication"])
wellknown = APIRouter(tags=["authentication"])


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote(user), unquote(password)


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=error_responses(400, 401, 422),
    openapi_extra={"security": []},
)
async def issue_token(
    request: Request,
    response: Response,
    session: SessionDep,
    grant_type: Annotated[str, Form(examples=["client_credentials"])],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form(examples=["read write"])] = None,
):
    """OAuth2 client-credentials grant (form-encoded; client credentials in the form or HTTP Basic)."""
    if grant_type != "client_credentials":
        raise service.OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    basic = _basic_credentials(request)
    cid, secret = basic if basic else (client_id, client_secret)
    if not cid or not secret:
        raise service.OAuthError("invalid_client", "client_id and client_secret are required.", status=401)
    settings = request.app.state.settings
    token = await service.client_credentials(
        session,
        request.app.state.issuers,
        client_id=cid,
        client_secret=secret,
        scope=scope,
        ttl=settings.token_ttl_seconds,
    )
    response.headers["Cache-Control"] = "no-store"
    return token


@router.get("/me", response_model=Me, responses=error_responses(401))
async def get_me(session: SessionDep, principal: PrincipalDep):
    """Who the caller is: role, organisation, scopes."""
    org = await find_organisation(session, principal.org_id)
    return Me(
        role=principal.role,
        organisation_id=principal.org_id,
        organisation_name=org.name if org else None,
        scopes=sorted(principal.scopes),
        client_id=principal.client_id,
        issuer=principal.issuer,
    )


@wellknown.get("/.well-known/jwks.json", openapi_extra={"security": []})
async def get_jwks(request: Request) -> dict[str, Any]:
    """The public keys that verify the service's tokens (all published; one signs)."""
    return request.app.state.issuers.keyring.jwks()
