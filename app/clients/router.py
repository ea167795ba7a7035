"""API clients: registered by the directorate; secrets shown once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from app.auth.principal import Role
from app.clients import service
from app.clients.models import ApiClient
from app.clients.schemas import ClientCreate, ClientRead, ClientUpdate, ClientWithSecret
from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep

router = DomainRouter(prefix="/clients", tags=["API clients"])

ClientId = Annotated[str, Path(description="The client_id.", examples=["c-3f2a9d1e7b6c4e0f"])]


def _read(c: ApiClient) -> ClientRead:
    return ClientRead(
        id=c.id,
        name=c.name,
        role=Role(c.role),
        organisation_id=c.organisation_id,
        scopes=c.scopes.split(),
        enabled=c.enabled,  # type: ignore[arg-type]
        created_at=c.created_at,
        updated_at=c.updated_at,
        version=c.version,
    )


def _with_secret(c: ApiClient, secret: str) -> ClientWithSecret:
    return ClientWithSecret(**_read(c).model_dump(), client_secret=secret)


@router.post("", response_model=ClientWithSecret, status_code=201, responses=write_responses())
async def create_client(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: ClientCreate,
):
    """Register an API client bound to a role and an organisation. The secret is shown once, here."""
    client, secret = await service.create_client(session, principal, data=body)
    location = None if dry_run else str(request.url_for("get_client", client_id=client.id).path)
    return idem.finish(response, 200 if dry_run else 201, _with_secret(client, secret), location)


@router.get("", response_model=Page[ClientRead], responses=list_responses())
async def list_clients(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    organisation: Annotated[str | None, Query(description="Organisation id.")] = None,
    role: Annotated[Role | None, Query()] = None,
    enabled: Annotated[bool | None, Query()] = None,
    updated_since: UpdatedSince = None,
):
    """Registered clients, sorted by id (directorate only)."""
    q = service.list_clients(
        principal, organisation=organisation, role=role, enabled=enabled, updated_since=updated_since
    )
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=ClientRead, to_item=_read
    )


@router.get("/{client_id}", response_model=ClientRead, responses=read_responses())
async def get_client(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, client_id: ClientId
):
    """One client (never its secret)."""
    client = await service.get_client(session, principal, client_id=client_id)
    return respond_item(request, response, _read(client), client.version)


@router.patch("/{client_id}", response_model=ClientRead, responses=write_responses(412, 428))
async def update_client(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    client_id: ClientId,
    body: ClientUpdate,
    if_match: IfMatch = None,
):
    """Rename, change scopes, or disable (`enabled: false`) a client. Needs If-Match."""
    client = await service.update_client(session, principal, client_id=client_id, data=body, if_match=if_match)
    response.headers["ETag"] = f'"{client.version}"'
    return _read(client)


@router.post("/{client_id}/rotate-secret", response_model=ClientWithSecret, responses=write_responses())
async def rotate_client_secret(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    client_id: ClientId,
):
    """A new secret, shown once; tokens issued with the old one stop working."""
    client, secret = await service.rotate_secret(session, principal, client_id=client_id)
    return idem.finish(response, 200, _with_secret(client, secret))
