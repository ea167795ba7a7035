"""Typed dependencies every router uses: the session, the caller, Idempotency-Key and dry_run."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.service import authenticate
from app.core.errors import Unauthorized
from app.core.idempotency import Idempotency, fingerprint
from app.core.pagination import PageParams, page_params
from app.core.ratelimit import enforce
from app.db.deps import DRY_RUN, get_session

SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required (Authorization: Bearer <token>).")
    principal = await authenticate(session, request.app.state.issuers, token.strip(), request.app.state.principal_cache)
    request.state.principal = principal
    await enforce(request.app.state.limiter, principal.client_id or f"{principal.issuer}|{principal.org_id}")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
PageDep = Annotated[PageParams, Depends(page_params)]


async def get_dry_run(
    session: SessionDep,
    dry_run: Annotated[
        bool, Query(description="Check every rule and return the would-be result; nothing is written.")
    ] = False,
) -> bool:
    if dry_run:
        session.info[DRY_RUN] = True
    return dry_run


DryRunDep = Annotated[bool, Depends(get_dry_run)]


async def get_idempotency(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    dry_run: DryRunDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Same key, same body, within 24 h: the first response is answered again.",
        ),
    ] = None,
) -> Idempotency:
    caller = f"{principal.issuer}|{principal.client_id}|{principal.org_id}"
    idem = Idempotency(session, caller, idempotency_key, fingerprint(request, await request.body()), dry_run)
    await idem.claim(timedelta(hours=request.app.state.settings.idempotency_ttl_hours))
    return idem


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]

IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag from your last read; required on updates.")
]
